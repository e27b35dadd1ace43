"""Today as the action inbox: sections per kind, j/k, Enter, s (snooze), d (dismiss), undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import uiseed
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.due import ActionKind, DueAction
from desktop.reminders import Snooze
from desktop.storage import Store
from tests.helpers.windows import open_window
from ui.main_window import MainWindow, View
from ui.models.due import ACTION_ROLE, SECTION_ROLE


@pytest.fixture
def inbox(db: Store, seeded: dict[str, int]) -> dict[str, int]:
    """The seeded contacts plus two requests without a reply: two follow-ups due."""
    ids = dict(seeded)
    for key, name in (("hedy", "Hedy Lamarr"), ("tim", "Tim Berners-Lee")):
        ids[key] = uiseed.add(db, name, "Co", "Role", (f"{key}@x.example",), ["request"])
    return ids


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, inbox: dict[str, int]) -> Iterator[MainWindow]:
    win = open_window(ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    win.show_view("today")
    win.today_view.setFocus()
    yield win
    win.shutdown()


def _shown(window: MainWindow) -> list[tuple[str, object]]:
    """Today as a list of ("section", title) and ("action", (kind, contact))."""
    model = window.due_model
    out: list[tuple[str, object]] = []
    for row in range(model.rowCount()):
        index = model.index(row)
        if index.data(SECTION_ROLE):
            out.append(("section", index.data()))
        else:
            action = index.data(ACTION_ROLE)
            out.append(("action", (action.kind, action.contact_id)))
    return out


def _selected(window: MainWindow) -> DueAction | None:
    return window.today_view.current_action()


def _choose(window: MainWindow, monkeypatch: pytest.MonkeyPatch, choice: Snooze) -> list[str]:
    """Answer the next popup menu with ``choice``; returns the menus' texts."""
    seen: list[str] = []

    def exec_menu(menu: QMenu, pos: object) -> QAction | None:
        actions = list(menu.actions())
        for action in menu.actions():  # and the Snooze submenu's
            sub = action.menu()
            if isinstance(sub, QMenu):
                actions.extend(sub.actions())
        seen.extend(a.text() for a in actions)
        return next(a for a in actions if a.data() == choice.value)

    monkeypatch.setattr(window, "exec_menu", exec_menu)
    return seen


def test_today_is_grouped_by_kind_most_urgent_first(window: MainWindow, inbox) -> None:
    assert _shown(window) == [
        ("section", "Prepare (1)"),
        ("action", (ActionKind.PREPARE, inbox["alan"])),
        ("section", "Needs your answer (1)"),
        ("action", (ActionKind.NEEDS_ANSWER, inbox["ada"])),
        ("section", "Reply received (1)"),
        ("action", (ActionKind.REPLY_RECEIVED, inbox["edsger"])),
        ("section", "Thank-you missing (1)"),
        ("action", (ActionKind.THANK_YOU_MISSING, inbox["katherine"])),
        ("section", "Follow-up due (2)"),
        ("action", (ActionKind.FOLLOW_UP, inbox["hedy"])),
        ("action", (ActionKind.FOLLOW_UP, inbox["tim"])),
        ("section", "Close the loop (1)"),
        ("action", (ActionKind.CLOSE_THE_LOOP, inbox["linus"])),
    ]
    assert window.sidebar.item(View.TODAY).text() == "Today  (7)"


def test_j_and_k_move_between_actions_skipping_headers(
    qtbot: QtBot, window: MainWindow, inbox
) -> None:
    view = window.today_view
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert _selected(window).contact_id == inbox["alan"]  # type: ignore[union-attr]
    assert window.current_id == inbox["alan"]  # the panel follows
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert _selected(window).contact_id == inbox["ada"]  # type: ignore[union-attr]
    assert view.currentIndex().row() == 3  # row 2, a header, was skipped
    qtbot.keyClick(view, Qt.Key.Key_K)
    qtbot.keyClick(view, Qt.Key.Key_K)  # at the top: stays
    assert _selected(window).contact_id == inbox["alan"]  # type: ignore[union-attr]
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert _selected(window).contact_id == inbox["linus"]  # type: ignore[union-attr]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert _selected(window).contact_id == inbox["tim"]  # type: ignore[union-attr]


