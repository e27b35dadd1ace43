"""run_gui(): the composition root. Builds every long-lived object, in order, and passes them on."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from datetime import UTC, datetime
from types import TracebackType

from desktop import __version__, logs, settings
from desktop.context import AppContext
from desktop.paths import Paths, make_private
from desktop.storage import StorageError, Store
from desktop.tasks import Tasks

log = logging.getLogger(__name__)


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

    try:
        # The GUI's own connection reads only (a stray write raises); every write the user asks
        # for runs on the database worker's connection, through ui.ops.
        store = Store.open(paths.profile, read_only=True)
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
        if story.created:  # a fresh demo: you send two more requests as it opens
            demo_story.send_requests(story, ("declines_refers", "silent"), clock.now())
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
        providers=provider_factory.build(store, paths, clock),
        demo=demo,
        sync_interval_s=2.0 if demo else float(settings.load(paths.settings).sync_interval_s),
    )

    from ui.dialogs import app_icon
    from ui.main_window import MainWindow, apply_style

    apply_style(app)
    app.setWindowIcon(app_icon())  # with the desktop file name, the shell shows our icon
    # The welcome asks a real profile once (not the demo, not a scripted screenshot). Mailbox
    # sign-ins plug in as ``connectors`` (ui.welcome.MailboxConnector) when they exist.
    from ui.connect_gmail import GmailConnector
    from ui.connect_imap import ImapConnector
    from ui.connect_outlook import OutlookConnector

    class ErrorRelay(QObject):
        """Carries unexpected errors from any thread to the GUI thread.

        Signals: error_raised(str) — the formatted traceback's last line and the log's place.
        """

        error_raised = Signal(str)

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
    where = f"Details are in the log: {log_file}" if log_file else "Logging is off (no log folder)."

    # One way to run background work for the window's life; an operation's unexpected failure
    # is shown the same non-blocking way as any other unexpected error.
    from ui.ops import Ops

    def show_op_error(text: str) -> None:
        relay.show(f"{text}\n\nCoffeechat keeps running. {where}")

    ops = Ops(tasks, paths.profile, show_error=show_op_error)
    imap = ImapConnector(ctx, ops=ops)
    gmail, outlook = (
        GmailConnector(ctx, ops=ops, app_password=lambda parent: imap.connect(parent, "gmail.com")),
        OutlookConnector(ctx, ops=ops),
    )
    window = MainWindow(
        ctx,
        first_run_welcome=not demo and screenshot is None,
        connectors=(gmail, outlook, imap),
        ops=ops,
    )
    for connector in (gmail, outlook, imap):
        connector.events.account_added.connect(window.settings_ui.on_account_added)
    # The interview workspace plugs in through the window's extension API (add_view,
    # add_panel_tab, named menus).
    from ui import workspace

    workspace.install(window, ctx)

    # Reminders (issue 7): native notifications, else tray messages, else the window's banner;
    # the tray keeps Coffeechat running when the window is closed.
    from desktop.notify import DesktopNotifierBackend
    from ui.notifications import NotificationCenter
    from ui.tray import Tray

    tray = Tray(window, ctx)
    notifications = NotificationCenter(window, ctx, DesktopNotifierBackend(tasks), tray=tray)
    notifications.follow(window.sync_finished, window.settings_changed)
    notifications.due_count_changed.connect(tray.set_count)
    window.set_action_marks(notifications)  # Today's snoozes and dismissals go through it
    tray.pause_toggled.connect(notifications.set_paused)
    app.aboutToQuit.connect(notifications.close)
    notifications.start()

    def on_exception(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        relay.error_raised.emit(f"{kind.__name__}: {exc}\n\nCoffeechat keeps running. {where}")

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            on_exception(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception

    window.show()
    window.start()
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
