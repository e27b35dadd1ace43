"""The window's transient in-app message (sync notices, errors, Undo), and the overlay notice
that floats over content without moving it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QMouseEvent
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
        self._on_action: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_text(
        self,
        text: str,
        ms: int = BANNER_MS,
        action: str = "",
        on_action: Callable[[], None] | None = None,
    ) -> None:
        """Show ``text``; with ``action``, a button of that text calls ``on_action`` if given,
        else emits ``action_clicked`` (Undo)."""
        self._on_action = on_action
        self.text.setText(text)
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action.replace("&", ""))
        self.action_button.setVisible(bool(action))
        self.show()
        self._timer.start(ms)

    def on_action_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        on_action, self._on_action = self._on_action, None
        if on_action is not None:
            on_action()
        else:
            self.action_clicked.emit()

    def on_close_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()


class OverlayNotice(QLabel):
    """A notice that floats over the top of its parent's content instead of taking a place in
    its layout: showing or hiding it moves nothing (a button stays under the pointer). A click
    on it dismisses it. It follows its parent's size."""

    def __init__(self, parent: QWidget, object_name: str = "overlay-notice") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Click to dismiss"))
        pad = QFontMetrics(self.font()).height() // 2
        self._margin = pad * 2
        self.setStyleSheet(
            f"QLabel#{object_name} {{ background: palette(highlight);"
            " color: palette(highlighted-text);"
            f" border-radius: {pad // 2}px; padding: {pad}px {pad * 2}px; font-weight: bold; }}"
        )
        parent.installEventFilter(self)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        """Across the parent's width, at its top, as tall as the text needs."""
        parent = self.parentWidget()
        if parent is None:
            return
        width = max(1, parent.width() - 2 * self._margin)
        self.setGeometry(self._margin, self._margin, width, self.heightForWidth(width))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
        event.accept()
