"""The contact panel's Prepare tab: how the contact was found (the composer's reason to write),
research notes in Markdown, links, and the question list (ui.prepare_questions), seeded from the
question bank, editable and reorderable. Everything is saved as it is edited, on the database
worker (ui.ops); the pane reads the GUI's store."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
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
from ui.flow import FlowLayout
from ui.ops import Ops
from ui.prepare_questions import QuestionBox

SAVE_DELAY_MS = 800


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

    def __init__(
        self,
        store: Store,
        ops: Ops,
        clock: Clock,
        bank: list[str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.store = store
        self.ops = ops
        self.clock = clock
        self.bank = bank
        self.contact_id: int | None = None
        self._loading = False
        #: What was last read or written for the contact shown (no write when nothing changed).
        self._saved_source: ContactSource | None = None
        self._saved_research = ""
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2

        # How they were found.
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(self.tr("How you found them"))
        # As narrow as the panel allows: the open list still shows each choice in full.
        self.kind_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_combo.setMinimumContentsLength(8)
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
        # Each label above its field: in a narrow panel nothing is pushed out of sight.
        self.source_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
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
        lb = FlowLayout()
        lb.addWidget(add_link)
        lb.addWidget(remove_link)
        ll.addLayout(lb)

        # Questions.
        self.question_box = QuestionBox()
        self.questions = self.question_box.questions
        self.question_box.edited.connect(self.save_questions)
        self.question_box.bank_requested.connect(self.bank_requested)

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
        db = FlowLayout()
        db.addWidget(write)
        db.addWidget(discard)
        dl.addLayout(db)
        self.drafts_box.hide()

        self.interview_button = QPushButton(self.tr("Start &interview…"))
        self.interview_button.setObjectName("start-interview")
        self.interview_button.clicked.connect(self.on_interview_clicked)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        layout.addWidget(self.drafts_box)
        layout.addWidget(source_box)
        layout.addWidget(self.question_box)
        layout.addWidget(research_box)
        layout.addWidget(links_box)
        layout.addWidget(self.interview_button)
        # One scroll area, vertical only: the pane fits the panel's width (rows wrap, buttons
        # flow), and the question list is as tall as its questions, so it never scrolls inside
        # the pane's own scrolling.
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        self.scroll_area = scroll
        self.questions.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.questions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.questions.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustIgnored)
        questions_model = self.questions.model()
        for signal in (
            questions_model.rowsInserted,
            questions_model.rowsRemoved,
            questions_model.rowsMoved,
            questions_model.modelReset,
            questions_model.dataChanged,
        ):
            signal.connect(self.fit_questions)
        self.questions.installEventFilter(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        name_controls(self)

    # ---------------------------------------------------------------- layout
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.questions and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self.fit_questions)  # wrapped questions change height
        return super().eventFilter(watched, event)

    def fit_questions(self, *_args: object) -> None:
        """The question list as tall as its questions (wrapped at the list's width), so the
        pane scrolls and the list does not."""
        view = self.questions
        view.doItemsLayout()
        rows = sum(max(view.sizeHintForRow(n), view.visualItemRect(view.item(n)).height())
                   for n in range(view.count()))  # fmt: skip
        lines = QFontMetrics(view.font()).lineSpacing()
        height = max(rows, lines * 2) + 2 * view.frameWidth() + lines // 2
        if view.height() != height:
            view.setFixedHeight(height)

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
            source = self._saved_source = self.store.workspace.source(contact_id)
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
            self._saved_research = self.store.workspace.research(contact_id)
            self.research.setPlainText(self._saved_research)
            self.preview_button.setChecked(False)
            self.links.clear()
            for link in self.store.workspace.links(contact_id):
                self._add_link_item(link)
            self._load_questions(contact_id)
            self._fill_drafts()
            self.update_source_rows()
        finally:
            self._loading = False

    def _load_questions(self, contact_id: int) -> None:
        stored = self.store.workspace.questions(contact_id)
        if stored:
            self.question_box.fill(stored)
            return
        # The first time: the bank's questions, shown now and stored as the contact's list.
        bank = list(self.bank)
        self.question_box.fill([Question(None, q) for q in bank])
        self.ops.db(lambda store: workspace.questions_for(store, contact_id, bank))

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
            draft_id = int(item.data(Qt.ItemDataRole.UserRole))
            self.ops.db(
                lambda store: store.workspace.delete_draft(draft_id), success=self.on_draft_deleted
            )

    def on_draft_deleted(self, _result: object) -> None:
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
        cid, new = self.contact_id, self.current_source()
        if new == self._saved_source:
            return
        self._saved_source = new

        def write(store: Store) -> bool:
            if new == store.workspace.source(cid):
                return False
            store.workspace.set_source(cid, new)
            return True

        self.ops.db(write, success=lambda changed: self.on_source_saved(cid, changed))

    def on_source_saved(self, contact_id: int, changed: bool) -> None:
        if changed:
            self.source_changed.emit(contact_id)

    # --------------------------------------------------------------- research
    def on_research_changed(self) -> None:
        if not self._loading:
            self._research_timer.start()

    def save_research(self) -> None:
        self._research_timer.stop()
        if self.contact_id is None:
            return
        cid, text, now = self.contact_id, self.research.toPlainText(), self.now()
        if text == self._saved_research:
            return
        self._saved_research = text

        def write(store: Store) -> None:
            if text != store.workspace.research(cid):
                store.workspace.set_research(cid, text, now)

        self.ops.db(write)

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
        cid = self.contact_id
        self.ops.db(lambda store: store.workspace.set_links(cid, links))

    def on_link_activated(self, item: QListWidgetItem) -> None:
        url = QUrl(str(item.data(Qt.ItemDataRole.UserRole)))
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    # -------------------------------------------------------------- questions
    def current_questions(self) -> list[Question]:
        return self.question_box.current_questions()

    def save_questions(self) -> None:
        if self.contact_id is None or self._loading:
            return
        cid, questions = self.contact_id, self.current_questions()
        self.ops.db(lambda store: store.workspace.set_questions(cid, questions))
        self.question_box.update_count()

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
