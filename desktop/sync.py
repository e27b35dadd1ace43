"""One sync pass: provider changes -> relevant messages -> classification -> pipeline events ->
ONE atomic commit with the new cursor -> notices for the GUI.

Qt-free and run on the sync worker (desktop.tasks). A pass that fails (offline, crash, kill) commits
nothing, so the next pass starts again from the old cursor; event keys make re-applying harmless.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.actions import when_text
from desktop.domain.clock import Clock
from desktop.domain.model import Contact, Event, EventKind, Evidence, Stage, Transition
from desktop.domain.pipeline import time_events
from desktop.storage import Store
from mail.classify import classify, is_thank_you
from mail.provider import (
    Account,
    Classification,
    Folder,
    Interval,
    MailMessage,
    MailProvider,
)
from mail.quotes import strip_quotes
from mail.relevance import Relevance

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth telling the user at once (a reply, an away notice, a bounce)."""

    kind: str
    contact_id: int
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    contact_id: int
    transition: Transition


@dataclass(frozen=True, slots=True)
class SyncResult:
    account_id: int
    seen: int
    relevant: int
    events: int
    changes: tuple[Change, ...]
    notices: tuple[Notice, ...]
    #: Contacts whose record may have changed (events applied, messages stored).
    touched: frozenset[int]
    cursor: str
    reset: bool = False


#: A message to a thanked contact this soon after the thank-you ties up loose ends; later, it
#: is the check-in that moves them to *in touch*.
CHECK_IN_AFTER = timedelta(days=14)


#: How many passes try to read a message that fails before leaving it alone (it stays stored,
#: "could not be read"): a bug met on one message must not cost every later pass.
MAX_ATTEMPTS = 3


#: How a reply's intent reads in the stage history.
_INTENTS = {
    "accept": " — accepts a proposed time",
    "propose": " — proposes other times",
    "decline": " — declines",
    "question": " — asks a question",
    "refer": " — suggests someone else",
}


def event_key(account_id: int, msg: MailMessage) -> str:
    """The same message seen through two accounts (a copy in each mailbox) is one event."""
    if msg.message_id:
        return f"msg:{msg.message_id}"
    return f"msg:{account_id}:{msg.ref.id}"


