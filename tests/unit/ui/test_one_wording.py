"""One wording across the window: one date format (no zero-padded day, anywhere a moment is
said), and a Next action that is always a thing to do, never an event."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.due import TITLES, ActionKind
from desktop.reminders import Snooze
from ui.format import NEXT_ACTIONS, when_text
from ui.main_window import MainWindow
from ui.models.contacts import NEXT_ACTION_ROLE, Column

ZERO_PADDED_DAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) 0\d\b")


def test_a_snooze_says_its_time_in_the_one_date_format(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, seeded: dict[str, int]
) -> None:
    assert isinstance(ctx.clock, ManualClock)
    ctx.clock.set(datetime(2026, 4, 1, 12, 0, tzinfo=UTC))  # a Wednesday: tomorrow is the 2nd
    window.refresh_derived()
    (action,) = [a for a in window.due_model.actions() if a.contact_id == seeded["ada"]]
    window.today.snooze_action(action, Snooze.DAY)
    qtbot.wait_until(window.ops.idle)
    (mark,) = ctx.store.marks.actions().values()
    assert mark.snoozed_until is not None
    said = window.banner.text.text()
    expected = when_text(mark.snoozed_until, window.zone, ctx.clock.now())
    assert expected.startswith("Thu 2 Apr")
    assert f"Snoozed until {expected}:" in said
    assert not ZERO_PADDED_DAY.search(said), said


def test_next_action_is_a_thing_to_do_in_the_table_and_on_the_cards(
    window: MainWindow, seeded: dict[str, int]
) -> None:
    model = window.model
    shown = {
        model.data(model.index(row, Column.NEXT_ACTION)) for row in range(model.rowCount())
    } - {""}
    assert shown, "the seeded profile has due actions"
    assert shown <= set(NEXT_ACTIONS.values())
    # Never an event or a state: "Reply received", "Needs your answer", "Thank-you missing".
    events = {TITLES[ActionKind.REPLY_RECEIVED], TITLES[ActionKind.NEEDS_ANSWER],
              TITLES[ActionKind.THANK_YOU_MISSING]}  # fmt: skip
    assert not shown & events
    ada = model.index(model.row_of(seeded["ada"]), Column.NAME)
    assert model.data(ada, NEXT_ACTION_ROLE) == "Answer them"  # the board card's badge too


def test_every_kind_of_due_action_has_its_next_action() -> None:
    assert set(NEXT_ACTIONS) == set(ActionKind)
    assert not set(NEXT_ACTIONS.values()) & {TITLES[ActionKind.REPLY_RECEIVED]}
