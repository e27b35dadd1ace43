"""The contact panel: details, stage history with evidence, messages and notes.

The panel shows what the window hands it (``show_contact``); it never reads the store. Notes are
reported through ``notes_edited`` after a short pause in typing and when the editor loses focus.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import Stage
from desktop.domain.slots import Slot
from desktop.storage import ContactRecord, HistoryEntry, StoredMessage
from ui.flow import FlowLayout
from ui.format import day_text, when_text
from ui.message_view import SafeTextBrowser, VerdictBar
from ui.reply_card import ReplyCard

NOTES_DEBOUNCE_MS = 800

AnyIndex = QModelIndex | QPersistentModelIndex


class HistoryDelegate(QStyledItemDelegate):
    """A history line: the change in bold (struck through when undone), the evidence below."""

    def _lines(self, index: AnyIndex) -> list[str]:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "").split("\n")

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        return QSize(fm.averageCharWidth() * 30, len(self._lines(index)) * fm.height() + pad * 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        entry = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(entry, HistoryEntry):
            painter.save()
            painter.setPen(
                option.palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            )
            painter.drawText(
                option.rect.adjusted(4, 4, -4, -4),
                int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            )
            painter.restore()
            return
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        pal: QPalette = option.palette
        painter.save()
        text = pal.color(QPalette.ColorRole.Text)
        base = pal.color(QPalette.ColorRole.Base)
        muted = QColor(
            (text.red() * 3 + base.red() * 2) // 5,
            (text.green() * 3 + base.green() * 2) // 5,
            (text.blue() * 3 + base.blue() * 2) // 5,
        )
        is_change = entry.to_stage is not None
        if is_change and not entry.undone:
            stripe = QRect(
                option.rect.left() + pad // 2,
                option.rect.top() + pad // 2,
                max(2, pad // 3),
                option.rect.height() - pad,
            )
            painter.fillRect(stripe, pal.color(QPalette.ColorRole.Highlight))
        x = option.rect.left() + pad * 2
        width = option.rect.width() - pad * 3
        y = option.rect.top() + pad
        for n, line in enumerate(self._lines(index)):
            font = QFont(option.font)
            if n == 0:
                font.setBold(is_change)
                font.setStrikeOut(entry.undone)
            painter.setFont(font)
            painter.setPen(muted if entry.undone or n > 0 else text)
            shown = QFontMetrics(font).elidedText(line, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, shown)
            y += fm.height()
        painter.setPen(pal.color(QPalette.ColorRole.Midlight))
        painter.drawLine(
            option.rect.left() + pad,
            option.rect.bottom(),
            option.rect.right() - pad,
            option.rect.bottom(),
        )
        painter.restore()


class ContactPanel(QWidget):
    """Everything about one contact.

    Signals:
        edit_requested(int): the user asked to edit the contact.
        meeting_requested(int): the user asked to set a meeting.
        undo_requested(int): the user asked to undo the contact's last stage change.
        notes_edited(int, str): the notes changed (debounced; also on focus-out).
        invite_requested(int): the user asked to send the meeting invitation.
        message_corrected(int, object, str): the user said what a message really is (contact
            id, the StoredMessage, and "human", "auto_reply" or "bulk").
    """

    edit_requested = Signal(int)
    meeting_requested = Signal(int)
    undo_requested = Signal(int)
    notes_edited = Signal(int, str)
    message_corrected = Signal(int, object, str)
    invite_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact_id: int | None = None
        self.zone: tzinfo = UTC
        self.now: datetime | None = None
        self._messages: list[StoredMessage] = []
        self._saved_notes = ""
        self.setAccessibleName(self.tr("Contact details"))

        fm = QFontMetrics(self.font())
        pad = fm.height() // 2

        # Empty state.
        self.empty = QLabel(self.tr("Select a contact to see their history, messages and notes."))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)

        # Header.
        self.name_label = QLabel()
        title_font = QFont(self.font())
        title_font.setPointSizeF(self.font().pointSizeF() * 1.35)
        title_font.setBold(True)
        self.name_label.setFont(title_font)
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stage_label = QLabel()
        self.stage_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setTextFormat(Qt.TextFormat.PlainText)

        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setAccessibleName(self.tr("Edit contact"))
        self.edit_button.clicked.connect(self.on_edit_clicked)
        self.meeting_button = QPushButton(self.tr("Set meeting…"))
        self.meeting_button.setAccessibleName(self.tr("Set meeting"))
        self.meeting_button.clicked.connect(self.on_meeting_clicked)
        self.invite_button = QPushButton(self.tr("Send invitation"))
        self.invite_button.setAccessibleName(self.tr("Send the meeting invitation"))
        self.invite_button.setToolTip(
            self.tr("Invite them to the meeting through your calendar, in one click.")
        )
        self.invite_button.clicked.connect(self.on_invite_clicked)
        self.invite_button.hide()
        self.undo_button = QPushButton(self.tr("Undo last change"))
        self.undo_button.setAccessibleName(self.tr("Undo last stage change"))
        self.undo_button.clicked.connect(self.on_undo_clicked)

        # History.
        self.history = QListWidget()
        self.history.setAccessibleName(self.tr("Stage history"))
        self.history.setWordWrap(True)
        self.history.setItemDelegate(HistoryDelegate(self.history))
        self.history.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.history.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)

        # Messages.
        self.message_list = QListWidget()
        self.message_list.setAccessibleName(self.tr("Messages"))
        self.message_list.setWordWrap(True)
        self.message_list.currentRowChanged.connect(self.on_message_selected)
        self.message_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.message_list.customContextMenuRequested.connect(self.on_message_menu)
        self.message_body = SafeTextBrowser()
        self.message_body.setAccessibleName(self.tr("Message text"))
        self.message_body.setPlaceholderText(self.tr("Select a message to read it."))
        self.verdict = VerdictBar()
        self.verdict.corrected.connect(self.correct_current)
        reading = QWidget()
        reading_layout = QVBoxLayout(reading)
        reading_layout.setContentsMargins(0, 0, 0, 0)
        reading_layout.addWidget(self.verdict)
        reading_layout.addWidget(self.message_body)
        message_split = QSplitter(Qt.Orientation.Vertical)
        message_split.setObjectName("message-splitter")
        message_split.addWidget(self.message_list)
        message_split.addWidget(reading)
        message_split.setStretchFactor(1, 2)
        self.no_messages = QLabel(
            self.tr("No messages yet. Mail to or from this contact appears here after a sync.")
        )
        self.no_messages.setWordWrap(True)
        self.no_messages.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_messages.setEnabled(False)
        self.message_stack = QStackedWidget()
        self.message_stack.addWidget(self.no_messages)
        self.message_stack.addWidget(message_split)

        # Notes.
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(
            self.tr(
                "Your notes on this person: what you talked about, what they suggested, what "
                "you promised to send, anything to remember next time…"
            )
        )
        self.notes.installEventFilter(self)
        self.notes.textChanged.connect(self.on_notes_changed)
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(NOTES_DEBOUNCE_MS)
        self._notes_timer.timeout.connect(self.flush_notes)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.addTab(self.message_stack, self.tr("Messages"))
        self.tabs.addTab(self.notes, self.tr("Notes"))
        self.tabs.tabBar().setAccessibleName(self.tr("Contact sections"))

        head = QHBoxLayout()
        head.addWidget(self.name_label, 1)
        head.addWidget(self.stage_label)
        # The buttons wrap onto a second row in a narrow panel, never cut their text.
        buttons = FlowLayout(spacing=pad)
        for button in (self.edit_button, self.meeting_button, self.invite_button, self.undo_button):
            buttons.addWidget(button)

        self.card = QWidget()
        card_layout = QVBoxLayout(self.card)
        card_layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad)
        card_layout.setSpacing(pad // 2)
        card_layout.addLayout(head)
        card_layout.addWidget(self.subtitle)
        card_layout.addWidget(self.details)
        card_layout.addSpacing(pad // 2)
        card_layout.addLayout(buttons)
        card_layout.addSpacing(pad // 2)
        # Their latest reply, understood, with its one click (ui/reply_flow.py fills it).
        self.reply_card = ReplyCard()
        card_layout.addWidget(self.reply_card)
        card_layout.addWidget(self.tabs, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.card)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # ------------------------------------------------------------- showing
    def show_contact(
        self,
        record: ContactRecord | None,
        history: list[HistoryEntry] | None = None,
        messages: list[StoredMessage] | None = None,
        *,
        referrer_name: str = "",
    ) -> None:
        """Show a contact (None: the empty state). Keeps unsaved notes of the previous one."""
        same = record is not None and record.id == self.contact_id
        if not same:
            self.flush_notes()
        if record is None:
            self.contact_id = None
            self.stack.setCurrentWidget(self.empty)
            return
        self.contact_id = record.id
        self.stack.setCurrentWidget(self.card)
        c = record.contact
        state = record.state
        self.name_label.setText(c.name)
        self.stage_label.setText(f"<b>{self.tr(state.stage.label)}</b>")
        self.subtitle.setText(" · ".join(p for p in (c.role, c.company) if p))
        self.subtitle.setVisible(bool(c.role or c.company))
        lines = []
        if c.emails:
            lines.append(", ".join(c.emails))
        if c.timezone:
            lines.append(self.tr("Time zone: {0}").format(c.timezone))
        if c.source:
            lines.append(self.tr("Source: {0}").format(c.source))
        if referrer_name:
            lines.append(self.tr("Introduced by {0}").format(referrer_name))
        if state.meeting_start is not None and state.meeting_end is not None:
            user_tz = getattr(self.zone, "key", None) or "UTC"
            slot = Slot(state.meeting_start, state.meeting_end)
            from desktop.replies import meeting_text  # the reply loop loads after the first paint

            when = meeting_text(slot, user_tz, c.timezone)  # their time, yours beside it
            lines.append(self.tr("Meeting: {0}").format(when))
        elif state.meeting_start is not None:
            lines.append(self.tr("Meeting: {0}").format(when_text(state.meeting_start, self.zone)))
        if state.away_until is not None:
            lines.append(self.tr("Away until {0}").format(day_text(state.away_until)))
        if state.bounced_addresses:
            lines.append(self.tr("Bounced: {0}").format(", ".join(state.bounced_addresses)))
        self.invite_button.setVisible(
            state.stage is Stage.SCHEDULED and state.meeting_start is not None
        )
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self._show_history(history or [])
        self._show_messages(messages or [], keep=same)
        if not same or not self.notes.hasFocus():
            self._set_notes(c.notes)

    def _show_history(self, history: list[HistoryEntry]) -> None:
        self.history.clear()
        can_undo = False
        if not history:
            item = QListWidgetItem(
                self.tr(
                    "Nothing has happened yet. Changes of stage, with what "
                    "caused them, will be listed here."
                )
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.history.addItem(item)
        for entry in reversed(history):  # newest first
            when = when_text(entry.at, self.zone, self.now)
            if entry.from_stage is not None and entry.to_stage is not None:
                head = f"{self.tr(entry.from_stage.label)} → {self.tr(entry.to_stage.label)}"
                if entry.undone:
                    head += "  " + self.tr("(undone)")
                else:
                    can_undo = True
            else:
                head = entry.evidence.summary
            lines = [f"{when}   {head}"]
            if entry.from_stage is not None:
                lines.append(entry.evidence.summary)
            if entry.evidence.detail:
                lines.append(self.tr("Why: {0}").format(entry.evidence.detail))
            item = QListWidgetItem("\n".join(lines))
            item.setToolTip("\n".join(lines))  # lines too long for the panel end in "…"
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                (self.tr("Undone: ") if entry.undone else "") + ". ".join(lines),
            )
            self.history.addItem(item)
        self.undo_button.setEnabled(can_undo)

    def _show_messages(self, messages: list[StoredMessage], *, keep: bool) -> None:
        current = self.message_list.currentRow() if keep else -1
        previous_key = self._messages[current].key if 0 <= current < len(self._messages) else None
        self._messages = list(reversed(messages))  # newest first
        blocker = self.message_list.blockSignals(True)
        self.message_list.clear()
        for msg in self._messages:
            when = when_text(msg.date, self.zone, self.now)
            subject = msg.subject or self.tr("(no subject)")
            tag = "" if msg.kind in ("", "human") else f"  [{msg.kind.replace('_', ' ')}]"
            if msg.failure:
                tag = "  [" + self.tr("could not be read") + "]"
            item = QListWidgetItem(f"{subject}{tag}\n{msg.sender} · {when}")
            self.message_list.addItem(item)
        self.message_list.blockSignals(blocker)
        self.message_stack.setCurrentIndex(1 if self._messages else 0)
        row = next((n for n, m in enumerate(self._messages) if m.key == previous_key), -1)
        if row < 0 and self._messages:
            row = 0
        self.message_list.setCurrentRow(row)
        self.on_message_selected(row)

    def on_message_selected(self, row: int) -> None:
        if 0 <= row < len(self._messages):
            msg = self._messages[row]
            self.message_body.show_message(msg.text, msg.html, msg.defects, msg.failure)
            self.verdict.show_verdict(msg.kind, msg.evidence, incoming=msg.folder != "sent")
        else:
            self.message_body.clear()
            self.verdict.hide()

    # ------------------------------------------------------------- notes
    def _set_notes(self, text: str) -> None:
        self._notes_timer.stop()
        self._saved_notes = text
        if self.notes.toPlainText() != text:
            blocker = self.notes.blockSignals(True)
            self.notes.setPlainText(text)
            self.notes.blockSignals(blocker)

    def on_notes_changed(self) -> None:
        self._notes_timer.start()

    def flush_notes(self) -> None:
        """Report unsaved notes now (focus-out, switching contacts, closing)."""
        self._notes_timer.stop()
        if self.contact_id is None:
            return
        text = self.notes.toPlainText()
        if text != self._saved_notes:
            self._saved_notes = text
            self.notes_edited.emit(self.contact_id, text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.notes and event.type() == QEvent.Type.FocusOut:
            self.flush_notes()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------- buttons
    def on_edit_clicked(self) -> None:
        if self.contact_id is not None:
            self.edit_requested.emit(self.contact_id)

    def on_meeting_clicked(self) -> None:
        if self.contact_id is not None:
            self.meeting_requested.emit(self.contact_id)

    def correction_choices(self) -> list[tuple[str, str]]:
        """(kind, label) the user may say the selected incoming message is."""
        row = self.message_list.currentRow()
        if not 0 <= row < len(self._messages) or self._messages[row].folder == "sent":
            return []
        current = self._messages[row].kind
        choices = [
            ("human", self.tr("This was a real reply")),
            ("auto_reply", self.tr("This was an automatic reply")),
            ("bulk", self.tr("This is bulk mail: ignore it")),
        ]
        return [(kind, label) for kind, label in choices if kind != current]

    def on_message_menu(self, pos: QPoint) -> None:
        choices = self.correction_choices()
        if not choices or self.contact_id is None:
            return
        menu = QMenu(self)
        menu.setAccessibleName(self.tr("Correct this message"))
        for kind, label in choices:
            menu.addAction(label).setData(kind)
        chosen = menu.exec(self.message_list.viewport().mapToGlobal(pos))
        if chosen is not None:
            self.correct_current(str(chosen.data()))

    def correct_current(self, kind: str) -> None:
        row = self.message_list.currentRow()
        if self.contact_id is not None and 0 <= row < len(self._messages):
            self.message_corrected.emit(self.contact_id, self._messages[row], kind)

    def on_invite_clicked(self) -> None:
        if self.contact_id is not None:
            self.invite_requested.emit(self.contact_id)

    def on_undo_clicked(self) -> None:
        if self.contact_id is not None:
            self.undo_requested.emit(self.contact_id)
