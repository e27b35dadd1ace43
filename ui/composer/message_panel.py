"""The message, exactly as it will be sent: recipient, subject, body, the conversation it goes
into; and the coaching under it. The text is written by desktop/drafting.py; these panels show
it and say when the user edits it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.coaching import Finding, Severity
from ui.composer.common import escape, tint


class MessagePanel(QWidget):
    """The right-hand column (the dialog adds the coaching panel at its foot).

    Signals:
        edited(): the user typed in the subject or the body (not when the message is written).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        self._writing = False
        self.to_label = QLabel()
        self.to_label.setTextFormat(Qt.TextFormat.PlainText)
        self.to_label.setAccessibleName(self.tr("Recipient"))
        self.to_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject_edit = QLineEdit()
        self.subject_edit.setAccessibleName(self.tr("Subject"))
        self.subject_edit.textEdited.connect(self.on_edited)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setAccessibleName(self.tr("Message"))
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.textChanged.connect(self.on_edited)
        self.body_edit.setMinimumHeight(fm.lineSpacing() * 12)
        self.thread_label = QLabel()
        self.thread_label.setWordWrap(True)
        self.thread_label.setAccessibleName(self.tr("Conversation"))
        self.thread_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.edited_label = QLabel(
            self.tr("You edited the message: new times and details are not written into it.")
        )
        self.edited_label.setWordWrap(True)
        self.edited_label.setAccessibleName(self.tr("Edited by hand"))
        self.rewrite_button = QPushButton(self.tr("Re&write from template"))
        self.rewrite_button.setAccessibleName(self.tr("Rewrite the message from the template"))
        edited_row = QWidget()
        self.edited_row = edited_row
        edited_layout = QHBoxLayout(edited_row)
        edited_layout.setContentsMargins(0, 0, 0, 0)
        edited_layout.addWidget(self.edited_label, 1)
        edited_layout.addWidget(self.rewrite_button)
        edited_row.hide()

        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(pad, 0, 0, 0)
        self.column.setSpacing(pad)
        caption = QLabel(self.tr("The message, exactly as it will be sent"))
        bold = caption.font()
        bold.setBold(True)
        caption.setFont(bold)
        self.column.addWidget(caption)
        header = QGridLayout()
        self.column.addLayout(header)  # parented before it is filled
        header.setHorizontalSpacing(pad)
        to_caption = QLabel(self.tr("To:"))
        subject_caption = QLabel(self.tr("&Subject:"))
        subject_caption.setBuddy(self.subject_edit)
        header.addWidget(to_caption, 0, 0)
        header.addWidget(self.to_label, 0, 1)
        header.addWidget(subject_caption, 1, 0)
        header.addWidget(self.subject_edit, 1, 1)
        header.setColumnStretch(1, 1)
        self.column.addWidget(self.thread_label)
        self.column.addWidget(self.body_edit, 3)
        self.column.addWidget(edited_row)

    def on_edited(self, *_: object) -> None:
        if not self._writing:
            self.edited.emit()

    def subject(self) -> str:
        return self.subject_edit.text()

    def body(self) -> str:
        return self.body_edit.toPlainText()

    def write(self, subject: str, body: str, placeholder: str | None = None) -> None:
        """Put a written message (or none, with ``placeholder`` saying why) in the editors."""
        self._writing = True
        try:
            self.subject_edit.setText(subject)
            self.body_edit.setPlainText(body)
            if placeholder is not None:
                self.body_edit.setPlaceholderText(placeholder)
        finally:
            self._writing = False

    def show_thread(self, text: str) -> None:
        self.thread_label.setText(text)
        self.thread_label.setVisible(bool(text))


class CoachingPanel(QGroupBox):
    """The "Coaching" box: the findings on the message, most serious first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Coaching"))
        self.coaching_label = QLabel()
        self.coaching_label.setWordWrap(True)
        self.coaching_label.setTextFormat(Qt.TextFormat.RichText)
        self.coaching_label.setAccessibleName(self.tr("Coaching"))
        self.coaching_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for three findings before the message gives up any height.
        self.coaching_label.setMinimumHeight(QFontMetrics(self.font()).lineSpacing() * 5)
        self.coaching_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        coaching_layout = QVBoxLayout(self)
        coaching_layout.addWidget(self.coaching_label)

    def show_waiting(self, error: str) -> None:
        """No message yet: why (``error``), or where the coaching will be."""
        text = error or self.tr("The coaching appears with the message.")
        self.coaching_label.setText(f"<p>{escape(text)}</p>")

    def show_findings(self, findings: Sequence[Finding]) -> None:
        if not findings:
            good = tint(self, (40, 150, 70), 0.9)
            self.coaching_label.setText(
                f"<p><span style='color:{good}'>✓</span> "
                + escape(self.tr("Nothing to improve: short, personal, with a concrete ask."))
                + "</p>"
            )
            return
        colours = {
            Severity.BLOCK: (tint(self, (200, 40, 30), 0.85), self.tr("Blocks sending")),
            Severity.STRONG: (tint(self, (210, 90, 20), 0.85), self.tr("Important")),
            Severity.WARN: (tint(self, (165, 110, 0), 0.9), self.tr("Suggestion")),
            Severity.INFO: (tint(self, (60, 110, 200), 0.85), self.tr("Note")),
        }
        rows = []
        for finding in findings:
            colour, label = colours[finding.severity]
            rows.append(
                f"<p style='margin-bottom:6px'><b style='color:{colour}'>{escape(label)}</b>"
                f" — {escape(self.tr(finding.message))}</p>"
            )
        self.coaching_label.setText("".join(rows))
