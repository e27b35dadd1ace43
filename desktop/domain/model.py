"""Domain types: frozen dataclasses, no behaviour beyond small derived properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Stage(StrEnum):
    TARGET = "target"
    REQUESTED = "requested"
    REPLIED = "replied"
    SCHEDULED = "scheduled"
    MET = "met"
    THANKED = "thanked"
    IN_TOUCH = "in_touch"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"
    BOUNCED = "bounced"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def closed(self) -> bool:
        return self in (Stage.DECLINED, Stage.NO_RESPONSE, Stage.BOUNCED)


STAGE_LABELS: dict[Stage, str] = {
    Stage.TARGET: "Target",
    Stage.REQUESTED: "Requested",
    Stage.REPLIED: "Replied",
    Stage.SCHEDULED: "Scheduled",
    Stage.MET: "Met",
    Stage.THANKED: "Thanked",
    Stage.IN_TOUCH: "In touch",
    Stage.DECLINED: "Declined",
    Stage.NO_RESPONSE: "No response",
    Stage.BOUNCED: "Bounced",
}

#: The order in which stages are shown (board columns, sort order).
STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class EventKind(StrEnum):
    REQUEST_SENT = "request_sent"
    FOLLOWUP_SENT = "followup_sent"
    USER_ANSWERED = "user_answered"
    GENUINE_REPLY = "genuine_reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    MEETING_SET = "meeting_set"
    MEETING_PASSED = "meeting_passed"
    #: A meeting read from past mail (the history pass) that had ended long before: no thank-you
    #: is asked for it (``ContactState.no_thanks_for``).
    PAST_MEETING = "past_meeting"
    THANK_YOU_SENT = "thank_you_sent"
    CHECK_IN_SENT = "check_in_sent"
    REFERRER_UPDATED = "referrer_updated"
    OVERRIDE = "override"


@dataclass(frozen=True, slots=True)
class Contact:
    id: int | None
    name: str
    emails: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    timezone: str = ""
    source: str = ""
    referrer_id: int | None = None
    notes: str = ""
    objective_id: int | None = None
    #: False for someone the user has not chosen to ask yet (an imported connection): they are
    #: in People, not among the targets, until "Add to targets" (or a request to them).
    in_pipeline: bool = True

    @property
    def primary_email(self) -> str:
        return self.emails[0] if self.emails else ""


def in_people(contact: Contact, state: ContactState) -> bool:
    """In People, apart from the pipeline: not chosen as a target and never asked."""
    return not contact.in_pipeline and state.stage is Stage.TARGET


@dataclass(frozen=True, slots=True)
class Objective:
    id: int | None
    title: str
    titles: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why something happened: shown beside every stage change.

    ``summary`` is a short human sentence ("Out-of-office reply: back on 3 Dec"); ``detail`` names
    what decided it (a header, a phrase, a click); ``message_key`` points at the stored message.
    """

    summary: str
    detail: str = ""
    message_key: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a contact, fed to the pipeline.

    ``key`` makes an event idempotent: the same message seen twice yields the same key, and storage
    keeps one row per key.
    """

    kind: EventKind
    at: datetime
    evidence: Evidence
    key: str
    away_until: date | None = None
    bounced_addresses: tuple[str, ...] = ()
    meeting_start: datetime | None = None
    meeting_end: datetime | None = None
    target_stage: Stage | None = None


@dataclass(frozen=True, slots=True)
class ContactState:
    """Everything the stage machine and the due-action rules need to know about one contact."""

    stage: Stage = Stage.TARGET
    requested_at: datetime | None = None
    last_nudge_at: datetime | None = None
    followups_sent: int = 0
    away_until: date | None = None
    replied_at: datetime | None = None
    answered_at: datetime | None = None
    meeting_start: datetime | None = None
    meeting_end: datetime | None = None
    thanked_at: datetime | None = None
    last_exchange_at: datetime | None = None
    referrer_updated_at: datetime | None = None
    bounced_addresses: tuple[str, ...] = ()
    #: The end of a meeting found in past mail long after it happened: no thank-you is due for
    #: that meeting (a later meeting has another end, and asks for one again).
    no_thanks_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """A stage change, with the state before it so that it can be undone exactly."""

    from_stage: Stage
    to_stage: Stage
    at: datetime
    evidence: Evidence
    event_key: str
    before: ContactState = field(default_factory=ContactState)
