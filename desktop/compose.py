"""What the composer and ``coffeechat draft`` read to write a message: the contact's fields, busy
time, threads, recipients, the send cap; and the jobs that save and send it. Qt-free.

The pure pipeline (fields -> slots -> render -> coaching -> what blocks sending) is
desktop/drafting.py; this module gathers its inputs from the store and the mailboxes. Its pure
names are re-exported here for the callers that know them from here. The functions that call a
provider (``read_calendars``, ``mail_tips``, ``draft_job``, ``send_job``) are meant for a worker
thread (desktop.tasks); the rest read the store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from desktop import outbox, settings, templates
from desktop.domain.due import TEMPLATE_FOR_ACTION, ActionKind
from desktop.domain.model import Stage
from desktop.domain.slots import (
    MeetingKind,
    Party,
    Slot,
    Span,
    WorkingHours,
    meetings_as_busy,
    render_slot,
    reserved_for_others,
)
from desktop.domain.workspace import SourceKind
from desktop.drafting import COMPUTED_FIELDS as COMPUTED_FIELDS
from desktop.drafting import REASON_FIELDS as REASON_FIELDS
from desktop.drafting import RESUME_IN_TEXT as RESUME_IN_TEXT
from desktop.drafting import SLOT_KINDS as SLOT_KINDS
from desktop.drafting import THREAD_KINDS as THREAD_KINDS
from desktop.drafting import SlotInputs
from desktop.drafting import Thread as Thread
from desktop.drafting import coach as coach
from desktop.drafting import mentioned_attachments as mentioned_attachments
from desktop.drafting import reasons as reasons
from desktop.drafting import reply_subject as reply_subject
from desktop.drafting import slot_fields as slot_fields
from desktop.drafting import strip_re as strip_re
from desktop.drafting import zone_or_none as zone_or_none
from desktop.storage import ContactRecord, Store
from desktop.templates import TemplateKind
from mail.provider import (
    DraftRef,
    MailProvider,
    NoCalendarError,
    OutgoingMessage,
    ProviderError,
    SentRef,
)

log = logging.getLogger(__name__)

#: How far ahead busy blocks are read: the horizon (10 business days) plus weekends and holidays.
BUSY_WINDOW = timedelta(days=31)
#: Requests a day, at most, sent from Coffeechat (a personal tool, never a mass mailer); the
#: user sets their own in Settings (``daily_request_cap``).
DAILY_REQUEST_CAP = settings.Settings().daily_request_cap


# ------------------------------------------------------------------------------- parties
def user_party(prefs: settings.Settings) -> Party:
    """The user as a meeting party: their zone, working hours and holidays."""
    reminders = prefs.reminders()
    start, end = prefs.work_start_hour, prefs.work_end_hour
    try:
        hours = WorkingHours(
            time(start), time(23, 59) if end >= 24 else time(end), frozenset(prefs.work_days)
        )
    except ValueError:
        hours = WorkingHours()
    return Party(zone_or_none(prefs.timezone) or "UTC", hours, reminders.holidays)


def contact_party(record: ContactRecord) -> Party | None:
    """The contact as a meeting party, when their time zone is known (default working hours)."""
    zone = zone_or_none(record.contact.timezone)
    return Party(zone) if zone else None


# ---------------------------------------------------------------------------- busy time
@dataclass(frozen=True, slots=True)
class CalendarRead:
    """Busy blocks read from the accounts' calendars, and which accounts could not be read."""

    blocks: tuple[Span, ...]
    accounts_read: int
    problems: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """ "calendar" when at least one calendar was read, else "working hours"."""
        return "calendar" if self.accounts_read else "working hours"


def read_calendars(
    providers: Iterable[MailProvider], start: datetime, end: datetime
) -> CalendarRead:
    """Every account's busy blocks in [start, end). Network: call it on a worker thread."""
    blocks: list[Span] = []
    problems: list[str] = []
    read = 0
    for provider in providers:
        if getattr(provider, "has_calendar", True) is False:
            continue  # an IMAP mailbox: no calendar to read, nothing to report either
        try:
            blocks.extend(provider.busy_blocks(start, end))
            read += 1
        except NoCalendarError:
            continue  # no calendar at all: working hours alone, which the composer says
        except ProviderError as exc:
            problems.append(f"{provider.account.address}: {exc or type(exc).__name__}")
    return CalendarRead(tuple(blocks), read, tuple(problems))


