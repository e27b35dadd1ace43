"""Sync rules that need several messages in one pass, or several accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop import demo_story
from desktop.actions import set_meeting
from desktop.domain.model import Contact, EventKind, Stage
from desktop.jobs import sync_round
from desktop.storage import Store
from desktop.sync import run_once
from mail.provider import AccountKind, Folder
from tests.helpers.demo_profile import open_demo, paths_in


def _raw(sender: str, to: str, subject: str, when: object, body: str, **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n{extra}\r\n{body}\r\n"  # type: ignore[str-format]
    ).encode()


def test_a_thank_you_in_the_same_pass_as_the_meetings_end_counts(tmp_path: Path) -> None:
    demo, clock, _ = open_demo(tmp_path)
    maya = demo.contact_id("accepts")
    run_once(demo.store, demo.mailbox, clock)  # Maya has replied by now
    start = clock.now() + timedelta(hours=1)
    set_meeting(demo.store, maya, start, start + timedelta(minutes=15), clock.now())
    # The app was closed through the meeting; the thank-you went out from the user's phone.
    thanks_at = start + timedelta(hours=3)
    demo.mailbox.add_raw_message(
        _raw(
            "sam.rivera@demo.example",
            "maya.chen@lumen.example",
            "Thank you!",
            thanks_at,
            "Thank you so much for your time today.",
        ),
        Folder.SENT,
    )
    clock.set(thanks_at + timedelta(days=2))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(maya).stage is Stage.THANKED
    kinds = [h.kind for h in demo.store.pipeline.history(maya)]
    assert kinds.index(EventKind.MEETING_PASSED) < kinds.index(EventKind.THANK_YOU_SENT)


def test_mail_from_the_users_other_account_is_not_a_reply(tmp_path: Path) -> None:
    demo, clock, _ = open_demo(tmp_path)
    work = demo.store.accounts.add(AccountKind.GMAIL, "sam@work.example")
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    run_once(demo.store, demo.mailbox, clock, own_addresses=frozenset({work.address}))
    assert demo.store.pipeline.state(lena).stage is Stage.REQUESTED
    request = next(m for m in demo.store.messages.for_contact(lena) if m.folder == "sent")
    message_id = demo.mailbox.fetch_message(
        next(r for r in demo.mailbox.fetch_changes(None).refs if r.id == request.key.split(":")[1])
    ).message_id
    demo.mailbox.add_raw_message(
        _raw(
            "sam@work.example",
            "lena.svensson@fjord.example",
            "Re: a call",
            clock.now(),
            "Adding my work address.",
            In_Reply_To=message_id,
        ),
        Folder.INBOX,
    )
    clock.advance(timedelta(minutes=5))
    run_once(demo.store, demo.mailbox, clock, own_addresses=frozenset({work.address}))
    assert (
        demo.store.pipeline.state(lena).stage is Stage.REQUESTED
    )  # the user's own mail, not a reply
    assert demo.store.pipeline.state(lena).followups_sent == 1


def test_a_bounce_for_a_cc_does_not_bounce_the_thread_contact(tmp_path: Path) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    referrer = demo.store.contacts.add(Contact(None, "Old Friend", ("friend@gone.example",)))
    assert referrer.id is not None
    demo_story.send_requests(demo, ("silent",), clock.now())
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    dsn = (
        "From: MAILER-DAEMON@demo.example\r\nTo: sam.rivera@demo.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {clock.now():%a, %d %b %Y %H:%M:%S +0000}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; demo.example\r\n"
        "\r\nFinal-Recipient: rfc822; friend@gone.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n--b--\r\n"
    ).encode()
    demo.mailbox.add_raw_message(dsn, Folder.INBOX)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(lena).stage is Stage.REQUESTED
    assert demo.store.contacts.bad_addresses(referrer.id) == {"friend@gone.example"}


def test_meetings_pass_even_when_every_account_is_offline(tmp_path: Path) -> None:
    from mail.provider import OfflineError
    from tests.helpers.failing_provider import FailingProvider

    demo, clock, paths = open_demo(tmp_path)
    maya = demo.contact_id("accepts")
    run_once(demo.store, demo.mailbox, clock)
    start = clock.now() + timedelta(hours=1)
    set_meeting(demo.store, maya, start, start + timedelta(minutes=15), clock.now())
    clock.advance(timedelta(hours=2))
    offline = FailingProvider(demo.mailbox.account, OfflineError("no network"))
    rounds = Store.open(paths.profile)
    try:
        round_ = sync_round(rounds, (offline,), clock)
    finally:
        rounds.close()
    assert [c.contact_id for c in round_.time_changes] == [maya]
    assert demo.store.pipeline.state(maya).stage is Stage.MET


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.txt").write_text("years of work")
    with pytest.raises(demo_story.NotADemoProfileError):
        demo_story.fresh_profile(paths_in(precious))
    with pytest.raises(demo_story.NotADemoProfileError):
        open_demo(precious)
    assert (precious / "chapter1.txt").read_text() == "years of work"
    # A demo profile itself is reset.
    demo, _, paths = open_demo(tmp_path / "demo")
    demo.store.close()
    demo_story.fresh_profile(paths)
    assert not paths.profile.exists()


@pytest.mark.parametrize("calendar", [True, False], ids=["calendar", "no-calendar"])
def test_a_reply_accepting_an_offered_slot_sets_the_meeting(tmp_path: Path, calendar: bool) -> None:
    from desktop import outbox
    from desktop.domain.slots import Slot, render_slot
    from mail.provider import OutgoingMessage

    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    priya = demo.contact_id("accepts")  # Maya: replied already; use another accepting contact
    priya = next(r.id for r in demo.store.contacts.all() if r.contact.name == "Priya Nair")
    day = clock.now().replace(hour=10, minute=0) + timedelta(days=6)
    slots = [
        Slot(day + timedelta(days=n, hours=n), day + timedelta(days=n, hours=n, minutes=15))
        for n in range(3)
    ]
    lines = "\n".join(f"- {render_slot(s, 'UTC', 'UTC', 'en')}" for s in slots)
    key = outbox.new_key()
    outbox.send(
        demo.store,
        demo.mailbox,
        OutgoingMessage(
            to=("priya.nair@brightpath.example",),
            subject="A 15-minute call?",
            text=f"Hi Priya,\n\nWould one of these suit you?\n{lines}\n\nSam",
            outbox_key=key,
        ),
        contact_id=priya,
        purpose="request",
        now=clock.now(),
    )
    demo.store.messages.add_offers(priya, [(s.start, s.end) for s in slots], clock.now(), key)
    for _ in range(8):  # the demo contact answers within the hour
        clock.advance(timedelta(minutes=10))
        run_once(demo.store, demo.mailbox, clock)
    state = demo.store.pipeline.state(priya)
    assert state.stage is Stage.SCHEDULED
    assert (state.meeting_start, state.meeting_end) == (slots[1].start, slots[1].end)
    accepted = [h for h in demo.store.pipeline.history(priya) if h.kind is EventKind.MEETING_SET]
    assert accepted and "proposed time 2" in accepted[0].evidence.summary
    assert demo.store.messages.offers_for(priya) == []  # the other two are free again
    # One click then invites them: an event in the account's calendar and an .ics that
    # icalendar reads back with the accepted time and the contact as attendee.
    from icalendar import Calendar

    from desktop.invites import accept_slot

    demo.mailbox.has_calendar = calendar
    sent = accept_slot(demo.store, demo.mailbox, priya, slots[1], clock.now())
    assert sent.error == ""
    if calendar:
        assert sent.event is not None and sent.emailed is None
        assert [(e.start, e.end) for e in demo.mailbox.events()] == [(slots[1].start, slots[1].end)]
        ics = sent.ics
    else:
        # No calendar: the invitation went by e-mail; read it back from the sent message.
        from email import policy
        from email.parser import BytesParser

        from mail.provider import Folder, MessageRef

        assert sent.event is None and sent.emailed is not None and demo.mailbox.events() == []
        raw = demo.mailbox.fetch_message(
            MessageRef(sent.emailed.id, sent.emailed.thread_id, Folder.SENT)
        ).raw
        parts = BytesParser(policy=policy.default).parsebytes(raw).walk()
        (part,) = [p for p in parts if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"
        ics = part.get_content().encode()
    event = next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")
    assert event.decoded("dtstart") == slots[1].start
    assert event.decoded("dtend") == slots[1].end
    assert "priya.nair@brightpath.example" in str(event.get("attendee")).lower()
    assert demo.store.pipeline.state(priya).stage is Stage.SCHEDULED


def test_a_referral_with_an_address_becomes_a_new_contact(tmp_path: Path) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    demo.mailbox.add_raw_message(
        _raw(
            "lena.svensson@fjord.example",
            "sam.rivera@demo.example",
            "Re: a call",
            clock.now(),
            "Thanks for asking! I'm not the right person, but my colleague Noor Haddad "
            "(noor.haddad@fjord.example) runs our research team and would be glad to talk.",
        ),
        Folder.INBOX,
    )
    clock.advance(timedelta(minutes=5))
    result = run_once(demo.store, demo.mailbox, clock)
    noor = next(
        r
        for r in demo.store.contacts.all()
        if r.contact.primary_email == "noor.haddad@fjord.example"
    )
    assert noor.contact.referrer_id == lena
    assert noor.state.stage is Stage.TARGET
    assert any(n.kind == "referral" for n in result.notices)
    assert demo.store.pipeline.state(lena).stage is Stage.REPLIED


def test_correcting_a_classification_reruns_the_pipeline_and_is_remembered(
    tmp_path: Path,
) -> None:
    from desktop.actions import correct_classification

    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    jonas = demo.contact_id("away")
    ooo = next(m for m in demo.store.messages.for_contact(jonas) if m.kind == "auto_reply")
    assert demo.store.pipeline.state(jonas).stage is Stage.REQUESTED
    # "This was a real reply": the contact moves on, with the user's word as evidence.
    t = correct_classification(demo.store, jonas, ooo, "human", clock.now())
    assert t is not None and (t.from_stage, t.to_stage) == (Stage.REQUESTED, Stage.REPLIED)
    history = demo.store.pipeline.history(jonas)
    assert [h.kind for h in history].count(EventKind.AUTO_REPLY) == 0
    assert any("You said this was a real reply" in h.evidence.summary for h in history)
    # Remembered for the sender: their next automatic-looking mail is read as a reply too.
    assert demo.store.messages.sender_kind("jonas.weber@kraftwerk-labs.example") == "human"
    # And back: "this was an automatic reply" restores requested.
    ooo = next(m for m in demo.store.messages.for_contact(jonas) if m.key == ooo.key)
    t = correct_classification(demo.store, jonas, ooo, "auto_reply", clock.now())
    assert demo.store.pipeline.state(jonas).stage is Stage.REQUESTED
    # A later pass over the same message adds nothing twice.
    demo.store.accounts.set_cursor(demo.mailbox.account.id, "0", clock.now())
    run_once(demo.store, demo.mailbox, clock)
    kinds = [h.kind for h in demo.store.pipeline.history(jonas)]
    assert kinds.count(EventKind.AUTO_REPLY) == 1


def test_an_accepted_time_is_read_in_the_contacts_zone(tmp_path: Path) -> None:
    """Offers are stored in UTC; the contact answers in their own time (Stockholm, UTC+1 in
    December): "Wednesday at 15:30" is the 14:30 UTC slot, not a new proposal."""
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    assert demo.store.contacts.get(lena).contact.timezone == "Europe/Stockholm"
    demo_story.send_requests(demo, ("silent",), clock.now())
    wednesday = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # 15:30 in Stockholm
    slots = [
        (wednesday - timedelta(days=1), wednesday - timedelta(days=1) + timedelta(minutes=15)),
        (wednesday, wednesday + timedelta(minutes=15)),
        (
            wednesday + timedelta(days=1, hours=2),
            wednesday + timedelta(days=1, hours=2, minutes=15),
        ),
    ]
    demo.store.messages.add_offers(lena, slots, clock.now(), None)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    demo.mailbox.add_raw_message(
        _raw(
            "lena.svensson@fjord.example",
            "sam.rivera@demo.example",
            "Re: A 15-minute call",
            clock.now(),
            "Hi Sam, Wednesday at 15:30 works for me. Lena",
        ),
        Folder.INBOX,
    )
    clock.advance(timedelta(minutes=5))
    run_once(demo.store, demo.mailbox, clock)
    state = demo.store.pipeline.state(lena)
    assert state.stage is Stage.SCHEDULED
    assert (state.meeting_start, state.meeting_end) == slots[1]


def test_a_message_the_provider_refuses_never_blocks_the_account(tmp_path: Path) -> None:
    from desktop import outbox
    from mail.provider import DraftRef, OutgoingMessage
    from tests.helpers.demo_profile import paths_in

    demo, clock, _ = open_demo(tmp_path)
    real_create = demo.mailbox.create_draft

    def refuse(msg: OutgoingMessage) -> DraftRef:
        raise ValueError("the server does not accept this address")

    demo.mailbox.create_draft = refuse  # type: ignore[method-assign]
    with pytest.raises(ValueError):
        outbox.send(
            demo.store,
            demo.mailbox,
            OutgoingMessage(
                to=("lena.svensson@fjord.example",), subject="Hi", text="Hello", outbox_key="poison"
            ),
            contact_id=None,
            purpose="request",
            now=clock.now(),
        )
    assert demo.store.outbox.pending(demo.mailbox.account.id) == []  # failed, not pending
    demo.mailbox.create_draft = real_create  # type: ignore[method-assign]
    rounds = Store.open(paths_in(tmp_path).profile)
    try:
        round_ = sync_round(rounds, (demo.mailbox,), clock)
    finally:
        rounds.close()
    assert [o.state.value for o in round_.outcomes] == ["idle"]
    assert demo.mailbox.find_sent("poison") is None  # never sent behind the user's back


def test_calling_a_reply_bulk_moves_back_with_history_and_is_not_remembered(
    tmp_path: Path,
) -> None:
    from desktop.actions import correct_classification

    demo, clock, _ = open_demo(tmp_path)
    maya = demo.contact_id("accepts")
    # Without the times her request offered, her reply is a plain reply (with them, the sync
    # would schedule her at the one she accepts).
    demo.store.messages.release_offers(maya, clock.now())
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(maya).stage is Stage.REPLIED
    reply = next(m for m in demo.store.messages.for_contact(maya) if m.kind == "human")
    t = correct_classification(demo.store, maya, reply, "bulk", clock.now())
    assert t is not None and (t.from_stage, t.to_stage) == (Stage.REPLIED, Stage.REQUESTED)
    assert demo.store.messages.sender_kind("maya.chen@lumen.example") is None
    lines = [h for h in demo.store.pipeline.history(maya) if h.to_stage is Stage.REQUESTED]
    assert any("bulk mail" in h.evidence.summary for h in lines)  # the change has its line


def test_meeting_evidence_is_in_the_users_zone(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from desktop.actions import set_meeting

    demo, clock, _ = open_demo(tmp_path)
    maya = demo.contact_id("accepts")
    start = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    step = set_meeting(
        demo.store, maya, start, start + timedelta(minutes=15), clock.now(),
        ZoneInfo("Europe/Berlin"),
    )  # fmt: skip
    assert step is not None and step.transition is not None
    assert step.transition.evidence.summary == "Meeting set for Thu 03 Dec 16:00 CET"
