"""No calendar access: the invitation goes by e-mail with an RFC 5545 .ics, and reads back.

Each test parses the message the provider really sent (the demo mailbox's stored bytes, the Gmail
emulator's raw message) and reads the invitation in it with icalendar.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from desktop import outbox
from desktop.domain.model import Contact, Stage
from desktop.domain.slots import Party, Slot, propose_slots
from desktop.invites import INVITATION_PURPOSE, accept_slot
from desktop.jobs import sync_round
from desktop.storage import Store
from mail.gmail import GmailProvider
from mail.http_retry import GMAIL_RETRY
from mail.mime import build_message
from mail.provider import (
    Account,
    AccountKind,
    Attachment,
    Folder,
    MessageRef,
    NoCalendarError,
    OfflineError,
    OutgoingMessage,
)
from tests.helpers.demo_profile import START, open_demo
from tests.helpers.failing_provider import PartlyFailingProvider
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for

PHONE = "Phone: +1 555 0100"


def _parse(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _invitation(raw: bytes) -> tuple[Any, EmailMessage, bytes]:
    """The VEVENT of the text/calendar; method=REQUEST part, that part, and the .ics file."""
    msg = _parse(raw)
    calendars = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    part = calendars[0]
    assert isinstance(part, EmailMessage)
    assert part.get_param("method") == "REQUEST"
    files = [p for p in msg.walk() if p.get_filename() == "invite.ics"]
    assert len(files) == 1
    ics = files[0].get_payload(decode=True)
    assert isinstance(ics, bytes)
    cal = Calendar.from_ical(part.get_content())
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    return event, part, ics


def test_build_message_carries_an_invitation_as_calendar_part_and_file() -> None:
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    out = OutgoingMessage(
        ("zoe@example.com",),
        "Invitation",
        "See you then.\n",
        "k1",
        attachments=(
            Attachment("notes.txt", "text/plain", b"agenda"),
            Attachment("invite.ics", "text/calendar", ics, method="request"),
        ),
    )
    msg = _parse(build_message(out, "me@example.com", "Me", START).as_bytes())
    assert msg.get_content_type() == "multipart/mixed"
    types = [p.get_content_type() for p in msg.walk()]
    assert types == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/calendar",
        "application/ics",
        "text/plain",
    ]
    calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    # The exact bytes, CRLF line ends included.
    assert calendar.get_payload(decode=True) == ics
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content() == "See you then.\n"


@pytest.mark.parametrize(
    "attachment",
    [
        Attachment("invite.ics", "text/calendar\r\nBcc: x@evil.test", b"x", "REQUEST"),
        Attachment("invite.ics", "text/calendar", b"x", "REQUEST\r\nBcc: x@evil.test"),
        Attachment("a\r\nBcc: x@evil.test", "text/plain", b"x"),
        Attachment("a.bin", "nonsense", b"x"),
    ],
)
def test_attachments_cannot_add_headers(attachment: Attachment) -> None:
    out = OutgoingMessage(("zoe@example.com",), "Hi", "Hi\n", "k", attachments=(attachment,))
    with pytest.raises(ValueError):
        build_message(out, "me@example.com", "Me", START)


def test_no_calendar_in_the_demo_sends_the_invitation_by_mail(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path / "demo")
    try:
        maya = demo.contact_id("accepts")
        record = demo.store.contacts.get(maya)
        busy = demo.mailbox.busy_blocks(START, START + timedelta(days=21))
        slots = propose_slots(clock.now(), Party("UTC"), Party(record.contact.timezone), busy)
        second = slots[1]
        demo.mailbox.has_calendar = False
        with pytest.raises(NoCalendarError):
            demo.mailbox.busy_blocks(START, START + timedelta(days=21))

        accepted = accept_slot(
            demo.store,
            demo.mailbox,
            maya,
            second,
            clock.now(),
            user_name="Sam Rivera",
            location=PHONE,
            user_tz="Europe/Berlin",
            lang="de",
        )
        state = demo.store.pipeline.state(maya)
        assert state.stage is Stage.SCHEDULED
        assert (state.meeting_start, state.meeting_end) == (second.start, second.end)
        assert accepted.event is None and not accepted.error
        assert accepted.emailed is not None
        assert demo.mailbox.events() == []  # no calendar was touched

        sent = demo.mailbox.fetch_message(
            MessageRef(accepted.emailed.id, accepted.emailed.thread_id, Folder.SENT)
        )
        assert sent.to == ("maya.chen@lumen.example",)
        assert sent.subject.startswith("Invitation: Sam Rivera & Maya Chen")
        assert PHONE in sent.text and "Hi Maya," in sent.text
        event, _part, ics = _invitation(sent.raw)
        assert ics == accepted.ics
        assert event["DTSTART"].dt == second.start
        assert event["DTEND"].dt == second.end
        assert str(event["ATTENDEE"]) == "mailto:maya.chen@lumen.example"
        assert event["ATTENDEE"].params["CN"] == "Maya Chen"
        assert str(event["ORGANIZER"]) == f"mailto:{demo.mailbox.account.address}"
        assert str(event["LOCATION"]) == PHONE

        # A second click finds the first in Sent: nothing goes twice; the sync keeps the meeting.
        again = accept_slot(demo.store, demo.mailbox, maya, second, clock.now(), location=PHONE)
        assert again.emailed == accepted.emailed and again.step is None
        with closing(Store.open(paths.profile)) as rounds:
            sync_round(rounds, (demo.mailbox,), clock)
        assert demo.store.pipeline.state(maya).stage is Stage.SCHEDULED
        invitations = [
            m for m in demo.store.messages.for_contact(maya) if m.subject.startswith("Invitation:")
        ]
        assert len(invitations) == 1
    finally:
        demo.store.close()


class _OfflineSend(PartlyFailingProvider):
    """The demo mailbox without calendar, whose sending fails once: the network is down."""

    has_calendar = False

    def __init__(self, inner: Any) -> None:
        super().__init__(inner, OfflineError("no network"), "create_draft")


def test_an_invitation_mailed_offline_waits_in_the_outbox_with_its_ics(tmp_path: Path) -> None:
    demo, clock, _paths = open_demo(tmp_path / "demo")
    try:
        erin = demo.contact_id("accepts")
        slot = Slot(START + timedelta(days=2), START + timedelta(days=2, minutes=15))
        accepted = accept_slot(demo.store, _OfflineSend(demo.mailbox), erin, slot, clock.now())
        assert demo.store.pipeline.state(erin).stage is Stage.SCHEDULED
        assert accepted.emailed is None and "no network" in accepted.error
        pending = demo.store.outbox.pending(demo.mailbox.account.id)
        assert [(c, p) for _k, c, p, _ in pending] == [(erin, INVITATION_PURPOSE)]

        demo.mailbox.has_calendar = False
        assert outbox.resume(demo.store, demo.mailbox) == 1
        (key, *_rest) = pending[0]
        found = demo.mailbox.find_sent(key)
        assert found is not None
        raw = demo.mailbox.fetch_message(MessageRef(found.id, found.thread_id, Folder.SENT)).raw
        event, _part, ics = _invitation(raw)
        assert ics == accepted.ics and event["DTSTART"].dt == slot.start
    finally:
        demo.store.close()


# ---------------------------------------------------------------------------------- Gmail
ME = "me@example.test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def gmail(tmp_path: Path) -> Any:
    sim = SimClock()
    with GmailEmulator(ME, clock=sim.now) as emulator:
        store = Store.open(tmp_path / "profile")
        account = store.accounts.add(AccountKind.GMAIL, ME)
        grant = grant_for(emulator)
        provider = GmailProvider(
            Account(account.id, AccountKind.GMAIL, ME, "Sam Rivera"),
            lambda: grant,
            endpoints=endpoints_for(emulator),
            clock=sim.now,
            sleep=sim.sleep,
            now=lambda: T0,
            retry=replace(GMAIL_RETRY, attempts=2),
        )
        try:
            yield emulator, store, provider
        finally:
            provider.close()
            store.close()


def test_gmail_without_the_calendar_api_mails_the_invitation_as_raw_mime(gmail: Any) -> None:
    emulator, store, provider = gmail
    ada = store.contacts.add(Contact(None, "Ada Lovelace", ("ada@contact.test",), timezone="UTC"))
    slot = Slot(T0 + timedelta(days=3), T0 + timedelta(days=3, minutes=30))
    emulator.fail_next("disabled")  # events.insert: the Calendar API is off in the project

    accepted = accept_slot(store, provider, ada.id, slot, T0, location="Café Central, Vienna")
    assert store.pipeline.state(ada.id).stage is Stage.SCHEDULED
    assert accepted.event is None and accepted.emailed is not None and not accepted.error
    assert emulator.events == []

    sent = emulator.messages[accepted.emailed.id]
    assert "SENT" in sent.labels
    event, part, ics = _invitation(sent.raw)
    assert ics == accepted.ics
    assert part.get_content_charset() == "utf-8"
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (slot.start, slot.end)
    assert str(event["ATTENDEE"]) == "mailto:ada@contact.test"
    assert str(event["LOCATION"]) == "Café Central, Vienna"


def test_a_gmail_grant_without_the_events_permission_never_calls_the_calendar(
    gmail: Any,
) -> None:
    emulator, store, _provider = gmail
    grant = grant_for(emulator)
    narrow = GmailProvider(
        Account(1, AccountKind.GMAIL, ME),
        lambda: grant.__class__(
            grant.address,
            grant.refresh_token,
            grant.client_id,
            grant.client_secret,
            grant.token_uri,
            ("https://www.googleapis.com/auth/gmail.modify",),
        ),
        endpoints=endpoints_for(emulator),
        now=lambda: T0,
    )
    assert narrow.has_calendar is False
    bo = store.contacts.add(Contact(None, "Bo Li", ("bo@contact.test",)))
    slot = Slot(T0 + timedelta(days=4), T0 + timedelta(days=4, minutes=15))
    emulator.reset_counters()
    try:
        accepted = accept_slot(store, narrow, bo.id, slot, T0)
    finally:
        narrow.close()
    assert accepted.emailed is not None
    assert not [c for c in emulator.calls if c.startswith("calendar.")]
    event, _part, _ics = _invitation(emulator.messages[accepted.emailed.id].raw)
    assert event["DTSTART"].dt == slot.start
