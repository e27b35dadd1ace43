"""Row types and small helpers shared by the repositories (public names, no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from desktop.domain.model import Contact, ContactState, Event, EventKind, Evidence, Stage
from desktop.storage.codec import from_iso


@dataclass(frozen=True, slots=True)
class ContactRecord:
    contact: Contact
    state: ContactState

    @property
    def id(self) -> int:
        assert self.contact.id is not None
        return self.contact.id


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a contact's history: an event, and the stage change it caused if any."""

    event_id: int
    kind: EventKind
    at: datetime
    evidence: Evidence
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    transition_id: int | None = None
    undone: bool = False


@dataclass(frozen=True, slots=True)
class StoredMessage:
    key: str
    account_id: int
    thread_id: str
    folder: str
    subject: str
    sender: str
    recipients: tuple[str, ...]
    date: datetime
    kind: str
    evidence: str
    text: str
    html: str
    defects: tuple[str, ...]
    #: The RFC 5322 Message-ID (with angle brackets), "" when the message had none.
    message_id: str = ""
    #: Why the sync could not read this message ("" when it could): it was kept, unread.
    failure: str = ""


@dataclass(frozen=True, slots=True)
class ActionMark:
    """The user's choice about one due action (contact, kind, due_at): snoozed or dismissed."""

    contact_id: int
    kind: str
    due_at: datetime
    snoozed_until: datetime | None = None
    dismissed: bool = False


#: One due action, as stored: (contact id, kind, due at in UTC).
ActionKey = tuple[int, str, datetime]
#: A flag Coffeechat set in a mailbox: (account id, provider thread id, flag name).
MailboxFlagKey = tuple[int, str, str]


def event_from_row(r: tuple[object, ...]) -> Event:
    payload = json.loads(str(r[6]))
    at = from_iso(str(r[1]))
    assert at is not None
    away = payload.get("away_until")
    target = payload.get("target_stage")
    return Event(
        kind=EventKind(str(r[0])),
        at=at,
        evidence=Evidence(str(r[2]), str(r[3]), None if r[4] is None else str(r[4])),
        key=str(r[5]),
        away_until=date.fromisoformat(away) if away else None,
        bounced_addresses=tuple(payload.get("bounced", ())),
        meeting_start=from_iso(payload.get("meeting_start")),
        meeting_end=from_iso(payload.get("meeting_end")),
        target_stage=Stage(target) if target else None,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def message_key(account_id: int, provider_id: str) -> str:
    return f"{account_id}:{provider_id}"
