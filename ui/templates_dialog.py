"""Templates: the defaults and the user's own, edited with a live preview on a sample contact.

The defaults (resources/templates/) are read-only; *Customise* copies one into the profile's
``templates/`` folder under the same name, where it takes the default's place until *Reset to
default*. *New* and *Duplicate* add templates of the user's own, which *Delete* removes. The
preview goes through the composer's own rendering (the Jinja2 sandbox with strict fields), so a
mistake shows here as it would there: a missing field by name, a syntax error with its line.
Files are written when the user presses *Save*; a template with a syntax error is never saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import compose, templates
from desktop.context import AppContext
from desktop.templates import MessageTemplate, MissingFieldError, TemplateError
from ui.composer import TEMPLATE_LABELS
from ui.dialogs import error_label, name_helper_controls

PREVIEW_DEBOUNCE_MS = 250
#: Unknown fields filled with a placeholder in the preview, at most.
MAX_UNKNOWN = 20

_NEW_TEMPLATE = """{# kind: request #}
Subject: A short call about your work at {{ company }}?

Hi {{ first_name }},

{{ reason }}: that is why I am writing. Would you have time for {{ meeting }}? I am free at:

{% for slot in slots %}
- {{ slot }}
{% endfor %}

Best wishes,
{{ user_name }}
"""


class TemplatesDialog(QDialog):
    """List, edit, add, duplicate, reset and delete message templates.

    Signals:
        templates_changed(): a template file was written or removed.
        preview_updated(): the preview (or its error) was recomputed.
    """

    templates_changed = Signal()
    preview_updated = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user_dir = ctx.paths.profile / "templates"
        self.sample = compose.sample_fields(
            ctx.settings.user_name,
            ctx.settings.timezone,
            ctx.settings.message_language,
            ctx.clock.now(),
        )
        self.defaults = templates.available(None)
        self.current: str | None = None
        self.dirty = False
        self.preview_error = ""
        self._loading = False
        self.setWindowTitle(self.tr("Templates"))
        self.setObjectName("templates")
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self.preview_timer.timeout.connect(self.update_preview)
        self._build()
        self.reload(select=None)
        name_helper_controls(self)

    # ================================================================ building
    def _build(self) -> None:
        fm = QFontMetrics(self.font())
        self.template_list = QListWidget()
        self.template_list.setAccessibleName(self.tr("Templates"))
        self.template_list.currentItemChanged.connect(self.on_current_changed)
        longest = max(
            (self.tr(t) + self.tr(" (customised)") for t in TEMPLATE_LABELS.values()), key=len
        )
        self.template_list.setMinimumWidth(fm.horizontalAdvance(longest) + fm.height() * 2)

        self.new_button = QPushButton(self.tr("&New"))
        self.new_button.clicked.connect(self.new_template)
        self.duplicate_button = QPushButton(self.tr("D&uplicate"))
        self.duplicate_button.setToolTip(self.tr("A copy under a new name, to change as you like"))
        self.duplicate_button.clicked.connect(self.duplicate_current)
        self.customise_button = QPushButton(self.tr("&Customise"))
        self.customise_button.setToolTip(
            self.tr("Your own version of this default, used in its place")
        )
        self.customise_button.clicked.connect(self.customise_current)
        self.reset_button = QPushButton(self.tr("&Reset to default"))
        self.reset_button.clicked.connect(self.reset_current)
        self.delete_button = QPushButton(self.tr("De&lete"))
        self.delete_button.clicked.connect(self.delete_current)
        for button in (
            self.new_button,
            self.duplicate_button,
            self.customise_button,
            self.reset_button,
            self.delete_button,
        ):
            button.setAccessibleName(button.text().replace("&", ""))
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_button)
        list_buttons.addWidget(self.duplicate_button)
        list_buttons.addStretch(1)
        list_buttons2 = QHBoxLayout()
        list_buttons2.addWidget(self.customise_button)
        list_buttons2.addWidget(self.reset_button)
        list_buttons2.addWidget(self.delete_button)
        list_buttons2.addStretch(1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.template_list, 1)
        left_layout.addLayout(list_buttons)
        left_layout.addLayout(list_buttons2)

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Template name"))
        self.name_edit.setPlaceholderText(self.tr("letters, digits, _ and -"))
        self.name_edit.textEdited.connect(self.on_edited)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("About this template"))
        self.source_edit = QPlainTextEdit()
        self.source_edit.setAccessibleName(self.tr("Template text"))
        self.source_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.source_edit.setTabChangesFocus(True)
        self.source_edit.setMinimumHeight(fm.lineSpacing() * 14)
        self.source_edit.textChanged.connect(self.on_edited)
        self.help_label = QLabel(
            self.tr(
                "Start with <b>Subject:</b>, a blank line, then the message. Fields: "
                "{{ first_name }}, {{ company }}, {{ meeting }}, {% for slot in slots %}…"
                "{% endfor %}. Write optional parts as {% if company is defined %}…{% endif %}."
            )
            .replace("{{", "&#123;&#123;")
            .replace("}}", "&#125;&#125;")
        )
        self.help_label.setTextFormat(Qt.TextFormat.RichText)
        self.help_label.setWordWrap(True)
        self.help_label.setAccessibleName(self.tr("How templates are written"))

        self.preview_caption = QLabel(self.tr("Preview for a sample contact (Maya Chen):"))
        self.preview_subject = QLabel()
        self.preview_subject.setAccessibleName(self.tr("Preview subject"))
        self.preview_subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_subject.setWordWrap(True)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setMinimumHeight(fm.lineSpacing() * 10)
        self.error = error_label()

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        name_row = QHBoxLayout()
        name_caption = QLabel(self.tr("N&ame:"))
        name_caption.setBuddy(self.name_edit)
        name_row.addWidget(name_caption)
        name_row.addWidget(self.name_edit, 1)
        right_layout.addLayout(name_row)
        right_layout.addWidget(self.status_label)
        right_layout.addWidget(self.source_edit, 3)
        right_layout.addWidget(self.help_label)
        right_layout.addWidget(self.preview_caption)
        right_layout.addWidget(self.preview_subject)
        right_layout.addWidget(self.preview, 2)
        right_layout.addWidget(self.error)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.clicked.connect(self.save_current)
        self.buttons.rejected.connect(self.reject)
        for standard in self.buttons.buttons():
            standard.setAccessibleName(standard.text().replace("&", ""))

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        width = self.template_list.minimumWidth() + fm.averageCharWidth() * 100
        height = fm.lineSpacing() * 46
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = (
                min(width, round(free.width() * 0.92)),
                min(height, round(free.height() * 0.92)),
            )
        self.resize(width, height)

    # ================================================================ the list
    def all_templates(self) -> dict[str, MessageTemplate]:
        return templates.available(self.user_dir)

    def label(self, tpl: MessageTemplate) -> str:
        text = self.tr(TEMPLATE_LABELS.get(tpl.name, tpl.name))
        if tpl.builtin:
            return text
        if tpl.name in self.defaults:
            return self.tr("{0} (customised)").format(text)
        return self.tr("{0} (yours)").format(text)

    def reload(self, select: str | None) -> None:
        """Fill the list from disk, selecting ``select`` (else the first)."""
        self._loading = True
        self.template_list.clear()
        for name, tpl in sorted(
            self.all_templates().items(), key=lambda kv: (kv[1].builtin, kv[0])
        ):
            item = QListWidgetItem(self.label(tpl))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{name}{templates.SUFFIX}")
            self.template_list.addItem(item)
        self._loading = False
        row = 0
        for n in range(self.template_list.count()):
            if self.template_list.item(n).data(Qt.ItemDataRole.UserRole) == select:
                row = n
        self.current = None
        self.template_list.setCurrentRow(row)
        if self.template_list.count() and self.current is None:
            self.show_template(self.template_list.item(row).data(Qt.ItemDataRole.UserRole))

    def names(self) -> list[str]:
        return [
            str(self.template_list.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.template_list.count())
        ]

    def on_current_changed(
        self, item: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if self._loading or item is None:
            return
        name = str(item.data(Qt.ItemDataRole.UserRole))
        if name == self.current:
            return
        if self.dirty and not self.confirm_discard():
            if previous is not None:
                self._loading = True
                self.template_list.setCurrentItem(previous)
                self._loading = False
            return
        self.show_template(name)

    def confirm_discard(self) -> bool:
        """Changes not saved: True to drop them (tests replace this to answer)."""
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("Your changes to this template are not saved. Drop them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def show_template(self, name: str) -> None:
        tpl = self.all_templates().get(name)
        if tpl is None:
            return
        self.current = name
        self._loading = True
        self.name_edit.setText(name)
        self.source_edit.setPlainText(tpl.source)
        self._loading = False
        self.dirty = False
        self.update_state()
        self.update_preview()

    def is_default(self) -> bool:
        """The selection is a default the user has not customised (read-only)."""
        tpl = self.all_templates().get(self.current or "")
        return tpl is not None and tpl.builtin

    def update_state(self) -> None:
        tpl = self.all_templates().get(self.current or "")
        builtin = tpl is not None and tpl.builtin
        customised = tpl is not None and not tpl.builtin and tpl.name in self.defaults
        own = tpl is not None and not tpl.builtin and tpl.name not in self.defaults
        self.source_edit.setReadOnly(builtin)
        self.name_edit.setReadOnly(not own)
        if builtin:
            self.status_label.setText(
                self.tr(
                    "A default template: read-only. Customise it to use your own version in "
                    "its place, or duplicate it to make a new one."
                )
            )
        elif customised:
            self.status_label.setText(
                self.tr("Your version of a default, used in its place. Reset to go back.")
            )
        else:
            self.status_label.setText(self.tr("Your own template."))
        self.customise_button.setEnabled(builtin)
        self.duplicate_button.setEnabled(tpl is not None)
        self.reset_button.setEnabled(customised)
        self.delete_button.setEnabled(own)
        self.save_button.setEnabled(not builtin and self.dirty)

    # ================================================================ editing
    def on_edited(self, *_: object) -> None:
        if self._loading:
            return
        self.dirty = True
        self.update_state()
        self.preview_timer.start()

    def edited_template(self) -> MessageTemplate:
        return templates.from_source(self.name_edit.text().strip(), self.source_edit.toPlainText())

    def update_preview(self) -> None:
        """Render the text as the composer would, for the sample contact; show what is wrong."""
        self.preview_timer.stop()
        tpl = self.edited_template()
        self.preview_error = ""
        fields = dict(self.sample)
        unknown: list[str] = []
        try:
            while True:
                try:
                    rendered = templates.render(tpl, fields)
                    break
                except MissingFieldError as exc:
                    # Shown in the preview as «name», so the rest of the message can be read.
                    if exc.field in unknown or len(unknown) >= MAX_UNKNOWN:
                        raise
                    unknown.append(exc.field)
                    fields[exc.field] = f"«{exc.field}»"
        except TemplateError as exc:
            self.preview_error = str(exc)
            self.preview_subject.setText("")
            self.preview.setPlainText("")
        else:
            self.preview_subject.setText(self.tr("Subject: {0}").format(rendered.subject))
            self.preview.setPlainText(rendered.body)
            if unknown:
                self.preview_error = self.tr(
                    "Not a field Coffeechat fills in: {0}. The composer will ask for it each "
                    "time (check the spelling if you meant a known one)."
                ).format(", ".join(f"'{name}'" for name in unknown))
        if self.preview_error:
            self.error.setText(self.preview_error)
            self.error.show()
        else:
            self.error.hide()
        self.preview_updated.emit()

    def save_current(self) -> bool:
        """Write the template to the profile; a text that cannot make a template is refused."""
        if self.current is None or self.is_default():
            return False
        name = self.name_edit.text().strip()
        if name != self.current and name in self.defaults:
            self.show_error(
                self.tr("'{0}' is a default's name: choose another, or customise it.").format(name)
            )
            return False
        if name != self.current and name in self.names():
            self.show_error(self.tr("There is already a template named '{0}'.").format(name))
            return False
        try:
            templates.save_user_template(self.user_dir, name, self.source_edit.toPlainText())
        except (TemplateError, OSError) as exc:
            self.show_error(self.tr("Not saved: {0}").format(exc))
            return False
        if name != self.current:
            templates.delete_user_template(self.user_dir, self.current)
        self.dirty = False
        self.templates_changed.emit()
        self.reload(select=name)
        return True

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _add(self, name: str, source: str) -> bool:
        if self.dirty and not self.confirm_discard():
            return False
        try:
            templates.save_user_template(self.user_dir, name, source)
        except (TemplateError, OSError) as exc:
            self.show_error(self.tr("Not saved: {0}").format(exc))
            return False
        self.dirty = False
        self.templates_changed.emit()
        self.reload(select=name)
        return True

    def new_template(self) -> bool:
        name = templates.free_name("my_request", self.names())
        return self._add(name, _NEW_TEMPLATE)

    def duplicate_current(self) -> bool:
        if self.current is None:
            return False
        source = self.source_edit.toPlainText()
        name = templates.free_name(f"{self.current}_copy", self.names())
        return self._add(name, source)

    def customise_current(self) -> bool:
        """The default, copied into the profile under its own name: it is used in its place."""
        if self.current is None or not self.is_default():
            return False
        return self._add(self.current, self.defaults[self.current].source)

    def reset_current(self) -> bool:
        if self.current is None or self.current not in self.defaults or self.is_default():
            return False
        templates.delete_user_template(self.user_dir, self.current)
        self.dirty = False
        self.templates_changed.emit()
        self.reload(select=self.current)
        return True

    def delete_current(self) -> bool:
        if self.current is None or self.current in self.defaults:
            return False
        if not self.confirm_delete(self.current):
            return False
        templates.delete_user_template(self.user_dir, self.current)
        self.dirty = False
        self.templates_changed.emit()
        self.reload(select=None)
        return True

    def confirm_delete(self, name: str) -> bool:
        """Tests replace this to answer."""
        answer = QMessageBox.question(
            self,
            self.tr("Delete template"),
            self.tr("Delete your template '{0}'? This cannot be undone.").format(name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    # ================================================================ closing
    def reject(self) -> None:
        if self.dirty and not self.confirm_discard():
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not self.confirm_discard():
            event.ignore()
            return
        super().closeEvent(event)
