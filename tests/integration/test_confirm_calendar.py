"""Confirming an accepted time on an account with a calendar: the invitation is an event created
through the provider (Google events.insert, a Graph event), once, never also e-mailed as an
.ics; the confirmation is a threaded reply; the event is a line of the contact's history. Real
google-api-python-client and msal against the local emulators (tests/helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop import invites, outbox, replies, settings
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Stage
from desktop.domain.slots import Slot
from desktop.jobs import sync_round
from desktop.storage import Store
from mail.gmail import GmailProvider
from mail.http_retry import GMAIL_RETRY
from mail.provider import Account, AccountKind, MailProvider, OutgoingMessage
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for
from tests.helpers.graph_emulator import GraphEmulator
from tests.helpers.memory_keyring import MemoryKeyring
from tests.integration.conftest import T0
from tests.integration.test_outlook import _provider as graph_provider
from tests.integration.test_outlook import _sign_in

ADA = "ada@contact.test"
PLACE = "Phone: +1 555 0100"
PREFS = replace(settings.Settings(), user_name="Sam Rivera", timezone="UTC")
SLOT = Slot(T0 + timedelta(days=3, hours=6), T0 + timedelta(days=3, hours=6, minutes=15))


def _asked(store: Store, provider: MailProvider, clock: ManualClock) -> int:
    """Ada (New York) was asked for a call; the user's request is in Sent, seen by a sync."""
    ada = store.contacts.add(Contact(None, "Ada Lovelace", (ADA,), timezone="America/New_York"))
    assert ada.id is not None
    sync_round(store, (provider,), clock)  # the first pass: where the mailbox starts from
    request = OutgoingMessage(
        to=(ADA,), subject="A 15-minute call?", text="Hello Ada!\n\nSam\n",
        outbox_key=outbox.new_key(),
    )  # fmt: skip
    outbox.send(store, provider, request, contact_id=ada.id, purpose="request", now=clock.now())
    clock.advance(timedelta(minutes=5))
    sync_round(store, (provider,), clock)
    assert store.pipeline.state(ada.id).stage is Stage.REQUESTED
    return ada.id


def _confirm(store: Store, provider: MailProvider, clock: ManualClock, ada: int) -> Any:
    clock.advance(timedelta(minutes=5))
    sync_round(store, (provider,), clock)  # her reply
    case = replies.read_case(store, ada, PREFS, (provider.account.address,))
    assert case is not None
    done = replies.confirm_and_invite(
        store, provider, case, SLOT, PREFS, clock.now(), location=PLACE
    )
    assert done.invitation.event is not None and done.invitation.emailed is None
    assert not done.invitation.error
    assert store.pipeline.state(ada).meeting_start == SLOT.start
    lines = [h.evidence.summary for h in store.pipeline.history(ada)]
    assert any(line.startswith("Invitation sent through your calendar") for line in lines)
    # A second click (or a retry) finds the recorded event: the provider is not asked again.
    again = invites.send_invitation(
        store, provider, ada, SLOT, clock.now(), user_name="Sam Rivera", location=PLACE
    )
    assert again.event == done.invitation.event
    # Had the answer been lost, the provider's retry of this very invitation meets the same
    # event (Google: an id derived from it; Graph: its transactionId).
    assert provider.create_event(done.invitation.invite) == done.invitation.event
    return case, done


# ---------------------------------------------------------------------------------- Gmail
ME_GMAIL = "me@example.test"


@pytest.fixture
def on_gmail(
    tmp_path: Path, gmail: GmailEmulator, sim: SimClock
) -> Iterator[tuple[Store, GmailProvider, ManualClock]]:
    clock = ManualClock(T0)
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.GMAIL, ME_GMAIL)
    grant = grant_for(gmail)
    provider = GmailProvider(
        Account(account.id, AccountKind.GMAIL, ME_GMAIL, "Sam Rivera"), lambda: grant,
        endpoints=endpoints_for(gmail), clock=sim.now, sleep=sim.sleep, now=clock.now,
        retry=replace(GMAIL_RETRY, attempts=3),
    )  # fmt: skip
    try:
        yield store, provider, clock
    finally:
        provider.close()
        store.close()


def test_gmail_confirmation_creates_one_calendar_event_and_a_threaded_reply(
    gmail: GmailEmulator, on_gmail: tuple[Store, GmailProvider, ManualClock]
) -> None:
    store, provider, clock = on_gmail
    ada = _asked(store, provider, clock)
    (request,) = gmail.sent_messages()
    reply = (
        f"From: Ada Lovelace <{ADA}>\r\nTo: {ME_GMAIL}\r\nSubject: Re: A 15-minute call?\r\n"
        f"Date: {clock.now():%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: <ada-1@contact.test>\r\nIn-Reply-To: {request.message_id}\r\n"
        f"References: {request.message_id}\r\n\r\nYes, Thursday works for me.\r\n"
    ).encode()
    gmail.deliver(reply)
    _confirm(store, provider, clock, ada)
    (event,) = gmail.events  # the event id derives from the invitation: no duplicate
    assert event["start"]["dateTime"].startswith(f"{SLOT.start.astimezone(UTC):%Y-%m-%dT%H:%M}")
    assert [a["email"] for a in event["attendees"]] == [ADA]
    assert event["location"] == PLACE
    sent = gmail.sent_messages()
    assert not [m for m in sent if m.subject.startswith("Invitation:")]  # no .ics by mail
    (confirm,) = [m for m in sent if m.subject.startswith("Re: ")]
    assert "<ada-1@contact.test>" in confirm.refs
    assert confirm.thread_id == request.thread_id


# ---------------------------------------------------------------------------------- Graph
ME_GRAPH = "me@outlook.test"


@pytest.fixture
def on_graph(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    sim: SimClock,
    memory_keyring: MemoryKeyring,
) -> Iterator[tuple[GraphEmulator, Store, MailProvider, ManualClock]]:
    clock = ManualClock(T0)
    cert, key = certificate
    with GraphEmulator(ME_GRAPH, cert, key, clock=sim.now, wall=clock.now) as emulator:
        _sign_in(emulator, certificate)
        store = Store.open(tmp_path / "profile")
        account = store.accounts.add(AccountKind.OUTLOOK, ME_GRAPH)
        provider = graph_provider(emulator, certificate, store, account, sim, clock)
        try:
            yield emulator, store, provider, clock
        finally:
            provider.close()
            store.close()


def test_graph_confirmation_creates_one_event_with_its_transaction_id(
    on_graph: tuple[GraphEmulator, Store, MailProvider, ManualClock],
) -> None:
    emulator, store, provider, clock = on_graph
    ada = _asked(store, provider, clock)
    (request,) = [m for m in emulator.messages.values() if ADA in str(m.to)]
    emulator.deliver(
        ADA, "Re: A 15-minute call?", "Yes, Thursday works for me.\n", when=clock.now(),
        message_id="<ada-1@contact.test>", in_reply_to=request.internet_message_id, name="Ada",
    )  # fmt: skip
    _confirm(store, provider, clock, ada)
    (event,) = emulator.events  # the same transactionId: no duplicate
    assert event["transactionId"]
    assert event["start"]["dateTime"].startswith(f"{SLOT.start.astimezone(UTC):%Y-%m-%dT%H:%M}")
    assert event["location"]["displayName"] == PLACE
    assert [a["emailAddress"]["address"] for a in event["attendees"]] == [ADA]
    replies_sent = [
        m
        for m in emulator.messages.values()
        if str(m.subject).startswith("Re: ") and ADA in str(m.to)
    ]
    assert replies_sent and all(m.conversation_id == request.conversation_id for m in replies_sent)