def app_busy(store: Store, contact_id: int) -> list[Span]:
    """The app's own scheduled meetings with other contacts: always busy, calendar or not."""
    meetings = [
        (state.meeting_start, state.meeting_end)
        for other, state in store.pipeline.states_in_stage(Stage.SCHEDULED)
        if other != contact_id
    ]
    return list(meetings_as_busy(meetings))


def offered_elsewhere(
    store: Store, contact_id: int, now: datetime | None = None, expiry_days: int | None = None
) -> list[Span]:
    """Times still held by offers to other contacts whose requests are pending: not released
    (declined, another time chosen, a meeting set) and, when ``now`` is given, not expired after
    ``expiry_days`` (Settings, ``offer_expiry_days``)."""
    if now is None:
        return [Slot(a, b) for a, b in store.messages.open_offers(except_contact=contact_id)]
    days = settings.Settings().offer_expiry_days if expiry_days is None else expiry_days
    return list(reserved_for_others(store.messages.pending_offers(), contact_id, now, days))


def slot_inputs(
    store: Store,
    record: ContactRecord,
    user: Party,
    calendar: CalendarRead,
    now: datetime,
    kind: MeetingKind,
    count: int,
) -> SlotInputs:
    """What proposing times to ``record`` needs (desktop.drafting.propose): the calendars' busy
    blocks and the app's own meetings, and the times on offer to others, read from the store."""
    return SlotInputs(
        now,
        user,
        contact_party(record),
        (*calendar.blocks, *app_busy(store, record.id)),
        tuple(offered_elsewhere(store, record.id, now)),
        kind,
        count,
    )


# --------------------------------------------------------------------------------- fields
def contact_fields(
    store: Store, record: ContactRecord, prefs: settings.Settings, extra: Mapping[str, object]
) -> dict[str, object]:
    """The fields known without asking: the contact, the referrer, the thread, the notes."""
    contact = record.contact
    fields: dict[str, object] = {
        "name": contact.name,
        "first_name": templates.first_name(contact.name),
        "company": contact.company,
        "role": contact.role,
        "user_name": prefs.user_name,
    }
    if contact.referrer_id is not None:
        try:
            referrer = store.contacts.get(contact.referrer_id).contact
        except KeyError:
            referrer = None
        if referrer is not None:
            fields["referrer_name"] = referrer.name
            fields["referrer_first_name"] = templates.first_name(referrer.name)
    state = record.state
    if state.meeting_start is not None and state.meeting_end is not None:
        # The meeting as the contact reads it (the confirmation names it).
        fields["meeting_time"] = render_slot(
            Slot(state.meeting_start, state.meeting_end),
            zone_or_none(prefs.timezone) or "UTC",
            zone_or_none(contact.timezone),
            prefs.message_language,
            audience="contact",
        )
    sent = [m for m in store.messages.for_contact(record.id) if m.folder == "sent"]
    if sent:
        fields["original_subject"] = strip_re(sent[0].subject)
        fields["thread_id"] = sent[-1].thread_id
    source = store.workspace.source(record.id)
    if source is not None:
        if source.article_title:
            fields["article_title"] = source.article_title
        if source.article_source:
            fields["article_source"] = source.article_source
        if source.kind in (SourceKind.ALUMNI, SourceKind.ASSOCIATION) and source.detail:
            fields["affiliation"] = source.detail
    # What they promised in the last interview, then the open items in the notes.
    interviews = store.workspace.interviews(record.id)
    promised = list(interviews[-1].their_promises) if interviews else []
    loose = [*promised, *(templates.loose_ends(contact.notes) if contact.notes else [])]
    if loose:
        fields["loose_ends"] = list(dict.fromkeys(loose))
    fields.update(extra)
    return fields


