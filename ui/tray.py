"""The tray icon: how many actions are due, and a menu (Open, Sync now, Pause notifications,
Start at login, Quit). With a tray, closing the window keeps Coffeechat running there (said
once); the close is caught by an event filter on the window, so the window's own close handling
(saving its state, stopping the sync) runs only when the user really quits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop import autostart
from desktop.context import AppContext

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: reminder_state key: the user was told that closing the window keeps Coffeechat in the tray.
TOLD_KEEPS_RUNNING = "tray.told_keeps_running"


def tray_icon(count: int, size: int = 64) -> QIcon:
    """A round badge; the number of due actions on it when there are any."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#8a5a3c") if count else QColor("#7a7a7a"))
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * (0.5 if count < 100 else 0.36)))
    painter.setFont(font)
    text = str(count) if count else "C"
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """Signals:
    message_clicked(): the user clicked the last tray message.
    pause_toggled(bool): Pause notifications was switched on or off.
    """

    message_clicked = Signal()
    pause_toggled = Signal(bool)

    def __init__(
        self,
        window: MainWindow,
        ctx: AppContext,
        *,
        available: bool | None = None,
        autostart_command: Callable[[], list[str]] = autostart.default_command,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.quitting = False
        #: Told in this session (the stored mark is written on the database worker).
        self._told_keeps_running = False
        self.count = 0
        self._autostart_command = autostart_command
        self.icon = QSystemTrayIcon(tray_icon(0), self)
        self.icon.setToolTip(self.tr("Coffeechat"))
        self.menu = QMenu()
        self.open_action = self._add(self.tr("&Open Coffeechat"), self.open_window)
        self.sync_action = self._add(self.tr("&Sync now"), self.sync_now)
        self.menu.addSeparator()
        self.pause_action = self._add(self.tr("&Pause notifications"), self.on_pause_triggered)
        self.pause_action.setCheckable(True)
        self.login_action = self._add(self.tr("Start at &login"), self.on_login_triggered)
        self.login_action.setCheckable(True)
        self.login_action.setChecked(autostart.is_enabled())
        self.menu.addSeparator()
        self.quit_action = self._add(self.tr("&Quit"), self.quit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self.on_activated)
        self.icon.messageClicked.connect(self.message_clicked)
        window.installEventFilter(self)
        window.settings_changed.connect(self.on_settings_changed)
        if self.available:
            QApplication.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive
            self.icon.show()

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    # ------------------------------------------------------------------ shown state
    def set_count(self, count: int) -> None:
        self.count = count
        self.icon.setIcon(tray_icon(count))
        self.icon.setToolTip(
            self.tr("Coffeechat — {0} to do").format(count) if count else self.tr("Coffeechat")
        )

    def show_message(self, title: str, body: str) -> None:
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)

    # ------------------------------------------------------------------ menu
    def open_window(self) -> None:
        if self.window.isMinimized():
            self.window.showNormal()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def sync_now(self) -> None:
        self.window.sync_now()

    def on_pause_triggered(self) -> None:
        self.pause_toggled.emit(self.pause_action.isChecked())

    def on_login_triggered(self) -> None:
        try:
            if self.login_action.isChecked():
                autostart.enable(self._autostart_command())
            else:
                autostart.disable()
        except OSError as exc:
            log.warning("start at login could not be changed: %s", exc)
            self.window.tell(self.tr("Start at login could not be changed: {0}").format(exc))
        self.login_action.setChecked(autostart.is_enabled())

    def on_settings_changed(self, _settings: object) -> None:
        """Settings may have switched start at login: show what is on disk."""
        self.login_action.setChecked(autostart.is_enabled())

    def on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible() and not self.window.isMinimized():
                self.window.hide()
            else:
                self.open_window()

    def quit(self) -> None:
        """Really quit: the window closes (saving its state) and the event loop ends."""
        self.quitting = True
        self.icon.hide()
        self.window.close()
        QApplication.quit()

    # ------------------------------------------------------------------ closing
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.window
            and event.type() == QEvent.Type.Close
            and self.available
            and not self.quitting
            and self.icon.isVisible()
        ):
            event.ignore()
            self.window.hide()
            self._tell_keeps_running()
            return True
        return super().eventFilter(watched, event)

    def _tell_keeps_running(self) -> None:
        if self._told_keeps_running or self.ctx.store.marks.reminder_value(TOLD_KEEPS_RUNNING):
            return
        self._told_keeps_running = True
        self.window.ops.db(lambda store: store.marks.set_reminder_value(TOLD_KEEPS_RUNNING, "1"))
        self.show_message(
            self.tr("Coffeechat is still running"),
            self.tr(
                "It keeps watching for replies and reminds you of follow-ups. "
                "Quit from the tray icon's menu."
            ),
        )
