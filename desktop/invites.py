"""When a slot is accepted: the meeting is set and an invitation goes out. Qt-free.

With calendar access the provider creates the event (Google ``events.insert``, a Graph event, the
demo mailbox's simulated calendar). The RFC 5545 ``.ics`` is always built too, for accounts
without calendar access (to be sent by e-mail) and for the user to open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from desktop.actions import set_meeting
from desktop.domain.clock import utc
from desktop.domain.model import Contact
from desktop.domain.pipeline import Step
from desktop.domain.slots import Slot
from desktop.storage import Store
from desktop.templates import one_line, safe_address
from mail.provider import EventRef, MailProvider, MeetingInvite, ProviderError

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


@dataclass(frozen=True, slots=True)
class AcceptedSlot:
    step: Step | None
    invite: MeetingInvite
    ics: bytes
    #: The calendar event created through the account, or None (not asked, or it failed).
    event: EventRef | None = None
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
) -> AcceptedSlot:
    """The contact accepted ``slot``: move them to *scheduled* at that time (with the click or
    reply as evidence) and invite them through the account's calendar."""
    contact = store.contact(contact_id).contact
    name = user_name or provider.account.display_name
    invite = meeting_invite(
        contact, slot, user_name=name, title=title, location=location, description=description
    )
    state = store.state(contact_id)
    already = (state.meeting_start, state.meeting_end) == (invite.start, invite.end)
    # Sending the invitation again (a retry after an error) sets nothing twice in the history.
    step = None if already else set_meeting(store, contact_id, invite.start, invite.end, now)
    ics = build_ics(
        invite,
        organizer=provider.account.address,
        organizer_name=name,
        attendee_names={invite.attendees[0]: contact.name},
        uid=event_uid(contact_id, slot, provider.account.address),
        stamp=now.astimezone(UTC),
    )
    if not create_event:
        return AcceptedSlot(step, invite, ics)
    try:
        event = provider.create_event(invite)
    except ProviderError as exc:
        log.warning("calendar event for contact %s not created: %s", contact_id, exc)
        return AcceptedSlot(step, invite, ics, None, str(exc) or type(exc).__name__)
    return AcceptedSlot(step, invite, ics, event)