class _Pass:
    def __init__(
        self,
        store: Store,
        provider: MailProvider,
        clock: Clock,
        own: frozenset[str],
        user_zone: tzinfo = UTC,
        *,
        index: dict[str, int],
        tracked: set[str],
    ) -> None:
        self.store = store
        self.user_zone = user_zone
        self.provider = provider
        self.account: Account = provider.account
        self.own = own | {self.account.address}
        self.now = clock.now()
        self.index = index
        self.tracked = tracked
        self.names = store.contacts.names()
        self.changes: list[Change] = []
        self.notices: list[Notice] = []
        self.touched: set[int] = set()
        self.events = 0
        #: Verdicts reached before the write transaction, by message, with the offered slots
        #: they were reached with: a failure is kept as the exception, raised again where the
        #: message is handled.
        self.verdicts: dict[str, tuple[tuple[Interval, ...], Classification | Exception]] = {}

    # ---------------------------------------------------------------- relevance
    def is_outgoing(self, msg: MailMessage) -> bool:
        """Sent by the user: in a Sent folder, or from any of the user's connected addresses."""
        return msg.ref.folder is Folder.SENT or msg.sender in self.own

    def contacts_of(self, msg: MailMessage) -> list[int]:
        """The contacts a message concerns, person-aware: any of their addresses, any thread."""
        if self.is_outgoing(msg):
            found = [self.index[a] for a in (*msg.to, *msg.cc) if a in self.index]
            return list(dict.fromkeys(found))
        if msg.sender in self.index:
            return [self.index[msg.sender]]
        for message_id in (msg.in_reply_to, *msg.references):
            if message_id:
                contact = self.store.messages.contact_for_message_id(message_id)
                if contact is not None:
                    return [contact]
        if msg.ref.thread_id in self.tracked:
            contact = self.store.messages.thread_contact(self.account.id, msg.ref.thread_id)
            if contact is not None:
                return [contact]
        return []

    # ------------------------------------------------------------------ events
    def handle(self, msg: MailMessage) -> None:
        # Time first: a meeting that ended before this message was sent has passed, so a
        # thank-you seen in the same pass as the meeting's end is read as a thank-you.
        self.pass_time(msg.date)
        if self.is_outgoing(msg):
            contacts = self.contacts_of(msg)
            if not contacts:
                return
            key = self.store.messages.save(
                self.account.id,
                msg,
                kind="sent",
                evidence="in your Sent mail",
                contact_id=contacts[0],
            )
            for contact_id in contacts:
                sent = self.outgoing_event(contact_id, msg, key)
                self.apply(contact_id, sent)
                if sent.kind in (EventKind.REQUEST_SENT, EventKind.FOLLOWUP_SENT):
                    self.request_seen(contact_id, msg, key, single=len(contacts) == 1)
            return
        contacts = self.contacts_of(msg)
        offered = self.store.messages.offers_for(contacts[0]) if contacts else []
        verdict = self.verdict(msg, self.slots(contacts, offered))
        said = self.store.messages.sender_kind(msg.sender)
        if said and said != verdict.kind and verdict.kind in ("human", "auto_reply", "bulk"):
            # The user corrected mail from this sender before: their word wins.
            verdict = replace(
                verdict, kind=said, evidence=f"you said mail from {msg.sender} is {said}"
            )
        if verdict.kind == "bounce" and verdict.bounced_addresses:
            # The report names who failed: only they bounced, not everyone in the thread (a
            # referrer in Cc may be the bad address).
            contacts = list(
                dict.fromkeys(self.index[a] for a in verdict.bounced_addresses if a in self.index)
            )
        if not contacts:
            return
        key = self.store.messages.save(
            self.account.id,
            msg,
            kind=verdict.kind,
            evidence=verdict.evidence,
            contact_id=contacts[0],
        )
        self.touched.update(contacts)
        event = self.incoming_event(msg, verdict, key)
        if event is None:
            return
        for contact_id in contacts:
            if event.kind is EventKind.BOUNCE:
                for address in event.bounced_addresses:
                    if self.index.get(address) == contact_id:
                        self.store.contacts.mark_address_bad(address)
            self.apply(contact_id, event)
            if (
                event.kind is EventKind.BOUNCE
                and self.store.pipeline.state(contact_id).stage is Stage.BOUNCED
            ):
                # Nobody received the times the request offered: free for others again.
                self.store.messages.release_offers(contact_id, msg.date)
        if verdict.kind == "human":
            self.understood(contacts[0], msg, verdict, offered, key)
            if msg.sender and msg.sender not in self.index and len(contacts) == 1:
                # Found by the thread, from an address the contact does not have yet.
                name = self.names.get(contacts[0], "A contact")
                text = f"{name} replied from {msg.sender}: add it to their addresses?"
                self.notices.append(Notice("new_address", contacts[0], text, msg.date))

    def request_seen(self, contact_id: int, msg: MailMessage, key: str, *, single: bool) -> None:
        """A request or follow-up of the user's was recorded (the history pass reads more)."""

    def slots(
        self, contacts: list[int], offered: list[tuple[datetime, datetime]]
    ) -> tuple[Interval, ...]:
        # The request showed the times in the contact's zone, so that is how they answer.
        zone = self._zone_of(contacts[0]) if contacts else UTC
        return tuple(Interval(a.astimezone(zone), b.astimezone(zone)) for a, b in offered)

    def prepare(self, msg: MailMessage) -> None:
        """Classify an incoming message before the write transaction opens: classification is
        the costly part of a message, and the database stays free meanwhile. Messages of this
        pass may still change what ``handle`` sees (a contact added, an offer released); then
        it classifies again, inside."""
        if self.is_outgoing(msg):
            return
        try:
            contacts = self.contacts_of(msg)
            offered = self.store.messages.offers_for(contacts[0]) if contacts else []
            slots = self.slots(contacts, offered)
        except sqlite3.Error:
            raise
        except Exception:
            return  # handle() meets the same problem inside its guard
        try:
            verdict: Classification | Exception = self.classify(msg, slots, contacts)
        except Exception as exc:
            verdict = exc
        self.verdicts[msg.ref.id] = (slots, verdict)

    def known(self, msg: MailMessage) -> str | None:
        """What the user said mail from this sender is (their latest correction), weighed by
        the classifier."""
        return self.store.corrections.for_sender(msg.sender) or self.store.messages.sender_kind(
            msg.sender
        )

    def classify(
        self, msg: MailMessage, slots: tuple[Interval, ...], contacts: list[int]
    ) -> Classification:
        """The verdict, weighing the sender's correction and history: how many genuine replies
        of theirs are kept (this message aside)."""
        replied = self.store.corrections.replies_from(
            msg.sender, contacts, besides=(self.account.id, msg.ref.id)
        )
        return classify(msg, now=self.now, slots=slots, own=tuple(self.own),
                        known=self.known(msg), replied_before=replied)  # fmt: skip

    def verdict(self, msg: MailMessage, slots: tuple[Interval, ...]) -> Classification:
        """The verdict reached in the prepare step. The offered slots only weigh on the intent
        of a human reply: any other verdict (a bounce whose contact this pass's own request
        made known, with offers) stands as it is; only a human reply read against other slots
        than now is classified again."""
        prepared, found = self.verdicts.pop(msg.ref.id, ((), None))
        if isinstance(found, Exception):
            raise found
        if found is not None and (prepared == slots or found.kind != "human"):
            return found
        return self.classify(msg, slots, self.contacts_of(msg))

    def failed(self, msg: MailMessage, exc: Exception) -> None:
        """Keep a message that could not be handled, with what went wrong, where the user sees
        it: in the contact's messages, "could not be read". (Only the error's type is logged,
        never the message's content.)"""
        log.warning("could not read message %s: %s", msg.ref.id, type(exc).__name__)
        try:
            contacts = self.contacts_of(msg)
        except sqlite3.Error:
            raise
        except Exception:
            contacts = []
        failure = _valid_text(f"{type(exc).__name__}: {exc}"[:300])
        with self.store.savepoint():
            self.store.messages.save_unreadable(
                self.account.id,
                _valid(msg),
                failure=failure,
                contact_id=contacts[0] if contacts else None,
                now=self.now,
            )
        self.touched.update(contacts[:1])

    def understood(
        self,
        contact_id: int,
        msg: MailMessage,
        v: Classification,
        offered: list[tuple[datetime, datetime]],
        key: str,
    ) -> None:
        """What the reply says: an accepted slot sets the meeting; a named colleague with an
        address becomes a new contact, referred by this one."""
        if v.intent == "accept" and v.slot is not None and 0 <= v.slot < len(offered):
            start, end = offered[v.slot]
            why = v.extra.get("intent_evidence", v.evidence)
            self.apply(
                contact_id,
                Event(
                    EventKind.MEETING_SET,
                    msg.date,
                    Evidence(
                        f"They accepted {when_text(start, self.user_zone)} "
                        f"(proposed time {v.slot + 1})",
                        why,
                        key,
                    ),
                    event_key(self.account.id, msg) + ":accepted",
                    meeting_start=start,
                    meeting_end=end,
                ),
            )
            self.store.messages.release_offers(contact_id, msg.date)
        address = v.referral_address.lower()
        if (
            v.intent == "refer"
            and address
            and address not in self.index
            and address not in self.own
        ):
            name = v.referral_name or address.split("@")[0]
            referred = self.store.contacts.add(
                Contact(None, name, (address,), source="referral", referrer_id=contact_id)
            )
            assert referred.id is not None
            self.index[address] = referred.id
            self.names[referred.id] = name
            self.touched.add(referred.id)
            referrer = self.names.get(contact_id, "A contact")
            text = f"{referrer} suggested {name}: added as a target"
            self.notices.append(Notice("referral", referred.id, text, msg.date))

    def _zone_of(self, contact_id: int) -> tzinfo:
        name = self.store.contacts.get(contact_id).contact.timezone
        try:
            return ZoneInfo(name) if name else UTC
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def outgoing_event(self, contact_id: int, msg: MailMessage, key: str) -> Event:
        state = self.store.pipeline.state(contact_id)
        stage = state.stage
        subject = msg.subject or "(no subject)"
        # A closed card reopens only for a new conversation, not for a reply such as
        # "thank you for letting me know" in the thread that closed it.
        reopens = stage.closed and not (msg.in_reply_to or msg.ref.thread_id in self.tracked)
        thanks = is_thank_you(strip_quotes(msg.text), "")
        if stage is Stage.TARGET or reopens:
            kind, summary = EventKind.REQUEST_SENT, f"Request sent: “{subject}”"
        elif stage is Stage.REQUESTED:
            kind, summary = EventKind.FOLLOWUP_SENT, f"Follow-up sent: “{subject}”"
        elif stage is Stage.MET and thanks:
            kind, summary = EventKind.THANK_YOU_SENT, f"Thank-you sent: “{subject}”"
        elif stage is Stage.IN_TOUCH or (
            stage is Stage.THANKED
            and state.thanked_at is not None
            and msg.date - state.thanked_at >= CHECK_IN_AFTER
        ):
            kind, summary = EventKind.CHECK_IN_SENT, f"Check-in sent: “{subject}”"
        else:
            kind, summary = EventKind.USER_ANSWERED, f"You wrote: “{subject}”"
        return Event(
            kind=kind,
            at=msg.date,
            evidence=Evidence(summary, f"seen in Sent mail of {self.account.address}", key),
            key=event_key(self.account.id, msg),
        )

    def incoming_event(self, msg: MailMessage, v: Classification, key: str) -> Event | None:
        subject = msg.subject or "(no subject)"
        if v.kind == "human":
            return Event(
                EventKind.GENUINE_REPLY,
                msg.date,
                Evidence(
                    f"Reply from {msg.sender}: “{subject}”{_INTENTS.get(v.intent, '')}",
                    v.evidence,
                    key,
                ),
                event_key(self.account.id, msg),
            )
        if v.kind == "auto_reply":
            until = v.away_until.date() if v.away_until else None
            summary = "Automatic reply" + (f": away until {until:%a %d %b}" if until else "")
            return Event(
                EventKind.AUTO_REPLY,
                msg.date,
                Evidence(summary, v.evidence, key),
                event_key(self.account.id, msg),
                away_until=until,
            )
        if v.kind == "bounce" and not v.permanent:
            # A delay notice moves nothing: it shows on the contact as "delivery delayed".
            late = v.bounced_addresses
            return Event(
                EventKind.OVERRIDE,
                msg.date,
                Evidence(
                    "Delivery delayed" + (f" to {', '.join(late)}" if late else ""), v.evidence, key
                ),
                event_key(self.account.id, msg),
            )
        if v.kind == "bounce":
            addresses = v.bounced_addresses
            summary = "Delivery failed" + (f" to {', '.join(addresses)}" if addresses else "")
            return Event(
                EventKind.BOUNCE,
                msg.date,
                Evidence(summary, v.evidence, key),
                event_key(self.account.id, msg),
                bounced_addresses=addresses,
            )
        return None  # bulk and calendar mail are kept but move nothing (yet)

    def apply(self, contact_id: int, event: Event) -> None:
        step = self.store.pipeline.apply(contact_id, event)
        if step is None:
            return
        self.events += 1
        self.touched.add(contact_id)
        name = self.names.get(contact_id, "A contact")
        if step.transition is not None:
            self.changes.append(Change(contact_id, step.transition))
        if event.kind is EventKind.GENUINE_REPLY:
            self.notices.append(Notice("reply", contact_id, f"{name} replied", event.at))
        elif event.kind is EventKind.AUTO_REPLY:
            self.notices.append(
                Notice("auto_reply", contact_id, f"{name}: {event.evidence.summary}", event.at)
            )
        elif event.kind is EventKind.BOUNCE:
            self.notices.append(
                Notice("bounce", contact_id, f"{name}: {event.evidence.summary}", event.at)
            )

    def pass_time(self, until: datetime) -> None:
        """Meetings that ended by ``until`` have passed (only scheduled contacts are read)."""
        for contact_id, state in self.store.pipeline.states_in_stage(Stage.SCHEDULED):
            for event in time_events(state, until):
                self.apply(contact_id, event)


