"""The history pass: read the mail that came before Coffeechat (the last N months) for each
contact whose past was not read yet, and replay it, in date order, through the same per-message
path as a sync pass (desktop.sync), so each contact ends in the stage their history puts them in.

Qt-free; runs on the database worker (desktop.tasks) with that worker's store, never at the same
time as a sync pass of the same account (one worker). Per batch of contacts: one provider search
(``search_history``), headers first and full messages only for what concerns a contact
(mail.relevance), then the threads of the requests found (a reply from an address nobody knows);
the batch's events and its progress land in ONE transaction, so a pass that stops (cancel,
crash, kill) resumes at the first batch that did not land, and event keys make any message seen
twice (by live sync, by a second run) harmless. It never sends; what it finds goes into one
summary, never into notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo

from desktop.domain.clock import Clock
from desktop.domain.model import Event, EventKind, Evidence, Stage
from desktop.importers.people import EMAIL
from desktop.storage import Store
from desktop.storage.past import PastRun
from desktop.sync import MAX_ATTEMPTS, SyncResult, _Pass, landing
from mail.dates import proposed_times
from mail.provider import Folder, MailMessage, MailProvider, MessageRef
from mail.quotes import strip_quotes
from mail.relevance import Relevance

log = logging.getLogger(__name__)

#: Contacts per provider search: the query names each address three times (from, to, cc); at
#: 25 contacts it stays within every service's query length.
BATCH = 25
DEFAULT_MONTHS = 12
#: A meeting the pass finds that ended more than this before the pass ran becomes "met" with no
#: thank-you asked: a week on, a thank-you is no longer the courtesy it is the next day, and the
#: user most likely thanked in person or by a channel the mailbox does not show.
THANKS_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Progress:
    account_id: int
    contacts_done: int
    contacts_total: int
    messages_read: int


def window_start(now: datetime, months: int) -> datetime:
    """``months`` calendar months before ``now`` (the day clamped to the month's length)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


class _PastPass(_Pass):
    """A sync pass's per-message path, reading also what only the past needs."""

    def request_seen(self, contact_id: int, msg: MailMessage, key: str, *, single: bool) -> None:
        """A request written by hand (before Coffeechat, or in another mail client) with times
        in its text: those times are its offers, so that an acceptance can still schedule. The
        zone the text names becomes the contact's, when they have none yet."""
        if self.store.messages.offers_for(contact_id):
            return  # Coffeechat recorded the offers of its own requests when sending
        record = self.store.contacts.get(contact_id).contact
        times, zone = proposed_times(strip_quotes(msg.text), msg.date, record.timezone)
        if not times:
            return
        self.store.messages.add_offers(contact_id, times, msg.date, outbox_key=f"text:{key}")
        if zone and zone != "UTC" and single and not record.timezone:
            self.store.contacts.update(replace(record, timezone=zone))


def replay(
    store: Store,
    provider: MailProvider,
    clock: Clock,
    messages: list[MailMessage],
    *,
    own_addresses: frozenset[str] = frozenset(),
    user_zone: tzinfo = UTC,
    before_commit: Callable[[SyncResult], None] | None = None,
) -> SyncResult:
    """``messages`` through a sync pass's per-message path, in date order and one transaction
    that ``before_commit`` (given what was found) joins. No cursor moves."""
    account = provider.account
    index = store.contacts.address_index()
    tracked = store.messages.tracked_threads(account.id)
    sync = _PastPass(store, provider, clock, own_addresses, user_zone, index=index, tracked=tracked)
    relevant = sorted(messages, key=lambda m: m.date)
    relevant = [
        m for m in relevant if store.messages.failed_attempts(account.id, m.ref.id) < MAX_ATTEMPTS
    ]
    with landing(store, sync, relevant, None):
        result = SyncResult(
            account_id=account.id,
            seen=len(messages),
            relevant=len(relevant),
            events=sync.events,
            changes=tuple(sync.changes),
            notices=tuple(sync.notices),
            touched=frozenset(sync.touched),
            cursor="",
        )
        if before_commit is not None:
            before_commit(result)
    return result


def settle_past_meetings(store: Store, contacts: list[int], ran_at: datetime) -> int:
    """The contacts among ``contacts`` that the pass left "met" with a meeting that ended more
    than THANKS_WINDOW before ``ran_at`` and no thank-you seen: no thank-you is asked for that
    meeting (a PAST_MEETING event, keyed by the meeting's end, so it is recorded once). Inside
    the batch's transaction. Returns how many."""
    settled = 0
    for contact_id in contacts:
        state = store.pipeline.state(contact_id)
        end = state.meeting_end
        if state.stage is not Stage.MET or end is None or state.thanked_at is not None:
            continue
        if end > ran_at - THANKS_WINDOW or state.no_thanks_for == end:
            continue
        event = Event(
            kind=EventKind.PAST_MEETING,
            at=end,
            evidence=Evidence(
                "Met before Coffeechat: no thank-you asked",
                f"read from past mail; the meeting ended {end:%Y-%m-%d}, more than "
                f"{THANKS_WINDOW.days} days before the history pass",
            ),
            key=f"past-meeting:{end.isoformat()}",
            meeting_end=end,
        )
        if store.pipeline.apply(contact_id, event) is not None:
            settled += 1
    return settled


def findings(result: SyncResult, stages: list[Stage]) -> dict[str, int]:
    """What one batch found, for the summary: replies, away notices, bounces, referrals (by the
    notices a live pass would have given), events, stage changes, and the stage each contact
    of the batch ends in (``stages``; those left as targets are not counted)."""
    found: dict[str, int] = {"events": result.events, "stage_changes": len(result.changes)}
    for notice in result.notices:
        found[notice.kind] = found.get(notice.kind, 0) + 1
    for stage in stages:
        if stage is not Stage.TARGET:
            found[f"now_{stage.value}"] = found.get(f"now_{stage.value}", 0) + 1
    return found


class _Reader:
    """Reads what a search found: heads, then full messages that concern a contact; each
    message once per run."""

    def __init__(self, provider: MailProvider, relevance: Relevance) -> None:
        self.provider = provider
        self.relevance = relevance
        self.seen: set[str] = set()
        self.read = 0

    def read_all(self, refs: list[MessageRef], *, in_thread: bool = False) -> list[MailMessage]:
        """``in_thread``: the refs are messages of the threads of the user's own mail to a
        contact, so they concern that contact whatever address they come from."""
        out: list[MailMessage] = []
        for ref in refs:
            if ref.id in self.seen:
                continue
            self.seen.add(ref.id)
            head = self.provider.fetch_message(ref, full=False)
            if not head.complete and not head.sender and not head.message_id:
                continue  # gone since the search
            self.read += 1
            if in_thread or self.relevance.concerns(head):
                out.append(self.provider.fetch_message(ref, full=True))
        return out


def run_pass(
    store: Store,
    provider: MailProvider,
    clock: Clock,
    *,
    months: int = DEFAULT_MONTHS,
    own_addresses: frozenset[str] = frozenset(),
    user_zone: tzinfo = UTC,
    cancelled: Callable[[], bool] = lambda: False,
    on_progress: Callable[[Progress], None] | None = None,
    batch: int = BATCH,
    batches: int | None = None,
) -> PastRun:
    """Read the past of every contact not read yet for this account; returns where the pass
    stands (done, or cancelled: the next run goes on from there). ``batches``: read at most
    that many batches in this call and return with the pass still "running" (the window runs
    one batch per job, so that a sync round can run between two)."""
    account = provider.account
    own = own_addresses | {account.address}
    pending = store.past.unread_contacts(account.id)
    old = store.past.run(account.id)
    if not pending and old is not None and old.state == "done":
        return old
    now = clock.now()
    run = store.past.start(account.id, window_start(now, months), len(pending), now)
    since = run.since
    ran_at = run.started_at or now  # a resumed pass keeps the time it first ran
    index = store.contacts.address_index()
    relevance = Relevance(
        store.messages.tracked_threads(account.id),
        index,
        lambda message_id: store.messages.contact_for_message_id(message_id) is not None,
    )
    reader = _Reader(provider, relevance)
    done, read = run.contacts_done, run.messages_read
    for n, start in enumerate(range(0, len(pending), batch)):
        if cancelled() or store.past.cancel_requested(account.id):
            store.past.finish(account.id, "cancelled", clock.now())
            log.info("history %s: cancelled after %d contacts", account.kind, done)
            return _current(store, account.id)
        if batches is not None and n >= batches:
            return _current(store, account.id)
        existing = store.contacts.names()  # a contact deleted meanwhile is left out
        contacts = [c for c in pending[start : start + batch] if c in existing]
        addresses = [a for c in contacts for a in store.contacts.get(c).contact.emails]
        before = reader.read
        messages = reader.read_all(list(provider.search_history(addresses, since, (), relevance)))
        threads = {
            m.ref.thread_id for m in messages if m.ref.folder is Folder.SENT or m.sender in own
        }
        if threads:
            found = list(provider.search_history((), since, threads, Relevance.everything()))
            messages += reader.read_all(found, in_thread=True)
        count = reader.read - before

        def record(result: SyncResult, contacts: list[int] = contacts, count: int = count) -> None:
            for contact_id in result.touched:
                store.pipeline.reorder(contact_id)
            settled = settle_past_meetings(store, sorted({*contacts, *result.touched}), ran_at)
            stages = [store.pipeline.state(c).stage for c in contacts]
            found = findings(result, stages)
            if settled:
                found["past_meeting"] = settled
            store.past.record_batch(account.id, contacts, count, found, clock.now())

        replay(
            store,
            provider,
            clock,
            messages,
            own_addresses=own_addresses,
            user_zone=user_zone,
            before_commit=record,
        )
        done += len(contacts)
        read += count
        if on_progress is not None:
            on_progress(Progress(account.id, done, run.contacts_total, read))
    store.past.finish(account.id, "done", clock.now())
    log.info("history %s: %d contacts, %d messages read", account.kind, done, read)
    return _current(store, account.id)


def _current(store: Store, account_id: int) -> PastRun:
    run = store.past.run(account_id)
    assert run is not None
    return run


#: How the summary names what the pass found.
_LINES = (
    ("reply", "{n} replies"),
    ("auto_reply", "{n} out-of-office replies"),
    ("bounce", "{n} bounces"),
    ("referral", "{n} people suggested by your contacts"),
    ("new_address", "{n} replies from an address not on the contact (add it on their page)"),
    ("now_requested", "{n} contacts now requested"),
    ("now_replied", "{n} contacts now replied"),
    ("now_scheduled", "{n} contacts now scheduled"),
    ("now_met", "{n} contacts now met"),
    ("past_meeting", "{n} meetings over more than a week ago: no thank-you asked"),
    ("now_thanked", "{n} contacts now thanked"),
    ("now_in_touch", "{n} contacts now in touch"),
    ("now_bounced", "{n} contacts now bounced"),
    ("now_declined", "{n} contacts now declined"),
)


def summary_lines(runs: list[PastRun]) -> list[str]:
    """The "While you were away" summary of the passes: one line per kind of finding."""
    total: dict[str, int] = {}
    for run in runs:
        for key, n in run.summary.items():
            total[key] = total.get(key, 0) + n
    done = sum(r.contacts_done for r in runs)
    read = sum(r.messages_read for r in runs)
    lines = [f"Read the past of {done} contacts: {read} messages"]
    lines += [text.format(n=total[key]) for key, text in _LINES if total.get(key)]
    return lines


def offered_addresses(store: Store, contact_id: int) -> list[str]:
    """The addresses a contact replied from that are not theirs yet (the ``new_address``
    notice: a genuine reply in the thread of a request to them alone), each once, oldest
    first. An address that became another contact's, or is the user's own, is not offered."""
    taken = store.contacts.address_index()
    own = {a.address.lower() for a in store.accounts.all()}
    out: list[str] = []
    for message in store.messages.for_contact(contact_id):
        sender = message.sender.lower()
        fresh = sender and sender not in taken and sender not in own and sender not in out
        if message.kind == "human" and fresh:
            out.append(sender)
    return out


class AddressError(ValueError):
    """An address that cannot be added to a contact; the text says why, in one line."""


def add_address(store: Store, contact_id: int, address: str) -> bool:
    """Add ``address`` to the contact's addresses (after those they have): the one-click answer
    to a ``new_address`` notice. False when it was theirs already; AddressError (nothing
    changed) when it is not an address or belongs to another contact."""
    address = address.strip().lower()
    if not EMAIL.match(address):
        raise AddressError(f"{address!r} is not an e-mail address")
    try:
        record = store.contacts.get(contact_id)
    except KeyError:
        raise AddressError(f"there is no contact {contact_id}") from None
    if address in record.contact.emails:
        return False
    owner = store.contacts.address_index().get(address)
    if owner is not None:
        name = store.contacts.get(owner).contact.name
        raise AddressError(f"{address} is already {name}'s address")
    emails = (*record.contact.emails, address)
    store.contacts.update(replace(record.contact, emails=emails))
    return True


def status_line(run: PastRun) -> str:
    return (
        f"account {run.account_id}: history {run.state}, {run.contacts_done}/"
        f"{run.contacts_total} contacts, {run.messages_read} messages read "
        f"(since {run.since:%Y-%m-%d})"
    )
