"""Today's line for a reply says who answered, the recognised intent and the one click that
answers it, with the start of what they wrote, never "They replied: answer them"; a meeting
set at an accepted time shows both zones on the reply card and in the contact panel. The demo
profile with its real mailbox and sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.domain.due import ActionKind, DueAction
from tests.helpers.windows import open_window
from tests.unit.ui.test_reply_card import Setup, _answered
from ui.main_window import MainWindow
from ui.models.due import ACTION_ROLE
from ui.today import DueDelegate


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path)
    yield made
    made.close()


@pytest.fixture
def window(qtbot: QtBot, setup: Setup) -> Iterator[MainWindow]:
    win = open_window(setup.ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()


def _rows(window: MainWindow) -> dict[int, DueAction]:
    model = window.due_model
    found = {}
    for row in range(model.rowCount()):
        action = model.index(row).data(ACTION_ROLE)
        if isinstance(action, DueAction):
            found[action.contact_id] = action
    return found


def _today(window: MainWindow) -> tuple[dict[int, DueAction], DueDelegate]:
    window.reload_all()
    window.show_view("today")
    window.select_contact(None)
    window.replies.refresh()
    delegate = window.today_view.itemDelegate()
    assert isinstance(delegate, DueDelegate)
    return _rows(window), delegate


def test_an_accepted_time_reads_as_accepted_with_the_time_and_her_words(
    window: MainWindow, setup: Setup
) -> None:
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    rows, delegate = _today(window)
    action = rows[maya]  # the sync scheduled her: her confirmation is still due
    assert action.kind is ActionKind.REPLY_RECEIVED
    case = window.replies.waiting[maya]
    accepted = case.accepted
    assert accepted is not None
    line, said = delegate.lines(action)
    assert line == f"Maya accepted {accepted.start:%a %H:%M} — confirm and invite"
    assert "answer them" not in line
    assert said and said.split()[0] in case.text and "\n" not in said
    assert not window.today_view.grab().isNull()  # the three lines paint


def test_a_declined_referral_reads_as_such(window: MainWindow, setup: Setup) -> None:
    _answered(setup, "declines_refers", 4)
    daniel = setup.id("Daniel Okafor")
    rows, delegate = _today(window)
    line, said = delegate.lines(rows[daniel])
    assert line.startswith("Daniel declined and referred Erin Park — thank them")
    assert said


def test_a_proposal_reads_as_times_to_pick(window: MainWindow, setup: Setup) -> None:
    _answered(setup, "proposes", 2)
    tomas = setup.id("Tomás Ortega")
    rows, delegate = _today(window)
    line, _said = delegate.lines(rows[tomas])
    assert line == "Tomás proposed other times (2) — pick one and confirm"


def test_the_accepted_meeting_shows_both_zones_on_the_card_and_in_the_panel(
    qtbot: QtBot, window: MainWindow, setup: Setup
) -> None:
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    window.reload_all()
    window.select_contact(maya)
    window.replies.refresh(maya)
    card = window.panel.reply_card
    qtbot.wait_until(card.isVisible, timeout=20_000)
    case = window.replies.case
    assert case is not None and case.meeting is not None and case.meeting == case.accepted
    # New York first (her time), then the user's (UTC): "Mon 30 Nov, 10:00-10:15 (EST) · 15:00
    # your time (UTC)".
    local = case.meeting.start.astimezone(UTC)
    assert card.meeting.isVisible()
    assert "(EST)" in card.meeting.text()
    assert f"{local:%H:%M} your time (UTC)" in card.meeting.text()
    meeting_line = next(
        line for line in window.panel.details.text().splitlines() if line.startswith("Meeting:")
    )
    assert "(EST)" in meeting_line and f"{local:%H:%M} your time (UTC)" in meeting_line


def test_today_reads_the_replies_itself_when_painted_before_any_contact_was_shown(
    window: MainWindow, setup: Setup
) -> None:
    _answered(setup, "declines_refers", 4)
    daniel = setup.id("Daniel Okafor")
    window.reload_all()
    window.show_view("today")
    window.replies.waiting, window.replies.waiting_read = {}, False  # as at start-up
    delegate = window.today_view.itemDelegate()
    assert isinstance(delegate, DueDelegate)
    line, _said = delegate.lines(_rows(window)[daniel])
    assert line.startswith("Daniel declined and referred Erin Park")