def run_once(
    store: Store,
    provider: MailProvider,
    clock: Clock,
    *,
    own_addresses: frozenset[str] = frozenset(),
    user_zone: tzinfo = UTC,
    on_message: Callable[[int], None] | None = None,
) -> SyncResult:
    """One pass for one account. ``own_addresses`` are all the user's connected addresses (mail
    from any of them is the user's). ``on_message(n)`` is called before the n-th relevant message
    is handled (progress, and the crash tests' kill point)."""
    account = provider.account
    cursor = store.accounts.cursor(account.id)
    index = store.contacts.address_index()
    tracked = store.messages.tracked_threads(account.id)
    relevance = Relevance(
        tracked,
        index,
        lambda message_id: store.messages.contact_for_message_id(message_id) is not None,
    )
    changes = provider.fetch_changes(cursor, relevance)
    sync = _Pass(store, provider, clock, own_addresses, user_zone, index=index, tracked=tracked)
    relevant: list[MailMessage] = []
    skipped: list[MailMessage] = []
    for ref in changes.refs:
        head = None
        if relevance.tracks(ref.thread_id) or relevance.concerns(
            head := provider.fetch_message(ref, full=False)
        ):
            relevant.append(provider.fetch_message(ref, full=True))
        elif head is not None:
            skipped.append(head)
    # An answer to a message of this same pass (a request and its reply read together).
    ids = {m.message_id for m in relevant if m.message_id}
    answers = [h for h in skipped if ids & {h.in_reply_to, *h.references}]
    relevant += [provider.fetch_message(h.ref, full=True) for h in answers]
    relevant.sort(key=lambda m: m.date)
    # A message that failed in earlier passes is tried again only a few times (when a cursor
    # is replayed), then left alone: it is stored already, "could not be read".
    relevant = [
        m for m in relevant if store.messages.failed_attempts(account.id, m.ref.id) < MAX_ATTEMPTS
    ]
    with landing(store, sync, relevant, on_message):
        store.accounts.set_cursor(account.id, changes.cursor, sync.now)
    log.log(
        logging.INFO if relevant or sync.events else logging.DEBUG,
        "sync %s: %d changes, %d relevant, %d events",
        account.kind,
        len(changes.refs),
        len(relevant),
        sync.events,
    )
    return SyncResult(
        account_id=account.id,
        seen=len(changes.refs),
        relevant=len(relevant),
        events=sync.events,
        changes=tuple(sync.changes),
        notices=tuple(sync.notices),
        touched=frozenset(sync.touched),
        cursor=changes.cursor,
        reset=changes.reset,
    )


