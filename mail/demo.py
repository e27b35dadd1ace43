"""The built-in demo mailbox: a simulated account that lives in a local directory.

It implements MailProvider so the whole app runs against it exactly as against Gmail. Messages
are stored as real .eml bytes, next to a JSON index (folders, ids, threads, the change-feed
sequence, and which scripted responses were already produced). Every demo contact has a
behaviour; the first message the user sends to a contact (seeded, or sent later from the app)
starts its script, and each scripted response appears in the change feed once the clock reaches
its due time, dated exactly then. The clock is injected, so tests and the accelerated demo move
time instead of waiting.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.domain.clock import Clock, utc
from mail.mime import OUTBOX_HEADER, build_message, parse_message
from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    EventRef,
    Folder,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    NoCalendarError,
    OutgoingMessage,
    SentRef,
)
from mail.relevance import Relevance

DEMO_USER_NAME = "Sam Rivera"
DEMO_USER_ADDRESS = "sam.rivera@demo.example"

INDEX_NAME = "index.json"
INDEX_VERSION = 1


class Behaviour(StrEnum):
    ACCEPTS = "accepts"
    AWAY = "away"
    BOUNCES = "bounces"
    DECLINES_REFERS = "declines_refers"
    SILENT = "silent"


@dataclass(frozen=True, slots=True)
class DemoContact:
    name: str
    email: str
    company: str
    role: str
    timezone: str
    source: str
    behaviour: str
    referrer_email: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def domain(self) -> str:
        return self.email.partition("@")[2]


DEMO_CONTACTS: tuple[DemoContact, ...] = (
    DemoContact(
        "Maya Chen", "maya.chen@lumen.example", "Lumen Analytics", "Head of Data Science",
        "America/New_York", "alumni network", Behaviour.ACCEPTS,
    ),
    DemoContact(
        "Jonas Weber", "jonas.weber@kraftwerk-labs.example", "Kraftwerk Labs", "Product Manager",
        "Europe/Berlin", "LinkedIn", Behaviour.AWAY,
    ),
    DemoContact(
        "Alex Moreau", "alex.moreau@oldcorp.example", "Oldcorp Systems", "UX Research Lead",
        "Europe/Paris", "news article", Behaviour.BOUNCES,
    ),
    DemoContact(
        "Daniel Okafor", "daniel.okafor@northwind.example", "Northwind Health",
        "VP of Engineering", "America/Chicago", "professional association",
        Behaviour.DECLINES_REFERS,
    ),
    DemoContact(
        "Lena Svensson", "lena.svensson@fjord.example", "Fjord Studio", "Design Director",
        "Europe/Stockholm", "friend", Behaviour.SILENT,
    ),
    DemoContact(
        "Erin Park", "erin.park@northwind.example", "Northwind Health", "Engineering Manager",
        "America/Chicago", "referral", Behaviour.ACCEPTS, "daniel.okafor@northwind.example",
    ),
    DemoContact(
        "Priya Nair", "priya.nair@brightpath.example", "BrightPath Learning",
        "Learning Experience Designer", "Europe/London", "career centre", Behaviour.ACCEPTS,
    ),
    DemoContact(
        "Tomás Ortega", "tomas.ortega@solara.example", "Solara Energy", "Operations Analyst",
        "America/Mexico_City", "family friend", Behaviour.SILENT,
    ),
)  # fmt: skip

_BY_EMAIL = {c.email: c for c in DEMO_CONTACTS}

#: Delays after the request (the "away" contact's human reply is computed from the return date).
ACCEPT_DELAY = timedelta(minutes=40)
OOO_DELAY = timedelta(minutes=2)
BOUNCE_DELAY = timedelta(minutes=1)
DECLINE_DELAY = timedelta(hours=3)
AWAY_DAYS = 2
_SATURDAY = 5

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_SLOT_LINE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*(?P<slot>.+?)\s*$", re.MULTILINE)

_SEED_REASONS = {
    "maya.chen@lumen.example": (
        "I found you through the Lakeside University alumni network, and your path from "
        "analyst to leading a data science team is exactly the one I am hoping to follow."
    ),
    "jonas.weber@kraftwerk-labs.example": (
        "I read your LinkedIn post on running product discovery with small teams, and it "
        "made me want to learn more about how you work."
    ),
    "alex.moreau@oldcorp.example": (
        "I read your interview in Design Weekly about building a research practice from "
        "scratch, and it is the reason I am writing."
    ),
}


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _city(tz: str) -> str:
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def _business_days_after(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY:
            count -= 1
    return day


def seed_slots(now: datetime, contact: DemoContact, offset: int = 0) -> list[str]:
    """Three concrete slots in the contact's time zone, two or more business days ahead."""
    tz = ZoneInfo(contact.timezone)
    today = now.astimezone(tz).date()
    hours = (time(14, 0), time(10, 0), time(16, 30))
    slots: list[str] = []
    for i, at in enumerate(hours):
        day = _business_days_after(today, 2 + offset + i)
        slots.append(f"{_long_date(day)} at {at:%H:%M} ({_city(contact.timezone)} time)")
    return slots


