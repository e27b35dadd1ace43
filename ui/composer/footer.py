"""The composer's foot: why sending is off or what is happening, "then the next target", and the
buttons. Whether sending is off is decided in desktop/drafting.py; the footer words it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop.drafting import Block, Blocked


class Footer(QWidget):
    """The status line, the "next target" box and the buttons (the dialog connects them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pad = QFontMetrics(self.font()).height() // 2
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Status"))
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        # The buttons are made here, not by the box: a button the box creates is a C++ object
        # whose Python wrapper may outlive it.
        self.buttons = QDialogButtonBox()
        self.draft_button = QPushButton(self.tr("Save as &draft in my mailbox"))
        self.draft_button.setAccessibleName(self.tr("Save as draft in my mailbox"))
        self.draft_button.setDefault(True)
        self.send_button = QPushButton(self.tr("Send &now"))
        self.send_button.setAccessibleName(self.tr("Send now"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.next_check = QCheckBox(self.tr("Then write to the ne&xt target"))
        self.next_check.setAccessibleName(self.tr("Then write to the next target"))
        self.next_check.setToolTip(
            self.tr(
                "After this message is saved or sent, stay open for the next contact not yet "
                "asked: one person, one message at a time"
            )
        )
        # With no mailbox connected: the message leaves by hand (hidden otherwise).
        self.copy_button = QPushButton(self.tr("&Copy message"))
        self.copy_button.setToolTip(self.tr("Copy the subject and the message, to paste anywhere"))
        self.mailto_button = QPushButton(self.tr("&Open in my mail app"))
        self.mailto_button.setToolTip(
            self.tr("Start this message in your usual mail app, addressed and filled in")
        )
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.mailto_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        bottom = QHBoxLayout(self)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.setSpacing(pad * 2)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.next_check)
        bottom.addWidget(self.buttons)

    def reason_text(
        self, blocked: Blocked | None, recipient_error: str, error: str, daily_cap: int
    ) -> str:
        """Why *Send now* is off, in one sentence ("" when it is on)."""
        if blocked is None:
            return ""
        if blocked.reason is Block.BUSY:
            return self.tr("Working…")
        if blocked.reason is Block.NO_MAILBOX:
            return self.tr(
                "No mailbox is connected: copy the message or open it in your mail app (File → "
                "Connect Gmail… to send from here)."
            )
        if blocked.reason is Block.NO_RECIPIENT:
            return recipient_error
        if blocked.reason is Block.NO_MESSAGE:
            return error
        if blocked.reason is Block.FINDING and blocked.finding is not None:
            return self.tr("Sending is off: {0}").format(self.tr(blocked.finding.message))
        if blocked.reason is Block.ATTACHMENTS:
            return self.tr(
                "Coffeechat sends no attachments: remove it, or save a draft and attach it in "
                "your mail app."
            )
        return self.tr("Daily limit of {0} requests reached: save it as a draft.").format(daily_cap)

    def working_text(self, operation: str) -> str:
        if operation == "draft":
            return self.tr("Saving the draft in your mailbox…")
        return self.tr("Sending…")

    def failed_text(self, operation: str, error: BaseException | None) -> str:
        said = str(error) or type(error).__name__
        if operation == "draft":
            return self.tr("The draft could not be saved: {0}").format(said)
        return self.tr("The message could not be sent: {0}").format(said)
