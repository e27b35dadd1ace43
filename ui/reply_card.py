"""The reply card: what a contact answered, what the app understood, and the one click that
follows (shown in Today and in the contact panel); and the invitation's preview.

The card only shows a ``desktop.replies.ReplyCase`` and says what the user asked for through its
signals; ui/reply_flow.py reads the case and does the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.slots import Slot
from mail import intent as intents

if TYPE_CHECKING:  # the reply loop itself loads when a reply is read (ui.reply_flow)
    from desktop.invites import InvitePreview
    from desktop.replies import ReplyCase

#: The one click for each intent, as the primary button says it.
_PRIMARY = {
    intents.ACCEPT: "&Confirm and invite…",
    intents.PROPOSE: "&Confirm this time…",
    intents.REFER: "&Thank, draft to {0}",
    intents.DECLINE: "&Thank and close…",
    intents.QUESTION: "&Answer…",
    intents.UNKNOWN: "&Reply…",
}
#: The text of the card's own text, at most (the rest is in Messages).
_MAX_TEXT = 600


class ReplyCard(QFrame):
    """One reply, understood.

    Signals:
        confirm_requested(object, object): confirm a time (the ReplyCase, the Slot).
        refer_requested(object, str, str): thank them and draft to the referral (case, name,
            address).
        reply_requested(object, str): write a threaded reply from this template (case, name).
        correction_made(object, str, object): the user says the reply is this intent (case,
            kind, slot index or None).
    """

    confirm_requested = Signal(object, object)
    refer_requested = Signal(object, str, str)
    reply_requested = Signal(object, str)
    correction_made = Signal(object, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: ReplyCase | None = None
        self.setObjectName("replyCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Their reply"))
        pad = QFontMetrics(self.font()).height() // 2
        self.title = QLabel()
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(self.tr("What they wrote"))
        self.intent_combo = QComboBox()
        self.intent_combo.setAccessibleName(self.tr("What the reply says"))
        for kind in intents.KINDS:
            self.intent_combo.addItem(self.tr(intents.LABELS[kind]), kind)
        self.intent_combo.activated.connect(self.on_intent_chosen)
        intent_label = QLabel(self.tr("It &says:"))
        intent_label.setBuddy(self.intent_combo)
        self.evidence = QLabel()
        self.evidence.setWordWrap(True)
        italic = self.evidence.font()
        italic.setItalic(True)  # the evidence: readable, set apart from their words
        self.evidence.setFont(italic)
        self.meeting = QLabel()
        self.meeting.setObjectName("replyMeeting")
        self.meeting.setWordWrap(True)
        self.meeting.setAccessibleName(self.tr("The meeting, their time and yours"))
        self.times = QListWidget()
        self.times.setAccessibleName(self.tr("Times, theirs and yours"))
        self.times.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.times.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.times.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.times.itemActivated.connect(self.on_time_activated)
        self.referral_name = QLineEdit()
        self.referral_name.setAccessibleName(self.tr("Referred person's name"))
        self.referral_name.setPlaceholderText(self.tr("Name"))
        self.referral_address = QLineEdit()
        self.referral_address.setAccessibleName(self.tr("Referred person's address"))
        self.referral_address.setPlaceholderText(self.tr("name@example.com"))
        self.referral_row = QWidget()
        row = QHBoxLayout(self.referral_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.referral_name, 2)
        row.addWidget(self.referral_address, 3)
        self.primary = QPushButton()
        self.primary.setObjectName("replyPrimary")
        self.primary.setAccessibleName(self.tr("Answer their reply"))
        self.primary.clicked.connect(self.on_primary)
        self.write_button = QPushButton(self.tr("&Write a reply…"))
        self.write_button.setAccessibleName(self.tr("Write a reply"))
        self.write_button.clicked.connect(self.on_write)
        buttons = QHBoxLayout()
        buttons.addWidget(self.primary)
        buttons.addWidget(self.write_button)
        buttons.addStretch(1)
        says = QHBoxLayout()
        says.addWidget(intent_label)
        says.addWidget(self.intent_combo)
        says.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad // 2)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(says)
        layout.addWidget(self.evidence)
        layout.addWidget(self.meeting)
        layout.addWidget(self.times)
        layout.addWidget(self.referral_row)
        layout.addLayout(buttons)
        self.hide()

    # ------------------------------------------------------------------ showing
    def show_case(self, case: ReplyCase | None) -> None:
        self.case = case
        if case is None:
            self.hide()
            return
        kind = case.intent.kind
        self.title.setText(self.tr("{0} replied").format(case.name))
        text = case.text if len(case.text) <= _MAX_TEXT else case.text[:_MAX_TEXT] + "…"
        self.text.setText(text or self.tr("(no new text)"))
        self.intent_combo.setCurrentIndex(max(0, self.intent_combo.findData(kind)))
        why = case.intent.evidence
        if case.corrected:
            found = case.detected
            self.evidence.setText(
                self.tr("Your correction; it read as “{0}” ({1})").format(
                    self.tr(intents.LABELS[found.kind]), found.evidence
                )
            )
        else:
            self.evidence.setText(self.tr("Why: {0}").format(why))
        if case.meeting is not None:  # scheduled at the time they accepted: both zones
            from desktop import replies  # loaded with the reply loop, never before a reply

            self.meeting.setText(
                self.tr("Scheduled: {0}").format(
                    replies.meeting_text(case.meeting, case.user_tz, case.contact_tz)
                )
            )
        self.meeting.setVisible(case.meeting is not None)
        self.times.clear()
        shown = case.offered if kind == intents.ACCEPT else case.choices()
        for slot in shown:
            item = QListWidgetItem(case.both_zones(slot))
            item.setData(Qt.ItemDataRole.UserRole, slot)
            self.times.addItem(item)
        accepted = case.accepted
        row = shown.index(accepted) if accepted is not None and accepted in shown else 0
        if shown:
            self.times.setCurrentRow(row)
        self.times.setVisible(bool(shown))
        rows = max(1, len(shown))
        row_height = max(self.times.sizeHintForRow(0), QFontMetrics(self.font()).lineSpacing() + 4)
        self.times.setFixedHeight(row_height * rows + 2 * self.times.frameWidth() + 4)
        self.referral_row.setVisible(kind == intents.REFER)
        self.referral_name.setText(case.intent.referral_name)
        self.referral_address.setText(case.intent.referral_address)
        self.referral_name.setCursorPosition(0)
        self.referral_address.setCursorPosition(0)
        referral = case.intent.referral_name.split(" ")[0] or self.tr("them")
        self.primary.setText(self.tr(_PRIMARY[kind]).format(referral))
        self._fit_text()
        needs_time = kind in (intents.ACCEPT, intents.PROPOSE)
        self.primary.setEnabled(bool(shown) if needs_time else True)
        self.show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """The reply's text keeps the height its wrapped lines need (a word-wrapped label in a
        squeezed panel is otherwise cut at the bottom)."""
        width = self.text.width() or self.width()
        box = self.text.fontMetrics().boundingRect(
            0, 0, max(1, width), 100_000, int(Qt.TextFlag.TextWordWrap), self.text.text()
        )
        self.text.setMinimumHeight(box.height())

    def selected_slot(self) -> Slot | None:
        item = self.times.currentItem()
        slot = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return slot if isinstance(slot, Slot) else None

    # ------------------------------------------------------------------ the clicks
    def on_primary(self) -> None:
        case = self.case
        if case is None:
            return
        kind = case.intent.kind
        if kind in (intents.ACCEPT, intents.PROPOSE):
            slot = self.selected_slot()
            if slot is not None:
                self.confirm_requested.emit(case, slot)
        elif kind == intents.REFER:
            self.refer_requested.emit(
                case, self.referral_name.text().strip(), self.referral_address.text().strip()
            )
        else:
            self.reply_requested.emit(case, case.template.value)

    def on_time_activated(self, _item: QListWidgetItem) -> None:
        self.on_primary()

    def on_write(self) -> None:
        if self.case is not None:
            self.reply_requested.emit(self.case, self.case.template.value)

    def on_intent_chosen(self, index: int) -> None:
        case = self.case
        kind = self.intent_combo.itemData(index)
        if case is None or not isinstance(kind, str) or kind == case.intent.kind:
            return
        slot = self.times.currentRow() if kind == intents.ACCEPT and case.offered else None
        self.correction_made.emit(case, kind, slot if slot is not None and slot >= 0 else None)


class InvitePreviewDialog(QDialog):
    """The invitation before it goes: title, times in both zones, the attendee, the place (which
    the user may type), and a warning while the place is empty."""

    def __init__(self, preview: InvitePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Confirm and send the invitation"))
        self.setObjectName("invitePreview")
        self.preview = preview
        form = QFormLayout()
        self.title_label = QLabel(preview.title)
        self.their_time = QLabel(preview.their_time)
        self.your_time = QLabel(preview.your_time)
        self.attendee = QLabel(preview.attendee)
        self.place = QLineEdit(preview.place)
        self.place.setAccessibleName(self.tr("Place or phone"))
        self.place.setPlaceholderText(self.tr("Phone number, address or video link"))
        form.addRow(self.tr("Title:"), self.title_label)
        form.addRow(self.tr("Their time:"), self.their_time)
        form.addRow(self.tr("Your time:"), self.your_time)
        form.addRow(self.tr("Attendee:"), self.attendee)
        form.addRow(self.tr("&Place or phone:"), self.place)
        self.warning = QLabel(preview.warning)
        self.warning.setWordWrap(True)
        self.warning.setObjectName("inviteWarning")
        self.warning.setAccessibleName(self.tr("Warning"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        send = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        send.setText(self.tr("&Send confirmation and invitation"))
        send.setDefault(True)
        self.send_button = send
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)
        self.place.textChanged.connect(self.on_place_changed)
        self.on_place_changed(self.place.text())

    def on_place_changed(self, text: str) -> None:
        self.warning.setText(
            self.tr(
                "The invitation has no place or phone number: set your phone in Settings → Your "
                "phone, or type where you will meet."
            )
            if not text.strip()
            else ""
        )
        self.warning.setVisible(not text.strip())

    def location(self) -> str:
        return self.place.text().strip()
