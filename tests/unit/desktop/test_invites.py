"""Accepting a proposed slot: the contact is scheduled and the invitation parses back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar

from desktop.domain.model import Contact, Stage
from desktop.domain.slots import Party, Slot, propose_slots
from desktop.invites import accept_slot, build_ics, event_uid, meeting_invite
from mail.provider import MailProvider, OfflineError
from tests.helpers.demo_profile import START, open_demo
from tests.helpers.failing_provider import PartlyFailingProvider


def _event(ics: bytes) -> object:
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_slot_two_accepted_schedules_the_contact_and_invites_them(tmp_path: Path) -> None:
    demo, clock, _paths = open_demo(tmp_path / "demo")
    try:
        maya = demo.contact_id("accepts")
        record = demo.store.contacts.get(maya)
        busy = demo.mailbox.busy_blocks(START, START + timedelta(days=21))
        slots = propose_slots(clock.now(), Party("UTC"), Party(record.contact.timezone), busy)
        assert len(slots) == 3
        second = slots[1]
        accepted = accept_slot(
            demo.store,
            demo.mailbox,
            maya,
            second,
            clock.now(),
            user_name="Sam Rivera",
            location="Phone: +1 555 0100",
        )
        state = demo.store.pipeline.state(maya)
        assert state.stage is Stage.SCHEDULED
        assert (state.meeting_start, state.meeting_end) == (second.start, second.end)
        assert accepted.step is not None and accepted.step.transition is not None
        assert accepted.event is not None and not accepted.error

        event = _event(accepted.ics)
        assert event["DTSTART"].dt == second.start  # type: ignore[index]
        assert event["DTEND"].dt == second.end  # type: ignore[index]
        attendee = event["ATTENDEE"]  # type: ignore[index]
        assert str(attendee) == "mailto:maya.chen@lumen.example"
        assert attendee.params["CN"] == "Maya Chen"
        assert str(event["ORGANIZER"]) == f"mailto:{demo.mailbox.account.address}"  # type: ignore[index]
        assert str(event["LOCATION"]) == "Phone: +1 555 0100"  # type: ignore[index]
        assert Calendar.from_ical(accepted.ics)["METHOD"] == "REQUEST"

        # The account's calendar has the event, and it now counts as busy.
        (created,) = demo.mailbox.events()
        assert (created.start, created.end, created.attendees) == (
            second.start,
            second.end,
            ("maya.chen@lumen.example",),
        )
        busy_now = demo.mailbox.busy_blocks(START, START + timedelta(days=21))
        again = propose_slots(clock.now(), Party("UTC"), Party(record.contact.timezone), busy_now)
        assert all(not s.overlaps(second) for s in again)
    finally:
        demo.store.close()


def _offline_calendar(inner: MailProvider) -> PartlyFailingProvider:
    """The mailbox works; its calendar cannot be reached."""
    return PartlyFailingProvider(inner, OfflineError("no network"), "create_event")


def test_offline_calendar_still_schedules_and_keeps_the_ics(tmp_path: Path) -> None:
    demo, clock, _paths = open_demo(tmp_path / "demo")
    try:
        erin = demo.contact_id("accepts")
        slot = Slot(START + timedelta(days=2), START + timedelta(days=2, minutes=30))
        accepted = accept_slot(demo.store, _offline_calendar(demo.mailbox), erin, slot, clock.now())  # type: ignore[arg-type]
        assert demo.store.pipeline.state(erin).stage is Stage.SCHEDULED
        assert accepted.event is None and "no network" in accepted.error
        assert _event(accepted.ics)["DTSTART"].dt == slot.start  # type: ignore[index]
        assert demo.mailbox.events() == []
    finally:
        demo.store.close()


def test_names_with_line_breaks_and_accents_stay_in_their_parameter() -> None:
    contact = Contact(1, 'Zoë "Z"\r\nATTENDEE:mailto:evil@example.com', ("zoe@example.com",))
    slot = Slot(datetime(2026, 3, 3, 15, tzinfo=UTC), datetime(2026, 3, 3, 15, 15, tzinfo=UTC))
    invite = meeting_invite(contact, slot, user_name="Łukasz")
    ics = build_ics(
        invite,
        organizer="lukasz@example.com",
        organizer_name="Łukasz\nX",
        attendee_names={"zoe@example.com": contact.name},
        uid=event_uid(1, slot, "lukasz@example.com"),
        stamp=datetime(2026, 3, 1, tzinfo=UTC),
    )
    event = _event(ics)
    attendees = event["ATTENDEE"]  # type: ignore[index]
    assert not isinstance(attendees, list)
    assert str(attendees) == "mailto:zoe@example.com"
    assert attendees.params["CN"] == "Zoë 'Z' ATTENDEE:mailto:evil@example.com"
    assert "\n" not in str(event["SUMMARY"])  # type: ignore[index]
    assert str(event["UID"]) == "coffeechat-1-20260303T150000Z@example.com"  # type: ignore[index]
