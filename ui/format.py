"""Small text helpers shared by views and models (Qt-free, so they are easy to test)."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from desktop.domain.due import ActionKind
from desktop.domain.model import ContactState, Stage

#: What the user does next, as the contacts table's Next action column and the cards' badge say
#: it: always a thing to do, never what happened (Today's titles say why it is due).
NEXT_ACTIONS: dict[ActionKind, str] = {
    ActionKind.REPLY_RECEIVED: "Answer their reply",
    ActionKind.NEEDS_ANSWER: "Answer them",
    ActionKind.FOLLOW_UP: "Follow up",
    ActionKind.CLOSE_THE_LOOP: "Close the loop",
    ActionKind.PREPARE: "Prepare",
    ActionKind.THANK_YOU_MISSING: "Thank them",
    ActionKind.UPDATE_REFERRER: "Update the referrer",
    ActionKind.CHECK_IN: "Check in",
}


def next_action_text(kind: ActionKind) -> str:
    """The Next action for a due action of ``kind`` (see ``NEXT_ACTIONS``)."""
    return NEXT_ACTIONS[kind]


def day_text(day: date) -> str:
    """``Thu 3 Dec``: short, unambiguous, locale-neutral enough for a badge."""
    return f"{day:%a} {day.day} {day:%b}"


def when_text(when: datetime, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    """A moment shown in the user's zone: ``14:05`` today, ``Thu 3 Dec 14:05`` otherwise,
    with the year only when it is not the current one."""
    local = when.astimezone(zone)
    if now is not None:
        today = now.astimezone(zone).date()
        if local.date() == today:
            return f"{local:%H:%M}"
        if local.year != today.year:
            return f"{day_text(local.date())} {local.year} {local:%H:%M}"
    return f"{day_text(local.date())} {local:%H:%M}"


def last_activity(state: ContactState, now: datetime | None = None) -> datetime | None:
    """The latest moment anything happened with the contact, as far as the state knows; with
    ``now``, never a moment still to come (a meeting set for next week has not happened)."""
    moments = [
        m
        for m in (
            state.requested_at,
            state.last_nudge_at,
            state.replied_at,
            state.answered_at,
            state.meeting_end,
            state.thanked_at,
            state.last_exchange_at,
        )
        if m is not None and (now is None or m <= now)
    ]
    return max(moments) if moments else None


def stage_since(state: ContactState) -> datetime | None:
    """When the contact entered its present stage, as far as the state says (None: not known,
    e.g. a target, which has no dated event)."""
    by_stage = {
        Stage.REQUESTED: state.requested_at,
        Stage.REPLIED: state.replied_at,
        Stage.SCHEDULED: state.answered_at or state.replied_at,
        Stage.MET: state.meeting_end,
        Stage.THANKED: state.thanked_at,
        Stage.IN_TOUCH: state.last_exchange_at,
        Stage.NO_RESPONSE: state.last_nudge_at or state.requested_at,
    }
    return by_stage.get(state.stage)


def days_text(since: datetime, now: datetime) -> str:
    """How long ago, in whole days, short enough for a badge: ``<1 d``, ``1 d``, ``12 d``."""
    days = max(0, (now - since).days)
    return "<1 d" if days == 0 else f"{days} d"
