"""The reply loop: what a contact's answer says and the one-click steps that follow it. Qt-free.

``read_case`` turns the contact's latest genuine reply into a ``ReplyCase``: its new text (quotes
stripped, mail/quotes.py), the recognised intent with its evidence (mail/intent.py), or the
user's correction of it (kept per message), the times offered to them and the times they
proposed, as instants. The steps (meant for the database worker, ``ops.db``) answer in the
contact's thread, never as a new request:

* accepts time k, or a proposed time picked -> ``confirm_and_invite``: a threaded confirmation
  (template ``confirm``), the meeting set at that instant and the invitation e-mailed (.ics);
* declines and refers someone -> ``thank_and_refer``: a threaded thank-you (``thank_referral``),
  the card closed as declined, the referred person added as a target with this contact as
  referrer, and the request to them saved as a draft;
* declines / asks / unclear -> ``send_reply`` with ``polite_close`` or ``answer``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop import compose, drafting, invites, outbox, settings, templates
from desktop.actions import override_stage
from desktop.domain.model import Contact, Stage
from desktop.domain.slots import MeetingKind, Slot, render_slot, zone_label
from desktop.storage import Store, StoredMessage
from desktop.templates import TemplateKind
from mail import intent as intents
from mail.mime import html_to_text
from mail.provider import DraftRef, Interval, MailProvider, OutgoingMessage, SentRef
from mail.quotes import strip_quotes

#: The template that answers each intent (a proposal is confirmed once a time is picked).
TEMPLATE_FOR_INTENT: dict[str, TemplateKind] = {
    intents.ACCEPT: TemplateKind.CONFIRM,
    intents.PROPOSE: TemplateKind.CONFIRM,
    intents.REFER: TemplateKind.THANK_REFERRAL,
    intents.DECLINE: TemplateKind.POLITE_CLOSE,
    intents.QUESTION: TemplateKind.ANSWER,
    intents.UNKNOWN: TemplateKind.ANSWER,
}
#: Stages in which a reply may wait for the user (the sync schedules an accepted time itself:
#: the confirmation and the invitation are still to send).
_ANSWERABLE = (Stage.REQUESTED, Stage.REPLIED, Stage.SCHEDULED)


@dataclass(frozen=True, slots=True)
class ReplyCase:
    contact_id: int
    name: str
    #: The stored message's key ("account:provider id"): corrections are kept against it.
    key: str
    received: datetime
    subject: str
    #: What they wrote this time: no quoted history, no signature.
    text: str
    detected: intents.Intent
    intent: intents.Intent
    offered: tuple[Slot, ...]
    #: The times they proposed that could be read as instants (their zone), meeting-long.
    proposed: tuple[Slot, ...]
    user_tz: str
    contact_tz: str
    #: The meeting set with them (the sync sets an accepted time at once), if any.
    meeting: Slot | None = None

    @property
    def corrected(self) -> bool:
        return self.intent != self.detected

    @property
    def label(self) -> str:
        return intents.LABELS[self.intent.kind]

    @property
    def template(self) -> TemplateKind:
        return TEMPLATE_FOR_INTENT[self.intent.kind]

    @property
    def accepted(self) -> Slot | None:
        k = self.intent.slot
        if self.intent.kind != intents.ACCEPT or k is None or not 0 <= k < len(self.offered):
            return None
        return self.offered[k]

    def both_zones(self, slot: Slot) -> str:
        """The slot in the contact's zone with the user's time beside it."""
        return render_slot(slot, self.user_tz, self.contact_tz or None)

    def choices(self) -> tuple[Slot, ...]:
        """The times one click can confirm: the accepted one, else their proposals."""
        if self.intent.kind == intents.ACCEPT:
            accepted = self.accepted
            return (accepted,) if accepted is not None else self.offered
        if self.intent.kind == intents.PROPOSE:
            return self.proposed
        return ()


def latest_reply(store: Store, contact_id: int) -> StoredMessage | None:
    """Their newest genuine reply, when it came after the user's last message to them."""
    last: StoredMessage | None = None
    for m in store.messages.for_contact(contact_id):
        if m.folder == "sent":
            last = None
        elif m.kind == "human":
            last = m
    return last


def new_text(message: StoredMessage) -> str:
    text = message.text if message.text.strip() else html_to_text(message.html)
    return strip_quotes(text)