@contextmanager
def landing(
    store: Store,
    sync: _Pass,
    relevant: list[MailMessage],
    on_message: Callable[[int], None] | None,
) -> Iterator[None]:
    """Classify, then handle ``relevant`` (in date order) in ONE transaction, which the caller's
    ``with`` body joins (the cursor, the history pass's progress)."""
    for msg in relevant:
        sync.prepare(msg)
    with store.transaction():
        for n, msg in enumerate(relevant):
            if on_message is not None:
                on_message(n)
            try:
                with store.savepoint():
                    sync.handle(msg)
            except sqlite3.Error:
                raise  # the database itself, not this message: the pass commits nothing
            except Exception as exc:
                # Whatever goes wrong with one message is recorded on it, never fatal: the rest
                # of the pass still lands and the cursor moves on.
                sync.failed(msg, exc)
        sync.pass_time(sync.now)
        yield


def _valid_text(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _valid(msg: MailMessage) -> MailMessage:
    """``msg`` with text that SQLite can store: a lone surrogate (from a provider's JSON, say)
    becomes "?". mail.mime cleans what it parses; this is the last guard for a failed message."""
    valid = _valid_text
    return replace(
        msg,
        subject=valid(msg.subject),
        sender=valid(msg.sender),
        text=valid(msg.text),
        html=valid(msg.html),
        defects=tuple(valid(d) for d in msg.defects),
        to=tuple(valid(a) for a in msg.to),
        cc=tuple(valid(a) for a in msg.cc),
        message_id=valid(msg.message_id),
    )


def pass_time_only(store: Store, clock: Clock) -> list[Change]:
    """Apply the events time alone produces (meetings ending), also with every account offline."""
    now: datetime = clock.now()
    changes: list[Change] = []
    with store.transaction():
        for contact_id, state in store.pipeline.states_in_stage(Stage.SCHEDULED):
            for event in time_events(state, now):
                step = store.pipeline.apply(contact_id, event)
                if step is not None and step.transition is not None:
                    changes.append(Change(contact_id, step.transition))
    return changes
