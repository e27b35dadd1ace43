from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.due import ActionKind, ReminderSettings, due_actions
from desktop.domain.model import ContactState, EventKind, Stage
from desktop.domain.pipeline import apply, replay, time_events
from tests.helpers.builders import T0, event

H = timedelta(hours=1)


def test_request_moves_target_to_requested_with_evidence() -> None:
    step = apply(ContactState(), event(EventKind.REQUEST_SENT))
    assert step.state.stage is Stage.REQUESTED
    assert step.transition is not None
    assert (step.transition.from_stage, step.transition.to_stage) == (
        Stage.TARGET,
        Stage.REQUESTED,
    )
    assert "request_sent" in step.transition.evidence.summary
    assert step.transition.before == ContactState()


def test_auto_reply_is_not_a_reply_but_marks_away_until() -> None:
    state = replay([event(EventKind.REQUEST_SENT)]).state
    step = apply(state, event(EventKind.AUTO_REPLY, T0 + H, away_until=date(2026, 3, 9)))
    assert step.state.stage is Stage.REQUESTED
    assert step.transition is None
    assert step.state.away_until == date(2026, 3, 9)


def test_genuine_reply_moves_to_replied_and_clears_away() -> None:
    state = replay(
        [
            event(EventKind.REQUEST_SENT),
            event(EventKind.AUTO_REPLY, T0 + H, away_until=date(2026, 3, 9)),
        ]
    ).state
    step = apply(state, event(EventKind.GENUINE_REPLY, T0 + 2 * H))
    assert step.state.stage is Stage.REPLIED
    assert step.state.away_until is None
    assert step.state.replied_at == T0 + 2 * H


def test_bounce_moves_to_bounced_and_keeps_the_bad_address() -> None:
    state = replay([event(EventKind.REQUEST_SENT)]).state
    step = apply(state, event(EventKind.BOUNCE, T0 + H, bounced=("x@y.example",)))
    assert step.state.stage is Stage.BOUNCED
    assert step.state.bounced_addresses == ("x@y.example",)


def test_second_request_counts_as_follow_up() -> None:
    state = replay(
        [event(EventKind.REQUEST_SENT), event(EventKind.REQUEST_SENT, T0 + 100 * H)]
    ).state
    assert state.stage is Stage.REQUESTED
    assert state.followups_sent == 1
    assert state.last_nudge_at == T0 + 100 * H


def test_full_happy_path() -> None:
    start, end = T0 + 48 * H, T0 + 48 * H + timedelta(minutes=15)
    state = replay(
        [
            event(EventKind.REQUEST_SENT),
            event(EventKind.GENUINE_REPLY, T0 + H),
            event(EventKind.MEETING_SET, T0 + 2 * H, meeting=(start, end)),
        ]
    ).state
    assert state.stage is Stage.SCHEDULED
    assert time_events(state, end - timedelta(minutes=1)) == []
    passed = time_events(state, end + H)
    assert [e.kind for e in passed] == [EventKind.MEETING_PASSED]
    state = apply(state, passed[0]).state
    assert state.stage is Stage.MET
    state = apply(state, event(EventKind.THANK_YOU_SENT, end + 2 * H)).state
    assert state.stage is Stage.THANKED
    state = apply(state, event(EventKind.CHECK_IN_SENT, end + 2000 * H)).state
    assert state.stage is Stage.IN_TOUCH


def test_meeting_passed_event_key_is_stable() -> None:
    start, end = T0, T0 + timedelta(minutes=15)
    state = ContactState(stage=Stage.SCHEDULED, meeting_start=start, meeting_end=end)
    assert time_events(state, end + H)[0].key == time_events(state, end + 5 * H)[0].key


def test_override_can_go_anywhere_and_keeps_before_state_for_undo() -> None:
    state = replay([event(EventKind.REQUEST_SENT)]).state
    step = apply(state, event(EventKind.OVERRIDE, T0 + H, target=Stage.DECLINED))
    assert step.state.stage is Stage.DECLINED
    assert step.transition is not None
    assert step.transition.before == state


def test_reply_after_closing_reopens_no_response() -> None:
    state = ContactState(stage=Stage.NO_RESPONSE)
    assert apply(state, event(EventKind.GENUINE_REPLY)).state.stage is Stage.REPLIED


@pytest.mark.parametrize("stage", [Stage.SCHEDULED, Stage.MET, Stage.THANKED])
def test_reply_in_later_stage_keeps_stage(stage: Stage) -> None:
    assert apply(ContactState(stage=stage), event(EventKind.GENUINE_REPLY)).state.stage is stage


@given(st.lists(st.sampled_from(list(EventKind)), max_size=30))
def test_stage_rules_hold_for_any_event_sequence(kinds: list[EventKind]) -> None:
    """Whatever arrives, in any order: an automatic reply never moves a contact, only a request
    or the user's override moves a contact out of *target*, only a bounce or the user makes one
    *bounced*, and every transition records the stage it left."""
    state = ContactState()
    for n, kind in enumerate(kinds):
        at = T0 + n * H
        step = apply(
            state,
            event(
                kind,
                at,
                away_until=date(2026, 4, 1),
                bounced=("a@b.example",),
                meeting=(at + H, at + 2 * H),
                target=Stage.REPLIED,
            ),
        )
        new = step.state.stage
        if kind is EventKind.AUTO_REPLY:
            assert new is state.stage
        if state.stage is Stage.TARGET and new is not Stage.TARGET:
            assert kind in (
                EventKind.REQUEST_SENT,
                EventKind.OVERRIDE,
                EventKind.MEETING_SET,
                EventKind.BOUNCE,
            )
        if new is Stage.BOUNCED and state.stage is not Stage.BOUNCED:
            assert kind in (EventKind.BOUNCE, EventKind.OVERRIDE)
        if new is Stage.MET and state.stage is not Stage.MET:
            assert kind in (EventKind.MEETING_PASSED, EventKind.OVERRIDE)
            assert kind is EventKind.OVERRIDE or at >= (state.meeting_end or at)
        if step.transition is not None:
            assert (step.transition.from_stage, step.transition.to_stage) == (state.stage, new)
            assert step.transition.before == state
        else:
            assert new is state.stage
        if kind is EventKind.FOLLOWUP_SENT and state.stage is Stage.REQUESTED:
            assert step.state.followups_sent == state.followups_sent + 1
        state = step.state


def test_a_past_meeting_asks_no_thank_you_for_that_meeting_only() -> None:
    end = T0 + 2 * H
    met = ContactState(stage=Stage.MET, meeting_start=T0 + H, meeting_end=end)
    waived = apply(met, event(EventKind.PAST_MEETING, end, meeting=(T0 + H, end))).state
    assert waived.stage is Stage.MET and waived.no_thanks_for == end
    settings = ReminderSettings()
    later = end + 30 * 24 * H
    kinds = [a.kind for a in due_actions(1, met, later, settings)]
    assert ActionKind.THANK_YOU_MISSING in kinds
    assert ActionKind.THANK_YOU_MISSING not in [
        a.kind for a in due_actions(1, waived, later, settings)
    ]
    # Another meeting's end, or a contact not met: nothing is waived.
    other = apply(met, event(EventKind.PAST_MEETING, end, meeting=(T0, T0 + H))).state
    assert other.no_thanks_for is None
    scheduled = replace(met, stage=Stage.SCHEDULED)
    assert (
        apply(scheduled, event(EventKind.PAST_MEETING, end, meeting=(T0 + H, end))).state
        == scheduled
    )