def test_enter_writes_the_message_the_action_calls_for(
    qtbot: QtBot, window: MainWindow, inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[tuple[int, ActionKind | None]] = []
    monkeypatch.setattr(
        window, "write_to", lambda cid, action=None: written.append((cid, action)) or True
    )
    view = window.today_view
    view.select_row(window.due_model.row_of(window.due_model.actions()[-1]) or 0)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert written == [(inbox["linus"], ActionKind.CLOSE_THE_LOOP)]
    # Prepare has no template: Enter opens the contact instead.
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert written == [(inbox["linus"], ActionKind.CLOSE_THE_LOOP)]
    assert window.current_id == inbox["alan"]
    assert not window.panel.isHidden()


def test_s_snoozes_until_the_chosen_time_and_it_comes_back(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    menu = _choose(window, monkeypatch, Snooze.THREE_DAYS)
    view = window.today_view
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_J)  # Ada: needs your answer
    qtbot.keyClick(view, Qt.Key.Key_S)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert menu == ["Snooze for", "1 day", "3 days", "Next week"]
    assert window.model.next_action(inbox["ada"]) == ""
    [mark] = ctx.store.marks.actions().values()
    assert (mark.contact_id, mark.kind) == (inbox["ada"], "needs_answer")
    assert mark.snoozed_until == uiseed.NOW + timedelta(days=3)
    # Gone from Today, its count and the next-action column; the next action is selected.
    assert inbox["ada"] not in {a.contact_id for a in window.due_model.actions()}
    assert window.sidebar.item(View.TODAY).text() == "Today  (6)"
    assert _selected(window).contact_id == inbox["edsger"]  # type: ignore[union-attr]
    assert view.hasFocus()
    # Three days later it is due again.
    assert isinstance(ctx.clock, ManualClock)
    ctx.clock.advance(timedelta(days=3, minutes=1))
    window.refresh_derived()
    assert inbox["ada"] in {a.contact_id for a in window.due_model.actions()}


def test_d_dismisses_and_ctrl_z_brings_it_back(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, inbox
) -> None:
    view = window.today_view
    qtbot.keyClick(view, Qt.Key.Key_End)  # Linus: close the loop
    qtbot.keyClick(view, Qt.Key.Key_D)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    [mark] = ctx.store.marks.actions().values()
    assert mark.dismissed and mark.contact_id == inbox["linus"]
    assert inbox["linus"] not in {a.contact_id for a in window.due_model.actions()}
    assert ("section", "Close the loop (1)") not in _shown(window)
    assert window.banner.isVisible() and window.banner.action_button.isVisible()
    assert "Dismissed" in window.banner.text.text()
    assert _selected(window).contact_id == inbox["tim"]  # type: ignore[union-attr]
    assert window.action_table.undo_action.text() == "&Undo dismiss or snooze"

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert ctx.store.marks.actions() == {}
    assert _selected(window).contact_id == inbox["linus"]  # type: ignore[union-attr]
    assert window.sidebar.item(View.TODAY).text() == "Today  (7)"
    assert window.action_table.undo_action.text() == "&Undo last stage change"


def test_the_banners_undo_button_restores_a_dismissal(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, inbox
) -> None:
    qtbot.keyClick(window.today_view, Qt.Key.Key_J)
    qtbot.keyClick(window.today_view, Qt.Key.Key_Delete)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert len(ctx.store.marks.actions()) == 1
    with qtbot.wait_signal(window.today.actions_marked):
        qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert ctx.store.marks.actions() == {}
    assert not window.banner.isVisible()
    assert inbox["alan"] in {a.contact_id for a in window.due_model.actions()}


def test_a_dismissal_survives_a_restart(qtbot: QtBot, ctx: AppContext, inbox) -> None:
    first = open_window(ctx)
    qtbot.add_widget(first)
    first.today_view.step_selection(+1)
    first.today.dismiss_action(first.today_view.current_action())  # type: ignore[arg-type]
    first.shutdown()
    second = open_window(ctx)
    qtbot.add_widget(second)
    assert inbox["alan"] not in {a.contact_id for a in second.due_model.actions()}
    assert second.sidebar.item(View.TODAY).text() == "Today  (6)"
    second.shutdown()


def test_the_context_menu_snoozes_and_dismisses(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _choose(window, monkeypatch, Snooze.NEXT_WEEK)
    row = window.due_model.row_of(window.due_model.actions()[0])
    assert row is not None
    pos = window.today_view.visualRect(window.due_model.index(row)).center()
    window.today.on_today_menu(pos)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    [mark] = ctx.store.marks.actions().values()
    assert mark.contact_id == inbox["alan"]
    assert mark.snoozed_until is not None and mark.snoozed_until.weekday() == 0  # Monday


def test_keys_with_ctrl_are_not_taken_by_today(qtbot: QtBot, window: MainWindow, ctx) -> None:
    qtbot.keyClick(window.today_view, Qt.Key.Key_J)
    qtbot.keyClick(window.today_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert ctx.store.marks.actions() == {}