def request_text(contact: DemoContact, reason: str, slots: list[str], sender_name: str) -> str:
    lines = "\n".join(f"- {slot}" for slot in slots)
    return (
        f"Hi {contact.first_name},\n\n"
        f"{reason} I am exploring a move towards a role like yours, and 15 minutes on the "
        f"phone with you would help me understand what the work is really like.\n\n"
        f"Would one of these times work for you?\n\n{lines}\n\n"
        f"If none of them suits, I am happy to fit around your schedule.\n\n"
        f"Best wishes,\n{sender_name}\n"
    )


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def _second_slot(text: str) -> str:
    slots = [
        m.group("slot").rstrip(".;,")
        for m in _SLOT_LINE.finditer(text)
        if any(day[:3] in m.group("slot") for day in _WEEKDAYS)
    ]
    return slots[1] if slots[1:] else "Thursday at 10:00"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class _Step:
    name: str
    due: datetime


class DemoMailbox:
    """A simulated mailbox in ``directory``; see the module docstring."""

    def __init__(
        self, directory: Path, account: Account, clock: Clock, *, has_calendar: bool = True
    ) -> None:
        self.account = account
        #: Off: the simulated account has no calendar (busy time from working hours alone,
        #: invitations by e-mail), as an IMAP account or a Google project without Calendar.
        self.has_calendar = has_calendar
        self._dir = Path(directory)
        self._clock = clock
        self._lock = threading.RLock()
        self._index: dict[str, Any] = self._load()
        self._by_id: dict[str, dict[str, Any]] = {m["id"]: m for m in self._index["messages"]}

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, account: Account, clock: Clock) -> DemoMailbox:
        """Open the demo mailbox in ``directory``, seeding it first if it does not exist yet."""
        box = cls(directory, account, clock)
        with box._lock:
            if not box._index.get("seeded"):
                box._seed()
        return box

    def _load(self) -> dict[str, Any]:
        path = self._dir / INDEX_NAME
        if path.exists():
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != INDEX_VERSION:
                raise ValueError(f"unsupported demo mailbox index version {data.get('version')}")
            return data
        return {
            "version": INDEX_VERSION,
            "seeded": False,
            "seq": 0,
            "counters": {},
            "messages": [],
            "drafts": {},
            "generated": {},
            "events": [],
            "flags": {},
        }

    def _save(self) -> None:
        data = json.dumps(self._index, indent=1, sort_keys=True).encode("utf-8")
        _atomic_write(self._dir / INDEX_NAME, data)

    def _next_id(self, kind: str) -> str:
        counters: dict[str, int] = self._index["counters"]
        counters[kind] = counters.get(kind, 0) + 1
        return f"{kind}{counters[kind]:06d}"

    @property
    def _user_name(self) -> str:
        # The account's display name labels the mailbox ("Demo mailbox"), not the person.
        return DEMO_USER_NAME

    @property
    def _user_domain(self) -> str:
        return self.account.address.partition("@")[2] or "demo.example"

    def _seed(self) -> None:
        now = utc(self._clock.now())
        self._store(_newsletter(self.account.address, now - timedelta(hours=5)), Folder.INBOX)
        seeded = [c for c in DEMO_CONTACTS if c.email in _SEED_REASONS]
        for offset, contact in enumerate(seeded):
            when = now - timedelta(hours=3 - offset)
            slots = seed_slots(now, contact, offset)
            out = OutgoingMessage(
                to=(contact.email,),
                subject=f"{contact.company}: a 15-minute chat about your work?",
                text=request_text(contact, _SEED_REASONS[contact.email], slots, self._user_name),
                outbox_key="",
            )
            msg = build_message(out, self.account.address, self._user_name, when)
            self._store(msg.as_bytes(), Folder.SENT)
        self._index["seeded"] = True
        self._save()

    # --- storage -----------------------------------------------------------------------------

    def _path(self, message_id: str) -> Path:
        return self._dir / "messages" / f"{message_id}.eml"

    def _store(self, raw: bytes, folder: Folder, thread_id: str | None = None) -> dict[str, Any]:
        """Write ``raw`` and index it (the caller saves the index)."""
        ident = self._next_id("m")
        stub = parse_message(raw, MessageRef(ident, "", folder), full=False)
        if thread_id is None:
            thread_id = self._thread_of(stub) or self._next_id("t")
        self._index["seq"] += 1
        entry: dict[str, Any] = {
            "id": ident,
            "folder": folder.value,
            "thread_id": thread_id,
            "seq": self._index["seq"],
            "message_id": stub.message_id,
            "date": stub.date.isoformat(),
            "to": [*stub.to, *stub.cc],
            "subject": stub.subject,
            "outbox_key": stub.header(OUTBOX_HEADER),
        }
        _atomic_write(self._path(ident), raw)
        self._index["messages"].append(entry)
        self._by_id[ident] = entry
        return entry

    def _thread_of(self, msg: MailMessage) -> str | None:
        wanted = {m for m in (msg.in_reply_to, *msg.references) if m}
        if not wanted:
            return None
        for entry in reversed(self._index["messages"]):
            if entry["message_id"] in wanted:
                return str(entry["thread_id"])
        return None

    def _ref(self, entry: dict[str, Any]) -> MessageRef:
        return MessageRef(str(entry["id"]), str(entry["thread_id"]), Folder(entry["folder"]))

    def _entries(self, folder: Folder | None = None) -> Iterator[dict[str, Any]]:
        for entry in self._index["messages"]:
            if folder is None or entry["folder"] == folder.value:
                yield entry

    def _read(self, entry: dict[str, Any], *, full: bool = True) -> MailMessage:
        raw = self._path(entry["id"]).read_bytes()
        return parse_message(
            raw, self._ref(entry), full=full, default_date=datetime.fromisoformat(entry["date"])
        )

    # --- MailProvider ------------------------------------------------------------------------

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        """Every message since the cursor: the mailbox is local, so reading a head costs nothing
        and the sync's own pass through ``relevance`` is the only filter needed."""
        with self._lock:
            self._generate_due()
            current = int(self._index["seq"])
            reset = False
            since = 0
            if cursor is not None:
                text = cursor.strip()
                if text.isdecimal() and int(text) <= current:
                    since = int(text)
                else:
                    reset = True
            refs = tuple(
                self._ref(e)
                for e in sorted(self._index["messages"], key=lambda e: int(e["seq"]))
                if int(e["seq"]) > since
            )
            return ChangeSet(refs=refs, cursor=str(current), reset=reset)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        with self._lock:
            entry = self._by_id.get(ref.id)
            if entry is None:
                raise KeyError(f"no message {ref.id!r} in the demo mailbox")
            return self._read(entry, full=full)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        with self._lock:
            built = build_message(
                msg, self.account.address, self._user_name, utc(self._clock.now())
            )
            ident = self._next_id("d")
            _atomic_write(self._dir / "drafts" / f"{ident}.eml", built.as_bytes())
            self._index["drafts"][ident] = {"thread_id": msg.thread_id}
            self._save()
            return DraftRef(ident, msg.thread_id)

    def send_draft(self, draft: DraftRef) -> SentRef:
        with self._lock:
            record = self._index["drafts"].get(draft.id)
            if record is None:
                raise KeyError(f"no draft {draft.id!r} in the demo mailbox")
            path = self._dir / "drafts" / f"{draft.id}.eml"
            parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            assert isinstance(parsed, EmailMessage)
            message_id = make_msgid(domain=self._user_domain)
            del parsed["Date"]
            del parsed["Message-ID"]
            parsed["Date"] = format_datetime(utc(self._clock.now()))
            parsed["Message-ID"] = message_id
            thread_id = record.get("thread_id") or draft.thread_id
            entry = self._store(parsed.as_bytes(), Folder.SENT, thread_id)
            del self._index["drafts"][draft.id]
            self._save()
            path.unlink(missing_ok=True)
            return SentRef(entry["id"], entry["thread_id"], message_id)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        with self._lock:
            for entry in self._entries(Folder.SENT):
                if entry.get("outbox_key") == outbox_key:
                    return SentRef(entry["id"], entry["thread_id"], entry["message_id"])
            return None

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        """Lunch (12:00-13:00 UTC) and a team sync (16:00-16:30 UTC) each weekday, plus events."""
        if not self.has_calendar:
            raise NoCalendarError(f"{self.account.address} has no calendar")
        start, end = utc(start), utc(end)
        blocks: list[Interval] = []
        day = start.date() - timedelta(days=1)
        while day <= end.date():
            if day.weekday() < _SATURDAY:
                for begin, finish in ((time(12), time(13)), (time(16), time(16, 30))):
                    blocks.append(
                        Interval(
                            datetime.combine(day, begin, UTC), datetime.combine(day, finish, UTC)
                        )
                    )
            day += timedelta(days=1)
        with self._lock:
            for event in self._index["events"]:
                blocks.append(
                    Interval(
                        datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
                    )
                )
        clipped = [
            Interval(max(b.start, start), min(b.end, end))
            for b in blocks
            if b.end > start and b.start < end
        ]
        return sorted(clipped, key=lambda b: (b.start, b.end))

    def create_event(self, event: MeetingInvite) -> EventRef:
        if not self.has_calendar:
            raise NoCalendarError(f"{self.account.address} has no calendar")
        with self._lock:
            ident = self._next_id("e")
            self._index["events"].append(
                {
                    "id": ident,
                    "title": event.title,
                    "start": utc(event.start).isoformat(),
                    "end": utc(event.end).isoformat(),
                    "attendees": list(event.attendees),
                    "location": event.location,
                    "description": event.description,
                }
            )
            self._save()
            return EventRef(ident)

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        with self._lock:
            flags: dict[str, list[str]] = self._index["flags"]
            current = set(flags.get(thread_id, []))
            if on:
                current.add(flag)
            else:
                current.discard(flag)
            if current:
                flags[thread_id] = sorted(current)
            else:
                flags.pop(thread_id, None)
            self._save()

    # --- extras for the app and tests --------------------------------------------------------

    def add_raw_message(
        self, raw: bytes, folder: Folder, thread_id: str | None = None
    ) -> MessageRef:
        """Inject arbitrary (even malformed) bytes into ``folder``."""
        with self._lock:
            entry = self._store(raw, folder, thread_id)
            self._save()
            return self._ref(entry)

    def thread_flags(self, thread_id: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._index["flags"].get(thread_id, ()))

    def events(self) -> list[MeetingInvite]:
        with self._lock:
            return [
                MeetingInvite(
                    title=e["title"],
                    start=datetime.fromisoformat(e["start"]),
                    end=datetime.fromisoformat(e["end"]),
                    attendees=tuple(e["attendees"]),
                    location=e["location"],
                    description=e["description"],
                )
                for e in self._index["events"]
            ]

    # --- the scripts -------------------------------------------------------------------------

    def _steps(self, contact: DemoContact, sent: datetime) -> list[_Step]:
        behaviour = contact.behaviour
        if behaviour == Behaviour.ACCEPTS:
            return [_Step("accept", sent + ACCEPT_DELAY)]
        if behaviour == Behaviour.AWAY:
            back = _return_date(contact, sent)
            morning = datetime.combine(
                back + timedelta(days=1), time(9, 30), ZoneInfo(contact.timezone)
            )
            return [_Step("ooo", sent + OOO_DELAY), _Step("back", utc(morning))]
        if behaviour == Behaviour.BOUNCES:
            return [_Step("dsn", sent + BOUNCE_DELAY)]
        if behaviour == Behaviour.DECLINES_REFERS:
            return [_Step("decline", sent + DECLINE_DELAY)]
        return []

    def _generate_due(self) -> None:
        now = utc(self._clock.now())
        generated: dict[str, str] = self._index["generated"]
        started: set[str] = set()
        due: list[tuple[datetime, str, DemoContact, dict[str, Any], _Step]] = []
        sent = sorted(self._entries(Folder.SENT), key=lambda e: int(e["seq"]))
        for entry in sent:
            for address in entry["to"]:
                contact = _BY_EMAIL.get(address)
                if contact is None:
                    continue
                # A contact's script runs once, for the first message sent to them; a dead
                # address bounces every message.
                first = address not in started
                started.add(address)
                if not first and contact.behaviour != Behaviour.BOUNCES:
                    continue
                when = datetime.fromisoformat(entry["date"])
                for step in self._steps(contact, when):
                    key = f"{entry['id']}:{address}:{step.name}"
                    if key not in generated and step.due <= now:
                        due.append((step.due, key, contact, entry, step))
        if not due:
            return
        due.sort(key=lambda item: (item[0], item[1]))
        for when, key, contact, entry, step in due:
            request = self._read(entry)
            raw = self._response(step.name, contact, request, when)
            stored = self._store(raw, Folder.INBOX, str(entry["thread_id"]))
            generated[key] = stored["id"]
        self._save()

    def _response(
        self, step: str, contact: DemoContact, request: MailMessage, when: datetime
    ) -> bytes:
        if step == "dsn":
            return _dsn(contact, request, when, self._user_domain)
        if step == "ooo":
            back = _return_date(contact, request.date)
            body = (
                f"Hello,\n\nI am out of the office until {_long_date(back)} with limited "
                f"access to email. I will reply to your message when I am back.\n\n"
                f"Kind regards,\n{contact.name}\n{contact.role}, {contact.company}\n"
            )
            # Gmail's vacation responder: RFC 3834 marker plus its own header, no quote.
            ooo = _reply(contact, request, when, f"Out of office: {request.subject}", body)
            ooo["Auto-Submitted"] = "auto-replied"
            ooo["X-Autoreply"] = "yes"
            return ooo.as_bytes()
        if step == "accept":
            body = (
                f"Hi {request.sender_name.split()[0] if request.sender_name else 'there'},\n\n"
                f"Nice to hear from you, and happy to help. {_second_slot(request.text)} works "
                f"for me. Call me on my mobile, or send a video link if you prefer.\n\n"
                f"Talk soon,\n{contact.first_name}\n"
            )
        elif step == "back":
            body = (
                f"Hi {request.sender_name.split()[0] if request.sender_name else 'there'},\n\n"
                f"Sorry for the slow reply, I was away. I would be glad to talk, but the times "
                f"you suggested have passed. Could you send me two or three new options for "
                f"next week?\n\nBest,\n{contact.first_name}\n"
            )
        else:  # decline
            colleague = next((c for c in DEMO_CONTACTS if c.referrer_email == contact.email), None)
            referral = (
                f"My colleague {colleague.name} ({colleague.email}) would be a much better "
                f"person to talk to: she leads a team here and remembers the switch well. "
                f"Feel free to mention my name.\n\n"
                if colleague is not None
                else ""
            )
            body = (
                f"Hi {request.sender_name.split()[0] if request.sender_name else 'there'},\n\n"
                f"Thank you for reaching out. I am afraid the next few weeks are very full for "
                f"me, so I cannot make any of those times.\n\n{referral}"
                f"Good luck with your search,\n{contact.first_name}\n"
            )
        body += _quoted_original(contact, request)
        return _reply(contact, request, when, _re(request.subject), body).as_bytes()


