"""The stage machine: ``apply(state, event)`` returns the new state and, when the stage changes,
the transition that explains it. Pure: the caller stores both in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop.domain.model import ContactState, Event, EventKind, Evidence, Stage, Transition

#: Stages from which a genuine reply moves the contact to *replied*. Not *target*: targets are
#: often friends and family, and their everyday mail is not an answer to a request.
_AWAITING_REPLY = frozenset({Stage.REQUESTED, Stage.NO_RESPONSE})
#: Stages in which a meeting can be set.
_CAN_SCHEDULE = frozenset(
    {Stage.TARGET, Stage.REQUESTED, Stage.REPLIED, Stage.NO_RESPONSE, Stage.SCHEDULED}
)


@dataclass(frozen=True, slots=True)
class Step:
    state: ContactState
    transition: Transition | None


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def apply(state: ContactState, event: Event) -> Step:
    """Feed one event to one contact's state."""
    new = _next_state(state, event)
    if new.stage == state.stage:
        return Step(new, None)
    transition = Transition(
        from_stage=state.stage,
        to_stage=new.stage,
        at=event.at,
        evidence=event.evidence,
        event_key=event.key,
        before=state,
    )
    return Step(new, transition)


def _next_state(s: ContactState, e: Event) -> ContactState:
    kind = e.kind
    exchanged = replace(s, last_exchange_at=_later(s.last_exchange_at, e.at))
    if kind is EventKind.REQUEST_SENT:
        if s.stage is Stage.TARGET or s.stage.closed:
            return replace(
                exchanged,
                stage=Stage.REQUESTED,
                requested_at=e.at,
                last_nudge_at=e.at,
                followups_sent=0,
                bounced_addresses=() if s.stage is Stage.BOUNCED else s.bounced_addresses,
            )
        if s.stage is Stage.REQUESTED:  # a second request is a follow-up in all but name
            return _followup(exchanged, e)
        return exchanged
    if kind is EventKind.FOLLOWUP_SENT:
        if s.stage is Stage.REQUESTED:
            return _followup(exchanged, e)
        return exchanged
    if kind is EventKind.USER_ANSWERED:
        return replace(exchanged, answered_at=_later(s.answered_at, e.at))
    if kind is EventKind.GENUINE_REPLY:
        replied = replace(exchanged, replied_at=e.at, answered_at=None, away_until=None)
        if s.stage in _AWAITING_REPLY:
            return replace(replied, stage=Stage.REPLIED)
        return replied
    if kind is EventKind.AUTO_REPLY:
        # Not a reply: the stage stays, only the return date is kept (the latest one wins).
        if e.away_until is not None:
            return replace(s, away_until=e.away_until)
        return s
    if kind is EventKind.BOUNCE:
        addresses = tuple(dict.fromkeys((*s.bounced_addresses, *e.bounced_addresses)))
        if s.stage in (Stage.TARGET, Stage.REQUESTED):
            return replace(s, stage=Stage.BOUNCED, bounced_addresses=addresses)
        return replace(s, bounced_addresses=addresses)
    if kind is EventKind.MEETING_SET:
        if s.stage in _CAN_SCHEDULE and e.meeting_start and e.meeting_end:
            return replace(
                s, stage=Stage.SCHEDULED, meeting_start=e.meeting_start, meeting_end=e.meeting_end
            )
        return s
    if kind is EventKind.MEETING_PASSED:
        if s.stage is Stage.SCHEDULED and s.meeting_end is not None and e.at >= s.meeting_end:
            return replace(exchanged, stage=Stage.MET)
        return s
    if kind is EventKind.PAST_MEETING:
        if s.stage is Stage.MET and s.meeting_end is not None and e.meeting_end == s.meeting_end:
            return replace(s, no_thanks_for=s.meeting_end)
        return s
    if kind is EventKind.THANK_YOU_SENT:
        thanked = replace(exchanged, thanked_at=e.at)
        if s.stage is Stage.MET:
            return replace(thanked, stage=Stage.THANKED)
        return thanked
    if kind is EventKind.CHECK_IN_SENT:
        if s.stage in (Stage.THANKED, Stage.IN_TOUCH):
            return replace(exchanged, stage=Stage.IN_TOUCH)
        return exchanged
    if kind is EventKind.REFERRER_UPDATED:
        return replace(s, referrer_updated_at=e.at)
    if kind is EventKind.OVERRIDE:
        if e.target_stage is None:
            return s
        moved = replace(s, stage=e.target_stage)
        if e.target_stage is Stage.SCHEDULED and e.meeting_start and e.meeting_end:
            moved = replace(moved, meeting_start=e.meeting_start, meeting_end=e.meeting_end)
        if e.target_stage is Stage.REQUESTED and s.requested_at is None:
            moved = replace(moved, requested_at=e.at, last_nudge_at=e.at)
        return moved
    raise ValueError(f"unknown event kind: {kind!r}")


def _followup(s: ContactState, e: Event) -> ContactState:
    return replace(s, followups_sent=s.followups_sent + 1, last_nudge_at=e.at)


def time_events(state: ContactState, now: datetime) -> list[Event]:
    """Events that the passing of time produces (the meeting's end passing)."""
    if state.stage is Stage.SCHEDULED and state.meeting_end and now >= state.meeting_end:
        end = state.meeting_end
        return [
            Event(
                kind=EventKind.MEETING_PASSED,
                at=end,
                evidence=Evidence(
                    "The meeting's end time passed", f"meeting ended {end.isoformat()}"
                ),
                key=f"meeting-passed:{end.isoformat()}",
            )
        ]
    return []


def replay(events: list[Event], start: ContactState | None = None) -> Step:
    """Apply events in order; returns the final state and the last transition (for tests)."""
    state = start or ContactState()
    last: Transition | None = None
    for event in events:
        step = apply(state, event)
        state = step.state
        last = step.transition or last
    return Step(state, last)