def read_case(
    store: Store, contact_id: int, prefs: settings.Settings, own: tuple[str, ...] = ()
) -> ReplyCase | None:
    """The reply waiting on the user for this contact, understood; None when there is none."""
    record = store.contacts.get(contact_id)
    if record.state.stage not in _ANSWERABLE:
        return None
    message = latest_reply(store, contact_id)
    if message is None:
        return None
    user_tz = drafting.zone_or_none(prefs.timezone) or "UTC"
    contact_tz = drafting.zone_or_none(record.contact.timezone) or user_tz
    scheduled = record.state.stage is Stage.SCHEDULED
    offers = store.messages.offers_for(contact_id, include_released=scheduled)
    offered = tuple(Slot(a, b) for a, b in offers)
    text = new_text(message)
    zone = ZoneInfo(contact_tz)
    found = intents.detect(
        text,
        slots=[Interval(s.start.astimezone(zone), s.end.astimezone(zone)) for s in offered],
        sent=message.date,
        sender=message.sender,
        own=own,
        cc=message.recipients,
    )
    chosen = found
    correction = store.messages.intent_correction(message.key)
    if correction is not None:
        chosen = intents.corrected(found, correction[0], correction[1])
    length = offered[0].length if offered else timedelta(minutes=MeetingKind.CALL.minutes)
    starts = intents.proposed_starts(found.proposed, sent=message.date, zone=zone)
    proposed = tuple(Slot(s, s + length) for s in starts)
    state = record.state
    meeting = None
    if scheduled and state.meeting_start and state.meeting_end:
        meeting = Slot(state.meeting_start, state.meeting_end)
    return ReplyCase(
        contact_id, record.contact.name, message.key, message.date, message.subject, text,
        found, chosen, offered, proposed, user_tz, contact_tz, meeting,
    )  # fmt: skip


def meeting_text(slot: Slot, user_tz: str, contact_tz: str) -> str:
    """A meeting in the contact's zone with the user's time beside it ("Thu 3 Dec, 09:00-09:15
    (EST) · 14:00 your time (UTC)"); an unknown zone name reads as none."""
    user = drafting.zone_or_none(user_tz) or "UTC"
    text = render_slot(slot, user, drafting.zone_or_none(contact_tz))
    if text.endswith(" your time"):  # the user's zone named too, as theirs is
        text += f" ({zone_label(slot.start.astimezone(ZoneInfo(user)))})"
    return text


def waiting_cases(
    store: Store, prefs: settings.Settings, own: tuple[str, ...] = ()
) -> list[ReplyCase]:
    """Every reply still waiting on the user, oldest first (Today shows the first when no
    contact with one is selected: an accepted time the sync already scheduled still needs its
    confirmation and invitation)."""
    ids = [i for stage in _ANSWERABLE for i, _state in store.pipeline.states_in_stage(stage)]
    cases = [case for i in ids if (case := read_case(store, i, prefs, own)) is not None]
    return sorted(cases, key=lambda c: c.received)


def correct(store: Store, case: ReplyCase, kind: str, slot: int | None, now: datetime) -> None:
    """The user says what the reply really is: kept, and read by ``read_case`` from now on."""
    intents.corrected(case.detected, kind, slot)  # refuses an unknown kind before storing
    store.messages.correct_intent(case.key, case.contact_id, kind, slot, now)


# ---------------------------------------------------------------------------------- writing
def thread_of(store: Store, contact_id: int) -> drafting.Thread | None:
    return compose.last_thread(store, contact_id)


def reply_message(
    store: Store,
    case: ReplyCase,
    kind: TemplateKind,
    prefs: settings.Settings,
    extra: Mapping[str, object],
    outbox_key: str,
) -> OutgoingMessage:
    """The reply written from the template of ``kind``, threaded into the contact's conversation
    (In-Reply-To, References and the provider's thread id). Raises TemplateError (a missing field
    named) or ValueError (no usable address)."""
    if kind not in templates.REPLY_KINDS:
        raise ValueError(f"{kind.value} is not a reply")
    record = store.contacts.get(case.contact_id)
    template = templates.load(kind.value)
    fields = compose.contact_fields(store, record, prefs, extra)
    conversation = thread_of(store, case.contact_id)
    if conversation is None:
        raise ValueError(f"There is no conversation with {record.contact.name} to reply in")
    fields.setdefault("original_subject", conversation.subject)
    message = templates.render(template, fields)
    _name, address = compose.recipient(store, record, kind)
    subject = drafting.subject_for(message, conversation)
    return drafting.outgoing(address, subject, message.body, outbox_key, conversation)


