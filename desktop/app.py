"""run_gui(): the composition root. Builds every long-lived object, in order, and passes them on."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from desktop import __version__, logs, settings
from desktop.context import AppContext
from desktop.paths import Paths, make_private
from desktop.storage import StorageError
from desktop.storage.database import explain, is_damage
from desktop.tasks import Tasks

log = logging.getLogger(__name__)


#: Each mailbox kind's sign-in: its module and class.
CONNECTORS = {
    "gmail": ("ui.connect_gmail", "GmailConnector"),
    "outlook": ("ui.connect_outlook", "OutlookConnector"),
    "imap": ("ui.connect_imap", "ImapConnector"),
}


class LazyConnector:
    """A mailbox sign-in (``ui.welcome.MailboxConnector``) whose module, and the mail libraries
    it imports, load the first time the user asks to connect that kind of mailbox."""

    def __init__(
        self,
        kind: str,
        ctx: AppContext,
        ops: Any,
        on_added: Callable[[], Callable[..., Any]],
        **options: Any,
    ) -> None:
        self.kind = kind
        self._ctx, self._ops, self._on_added = ctx, ops, on_added
        self._options = options  # more keyword arguments for the real connector
        self._real: Any = None

    def connect(self, parent: Any, *args: Any) -> bool:
        if self._real is None:
            import importlib

            module, name = CONNECTORS[self.kind]
            cls = getattr(importlib.import_module(module), name)
            self._real = cls(self._ctx, ops=self._ops, **self._options)
            self._real.events.account_added.connect(self._on_added())
        return bool(self._real.connect(parent, *args))


def run_gui(
    paths: Paths,
    *,
    demo: bool = False,
    screenshot: str | None = None,
    quit_after: float | None = None,
) -> int:
    """Open the window on a profile; returns the process exit status."""
    from PySide6.QtCore import (
        QCoreApplication,
        QObject,
        Qt,
        QtMsgType,
        Signal,
        qInstallMessageHandler,
    )
    from PySide6.QtWidgets import QApplication, QMessageBox

    log_file = logs.setup(paths.logs)
    log.info("Coffeechat %s starting (demo=%s)", __version__, demo)
    QCoreApplication.setOrganizationName("Coffeechat")
    QCoreApplication.setApplicationName("Coffeechat Demo" if demo else "Coffeechat")
    QCoreApplication.setApplicationVersion(__version__)
    if QApplication.instance() is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setDesktopFileName("coffeechat")

    qt_log = logging.getLogger("qt")

    def qt_message(mode: QtMsgType, _context: object, message: str) -> None:
        level = {
            QtMsgType.QtDebugMsg: logging.DEBUG,
            QtMsgType.QtInfoMsg: logging.INFO,
            QtMsgType.QtWarningMsg: logging.WARNING,
        }.get(mode, logging.ERROR)
        qt_log.log(level, "%s", message)

    qInstallMessageHandler(qt_message)

    from ui.damage import ask_restore_at_start, open_for_window

    try:
        # The GUI's own connection reads only (a stray write raises); every write the user asks
        # for runs on the database worker's connection, through ui.ops. A damaged page met by
        # the first read is said before the window, with a restore offered (ui.damage).
        opened = open_for_window(paths)
        if opened is None:
            return 1
        store = opened
    except StorageError as exc:
        log.error("cannot open the profile: %s", exc)
        QMessageBox.critical(None, "Coffeechat cannot open your data", str(exc))
        print(f"coffeechat: {exc}", file=sys.stderr)
        return 1
    make_private(paths)  # a profile from before its files were kept private

    from desktop import providers as provider_factory
    from desktop.domain.clock import AcceleratedClock, Clock

    if demo:
        from desktop import demo_story

        demo_clock = provider_factory.demo_clock(paths) or AcceleratedClock(
            origin=datetime.now(UTC), speed=demo_story.DEMO_SPEED
        )
        clock: Clock = demo_clock
        try:
            story = demo_story.prepare(paths, clock)
        except demo_story.NotADemoProfileError as exc:
            print(f"coffeechat: {exc}", file=sys.stderr)
            return 1
        if story.created:  # a fresh demo: you send more requests as it opens
            demo_story.send_requests(story, demo_story.OPENING_REQUESTS, clock.now())
        provider_factory.save_demo_clock(paths, clock.now(), demo_clock.speed)
        story.store.close()
    else:
        clock = provider_factory.profile_clock(paths)
    tasks = Tasks()
    ctx = AppContext(
        paths=paths,
        settings=settings.load(paths.settings),
        store=store,
        clock=clock,
        tasks=tasks,
        # The mailboxes (and their libraries: Google's client, requests, msal) are built after
        # the first paint, before the first sync (see load_providers below).
        providers=(),
        demo=demo,
        sync_interval_s=2.0 if demo else float(settings.load(paths.settings).sync_interval_s),
    )

    from ui.dialogs import app_icon
    from ui.main_window import MainWindow, apply_style

    apply_style(app)
    app.setWindowIcon(app_icon())  # with the desktop file name, the shell shows our icon
    # The welcome asks a real profile once (not the demo, not a scripted screenshot). Mailbox
    # sign-ins plug in as ``connectors`` (ui.welcome.MailboxConnector) when they exist.

    class ErrorRelay(QObject):
        """Carries unexpected errors from any thread to the GUI thread.

        Signals: error_raised(str) — the formatted traceback's last line and the log's place;
        damage_met() — the database is damaged (the error is kept in ``damage``).
        """

        error_raised = Signal(str)
        damage_met = Signal()
        damage: BaseException | None = None
        notice: Any = None  # the window's ui.damage.DamageNotice, once built

        def show_damage(self) -> None:
            if self.notice is not None and self.damage is not None:
                self.notice.offer(self.damage)

        def show(self, text: str) -> None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Something went wrong",
                text,
                QMessageBox.StandardButton.Ok,
                window,  # the window is built below, before any error can be shown
            )
            box.setModal(False)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.show()

    relay = ErrorRelay()
    relay.error_raised.connect(relay.show)
    relay.damage_met.connect(relay.show_damage)
    where = f"Details are in the log: {log_file}" if log_file else "Logging is off (no log folder)."

    # One way to run background work for the window's life; an operation's unexpected failure
    # is shown the same non-blocking way as any other unexpected error.
    from ui.ops import Ops

    def show_op_error(text: str) -> None:
        relay.show(f"{text}\n\nCoffeechat keeps running. {where}")

    ops = Ops(tasks, paths.profile, show_error=show_op_error)

    # The sign-ins (and the mail libraries behind them) load when the user first asks for one.
    def on_added() -> Callable[..., Any]:
        return window.settings_ui.on_account_added

    imap = LazyConnector("imap", ctx, ops, on_added)
    connectors = (
        # Gmail's guide offers the app-password route: the IMAP dialog on the Gmail preset.
        LazyConnector(
            "gmail", ctx, ops, on_added, app_password=lambda p: imap.connect(p, "gmail.com")
        ),
        LazyConnector("outlook", ctx, ops, on_added),
        imap,
    )
    keep: list[object] = []
    try:
        window = MainWindow(
            ctx,
            first_run_welcome=not demo and screenshot is None,
            connectors=connectors,
            ops=ops,
            load_after_first_paint=True,
        )
        # The interview workspace plugs in through the window's extension API (add_view,
        # add_panel_tab, named menus).
        from ui import workspace

        hooks = workspace.install(window, ctx)
        # Damage met by a read while the window is open: one dialog that offers a restore.
        from ui import damage, history_panel

        history_panel.install(window, ctx)  # the past of the mailbox (issue 15)

        # The damage dialog's own button is the user's choice: no second confirmation.
        relay.notice = damage.install(
            window,
            ops,
            paths.database,
            lambda: hooks.restore_backup(confirm=False),
            lambda: hooks.restore_pending,
        )

        # Reminders (issue 7): native notifications, else tray messages, else the window's
        # banner; the tray keeps Coffeechat running when the window is closed. Set up right
        # after the first paint, before the contacts are read (so they are counted once,
        # through it).
        def start_reminders() -> None:
            from desktop.notify import DesktopNotifierBackend
            from ui.notifications import NotificationCenter
            from ui.tray import Tray

            tray = Tray(window, ctx)
            notifications = NotificationCenter(
                window, ctx, DesktopNotifierBackend(tasks), tray=tray
            )
            notifications.follow(window.sync_finished, window.settings_changed)
            notifications.due_count_changed.connect(tray.set_count)
            window.set_action_marks(notifications)  # Today's snoozes and dismissals go through it
            tray.pause_toggled.connect(notifications.set_paused)
            app.aboutToQuit.connect(notifications.close)
            window.after_first_paint(notifications.start)
            keep.extend((tray, notifications))

        # What the first sight of the window does not need waits for its first paint: the
        # mailboxes, the reminders, reading the contacts, the notification service, the first
        # sync.
        window.after_first_paint(start_reminders, first=True)

        def load_providers() -> None:
            ctx.providers = provider_factory.build(store, paths, clock)

        # Before anything else that waits for the first paint: the reminders and the first sync
        # find the mailboxes there.
        window.after_first_paint(load_providers, first=True)
    except sqlite3.DatabaseError as exc:
        # A damaged page the first read did not meet, met while the window is built: the same
        # offer to restore, then the window again on the restored data.
        if not is_damage(exc):
            raise
        log.error("the database is damaged: %s", exc)
        ops.close()
        tasks.shutdown()
        store.close()
        if not ask_restore_at_start(paths, exc):
            print(f"coffeechat: {explain(exc, paths.database)}", file=sys.stderr)
            return 1
        return run_gui(paths, demo=demo, screenshot=screenshot, quit_after=quit_after)

    def on_exception(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if is_damage(exc):
            relay.damage = exc
            relay.damage_met.emit()
            return
        relay.error_raised.emit(f"{kind.__name__}: {exc}\n\nCoffeechat keeps running. {where}")

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            on_exception(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception

    window.show()
    window.after_first_paint(window.start)
    if quit_after is not None:
        from PySide6.QtCore import QTimer

        def finish() -> None:
            if screenshot:
                window.grab().save(screenshot)
                log.info("screenshot saved")
            window.close()
            app.quit()

        QTimer.singleShot(int(quit_after * 1000), finish)
    status = app.exec()
    window.shutdown()
    ops.close()
    tasks.shutdown()  # the worker's own connection is closed there, on its thread
    store.close()
    if demo:
        provider_factory.save_demo_clock(paths, clock.now(), demo_story.DEMO_SPEED)
    log.info("Coffeechat stopped")
    logs.shutdown()
    return int(status)


if __name__ == "__main__":
    # ``python -m desktop.app [COMMAND]``, as autostart entries and launch.own_command write it:
    # the command line, run as a script rather than imported, so that the window never depends
    # on the command line that sits above it.
    import runpy

    runpy.run_module("desktop.cli", run_name="__main__", alter_sys=True)