def sample_fields(
    user_name: str, user_tz: str, lang: str, now: datetime, kind: MeetingKind = MeetingKind.CALL
) -> dict[str, object]:
    """Fields for a made-up contact, to preview a template as it would be sent: every field the
    composer fills or asks for, with three times two business days ahead in ``lang``."""
    zone = ZoneInfo(zone_or_none(user_tz) or "UTC")
    day = now.astimezone(zone).date() + timedelta(days=2)
    slots: list[Slot] = []
    for hour in (10, 14, 11):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(hour), zone)
        slots.append(Slot(start, start + timedelta(minutes=kind.minutes)))
        day += timedelta(days=1)
    fields, _texts = slot_fields(slots, str(zone), None, lang, kind)
    fields.update(
        {
            "name": "Maya Chen",
            "first_name": "Maya",
            "company": "Lumen Analytics",
            "role": "Head of Data",
            "user_name": user_name or "Sam Rivera",
            "referrer_name": "Jonas Weber",
            "referrer_first_name": "Jonas",
            "article_title": "How small data teams ship",
            "article_source": "the Lumen blog",
            "affiliation": "the Lakeside University alumni network",
            "reason": "your talk on data teams at PyData",
            "background": "I have spent five years in logistics planning.",
            "objective": "a move into data science",
            "original_subject": "Jonas Weber suggested I get in touch",
            "loose_ends": ["the reading list you mentioned", "an intro to your colleague Ana"],
            "news": "I started the evening course you recommended.",
            "learned": "how your team hires juniors",
            "meeting_day": "Tuesday",
            "last_topic": "moving from analytics into engineering",
            "thread_id": "sample-thread",
        }
    )
    return fields


# ----------------------------------------------------------------------- threads, recipients
def last_thread(store: Store, contact_id: int, account_id: int | None = None) -> Thread | None:
    """The conversation a follow-up or a thank-you belongs in: the thread of the contact's last
    real exchange (a message sent, or a genuine reply) — never a bounce, a newsletter or an
    out-of-office — in the sending account when one is given."""
    messages = [
        m
        for m in store.messages.for_contact(contact_id)
        if m.kind in ("sent", "human") and (account_id is None or m.account_id == account_id)
    ]
    if not messages:
        return None
    last = messages[-1]
    thread = [m for m in messages if m.thread_id == last.thread_id]
    # The conversation's own subject: its first message's.
    ids = tuple(m.message_id for m in thread if m.message_id)
    return Thread(
        last.thread_id,
        strip_re(thread[0].subject),
        in_reply_to=last.message_id,
        references=ids[-10:],
        account_id=last.account_id,
    )


def recipient(store: Store, record: ContactRecord, kind: TemplateKind) -> tuple[str, str]:
    """Who the message goes to (name, address): the contact, or their referrer for an update.

    Raises ValueError, naming the person, when there is no usable address."""
    person = record.contact
    if kind is TemplateKind.REFERRER_UPDATE:
        if person.referrer_id is None:
            raise ValueError(f"{person.name} was not introduced by anyone")
        try:
            person = store.contacts.get(person.referrer_id).contact
        except KeyError:
            raise ValueError(f"{person.name}'s referrer is no longer in your contacts") from None
    if not person.primary_email:
        raise ValueError(f"{person.name} has no e-mail address yet")
    try:
        return person.name, templates.safe_address(person.primary_email)
    except ValueError:
        raise ValueError(f"{person.name}'s address cannot be used") from None


# ------------------------------------------------------------------------------- templates
_ARTICLE = ("article", "news", "interview", "post", "blog", "podcast", "profile")
_AFFILIATION = ("alumni", "association", "school", "university", "college", "member", "club")


