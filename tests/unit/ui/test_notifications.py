"""The notification centre and the tray against a real window and store: native notes with Open,
Draft and Snooze; the fallbacks (tray, then banner) and telling the user once which is in use;
one summary after a restart two days later; closing to the tray."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import uiseed
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.due import ActionKind
from desktop.notify import (
    DesktopNotifierBackend,
    Note,
    NotifierUnavailableError,
    NullNotifier,
)
from desktop.storage import Store
from tests.helpers.windows import open_window
from ui.main_window import MainWindow
from ui.notifications import TOLD_CHANNEL, Channel, NotificationCenter
from ui.tray import Tray
from ui.workspace import Workspace

# These tests pretend a tray exists on the offscreen platform, which has none and cannot raise.
pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support raise\(\)$",
    r"^QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)


class RecordingNotifier:
    """A notification service that keeps what it was sent; ``answer`` plays the user's click,
    from a thread of its own as the real one does."""

    name = "recording"

    def __init__(self, *, available: bool = True, broken: bool = False) -> None:
        self.available = available
        self.broken = broken
        self.notes: list[Note] = []
        self.closed = False
        self._on_action: object = None

    def start(self, on_action: object) -> Future[bool]:
        self._on_action = on_action
        future: Future[bool] = Future()
        future.set_result(self.available)
        return future

    def send(self, note: Note) -> Future[None]:
        future: Future[None] = Future()
        if self.broken:
            future.set_exception(NotifierUnavailableError("the daemon went away"))
        else:
            self.notes.append(note)
            future.set_result(None)
        return future

    def answer(self, key: str, action: str) -> None:
        assert callable(self._on_action)
        thread = threading.Thread(target=self._on_action, args=(key, action))
        thread.start()
        thread.join()

    def close(self) -> None:
        self.closed = True


class RecordingTray(Tray):
    """A tray that is there (offscreen has none) and keeps the messages it would show."""

    def __init__(self, window: MainWindow, ctx: AppContext) -> None:
        super().__init__(window, ctx, available=True, autostart_command=lambda: ["coffeechat"])
        self.messages: list[tuple[str, str]] = []

    def show_message(self, title: str, body: str) -> None:
        self.messages.append((title, body))


@pytest.fixture(autouse=True)
def restore_quit_on_close() -> Iterator[None]:
    yield
    QApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def banners(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the window's banner showed."""
    shown: list[str] = []
    original = MainWindow.__init__

    def init(self: MainWindow, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        real = self.banner.show_text

        def show_text(text: str, ms: int = 8000) -> None:
            shown.append(text)
            real(text, ms)

        monkeypatch.setattr(self.banner, "show_text", show_text)

    monkeypatch.setattr(MainWindow, "__init__", init)
    return shown


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = open_window(ctx)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    return window


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    """A round, and what follows it on the workers (the reminders' decision, the notes)."""
    with qtbot.wait_signal(window.sync_finished, timeout=10_000):
        assert window.sync_now()
    qtbot.wait_until(window.ops.idle)


@pytest.fixture
def ada(db: Store) -> int:
    """One contact who replied 30 hours ago: *needs your answer*."""
    return uiseed.add(
        db, "Ada Lovelace", "Engines", "Head", ("ada@x.example",), ["request", "reply"]
    )


def _center(
    qtbot: QtBot, ctx: AppContext, notifier: object, tray: bool = False
) -> tuple[MainWindow, NotificationCenter]:
    window = _window(qtbot, ctx)
    center = NotificationCenter(
        window,
        ctx,
        notifier,  # type: ignore[arg-type]
        tray=RecordingTray(window, ctx) if tray else None,
    )
    center.follow(window.sync_finished, window.settings_changed)
    with qtbot.wait_signal(center.channel_chosen):
        center.start()
    qtbot.wait_until(window.ops.idle)
    return window, center


# ------------------------------------------------------------------ native
def test_a_due_action_becomes_a_native_note_with_open_draft_snooze(
    qtbot: QtBot, ctx: AppContext, ada: int, banners: list[str]
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    assert center.channel is Channel.NATIVE
    assert banners == ["Reminders will appear as desktop notifications."]
    _sync(qtbot, window)
    [note] = notifier.notes
    assert (note.title, note.body) == (
        "Needs your answer",
        "Ada Lovelace: They replied and are waiting for your answer",
    )
    assert [(a.id, a.label) for a in note.actions] == [
        ("open", "Open"),
        ("draft", "Draft"),
        ("snooze", "Snooze"),
    ]
    assert center.due_count == 1
    _sync(qtbot, window)
    assert len(notifier.notes) == 1  # the next round does not repeat it

    window.hide()
    notifier.answer(note.key, "open")
    qtbot.wait_until(lambda: window.current_id == ada)
    assert window.isVisible()  # raised again


def test_draft_opens_the_composer_for_that_action(
    qtbot: QtBot, ctx: AppContext, ada: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = RecordingNotifier()
    window, _ = _center(qtbot, ctx, notifier)
    drafts: list[tuple[int, ActionKind | None]] = []
    monkeypatch.setattr(window, "write_to", lambda cid, kind=None: drafts.append((cid, kind)))
    _sync(qtbot, window)
    notifier.answer(notifier.notes[0].key, "draft")
    qtbot.wait_until(lambda: bool(drafts))
    assert drafts == [(ada, ActionKind.NEEDS_ANSWER)]


def test_the_prepare_note_opens_the_prepare_tab(qtbot: QtBot, ctx: AppContext, db: Store) -> None:
    alan = uiseed.add(
        db, "Alan Turing", "Labs", "Maths", ("alan@x.example",), ["request", "meeting-soon"]
    )
    notifier = RecordingNotifier()
    window, _ = _center(qtbot, ctx, notifier)
    _sync(qtbot, window)
    [note] = [n for n in notifier.notes if n.title == "Prepare"]
    notifier.answer(note.key, "open")
    qtbot.wait_until(lambda: window.current_id == alan)
    pane = window.findChild(Workspace).prepare_pane()
    assert window.panel.tabs.currentWidget() is pane and pane.contact_id == alan
    assert pane.questions.count() > 0


def test_snooze_persists_and_clears_the_count(qtbot: QtBot, ctx: AppContext, ada: int) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    _sync(qtbot, window)
    with qtbot.wait_signal(center.due_count_changed) as counted:
        notifier.answer(notifier.notes[0].key, "snooze")
    assert counted.args == [0]
    [mark] = ctx.store.marks.actions().values()
    assert (mark.contact_id, mark.kind) == (ada, "needs_answer")
    assert mark.snoozed_until == uiseed.NOW + timedelta(days=1)


# ------------------------------------------------------------------ fallbacks
def test_without_a_service_or_a_tray_the_banner_says_it(
    qtbot: QtBot, ctx: AppContext, ada: int, banners: list[str]
) -> None:
    window, center = _center(qtbot, ctx, NullNotifier())
    assert center.channel is Channel.BANNER
    assert banners == [
        "No notification service or tray was found: reminders will appear here, in this window."
    ]
    _sync(qtbot, window)
    assert (
        banners[-1]
        == "Needs your answer — Ada Lovelace: They replied and are waiting for your answer"
    )
    assert window.banner.isVisible()
    assert ctx.store.marks.reminder_value(TOLD_CHANNEL) == "banner"


def test_the_channel_is_told_once_not_at_every_start(
    qtbot: QtBot, ctx: AppContext, banners: list[str]
) -> None:
    _center(qtbot, ctx, NullNotifier())
    _center(qtbot, ctx, NullNotifier())
    assert len(banners) == 1


def test_without_a_service_the_tray_shows_it_and_its_click_opens(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    window, center = _center(qtbot, ctx, NullNotifier(), tray=True)
    assert center.channel is Channel.TRAY and center.tray is not None
    _sync(qtbot, window)
    tray = center.tray
    assert isinstance(tray, RecordingTray)
    assert tray.messages == [
        ("Needs your answer", "Ada Lovelace: They replied and are waiting for your answer")
    ]
    tray.message_clicked.emit()
    assert window.current_id == ada


def test_a_service_that_goes_away_falls_back_to_the_tray(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    notifier = RecordingNotifier(broken=True)  # says it is there, then refuses
    window, center = _center(qtbot, ctx, notifier, tray=True)
    assert center.channel is Channel.NATIVE
    with qtbot.wait_signal(center.note_shown):
        _sync(qtbot, window)
    assert center.channel is Channel.TRAY
    assert isinstance(center.tray, RecordingTray) and len(center.tray.messages) == 1


def test_the_real_backend_without_a_session_bus_falls_back(
    qtbot: QtBot, ctx: AppContext, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    notifier = DesktopNotifierBackend(ctx.tasks, timeout_s=2.0)
    window, center = _center(qtbot, ctx, notifier)
    assert center.channel is Channel.BANNER
    _sync(qtbot, window)
    assert window.banner.text.text().startswith("Needs your answer")
    center.close()


# ------------------------------------------------------------------ catching up
def test_a_restart_two_days_later_shows_one_summary(
    qtbot: QtBot, ctx: AppContext, db: Store, ada: int
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    _sync(qtbot, window)
    assert [n.title for n in notifier.notes] == ["Needs your answer"]
    center.close()
    window.close()  # quit

    assert isinstance(ctx.clock, ManualClock)
    ctx.clock.advance(timedelta(days=2))  # closed for two days; meanwhile mail arrived
    for name in ("Grace", "Alan", "Linus"):
        uiseed.add(db, name, "Co", "Role", (f"{name.lower()}@x.example",), ["request", "reply"])
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)  # restart
    _sync(qtbot, window)
    [summary] = notifier.notes
    assert summary.title == "While you were away"
    assert summary.body == "Needs your answer: Grace, Alan, Linus"  # Ada was told before
    notifier.answer(summary.key, "open")
    qtbot.wait_until(lambda: window.pages.currentIndex() == 0)  # Today, where they all are


# ------------------------------------------------------------------ tray
def test_closing_the_window_keeps_running_in_the_tray_said_once(
    qtbot: QtBot, ctx: AppContext
) -> None:
    window = _window(qtbot, ctx)
    tray = RecordingTray(window, ctx)
    assert not QApplication.quitOnLastWindowClosed()
    window.close()
    assert not window.isVisible() and not window._closed  # hidden, still syncing
    window.show()
    window.close()
    assert [t for t, _ in tray.messages] == ["Coffeechat is still running"]
    tray.quit()
    assert window._closed  # really closed: state saved, sync stopped


def test_the_tray_counts_due_actions(qtbot: QtBot, ctx: AppContext, ada: int) -> None:
    window = _window(qtbot, ctx)
    tray = RecordingTray(window, ctx)
    center = NotificationCenter(window, ctx, NullNotifier(), tray=tray)
    center.follow(window.sync_finished, window.settings_changed)
    center.due_count_changed.connect(tray.set_count)
    center.start()
    assert tray.count == 1 and tray.icon.toolTip() == "Coffeechat — 1 to do"
    assert [a.text() for a in tray.menu.actions() if a.text()] == [
        "&Open Coffeechat",
        "&Sync now",
        "&Pause notifications",
        "Start at &login",
        "&Quit",
    ]


def test_paused_notifications_are_summarised_after(qtbot: QtBot, ctx: AppContext, ada: int) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    center.set_paused(True)
    _sync(qtbot, window)
    assert notifier.notes == []
    center.set_paused(False)
    _sync(qtbot, window)
    assert [n.title for n in notifier.notes] == ["Needs your answer"]


# ------------------------------------------------------------------ Today through the center
def test_today_snoozes_through_the_center_and_the_tray_count_follows(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    window.set_action_marks(center)
    _sync(qtbot, window)
    assert center.due_count == 1
    window.today_view.step_selection(+1)
    action = window.today_view.current_action()
    assert action is not None and action.contact_id == ada
    with qtbot.wait_signal(center.due_count_changed) as counted:
        window.today.dismiss_action(action)
    assert counted.args == [0]
    assert window.due_model.actions() == []
    with qtbot.wait_signal(center.due_count_changed) as counted:
        window.undo_current()
    assert counted.args == [1]
    assert window.due_model.actions() == [action]


def test_a_notifications_snooze_takes_the_action_off_today(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    window.set_action_marks(center)
    _sync(qtbot, window)
    assert [a.contact_id for a in window.due_model.actions()] == [ada]
    notifier.answer(notifier.notes[0].key, "snooze")
    qtbot.wait_until(lambda: window.due_model.actions() == [])
    assert window.sidebar.item(0).text() == "Today"


def test_notifications_switched_off_in_settings_show_nothing(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    window.apply_settings(replace(ctx.settings, notifications=False, quiet_hours=False))
    assert center.reminders.policy.quiet is None
    _sync(qtbot, window)
    assert notifier.notes == []
    assert center.due_count == 1  # still counted: it waits in Today


def test_a_snoozed_action_comes_back_at_its_time_without_a_sync_round(
    qtbot: QtBot, ctx: AppContext, ada: int
) -> None:
    notifier = RecordingNotifier()
    window, center = _center(qtbot, ctx, notifier)
    _sync(qtbot, window)
    rounds: list[object] = []
    window.sync_started.connect(lambda: rounds.append(True))
    center.max_wait_ms = 20  # look again every 20 ms (the clock is moved by hand below)
    notifier.answer(notifier.notes[0].key, "snooze")
    qtbot.wait_until(lambda: center.due_count == 0)
    assert center.snooze_timer.isActive()
    assert window.due_model.rowCount() == 0
    clock = ctx.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=23, minutes=59))  # not yet: the timer looks, nothing comes back
    for _ in range(2):
        with qtbot.wait_signal(center.snooze_timer.timeout, timeout=5000):
            pass
    assert len(notifier.notes) == 1 and center.due_count == 0
    clock.advance(timedelta(minutes=1))  # the snooze ends
    qtbot.wait_until(lambda: len(notifier.notes) == 2, timeout=5000)
    assert notifier.notes[1].title == "Needs your answer"
    assert center.due_count == 1 and window.due_model.rowCount() >= 1
    assert rounds == []  # no sync round brought it back
    assert not center.snooze_timer.isActive()  # no other snooze to wait for
