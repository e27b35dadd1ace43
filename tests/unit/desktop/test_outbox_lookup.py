"""The outbox looks in Sent before sending only when an earlier attempt may have reached the
provider: the real Gmail provider against the emulator, a real Store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop import outbox
from desktop.storage import Store
from mail.gmail import GmailProvider
from mail.provider import AccountKind, OutgoingMessage
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = "me@example.test"

Setup = tuple[Store, GmailProvider]


@pytest.fixture
def setup(tmp_path: Path, gmail: GmailEmulator, sim: SimClock) -> Iterator[Setup]:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.GMAIL, ME)
    gmail.wall = lambda: T0
    grant = grant_for(gmail)
    provider = GmailProvider(
        account, lambda: grant, endpoints=endpoints_for(gmail),
        clock=sim.now, sleep=sim.sleep, now=lambda: T0,
    )  # fmt: skip
    yield store, provider
    provider.close()
    store.close()


def _message(key: str) -> OutgoingMessage:
    return OutgoingMessage(to=("ada@contact.test",), subject="Hi", text="Hello\n", outbox_key=key)


def test_a_first_send_makes_no_crash_recovery_lookup(gmail: GmailEmulator, setup: Setup) -> None:
    store, provider = setup
    gmail.reset_counters()
    sent = outbox.send(store, provider, _message("k-first"), contact_id=None, purpose="t", now=T0)
    assert "gmail.users.messages.list" not in gmail.calls, dict(gmail.calls)
    assert gmail.calls["gmail.users.drafts.send"] == 1
    assert [m.id for m in gmail.sent_messages()] == [sent.id]
    assert store.outbox.pending(provider.account.id) == []


def test_after_a_crash_between_sending_and_recording_resume_looks_first_and_sends_once(
    gmail: GmailEmulator, setup: Setup
) -> None:
    store, provider = setup
    message = _message("k-crash")
    # The row was written, the provider sent the message, and the app died before recording.
    store.outbox.add("k-crash", provider.account.id, None, "t", outbox._payload(message), T0)
    provider.send_draft(provider.create_draft(message))
    gmail.reset_counters()
    assert outbox.resume(store, provider) == 1
    assert gmail.calls["gmail.users.messages.list"] >= 1  # it looked in Sent ...
    assert "gmail.users.drafts.send" not in gmail.calls  # ... found it, and sent nothing
    assert len(gmail.sent_messages()) == 1
    assert store.outbox.pending(provider.account.id) == []


def test_sending_again_under_a_pending_key_looks_first(gmail: GmailEmulator, setup: Setup) -> None:
    store, provider = setup
    account = provider.account.id
    store.outbox.add("k-again", account, None, "t", "{}", T0)  # an attempt that crashed
    gmail.reset_counters()
    outbox.send(store, provider, _message("k-again"), contact_id=None, purpose="t", now=T0)
    assert gmail.calls["gmail.users.messages.list"] >= 1
    assert len(gmail.sent_messages()) == 1
