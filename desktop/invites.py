"""When a slot is accepted: the meeting is set and an invitation goes out. Qt-free.

With calendar access the provider creates the event (Google ``events.insert``, a Graph event, the
demo mailbox's simulated calendar), once: it is recorded in the contact's history. The RFC 5545
``.ics`` is always built too; an account without calendar access (a provider that says so, or
raises NoCalendarError when asked) sends it by e-mail instead, as a ``text/calendar;
method=REQUEST`` part in the contact's thread, through the outbox like any message.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from desktop import outbox
from desktop.actions import set_meeting
from desktop.domain.clock import utc
from desktop.domain.model import Contact, EventKind, Evidence
from desktop.domain.model import Event as DomainEvent
from desktop.domain.pipeline import Step
from desktop.domain.slots import Slot, render_slot, zone_label
from desktop.storage import Store
from desktop.templates import first_name, one_line, safe_address
from mail.provider import (
    Attachment,
    EventRef,
    MailProvider,
    MeetingInvite,
    NoCalendarError,
    OutgoingMessage,
    ProviderError,
    SentRef,
)

log = logging.getLogger(__name__)

PRODID = "-//Coffeechat//Coffeechat//EN"


def _param(text: str) -> str:
    """A value fit for an iCalendar parameter (CN): one line, no double quotes."""
    return one_line(text).replace('"', "'")


def meeting_title(contact: Contact, user_name: str, minutes: int) -> str:
    who = f"{one_line(user_name)} & {one_line(contact.name)}" if user_name else contact.name
    return f"{who} ({minutes}-minute conversation)"


def meeting_invite(
    contact: Contact,
    slot: Slot,
    *,
    user_name: str = "",
    title: str | None = None,
    location: str = "",
    description: str = "",
    uid: str = "",
) -> MeetingInvite:
    if not contact.primary_email:
        raise ValueError(f"{contact.name} has no e-mail address to invite")
    minutes = int(slot.length.total_seconds() // 60)
    return MeetingInvite(
        title=one_line(title or meeting_title(contact, user_name, minutes)),
        start=utc(slot.start),
        end=utc(slot.end),
        attendees=(safe_address(contact.primary_email),),
        location=one_line(location),
        description=description.replace("\r\n", "\n").strip(),
        uid=uid,
    )


def event_uid(contact_id: int, slot: Slot, organizer: str) -> str:
    """Stable for one contact and slot, so a re-sent invitation updates rather than duplicates."""
    domain = organizer.partition("@")[2] or "coffeechat.invalid"
    return f"coffeechat-{contact_id}-{utc(slot.start):%Y%m%dT%H%M%SZ}@{domain}"


def build_ics(
    invite: MeetingInvite,
    *,
    organizer: str,
    organizer_name: str = "",
    attendee_names: dict[str, str] | None = None,
    uid: str,
    stamp: datetime,
    method: str = "REQUEST",
) -> bytes:
    """The invitation as an RFC 5545 calendar (UTF-8 bytes, CRLF lines)."""
    names = attendee_names or {}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utc(stamp))
    event.add("dtstart", utc(invite.start))
    event.add("dtend", utc(invite.end))
    event.add("summary", invite.title)
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer_address = vCalAddress(f"mailto:{safe_address(organizer)}")
    if organizer_name:
        organizer_address.params["CN"] = vText(_param(organizer_name))
    event.add("organizer", organizer_address)
    for address in invite.attendees:
        attendee = vCalAddress(f"mailto:{safe_address(address)}")
        if names.get(address):
            attendee.params["CN"] = vText(_param(names[address]))
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        attendee.params["RSVP"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    if invite.location:
        event.add("location", invite.location)
    if invite.description:
        event.add("description", invite.description)
    cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics


#: The outbox purpose of an invitation sent by e-mail.
INVITATION_PURPOSE = "invitation"
ICS_NAME = "invite.ics"


def invitation_key(uid: str) -> str:
    """The outbox key of the e-mailed invitation: one per event, so a second click (or a retry
    after an error) finds the first in Sent instead of sending it twice."""
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]


def invitation_mail(
    contact: Contact,
    invite: MeetingInvite,
    ics: bytes,
    *,
    uid: str,
    user_name: str = "",
    user_tz: str = "UTC",
    lang: str = "en",
) -> OutgoingMessage:
    """The invitation as an e-mail, for an account without calendar access: a short note that
    names the time in the contact's zone (and the place or phone number), with the .ics."""
    when = render_slot(
        Slot(invite.start, invite.end), user_tz, contact.timezone or None, lang, audience="contact"
    )
    greeting = first_name(contact.name)
    lines = [f"Hi {greeting}," if greeting else "Hello,", ""]
    lines.append(f"Here is the invitation for our conversation: {when}.")
    if invite.location:
        lines.append(f"Where: {invite.location}")
    if invite.description:
        lines += ["", invite.description]
    lines += ["", "The attached invitation (invite.ics) adds it to your calendar.", ""]
    lines += ["Best,", one_line(user_name)] if user_name else ["Best wishes"]
    return OutgoingMessage(
        to=invite.attendees,
        subject=one_line(f"Invitation: {invite.title}"),
        text="\n".join(lines).strip() + "\n",
        outbox_key=invitation_key(uid),
        attachments=(Attachment(ICS_NAME, "text/calendar", ics, method="REQUEST"),),
    )