def default_template(
    record: ContactRecord,
    names: Iterable[str],
    action: ActionKind | None = None,
    source_kind: SourceKind | None = None,
) -> str:
    """The template to start from: the one a due action calls for, else one that fits the stage
    and how the contact was found (``source_kind``, recorded in the contact panel; else the
    free-text source). ``names`` are the templates available."""
    available = list(names)

    def pick(*wanted: str) -> str:
        for name in wanted:
            if name in available:
                return name
        return available[0] if available else ""

    if action is not None and action in TEMPLATE_FOR_ACTION:
        return pick(TEMPLATE_FOR_ACTION[action])
    stage = record.state.stage
    if stage is Stage.REQUESTED:
        return pick("follow_up")
    if stage is Stage.MET:
        return pick("thank_you")
    if stage in (Stage.THANKED, Stage.IN_TOUCH):
        return pick("check_in")
    source = record.contact.source.casefold()
    if source_kind is SourceKind.ARTICLE:
        return pick("request_article", "request_cold")
    if source_kind in (SourceKind.ALUMNI, SourceKind.ASSOCIATION):
        return pick("request_affiliation", "request_cold")
    if record.contact.referrer_id is not None or "referr" in source:
        return pick("request_referral", "request_cold")
    if any(w in source for w in _ARTICLE):
        return pick("request_article", "request_cold")
    if any(w in source for w in _AFFILIATION):
        return pick("request_affiliation", "request_cold")
    return pick("request_cold", "request_referral")


# ------------------------------------------------------------------------------ mail tips
def can_tell_away(provider: MailProvider) -> bool:
    """Whether the account can say, before sending, who has an automatic reply on (Outlook's
    mail tips)."""
    return callable(getattr(provider, "away", None))


def mail_tips(provider: MailProvider, addresses: Sequence[str]) -> dict[str, str]:
    """address -> automatic-reply text, for those of ``addresses`` who are away (lower-case
    addresses). Network: call it on a worker. A failure is only a missing warning: {}."""
    away = getattr(provider, "away", None)
    if away is None or not addresses:
        return {}
    try:
        answer = away(addresses)
    except ProviderError as exc:
        log.info("mail tips unavailable for %s: %s", provider.account.address, type(exc).__name__)
        return {}
    return {str(k).lower(): str(v) for k, v in dict(answer).items()}


# ----------------------------------------------------------------------------- send cap
def requests_today(
    records: Iterable[ContactRecord], pending_request_contacts: Iterable[int], now: datetime
) -> int:
    """Requests sent today (the user's local day of ``now``): contacts whose request was seen in
    Sent mail today, and requests still in the outbox."""
    today: date = now.date()
    zone = now.tzinfo
    counted = {
        r.id
        for r in records
        if r.state.requested_at is not None
        and r.state.requested_at.astimezone(zone).date() == today
    }
    counted.update(pending_request_contacts)
    return len(counted)


def pending_requests(store: Store, providers: Iterable[MailProvider]) -> list[int]:
    """Contacts with a request still waiting in the outbox (sent, or about to be)."""
    out: list[int] = []
    for provider in providers:
        for _key, contact, purpose, _payload in store.outbox.pending(provider.account.id):
            if contact is not None and purpose == TemplateKind.REQUEST.value:
                out.append(int(contact))
    return out


# ------------------------------------------------------------------------------- sending
def send_job(
    store: Store,
    provider: MailProvider,
    msg: OutgoingMessage,
    *,
    contact_id: int,
    purpose: str,
    now: datetime,
    offers: Sequence[tuple[datetime, datetime]],
) -> SentRef:
    """Send through the outbox, on the sync worker with its store (``ops.db``).

    The offered slots are recorded first, against the message's outbox key: if the provider
    fails, the outbox still sends the message at the next sync, and its slots are already taken.
    """
    if offers:
        store.messages.add_offers(contact_id, list(offers), now, msg.outbox_key)
    return outbox.send(store, provider, msg, contact_id=contact_id, purpose=purpose, now=now)


def draft_job(
    store: Store,
    provider: MailProvider,
    msg: OutgoingMessage,
    *,
    contact_id: int,
    now: datetime,
    offers: Sequence[tuple[datetime, datetime]],
) -> DraftRef:
    """Save the message as a draft in the mailbox, on the sync worker with its store
    (``ops.db``), as ``send_job`` sends.

    The offered slots are recorded once the draft is there, against the message's outbox key:
    a draft the provider refused offers nothing, and the next message proposes other times.
    """
    draft = provider.create_draft(msg)
    if offers:
        store.messages.add_offers(contact_id, list(offers), now, msg.outbox_key)
    return draft
