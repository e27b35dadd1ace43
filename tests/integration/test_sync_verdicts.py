"""How a sync pass uses the classifier's verdicts: a delay notice never changes a stage (it
shows as "delivery delayed"), and a sender's correction is weighed when their next message is
classified (in the pass's prepare step)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop import demo_story, sync
from desktop.domain.model import EventKind, Stage
from desktop.sync import run_once
from mail.classify import Classification
from mail.provider import Folder, MailMessage
from tests.helpers.demo_profile import open_demo


def _report(when: object, action: str, status: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@relay.example>\r\n"
        "To: sam.rivera@demo.example\r\nSubject: Delayed Mail (still being retried)\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe message has not yet been delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example\r\n"
        f"\r\nFinal-Recipient: rfc822; lena.svensson@fjord.example\r\nAction: {action}\r\n"
        f"Status: {status}\r\n\r\n--b--\r\n"
    ).encode()


def test_a_delay_notice_never_moves_the_contact_and_shows_as_delivery_delayed(
    tmp_path: Path,
) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(lena).stage is Stage.REQUESTED
    demo.mailbox.add_raw_message(_report(clock.now(), "delayed", "4.4.7"), Folder.INBOX)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    state = demo.store.pipeline.state(lena)
    assert state.stage is Stage.REQUESTED
    assert state.bounced_addresses == ()
    assert demo.store.contacts.bad_addresses(lena) == set()
    last = demo.store.pipeline.history(lena)[-1]
    assert last.kind is EventKind.OVERRIDE
    assert last.evidence.summary == "Delivery delayed to lena.svensson@fjord.example"
    assert last.to_stage is None
    # The same report with Action: failed does bounce her.
    demo.mailbox.add_raw_message(_report(clock.now(), "failed", "5.1.1"), Folder.INBOX)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(lena).stage is Stage.BOUNCED


def test_a_correction_for_a_sender_is_weighed_when_their_next_mail_is_classified(
    tmp_path: Path,
) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    # Lena's client marks everything she writes as automatic; she told us once it is her.
    demo.store.corrections.record(
        "1:earlier", "lena.svensson@fjord.example", "auto_reply", "human", clock.now()
    )
    reply = (
        "From: Lena Svensson <lena.svensson@fjord.example>\r\n"
        "To: sam.rivera@demo.example\r\nSubject: Re: a call\r\n"
        f"Date: {clock.now():%a, %d %b %Y %H:%M:%S +0000}\r\n"
        "Auto-Submitted: auto-generated\r\n\r\n"
        "Thanks, let me look at my calendar and come back to you.\r\n"
    ).encode()
    demo.mailbox.add_raw_message(reply, Folder.INBOX)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(lena).stage is Stage.REPLIED
    got = next(m for m in demo.store.messages.for_contact(lena) if m.subject == "Re: a call")
    assert got.kind == "human"
    assert "you said mail from lena.svensson@fjord.example is human" in got.evidence


def test_a_bounce_of_a_request_read_in_the_same_pass_is_classified_once_before_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request (with its three offered times) and its bounce arrive in one pass: at the
    prepare step the bounce's contact is unknown (the request is not stored yet), inside the
    transaction it is known and has offers. The bounce is classified once, before the write
    transaction, and the bounced contact's times are released."""
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    assert len(demo.store.messages.offers_for(lena)) == 3
    (request,) = [
        demo.mailbox.fetch_message(r)
        for r in demo.mailbox.fetch_changes(None).refs
        if r.folder is Folder.SENT
        and "lena.svensson@fjord.example" in demo.mailbox.fetch_message(r).to
    ]
    clock.advance(timedelta(minutes=1))
    report = _report(clock.now(), "failed", "5.1.1").replace(
        b"MIME-Version", f"In-Reply-To: {request.message_id}\r\nMIME-Version".encode(), 1
    )
    demo.mailbox.add_raw_message(report, Folder.INBOX)
    calls: list[tuple[str, bool]] = []
    real = sync.classify

    def spy(msg: MailMessage, **kwargs: Any) -> Classification:
        calls.append((msg.sender, demo.store.database.connection.in_transaction))
        return real(msg, **kwargs)

    monkeypatch.setattr(sync, "classify", spy)
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert demo.store.pipeline.state(lena).stage is Stage.BOUNCED
    daemon = [inside for sender, inside in calls if sender.startswith("mailer-daemon")]
    assert daemon == [False]  # once, outside the write transaction
    assert demo.store.messages.offers_for(lena) == []  # her times are free again
    assert demo.store.messages.offers_for(lena, include_released=True)