#: A meeting this short is a phone call (the composer's default ask).
CALL_MINUTES = 15


def default_location(slot: Slot, phone: str) -> str:
    """Where the meeting is, as far as the app knows: the user's phone number for a call."""
    minutes = slot.length.total_seconds() / 60
    return f"Phone: {one_line(phone)}" if phone.strip() and minutes <= CALL_MINUTES else ""


def has_calendar(provider: MailProvider) -> bool:
    """Whether the account says it can create events (providers that do not say can)."""
    return bool(getattr(provider, "has_calendar", True))


@dataclass(frozen=True, slots=True)
class AcceptedSlot:
    step: Step | None
    invite: MeetingInvite
    ics: bytes
    #: The calendar event created through the account, or None (not asked, or it failed).
    event: EventRef | None = None
    #: The invitation e-mailed with the .ics, when the account has no calendar.
    emailed: SentRef | None = None
    #: Why the event could not be created (offline, throttled...): the meeting is set anyway,
    #: and the invitation can be sent again later.
    error: str = ""


def accept_slot(
    store: Store,
    provider: MailProvider,
    contact_id: int,
    slot: Slot,
    now: datetime,
    *,
    user_name: str = "",
    location: str = "",
    description: str = "",
    title: str | None = None,
    create_event: bool = True,
    user_tz: str = "UTC",
    lang: str = "en",
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    thread_id: str | None = None,
) -> AcceptedSlot:
    """The contact accepted ``slot``: move them to *scheduled* at that time (with the click or
    reply as evidence) and invite them through the account's calendar, or by e-mail with an
    .ics when the account has no calendar (``user_tz`` and ``lang`` write its date; the thread
    headers place it in their conversation).

    The calendar event is created once: it is recorded in the contact's history (where the
    user sees it), and a second call finds it there instead of asking the provider again; a
    retry after a lost answer is made harmless by the provider (Google: an event id derived
    from the invitation; Graph: its ``transactionId``)."""
    contact = store.contacts.get(contact_id).contact
    name = user_name or provider.account.display_name
    uid = event_uid(contact_id, slot, provider.account.address)
    invite = meeting_invite(
        contact, slot, user_name=name, title=title, location=location, description=description,
        uid=uid,
    )  # fmt: skip
    state = store.pipeline.state(contact_id)
    already = (state.meeting_start, state.meeting_end) == (invite.start, invite.end)
    # Sending the invitation again (a retry after an error) sets nothing twice in the history.
    step = None if already else set_meeting(store, contact_id, invite.start, invite.end, now)
    ics = build_ics(
        invite,
        organizer=provider.account.address,
        organizer_name=name,
        attendee_names={invite.attendees[0]: contact.name},
        uid=uid,
        stamp=now.astimezone(UTC),
    )
    if not create_event:
        return AcceptedSlot(step, invite, ics)
    try:
        if not has_calendar(provider):
            raise NoCalendarError(f"{provider.account.address} has no calendar")
        recorded = recorded_event(store, contact_id, uid)
        event = recorded if recorded is not None else provider.create_event(invite)
    except NoCalendarError as exc:
        log.info(
            "no calendar for contact %s's invitation (%s): sending it by e-mail", contact_id, exc
        )
    except ProviderError as exc:
        log.warning("calendar event for contact %s not created: %s", contact_id, exc)
        return AcceptedSlot(step, invite, ics, None, error=str(exc) or type(exc).__name__)
    else:
        if recorded is None:
            record_event(store, contact_id, invite, uid, event, now, user_tz)
        return AcceptedSlot(step, invite, ics, event)
    mail = invitation_mail(
        contact, invite, ics, uid=uid, user_name=name, user_tz=user_tz, lang=lang
    )
    mail = replace(mail, in_reply_to=in_reply_to, references=references, thread_id=thread_id)
    try:
        sent = outbox.send(
            store, provider, mail, contact_id=contact_id, purpose=INVITATION_PURPOSE, now=now
        )
    except ProviderError as exc:
        # Offline or throttled: the outbox row stays pending and the next sync sends it.
        log.warning("e-mailed invitation for contact %s not sent yet: %s", contact_id, exc)
        return AcceptedSlot(step, invite, ics, None, error=str(exc) or type(exc).__name__)
    return AcceptedSlot(step, invite, ics, None, emailed=sent)