def _return_date(contact: DemoContact, sent: datetime) -> date:
    return utc(sent).astimezone(ZoneInfo(contact.timezone)).date() + timedelta(days=AWAY_DAYS)


def _re(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _token(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12].upper()


def _received(from_host: str, by_host: str, when: datetime, ident: str) -> str:
    return (
        f"from {from_host} ({from_host} [192.0.2.{int(ident[:2], 16) % 250 + 1}]) by {by_host} "
        f"with ESMTPS id {ident}; {format_datetime(when)}"
    )


def _threading(request: MailMessage) -> tuple[str, str]:
    refs = [r for r in request.references if r]
    if request.message_id and request.message_id not in refs:
        refs.append(request.message_id)
    return request.message_id, " ".join(refs)


def _quoted_original(contact: DemoContact, request: MailMessage) -> str:
    if not request.text:
        return ""
    sent_local = request.date.astimezone(ZoneInfo(contact.timezone))
    return (
        f"\nOn {format_datetime(sent_local)}, {request.sender_name} <{request.sender}> wrote:\n"
        f"{_quote(request.text)}\n"
    )


def _reply(
    contact: DemoContact, request: MailMessage, when: datetime, subject: str, body: str
) -> EmailMessage:
    """A reply from ``contact`` to ``request``, with the headers its server would add."""
    local = when.astimezone(ZoneInfo(contact.timezone))
    ident = _token(contact.email, request.message_id, subject)
    msg = EmailMessage(policy=policy.default)
    msg["Received"] = _received(f"mail.{contact.domain}", "mx.demo.example", when, ident)
    msg["From"] = formataddr((contact.name, contact.email))
    msg["To"] = formataddr((request.sender_name, request.sender))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(local)
    msg["Message-ID"] = make_msgid(domain=contact.domain)
    in_reply_to, references = _threading(request)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body, charset="utf-8")
    return msg


