"""The details a template asks for, and the attachments (coaching input only: Coffeechat sends
none). Which details are asked and which are required is decided in desktop/drafting.py; these
panels show the inputs and collect what is typed."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import drafting
from ui.composer.common import FIELD_TEXTS, label, tint


class FieldsPanel(QGroupBox):
    """The "Details for this template" box, and the line naming a missing one (``field_error``,
    which the dialog places under the box).

    Signals:
        edited(): the user changed a detail.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Details for this template"))
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.inputs: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.field_error = QLabel()
        self.field_error.setWordWrap(True)
        self.field_error.setAccessibleName(self.tr("Missing detail"))
        self.field_error.setTextFormat(Qt.TextFormat.PlainText)
        self.field_error.setStyleSheet(f"color: {tint(self, (200, 40, 30), 0.85)};")
        self.field_error.hide()

    def clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = {}

    def rebuild(
        self, wanted: Sequence[str], required: Collection[str], known: Mapping[str, object]
    ) -> None:
        """One input per detail in ``wanted``, filled with what is ``known`` already."""
        self.clear()
        fm = QFontMetrics(self.font())
        for field in wanted:
            text, example = FIELD_TEXTS.get(field, (label(field), ""))
            value = known.get(field)
            edit: QLineEdit | QPlainTextEdit
            if field in drafting.MULTILINE_FIELDS:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(fm.lineSpacing() * 3 + fm.height() // 2 * 2)
                if isinstance(value, list):
                    edit.setPlainText("\n".join(str(v) for v in value))
                elif value:
                    edit.setPlainText(str(value))
                edit.textChanged.connect(self.on_edited)
            else:
                edit = QLineEdit()
                edit.setText("" if value is None else str(value))
                edit.textEdited.connect(self.on_edited)
            hint = self.tr(example) if example else ""
            if field not in required:
                hint = self.tr("{0} (optional)").format(hint) if hint else self.tr("Optional")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(self.tr(text))
            edit.setObjectName(f"field-{field}")
            self.inputs[field] = edit
            self.form.addRow(self.tr(text) + ":", edit)
        self.setVisible(bool(wanted))

    def on_edited(self, *_: object) -> None:
        self.edited.emit()

    def values(self) -> dict[str, object]:
        """What is typed, as the pipeline takes it (a list for a field typed a line an item)."""
        out: dict[str, object] = {}
        for field, edit in self.inputs.items():
            if isinstance(edit, QPlainTextEdit):
                out[field] = drafting.typed_value(field, edit.toPlainText())
            else:
                out[field] = edit.text()
        return out

    def set_value(self, field: str, value: str) -> None:
        """Fill a detail as the user would."""
        edit = self.inputs[field]
        if isinstance(edit, QPlainTextEdit):
            edit.setPlainText(value)
        else:
            edit.setText(value)
            self.on_edited()

    def describe_missing(self, field: str, error: str) -> None:
        edit = self.inputs.get(field)
        if edit is not None:
            edit.setAccessibleDescription(error)

    def mark_missing(self, field: str | None, error: str) -> None:
        """Outline the detail the template lacks, and name it under the box."""
        color = tint(self, (200, 40, 30), 0.7)
        for name, edit in self.inputs.items():
            edit.setStyleSheet(f"border: 1px solid {color};" if name == field else "")
            if name != field:
                edit.setAccessibleDescription("")
        self.field_error.setText(error if field else "")
        self.field_error.setVisible(bool(field) and bool(error))


class AttachmentsPanel(QGroupBox):
    """The "Attachments" box: files only ever looked at by the coaching (a request carries none).

    Signals:
        changed(): a file was attached or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Attachments"))
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        self.paths: list[str] = []
        self.attach_list = QListWidget()
        self.attach_list.setAccessibleName(self.tr("Attachments"))
        self.attach_list.setFixedHeight(fm.lineSpacing() * 2 + pad * 2)
        self.attach_button = QPushButton(self.tr("&Attach…"))
        self.attach_button.setAccessibleName(self.tr("Attach a file"))
        self.attach_button.clicked.connect(self.choose)
        self.remove_attach_button = QPushButton(self.tr("&Remove"))
        self.remove_attach_button.setAccessibleName(self.tr("Remove the selected attachment"))
        self.remove_attach_button.clicked.connect(self.remove_selected)
        self.attach_hint = QLabel(self.tr("None. A request goes best without: never a résumé."))
        self.attach_hint.setWordWrap(True)
        self.attach_hint.setAccessibleName(self.tr("About attachments"))
        self.attach_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.attach_list.hide()
        self.remove_attach_button.hide()
        attach_buttons = QHBoxLayout()
        attach_buttons.addWidget(self.attach_button)
        attach_buttons.addWidget(self.remove_attach_button)
        attach_buttons.addStretch(1)
        attach_layout = QVBoxLayout(self)
        attach_layout.addWidget(self.attach_hint)
        attach_layout.addWidget(self.attach_list)
        attach_layout.addLayout(attach_buttons)

    def names(self) -> list[str]:
        return [Path(p).name for p in self.paths]

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach a file"))
        if path:
            self.add(path)

    def add(self, path: str) -> None:
        self.paths.append(path)
        item = QListWidgetItem(Path(path).name)
        item.setToolTip(path)
        self.attach_list.addItem(item)
        self._show()
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.attach_list.currentRow()
        if 0 <= row < len(self.paths):
            del self.paths[row]
            self.attach_list.takeItem(row)
            self._show()
            self.changed.emit()

    def _show(self) -> None:
        some = bool(self.paths)
        self.attach_list.setVisible(some)
        self.remove_attach_button.setVisible(some)
        self.attach_hint.setVisible(not some)