#: How the history line of an invitation sent through the calendar names its event.
_EVENT_MARK = " → calendar event "


def _event_key(uid: str) -> str:
    return f"invitation:{uid}"


def recorded_event(store: Store, contact_id: int, uid: str) -> EventRef | None:
    """The calendar event already created for this invitation, from the contact's history."""
    if not store.pipeline.has_event(contact_id, _event_key(uid)):
        return None
    for entry in store.pipeline.history(contact_id):
        head, mark, ident = entry.evidence.detail.partition(_EVENT_MARK)
        if mark and head == uid:
            return EventRef(ident)
    return None


def record_event(
    store: Store,
    contact_id: int,
    invite: MeetingInvite,
    uid: str,
    event: EventRef,
    now: datetime,
    user_tz: str,
) -> None:
    """The invitation sent through the calendar, as a line of the contact's history (it moves
    nothing: there is no mail of it in Sent to show under Messages)."""
    when = render_slot(Slot(invite.start, invite.end), user_tz, None)
    store.pipeline.apply(
        contact_id,
        DomainEvent(
            EventKind.OVERRIDE,
            now,
            Evidence(
                f"Invitation sent through your calendar: {when}", f"{uid}{_EVENT_MARK}{event.id}"
            ),
            _event_key(uid),
        ),
    )


# ------------------------------------------------------------------------------ the preview
@dataclass(frozen=True, slots=True)
class InvitePreview:
    """What the user checks before the invitation leaves: nothing here is sent yet."""

    title: str
    #: "Tue 8 Dec, 10:00-10:15 (CST) · 17:00 your time": the contact's zone, then the user's.
    when: str
    #: The same start in each zone, separately, for a form.
    their_time: str
    your_time: str
    place: str
    attendee: str
    #: Why the invitation may be wrong as it stands ("" when nothing is): an empty place.
    warning: str = ""


def preview(
    contact: Contact, slot: Slot, *, user_name: str, user_tz: str, location: str
) -> InvitePreview:
    """The event as it will be sent: title, times in both zones, place or phone, attendee."""
    invite = meeting_invite(contact, slot, user_name=user_name, location=location)
    contact_tz = contact.timezone or user_tz
    theirs = slot.start.astimezone(ZoneInfo(contact_tz))
    yours = slot.start.astimezone(ZoneInfo(user_tz))
    warning = ""
    if not invite.location:
        warning = (
            "The invitation has no place or phone number: set your phone in Settings → Your "
            "phone, or type where you will meet."
        )
    return InvitePreview(
        title=invite.title,
        when=render_slot(slot, user_tz, contact.timezone or None),
        their_time=f"{theirs:%a %d %b %H:%M} {zone_label(theirs)} ({contact.name})",
        your_time=f"{yours:%a %d %b %H:%M} {zone_label(yours)} (you)",
        place=invite.location,
        attendee=f"{contact.name} <{invite.attendees[0]}>",
        warning=warning,
    )


def send_invitation(
    store: Store,
    provider: MailProvider,
    contact_id: int,
    slot: Slot,
    now: datetime,
    *,
    user_name: str = "",
    location: str = "",
    user_tz: str = "UTC",
    lang: str = "en",
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    thread_id: str | None = None,
) -> AcceptedSlot:
    """Set the meeting and send the invitation: through the account's calendar when it has
    one (the event once, recorded in the contact's history), else e-mailed (.ics,
    METHOD:REQUEST) into the contact's thread through the outbox, so that it is a message like
    the others: it comes back from Sent and shows under the contact's Messages. One outbox key
    per event: a second click finds the first invitation instead of sending another."""
    return accept_slot(
        store, provider, contact_id, slot, now, user_name=user_name, location=location,
        user_tz=user_tz, lang=lang, in_reply_to=in_reply_to, references=references,
        thread_id=thread_id,
    )  # fmt: skip
