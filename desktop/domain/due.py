"""Due actions: pure functions of (contact state, now, settings). See PRODUCT.md, "What the user
is told, and when"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from desktop.domain.bizdays import MON_FRI, add_business_days, start_of_next_business_day
from desktop.domain.model import ContactState, Stage


class ActionKind(StrEnum):
    REPLY_RECEIVED = "reply_received"
    NEEDS_ANSWER = "needs_answer"
    FOLLOW_UP = "follow_up"
    CLOSE_THE_LOOP = "close_the_loop"
    PREPARE = "prepare"
    THANK_YOU_MISSING = "thank_you_missing"
    UPDATE_REFERRER = "update_referrer"
    CHECK_IN = "check_in"


#: Lower is more urgent; ties are broken by how long the action has been due.
URGENCY: dict[ActionKind, int] = {
    ActionKind.PREPARE: 0,
    ActionKind.NEEDS_ANSWER: 1,
    ActionKind.REPLY_RECEIVED: 2,
    ActionKind.THANK_YOU_MISSING: 3,
    ActionKind.FOLLOW_UP: 4,
    ActionKind.UPDATE_REFERRER: 5,
    ActionKind.CLOSE_THE_LOOP: 6,
    ActionKind.CHECK_IN: 7,
}

TITLES: dict[ActionKind, str] = {
    ActionKind.REPLY_RECEIVED: "Reply received",
    ActionKind.NEEDS_ANSWER: "Needs your answer",
    ActionKind.FOLLOW_UP: "Follow-up due",
    ActionKind.CLOSE_THE_LOOP: "Close the loop",
    ActionKind.PREPARE: "Prepare",
    ActionKind.THANK_YOU_MISSING: "Thank-you missing",
    ActionKind.UPDATE_REFERRER: "Update the referrer",
    ActionKind.CHECK_IN: "Check in",
}


#: The message template each due action is done with (the composer opens on it).
TEMPLATE_FOR_ACTION: dict[ActionKind, str] = {
    ActionKind.FOLLOW_UP: "follow_up",
    ActionKind.CLOSE_THE_LOOP: "close_the_loop",
    ActionKind.THANK_YOU_MISSING: "thank_you",
    ActionKind.CHECK_IN: "check_in",
    ActionKind.UPDATE_REFERRER: "referrer_update",
}


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    timezone: str = "UTC"
    holidays: frozenset[date] = field(default_factory=frozenset)
    #: The days the user works (0 = Monday): business days are counted on these.
    workdays: frozenset[int] = MON_FRI
    follow_up_business_days: int = 5
    max_followups: int = 2
    needs_answer_after: timedelta = timedelta(days=1)
    prepare_before: timedelta = timedelta(hours=24)
    thank_you_after: timedelta = timedelta(hours=24)
    check_in_after: timedelta = timedelta(days=90)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class DueAction:
    kind: ActionKind
    contact_id: int
    due_at: datetime
    detail: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def urgency(self) -> int:
        return URGENCY[self.kind]


def follow_up_due_at(state: ContactState, settings: ReminderSettings) -> datetime | None:
    """When the next nudge (follow-up or close-the-loop) becomes due, if one is pending.

    Counted from the last request or follow-up; an out-of-office return date pushes it to the first
    business day after that date, so nobody is chased while away.
    """
    if state.stage is not Stage.REQUESTED or state.last_nudge_at is None:
        return None
    zone = settings.zone
    due = add_business_days(
        state.last_nudge_at,
        settings.follow_up_business_days,
        zone,
        settings.holidays,
        settings.workdays,
    )
    if state.away_until is not None:
        back = start_of_next_business_day(
            state.away_until, zone, settings.holidays, settings.workdays
        )
        due = max(due, back)
    return due.astimezone(UTC)


def due_actions(
    contact_id: int,
    state: ContactState,
    now: datetime,
    settings: ReminderSettings,
    *,
    has_referrer: bool = False,
) -> list[DueAction]:
    """The actions due now for one contact (usually none or one)."""
    actions: list[DueAction] = []
    stage = state.stage

    def add(kind: ActionKind, due_at: datetime, detail: str = "") -> None:
        actions.append(DueAction(kind, contact_id, due_at.astimezone(UTC), detail))

    # A reply waits on the user while they have not answered it: also once the sync scheduled
    # the time it accepted (the confirmation and the invitation are still to send).
    if stage in (Stage.REPLIED, Stage.SCHEDULED) and state.replied_at is not None:
        answered = state.answered_at is not None and state.answered_at >= state.replied_at
        if not answered:
            late = state.replied_at + settings.needs_answer_after
            if now >= late:
                add(ActionKind.NEEDS_ANSWER, late, "They replied and are waiting for your answer")
            else:
                add(ActionKind.REPLY_RECEIVED, state.replied_at, "They replied: answer them")

    nudge = follow_up_due_at(state, settings)
    if nudge is not None and now >= nudge:
        if state.followups_sent < settings.max_followups:
            n = state.followups_sent + 1
            add(
                ActionKind.FOLLOW_UP,
                nudge,
                f"No reply yet: gentle follow-up {n} of {settings.max_followups}",
            )
        else:
            add(
                ActionKind.CLOSE_THE_LOOP,
                nudge,
                "No reply after the follow-ups: send a polite close-the-loop message",
            )

    if stage is Stage.SCHEDULED and state.meeting_start is not None:
        opens = state.meeting_start - settings.prepare_before
        if opens <= now < state.meeting_start:
            add(ActionKind.PREPARE, opens, "Meeting within 24 hours: questions and research notes")

    if (
        stage is Stage.MET
        and state.meeting_end is not None
        and state.thanked_at is None
        and state.no_thanks_for != state.meeting_end  # read from mail long past
    ):
        late = state.meeting_end + settings.thank_you_after
        if now >= late:
            add(ActionKind.THANK_YOU_MISSING, late, "No thank-you in your Sent mail yet")

    if (
        has_referrer
        and stage in (Stage.MET, Stage.THANKED, Stage.IN_TOUCH)
        and state.referrer_updated_at is None
        and state.meeting_end is not None
    ):
        add(ActionKind.UPDATE_REFERRER, state.meeting_end, "Tell the person who introduced you")

    if stage in (Stage.THANKED, Stage.IN_TOUCH) and state.last_exchange_at is not None:
        due = state.last_exchange_at + settings.check_in_after
        if now >= due:
            add(ActionKind.CHECK_IN, due, "It has been a while: check in")
    return actions


#: What Today says of a reply, by its recognised intent (the kinds of mail/intent.py): who,
#: what they said, and the one click that answers it.
REPLY_LINES: dict[str, str] = {
    "accept": "{who} accepted {when} — confirm and invite",
    "propose": "{who} proposed other times{when} — pick one and confirm",
    "refer": "{who} declined and referred {referral} — thank them, write to {referral}",
    "decline": "{who} declined — thank them and close",
    "question": "{who} asked a question — answer it",
    "unknown": "{who} replied — read it and answer",
}


def reply_line(who: str, intent: str, *, when: str = "", referral: str = "") -> str:
    """Today's line for a reply: "Maya accepted Thu 14:00 — confirm and invite", "Daniel
    declined and referred Erin — thank them, write to Erin". ``when`` is the accepted time (or,
    for proposals, how many: " (2)"); an unknown ``intent`` reads as a plain reply."""
    if intent == "accept" and not when:
        when = "a time"
    if intent == "refer" and not referral:
        return f"{who} declined and referred someone — thank them"
    template = REPLY_LINES.get(intent, REPLY_LINES["unknown"])
    return template.format(who=who or "They", when=when, referral=referral)


def excerpt(text: str, limit: int = 120) -> str:
    """The start of what they wrote, on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",.;:—-") + "…"


def sort_actions(actions: list[DueAction]) -> list[DueAction]:
    """Most urgent first: by kind, then the longest-overdue first."""
    return sorted(actions, key=lambda a: (a.urgency, a.due_at, a.contact_id))