def _dsn(contact: DemoContact, request: MailMessage, when: datetime, domain: str) -> bytes:
    ident = _token("dsn", contact.email, request.message_id)
    boundary = f"{ident}.{int(when.timestamp())}/mx.{domain}"
    in_reply_to, references = _threading(request)
    original = "\r\n".join(f"{name}: {value}" for name, value in request.headers)
    diagnostic = (
        f"550 5.1.1 <{contact.email}>: Recipient address rejected: User unknown in virtual "
        f"mailbox table"
    )
    arrival = format_datetime(request.date)
    lines = [
        f"Received: by mx.{domain} (Postfix) id {ident}; {format_datetime(when)}",
        f"From: Mail Delivery System <MAILER-DAEMON@{domain}>",
        f"To: {request.sender}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{ident}.{int(when.timestamp())}@mx.{domain}>",
        *([f"In-Reply-To: {in_reply_to}"] if in_reply_to else []),
        *([f"References: {references}"] if references else []),
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status;",
        f'\tboundary="{boundary}"',
        "Content-Transfer-Encoding: 7bit",
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        'Content-Type: text/plain; charset="us-ascii"',
        "",
        f"This is the mail system at host mx.{domain}.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients. It's attached below.",
        "",
        "For further assistance, please send mail to postmaster.",
        "",
        "                   The mail system",
        "",
        f"<{contact.email}>: host mx.{contact.domain}[192.0.2.45] said: {diagnostic}",
        "    (in reply to RCPT TO command)",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: dns; mx.{domain}",
        f"X-Postfix-Queue-ID: {ident}",
        f"X-Postfix-Sender: rfc822; {request.sender}",
        f"Arrival-Date: {arrival}",
        "",
        f"Final-Recipient: rfc822; {contact.email}",
        f"Original-Recipient: rfc822;{contact.email}",
        "Action: failed",
        "Status: 5.1.1",
        f"Remote-MTA: dns; mx.{contact.domain}",
        f"Diagnostic-Code: smtp; {diagnostic}",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        original,
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def _newsletter(to: str, when: datetime) -> bytes:
    msg = EmailMessage(policy=policy.default)
    msg["Received"] = _received("out.mailer.productweekly.example", "mx.demo.example", when, "9A1")
    msg["From"] = formataddr(("The Product Weekly", "digest@news.productweekly.example"))
    msg["To"] = to
    msg["Subject"] = "This week: roadmaps that survive contact with reality"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="news.productweekly.example")
    msg["List-Id"] = "The Product Weekly <weekly.news.productweekly.example>"
    msg["List-Unsubscribe"] = (
        "<https://news.productweekly.example/unsubscribe?u=demo>, "
        "<mailto:unsubscribe@news.productweekly.example>"
    )
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    msg.set_content(
        "This week in product: three roadmap formats, a reading list on discovery, and jobs.\n\n"
        "You are receiving this because you subscribed at productweekly.example.\n"
        "Unsubscribe: https://news.productweekly.example/unsubscribe?u=demo\n",
        charset="utf-8",
    )
    msg.add_alternative(
        "<html><body><h1>The Product Weekly</h1><p>Three roadmap formats, a reading list on "
        "discovery, and jobs.</p><p><a href='https://news.productweekly.example/unsubscribe'>"
        "Unsubscribe</a></p></body></html>",
        subtype="html",
        charset="utf-8",
    )
    return msg.as_bytes()
