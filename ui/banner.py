"""The window's transient in-app message (sync notices, errors, Undo)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

BANNER_MS = 10_000


class Banner(QFrame):
    """A transient in-app message with a dismiss button (sync notices, errors), and an optional
    action button (Undo).

    Signals:
        dismissed(): the user closed it.
        action_clicked(): the user pressed the action button.
    """

    dismissed = Signal()
    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.backgroundRole().AlternateBase)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(self.tr("Dismiss message"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.on_close_clicked)
        self.action_button = QPushButton(self.tr("Undo"))
        self.action_button.setAccessibleName(self.tr("Undo"))
        self.action_button.clicked.connect(self.on_action_clicked)
        self.action_button.hide()
        pad = QFontMetrics(self.font()).height() // 2
        layout = QHBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad, pad, pad)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_text(self, text: str, ms: int = BANNER_MS, action: str = "") -> None:
        """Show ``text``; with ``action``, a button of that text emits ``action_clicked``."""
        self.text.setText(text)
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action.replace("&", ""))
        self.action_button.setVisible(bool(action))
        self.show()
        self._timer.start(ms)

    def on_action_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.action_clicked.emit()

    def on_close_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()
