"""The contact panel's Prepare tab: how the contact was found (the composer's reason to write),
research notes in Markdown, links, and the question list, seeded from the question bank,
editable and reorderable. Everything is saved as it is edited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import workspace
from desktop.domain.clock import Clock
from desktop.domain.workspace import SOURCE_LABELS, ContactSource, Link, Question, SourceKind
from desktop.storage import Store
from ui.a11y import name_controls

SAVE_DELAY_MS = 800


class QuestionBankDialog(QDialog):
    """The user's own question bank: the list every new contact's questions start from."""

    def __init__(self, profile: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(profile) / workspace.USER_BANK_NAME
        self.setWindowTitle(self.tr("Your question bank"))
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = workspace.DEFAULT_BANK.read_text(encoding="utf-8")
        self.edit = QPlainTextEdit(text)
        self.edit.setObjectName("question-bank")
        self.edit.setAccessibleName(self.tr("Question bank"))
        hint = QLabel(
            self.tr(
                "One question per line starting with “- ”; headings (#) group them. New contacts "
                "start with these; contacts you already prepared keep their own list."
            )
        )
        hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        fm = QFontMetrics(self.font())
        self.resize(fm.averageCharWidth() * 90, fm.height() * 32)
        name_controls(self)

    def restore_defaults(self) -> None:
        self.edit.setPlainText(workspace.DEFAULT_BANK.read_text(encoding="utf-8"))

    def accept(self) -> None:
        text = self.edit.toPlainText()
        if not workspace.parse_bank(text):
            self.error.setText(self.tr("There is no question in it: start each with “- ”."))
            self.error.show()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            self.error.setText(self.tr("Cannot save {0}: {1}").format(self.path, exc))
            self.error.show()
            return
        super().accept()

    def questions(self) -> list[str]:
        return workspace.parse_bank(self.edit.toPlainText())


class PreparePane(QWidget):
    """Signals:
    interview_requested(int): the user wants to start the interview with this contact.
    source_changed(int): the contact's source was edited.
    write_requested(int): the user wants to write the request (the composer opens).
    bank_requested(): the user wants to edit their question bank.
    """

    interview_requested = Signal(int)
    source_changed = Signal(int)
    write_requested = Signal(int)
    bank_requested = Signal()

    def __init__(self, store: Store, clock: Clock, bank: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.bank = bank
        self.contact_id: int | None = None
        self._loading = False
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2

        # How they were found.
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(self.tr("How you found them"))
        self.kind_combo.addItem(self.tr("Not recorded"), "")
        for kind in SourceKind:
            self.kind_combo.addItem(self.tr(SOURCE_LABELS[kind]), kind.value)
        self.article_title = QLineEdit()
        self.article_title.setPlaceholderText(self.tr("The article's title"))
        self.article_url = QLineEdit()
        self.article_url.setPlaceholderText("https://")
        self.article_source = QLineEdit()
        self.article_source.setPlaceholderText(self.tr("e.g. Wired, the company blog"))
        self.detail = QLineEdit()
        self.detail.setPlaceholderText(self.tr("e.g. the alumni network's name, how you met"))
        self.referrer_label = QLabel()
        self.referrer_label.setWordWrap(True)
        source_box = QGroupBox(self.tr("Found through"))
        self.source_form = QFormLayout(source_box)
        self.source_form.addRow(self.tr("&Source:"), self.kind_combo)
        self.source_form.addRow(self.tr("Introduced by:"), self.referrer_label)
        self.source_form.addRow(self.tr("&Article:"), self.article_title)
        self.source_form.addRow(self.tr("&Link:"), self.article_url)
        self.source_form.addRow(self.tr("Published &in:"), self.article_source)
        self.source_form.addRow(self.tr("&Detail:"), self.detail)
        self.kind_combo.currentIndexChanged.connect(self.on_kind_changed)
        for edit in (self.article_title, self.article_url, self.article_source, self.detail):
            edit.editingFinished.connect(self.save_source)

        # Research notes.
        self.research = QPlainTextEdit()
        self.research.setObjectName("research-notes")
        self.research.setAccessibleName(self.tr("Research notes (Markdown)"))
        self.research.setPlaceholderText(
            self.tr(
                "What you learned about them: their path, recent work, what their bio already "
                "says (so you don't ask it). Markdown: # heading, - list, *emphasis*."
            )
        )
        self.research.setMinimumHeight(fm.lineSpacing() * 6)
        self.preview = QTextBrowser()
        self.preview.setOpenExternalLinks(False)
        self.preview.setOpenLinks(False)
        self.preview.setMinimumHeight(fm.lineSpacing() * 6)
        self.research_stack = QStackedWidget()
        self.research_stack.addWidget(self.research)
        self.research_stack.addWidget(self.preview)
        self.preview_button = QToolButton()
        self.preview_button.setText(self.tr("Preview"))
        self.preview_button.setCheckable(True)
        self.preview_button.toggled.connect(self.on_preview_toggled)
        self._research_timer = QTimer(self)
        self._research_timer.setSingleShot(True)
        self._research_timer.setInterval(SAVE_DELAY_MS)
        self._research_timer.timeout.connect(self.save_research)
        self.research.textChanged.connect(self.on_research_changed)
        research_box = QGroupBox(self.tr("Research"))
        rl = QVBoxLayout(research_box)
        rh = QHBoxLayout()
        rh.addStretch(1)
        rh.addWidget(self.preview_button)
        rl.addLayout(rh)
        rl.addWidget(self.research_stack)

        # Links.
        self.links = QListWidget()
        self.links.setAccessibleName(self.tr("Links"))
        self.links.setMaximumHeight(fm.lineSpacing() * 5)
        self.links.itemActivated.connect(self.on_link_activated)
        add_link = QPushButton(self.tr("Add link…"))
        add_link.clicked.connect(self.add_link)
        remove_link = QPushButton(self.tr("Remove"))
        remove_link.clicked.connect(self.remove_link)
        links_box = QGroupBox(self.tr("Links"))
        ll = QVBoxLayout(links_box)
        ll.addWidget(self.links)
        lb = QHBoxLayout()
        lb.addWidget(add_link)
        lb.addWidget(remove_link)
        lb.addStretch(1)
        ll.addLayout(lb)

        # Questions.
        self.questions = QListWidget()
        self.questions.setObjectName("prepare-questions")
        self.questions.setAccessibleName(self.tr("Questions to ask"))
        self.questions.setWordWrap(True)
        self.questions.setAlternatingRowColors(True)
        self.questions.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.questions.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.questions.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.questions.setMinimumHeight(fm.lineSpacing() * 10)
        self.questions.itemChanged.connect(self.save_questions)
        self.questions.model().rowsMoved.connect(self.on_rows_moved)
        buttons = QHBoxLayout()
        for text, slot, tip in (
            (self.tr("Add…"), self.add_question, self.tr("Add a question")),
            (self.tr("Remove"), self.remove_question, self.tr("Remove the selected question")),
            ("↑", self.move_up, self.tr("Move up")),
            ("↓", self.move_down, self.tr("Move down")),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setEnabled(False)
        buttons.addWidget(self.count_label)
        q_box = QGroupBox(self.tr("Questions (you lead the conversation)"))
        ql = QVBoxLayout(q_box)
        ql.addWidget(self.questions)
        ql.addLayout(buttons)

        # Drafts made ready (a request to a name suggested in an interview).
        self.drafts = QListWidget()
        self.drafts.setObjectName("ready-drafts")
        self.drafts.setAccessibleName(self.tr("Ready drafts"))
        self.drafts.setMaximumHeight(fm.lineSpacing() * 3)
        self.drafts.currentRowChanged.connect(self.on_draft_selected)
        self.draft_text = QPlainTextEdit()
        self.draft_text.setReadOnly(True)
        self.draft_text.setAccessibleName(self.tr("Draft text"))
        self.draft_text.setMinimumHeight(fm.lineSpacing() * 8)
        write = QPushButton(self.tr("&Write request…"))
        write.setToolTip(
            self.tr("Opens the composer on the same template, with times from your calendar")
        )
        write.clicked.connect(self.on_write_clicked)
        discard = QPushButton(self.tr("Discard draft"))
        discard.clicked.connect(self.discard_draft)
        self.drafts_box = QGroupBox(self.tr("Ready to send"))
        dl = QVBoxLayout(self.drafts_box)
        dl.addWidget(self.drafts)
        dl.addWidget(self.draft_text)
        db = QHBoxLayout()
        db.addWidget(write)
        db.addWidget(discard)
        db.addStretch(1)
        dl.addLayout(db)
        self.drafts_box.hide()
        bank_button = QToolButton()
        bank_button.setText(self.tr("Your bank…"))
        bank_button.setToolTip(self.tr("Edit the questions every new contact starts with"))
        bank_button.clicked.connect(self.bank_requested)
        buttons.insertWidget(buttons.count() - 2, bank_button)

        self.interview_button = QPushButton(self.tr("Start &interview…"))
        self.interview_button.setObjectName("start-interview")
        self.interview_button.clicked.connect(self.on_interview_clicked)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        layout.addWidget(self.drafts_box)
        layout.addWidget(source_box)
        layout.addWidget(q_box, 1)
        layout.addWidget(research_box)
        layout.addWidget(links_box)
        layout.addWidget(self.interview_button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        name_controls(self)

    # ---------------------------------------------------------------- loading
    def now(self) -> datetime:
        return self.clock.now()

    def show_contact(self, contact_id: int | None) -> None:
        if contact_id == self.contact_id:
            return
        self.flush()
        self.contact_id = contact_id
        if contact_id is None:
            return
        self._loading = True
        try:
            record = self.store.contacts.get(contact_id)
            source = self.store.workspace.source(contact_id)
            kind = source.kind.value if source else ""
            if not source and record.contact.referrer_id is not None:
                kind = SourceKind.REFERRAL.value
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
            self.article_title.setText(source.article_title if source else "")
            self.article_url.setText(source.article_url if source else "")
            self.article_source.setText(source.article_source if source else "")
            self.detail.setText(source.detail if source else "")
            referrer = ""
            if record.contact.referrer_id is not None:
                try:
                    referrer = self.store.contacts.get(record.contact.referrer_id).contact.name
                except KeyError:
                    referrer = ""
            self.referrer_label.setText(referrer or self.tr("nobody recorded"))
            self.research.setPlainText(self.store.workspace.research(contact_id))
            self.preview_button.setChecked(False)
            self.links.clear()
            for link in self.store.workspace.links(contact_id):
                self._add_link_item(link)
            self._fill_questions(workspace.questions_for(self.store, contact_id, self.bank))
            self._fill_drafts()
            self.update_source_rows()
        finally:
            self._loading = False

    def _fill_questions(self, questions: list[Question]) -> None:
        self.questions.blockSignals(True)
        self.questions.clear()
        for q in questions:
            self._question_item(q.text, q.checked)
        self.questions.blockSignals(False)
        self._count()

    def _question_item(self, text: str, checked: bool = False) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(
            item.flags()
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.questions.addItem(item)
        return item

    def _count(self) -> None:
        n = self.questions.count()
        self.count_label.setText(self.tr("{0} questions").format(n))

    # ----------------------------------------------------------------- drafts
    def _fill_drafts(self) -> None:
        self.drafts.clear()
        self.draft_text.clear()
        drafts = self.store.workspace.drafts(self.contact_id) if self.contact_id is not None else []
        for d in drafts:
            item = QListWidgetItem(d.subject)
            item.setData(Qt.ItemDataRole.UserRole, d.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, f"Subject: {d.subject}\n\n{d.body}")
            self.drafts.addItem(item)
        self.drafts_box.setVisible(bool(drafts))
        if drafts:
            self.drafts.setCurrentRow(0)

    def on_draft_selected(self, row: int) -> None:
        item = self.drafts.item(row) if row >= 0 else None
        self.draft_text.setPlainText(
            str(item.data(Qt.ItemDataRole.UserRole + 1)) if item is not None else ""
        )

    def on_write_clicked(self) -> None:
        if self.contact_id is not None:
            self.write_requested.emit(self.contact_id)

    def discard_draft(self) -> None:
        item = self.drafts.currentItem()
        if item is not None:
            self.store.workspace.delete_draft(int(item.data(Qt.ItemDataRole.UserRole)))
            self._fill_drafts()

    def reload(self) -> None:
        """Read the contact again (after an interview, an import, a sync)."""
        cid, self.contact_id = self.contact_id, None
        self.show_contact(cid)

    # ----------------------------------------------------------------- source
    def update_source_rows(self) -> None:
        kind = str(self.kind_combo.currentData() or "")
        article = kind == SourceKind.ARTICLE.value
        for edit in (self.article_title, self.article_url, self.article_source):
            self.source_form.setRowVisible(edit, article)
        self.source_form.setRowVisible(self.referrer_label, kind == SourceKind.REFERRAL.value)

    def on_kind_changed(self, *_: object) -> None:
        self.update_source_rows()
        if not self._loading:
            self.save_source()

    def current_source(self) -> ContactSource | None:
        kind = str(self.kind_combo.currentData() or "")
        if not kind:
            return None
        return ContactSource(
            SourceKind(kind),
            self.article_title.text().strip(),
            self.article_url.text().strip(),
            self.article_source.text().strip(),
            self.detail.text().strip(),
        )

    def save_source(self) -> None:
        if self.contact_id is None or self._loading:
            return
        new = self.current_source()
        if new != self.store.workspace.source(self.contact_id):
            self.store.workspace.set_source(self.contact_id, new)
            self.source_changed.emit(self.contact_id)

    # --------------------------------------------------------------- research
    def on_research_changed(self) -> None:
        if not self._loading:
            self._research_timer.start()

    def save_research(self) -> None:
        self._research_timer.stop()
        if self.contact_id is not None:
            text = self.research.toPlainText()
            if text != self.store.workspace.research(self.contact_id):
                self.store.workspace.set_research(self.contact_id, text, self.now())

    def on_preview_toggled(self, on: bool) -> None:
        if on:
            self.preview.setMarkdown(self.research.toPlainText())
        self.research_stack.setCurrentIndex(1 if on else 0)

    # ------------------------------------------------------------------ links
    def _add_link_item(self, link: Link) -> None:
        item = QListWidgetItem(link.title or link.url)
        item.setToolTip(link.url)
        item.setData(Qt.ItemDataRole.UserRole, link.url)
        self.links.addItem(item)

    def add_link(self) -> None:
        url, ok = QInputDialog.getText(self, self.tr("Add link"), self.tr("Address (URL):"))
        if ok and url.strip() and self.contact_id is not None:
            self._add_link_item(Link(url.strip()))
            self.save_links()

    def remove_link(self) -> None:
        row = self.links.currentRow()
        if row >= 0:
            self.links.takeItem(row)
            self.save_links()

    def save_links(self) -> None:
        if self.contact_id is None:
            return
        links = []
        for i in range(self.links.count()):
            item = self.links.item(i)
            url = str(item.data(Qt.ItemDataRole.UserRole))
            links.append(Link(url, "" if item.text() == url else item.text()))
        self.store.workspace.set_links(self.contact_id, links)

    def on_link_activated(self, item: QListWidgetItem) -> None:
        url = QUrl(str(item.data(Qt.ItemDataRole.UserRole)))
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    # -------------------------------------------------------------- questions
    def current_questions(self) -> list[Question]:
        out = []
        for i in range(self.questions.count()):
            item = self.questions.item(i)
            text = item.text().strip()
            if text:
                out.append(Question(None, text, item.checkState() == Qt.CheckState.Checked))
        return out

    def save_questions(self, *_: object) -> None:
        if self.contact_id is None or self._loading:
            return
        self.store.workspace.set_questions(self.contact_id, self.current_questions())
        self._count()

    def on_rows_moved(self, *_: object) -> None:
        QTimer.singleShot(0, self.save_questions)

    def add_question(self) -> None:
        text, ok = QInputDialog.getText(self, self.tr("Add a question"), self.tr("Question:"))
        if ok and text.strip():
            self.questions.blockSignals(True)
            item = self._question_item(text.strip())
            self.questions.blockSignals(False)
            self.questions.setCurrentItem(item)
            self.save_questions()

    def remove_question(self) -> None:
        row = self.questions.currentRow()
        if row >= 0:
            self.questions.takeItem(row)
            self.save_questions()

    def move_question(self, delta: int) -> None:
        row = self.questions.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.questions.count():
            return
        self.questions.blockSignals(True)
        item = self.questions.takeItem(row)
        self.questions.insertItem(target, item)
        self.questions.setCurrentRow(target)
        self.questions.blockSignals(False)
        self.save_questions()

    def move_up(self) -> None:
        self.move_question(-1)

    def move_down(self) -> None:
        self.move_question(1)

    # ------------------------------------------------------------------ other
    def on_interview_clicked(self) -> None:
        if self.contact_id is not None:
            self.flush()
            self.interview_requested.emit(self.contact_id)

    def flush(self) -> None:
        """Save what is pending (the research text is saved after a pause in typing)."""
        if self._research_timer.isActive():
            self.save_research()
        if self.contact_id is not None and not self._loading:
            self.save_source()