def send_reply(
    store: Store,
    provider: MailProvider,
    case: ReplyCase,
    kind: TemplateKind,
    prefs: settings.Settings,
    now: datetime,
    extra: Mapping[str, object] | None = None,
) -> SentRef:
    """Send a threaded reply from a template through the outbox; a polite close also closes
    the card as declined (their offered times are free again)."""
    msg = reply_message(store, case, kind, prefs, extra or {}, outbox.new_key())
    sent = outbox.send(
        store, provider, msg, contact_id=case.contact_id, purpose=kind.value, now=now
    )
    if kind is TemplateKind.POLITE_CLOSE:
        override_stage(store, case.contact_id, Stage.DECLINED, now)
    return sent


@dataclass(frozen=True, slots=True)
class Confirmed:
    confirmation: SentRef
    invitation: invites.AcceptedSlot
    message: OutgoingMessage


def location_for(slot: Slot, prefs: settings.Settings) -> str:
    return invites.default_location(slot, prefs.phone)


def confirm_and_invite(
    store: Store,
    provider: MailProvider,
    case: ReplyCase,
    slot: Slot,
    prefs: settings.Settings,
    now: datetime,
    *,
    location: str | None = None,
) -> Confirmed:
    """They accepted ``slot`` (or the user picked it from their proposals): confirm it in the
    thread, set the meeting at that instant (their other offers are released) and e-mail the
    invitation into the same thread."""
    where = location_for(slot, prefs) if location is None else location
    lang = prefs.message_language
    when = render_slot(slot, case.user_tz, case.contact_tz, lang, audience="contact")
    fields: dict[str, object] = {"meeting_time": when}
    if where:
        fields["place"] = where
    msg = reply_message(store, case, TemplateKind.CONFIRM, prefs, fields, outbox.new_key())
    sent = outbox.send(store, provider, msg, contact_id=case.contact_id, purpose="confirm", now=now)
    accepted = invites.send_invitation(
        store, provider, case.contact_id, slot, now,
        user_name=prefs.user_name, location=where, user_tz=case.user_tz,
        lang=prefs.message_language, in_reply_to=msg.in_reply_to, references=msg.references,
        thread_id=msg.thread_id,
    )  # fmt: skip
    return Confirmed(sent, accepted, msg)


@dataclass(frozen=True, slots=True)
class Referred:
    thanks: SentRef
    target_id: int
    draft: DraftRef | None
    draft_error: str = ""


def thank_and_refer(
    store: Store,
    provider: MailProvider,
    case: ReplyCase,
    prefs: settings.Settings,
    now: datetime,
    *,
    name: str,
    address: str,
) -> Referred:
    """They declined and named someone: thank them in the thread, close their card as declined,
    add the referred person as a target (this contact their referrer) and save the request to
    them as a draft, with times nobody else holds."""
    name, address = templates.one_line(name), templates.safe_address(address) if address else ""
    if not name and not address:
        raise ValueError("Give the referred person's name or address")
    referral = name or address
    thanks = send_reply(
        store, provider, case, TemplateKind.THANK_REFERRAL, prefs, now, {"referral_name": referral}
    )
    override_stage(store, case.contact_id, Stage.DECLINED, now)
    target_id = _add_target(store, case, name or address.partition("@")[0], address)
    if not address:
        return Referred(thanks, target_id, None, "no address yet: write to them once you have it")
    record = store.contacts.get(target_id)
    user = compose.user_party(prefs)
    calendar = compose.CalendarRead((), 0)
    kind = MeetingKind.CALL
    inputs = compose.slot_inputs(store, record, user, calendar, now, kind, drafting.SLOT_COUNT)
    slots = drafting.propose(inputs).slots
    their = compose.contact_party(record)
    fields, _texts = drafting.slot_fields(
        list(slots), user.timezone, their.timezone if their else None, prefs.message_language, kind
    )
    template = templates.load("request_referral")
    message = templates.render(template, compose.contact_fields(store, record, prefs, fields))
    msg = drafting.outgoing(address, message.subject, message.body, outbox.new_key(), None)
    draft = compose.draft_job(
        store, provider, msg, contact_id=target_id, now=now,
        offers=drafting.offers(TemplateKind.REQUEST, slots),
    )  # fmt: skip
    return Referred(thanks, target_id, draft)


def _add_target(store: Store, case: ReplyCase, name: str, address: str) -> int:
    known = store.contacts.address_index().get(address.lower()) if address else None
    if known is not None:
        record = store.contacts.get(known)
        if record.contact.referrer_id is None:
            store.contacts.update(replace(record.contact, referrer_id=case.contact_id))
        return known
    referrer = store.contacts.get(case.contact_id).contact
    added = store.contacts.add(
        Contact(
            id=None, name=name, emails=(address,) if address else (), company=referrer.company,
            source=f"referred by {referrer.name}", referrer_id=case.contact_id,
        )
    )  # fmt: skip
    assert added.id is not None
    return added.id
