"""Native notifications end to end: the real desktop-notifier backend against a real dunst on a
private session bus under Xvfb. The note arrives with its actions; invoking Open (dunst's
default action) opens the right contact, and Snooze picked from dunst's menu is persisted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.notify import DesktopNotifierBackend
from desktop.storage import Store
from tests.helpers.desktop_session import DesktopSession, desktop_session, wait_for
from tests.helpers.windows import open_window
from tests.unit.ui import uiseed
from ui.main_window import MainWindow
from ui.notifications import Channel, NotificationCenter

# Only dunst runs on Xvfb; the window stays offscreen, which cannot raise it when Open is clicked.
pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$"),
]


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    with desktop_session(tmp_path / "session") as s:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", s.bus_address)
        yield s


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.wait_signal(window.sync_finished, timeout=10_000):
        assert window.sync_now()


def test_dunst_shows_the_note_and_its_actions_reach_the_app(
    qtbot: QtBot, ctx: AppContext, db: Store, session: DesktopSession
) -> None:
    ada = uiseed.add(
        db, "Ada Lovelace", "Engines", "Head", ("ada@x.example",), ["request", "reply"]
    )
    window = open_window(ctx)
    qtbot.add_widget(window)
    window.show()
    center = NotificationCenter(window, ctx, DesktopNotifierBackend(ctx.tasks))
    center.follow(window.sync_finished, window.settings_changed)
    with qtbot.wait_signal(center.channel_chosen, timeout=10_000):
        center.start()
    assert center.channel is Channel.NATIVE

    with qtbot.wait_signal(center.note_shown, timeout=10_000):
        _sync(qtbot, window)
    wait_for(lambda: session.displayed() == 1, what="the note on screen")
    calls = session.notify_calls()
    assert 'string "Needs your answer"' in calls
    assert 'string "Ada Lovelace: They replied and are waiting for your answer"' in calls
    for action in ('"open"', '"Open"', '"draft"', '"Draft"', '"snooze"', '"Snooze"'):
        assert f"string {action}" in calls

    session.dunstctl("action", "0")  # what clicking the note does: its default action, Open
    qtbot.wait_until(lambda: window.current_id == ada, timeout=10_000)
    assert "member=ActionInvoked" in session.notify_calls()

    # A second contact's note; Snooze picked from dunst's own action menu.
    session.dunstctl("close-all")
    grace = uiseed.add(
        db, "Grace Hopper", "Navy", "Admiral", ("grace@x.example",), ["request", "reply"]
    )
    with qtbot.wait_signal(center.note_shown, timeout=10_000):
        _sync(qtbot, window)
    wait_for(lambda: session.displayed() == 1, what="the second note on screen")
    with qtbot.wait_signal(center.due_count_changed, timeout=10_000):
        session.choose("#Snooze (Needs your answer)")
    marks = ctx.store.marks.actions()
    assert [(m.contact_id, m.kind) for m in marks.values()] == [(grace, "needs_answer")]

    session.dunstctl("close-all")
    history = session.history()
    assert {(h["appname"], h["summary"]) for h in history} == {("Coffeechat", "Needs your answer")}
    assert {h["body"] for h in history} == {
        "Ada Lovelace: They replied and are waiting for your answer",
        "Grace Hopper: They replied and are waiting for your answer",
    }
    center.close()
    window.shutdown()
