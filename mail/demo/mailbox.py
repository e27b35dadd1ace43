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

import json
import os
import tempfile
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.domain.clock import Clock, utc
from mail.demo import history
from mail.demo.messages import dsn, newsletter, quoted_original, reply, reply_subject, return_date
from mail.demo.script import (
    ACCEPT_DELAY,
    BOUNCE_DELAY,
    BY_EMAIL,
    DECLINE_DELAY,
    DEMO_CONTACTS,
    DEMO_USER_NAME,
    OOO_DELAY,
    PROPOSE_DELAY,
    SATURDAY,
    SEED_REASONS,
    Behaviour,
    DemoContact,
    long_date,
    other_times,
    request_text,
    second_slot,
    seed_slots,
)
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

INDEX_NAME = "index.json"
INDEX_VERSION = 1


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # mail: the user's eyes only
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
        self._store(newsletter(self.account.address, now - timedelta(hours=5)), Folder.INBOX)
        seeded = [c for c in DEMO_CONTACTS if c.email in SEED_REASONS]
        for offset, contact in enumerate(seeded):
            when = now - timedelta(hours=3 - offset)
            slots = seed_slots(now, contact, offset)
            out = OutgoingMessage(
                to=(contact.email,),
                subject=f"{contact.company}: a 15-minute chat about your work?",
                text=request_text(contact, SEED_REASONS[contact.email], slots, self._user_name),
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

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        """See the port (the mailbox is local: nothing is read ahead)."""
        with self._lock:
            entries = list(self._index["messages"])
            found = list(
                history.search(entries, lambda e: self._read(e, full=False), addresses, since,
                               threads)
            )  # fmt: skip
        return iter(found)

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
            if day.weekday() < SATURDAY:
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
            back = return_date(contact, sent)
            morning = datetime.combine(
                back + timedelta(days=1), time(9, 30), ZoneInfo(contact.timezone)
            )
            return [_Step("ooo", sent + OOO_DELAY), _Step("back", utc(morning))]
        if behaviour == Behaviour.BOUNCES:
            return [_Step("dsn", sent + BOUNCE_DELAY)]
        if behaviour == Behaviour.DECLINES_REFERS:
            return [_Step("decline", sent + DECLINE_DELAY)]
        if behaviour == Behaviour.PROPOSES:
            return [_Step("propose", sent + PROPOSE_DELAY)]
        return []

    def _generate_due(self) -> None:
        now = utc(self._clock.now())
        generated: dict[str, str] = self._index["generated"]
        started: set[str] = set()
        due: list[tuple[datetime, str, DemoContact, dict[str, Any], _Step]] = []
        sent = sorted(self._entries(Folder.SENT), key=lambda e: int(e["seq"]))
        for entry in sent:
            for address in entry["to"]:
                contact = BY_EMAIL.get(address)
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
            return dsn(contact, request, when, self._user_domain)
        if step == "ooo":
            back = return_date(contact, request.date)
            body = (
                f"Hello,\n\nI am out of the office until {long_date(back)} with limited "
                f"access to email. I will reply to your message when I am back.\n\n"
                f"Kind regards,\n{contact.name}\n{contact.role}, {contact.company}\n"
            )
            # Gmail's vacation responder: RFC 3834 marker plus its own header, no quote.
            ooo = reply(contact, request, when, f"Out of office: {request.subject}", body)
            ooo["Auto-Submitted"] = "auto-replied"
            ooo["X-Autoreply"] = "yes"
            return ooo.as_bytes()
        if step == "accept":
            body = (
                f"Hi {request.sender_name.split()[0] if request.sender_name else 'there'},\n\n"
                f"Nice to hear from you, and happy to help. {second_slot(request.text)} works "
                f"for me. Call me on my mobile, or send a video link if you prefer.\n\n"
                f"Talk soon,\n{contact.first_name}\n"
            )
        elif step == "propose":
            first, second = other_times(request.date, contact)
            body = (
                f"Hola {request.sender_name.split()[0] if request.sender_name else 'there'},\n\n"
                f"Thank you for writing, I would be glad to talk. I am travelling, so those "
                f"times do not work for me.\n\nCould we do {first} instead? {second} "
                f"would also be possible (Mexico City time).\n\nSaludos,\n{contact.first_name}\n"
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
        body += quoted_original(contact, request)
        return reply(contact, request, when, reply_subject(request.subject), body).as_bytes()
