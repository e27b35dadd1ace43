"""Outlook: a send that began is never made twice. The app dies after ``/send`` (or after the
draft was made), restarts while the Sent Items copy is still in transit, and the outbox resumes:
nothing goes out again, the draft of the attempt is the only thing ever sent, and the row is
completed once the copy shows. The real provider, outbox and Store against the Graph emulator,
whose sent messages stay unreadable in transit until their copy reaches Sent Items."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desktop import outbox
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Stage
from desktop.sync import run_once
from mail.provider import OutgoingMessage
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import GraphEmulator
from tests.integration.test_outlook import Setup, _provider, _request


class Crash(BaseException):
    """The process dies here (not an error any code catches)."""


def _copies(emulator: GraphEmulator, message_id: str) -> dict[str, int]:
    """Folder -> how many messages carry this Message-ID (drafts, outbox in transit, sent)."""
    out: dict[str, int] = {}
    for msg in emulator.messages.values():
        if msg.internet_message_id == message_id:
            out[msg.folder] = out.get(msg.folder, 0) + 1
    return out


def _crash_in(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> None:
    def dies(*_args: object, **_kwargs: object) -> None:
        raise Crash()

    monkeypatch.setattr(target, name, dies)


def test_a_crash_after_send_while_the_copy_is_in_transit_sends_nothing_again(
    emulator: GraphEmulator,
    opened: Setup,
    clock: ManualClock,
    certificate: tuple[Path, Path],
    sim: SimClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, provider, account = opened
    ada = store.contacts.add(Contact(None, "Ada", ("ada@contact.test",))).id
    assert ada is not None
    run_once(store, provider, clock)
    emulator.sent_delay = 90.0  # the Sent Items copy shows a minute and a half after /send
    msg = _request("ada@contact.test")
    wanted = provider._message_id_for(msg.outbox_key)
    with monkeypatch.context() as m:
        _crash_in(m, store.outbox, "done")  # the app dies before recording the send
        with pytest.raises(Crash):
            outbox.send(store, provider, msg, contact_id=ada, purpose="request", now=clock.now())
    assert _copies(emulator, wanted) == {"outbox": 1}
    sends = emulator.count("/send")

    # A restart seconds later: a new provider; the copy is still in transit.
    clock.advance(timedelta(seconds=20))
    later = _provider(emulator, certificate, store, account, sim, clock)
    try:
        assert outbox.resume(store, later, now=clock.now()) == 0
        assert outbox.resume(store, later, now=clock.now()) == 0  # the next round: the same
        assert emulator.count("/send") == sends  # never asked to send again
        assert _copies(emulator, wanted) == {"outbox": 1}
        assert store.outbox.state(msg.outbox_key) == "pending"
        with pytest.raises(outbox.SentUnconfirmedError):  # the composer's retry: nothing sent
            outbox.send(store, later, msg, contact_id=ada, purpose="request", now=clock.now())
        assert emulator.count("/send") == sends

        clock.advance(timedelta(minutes=2))  # the copy reached Sent Items
        assert outbox.resume(store, later, now=clock.now()) == 1
        assert store.outbox.state(msg.outbox_key) == "sent"
        assert _copies(emulator, wanted) == {"sentitems": 1}
        assert run_once(store, later, clock).seen == 1
        assert store.pipeline.state(ada).stage is Stage.REQUESTED
    finally:
        later.close()


def test_a_crash_between_the_draft_and_the_send_sends_that_draft_once(
    emulator: GraphEmulator,
    opened: Setup,
    clock: ManualClock,
    certificate: tuple[Path, Path],
    sim: SimClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, provider, account = opened
    emulator.sent_delay = 60.0
    msg = _request("bob@contact.test")
    wanted = provider._message_id_for(msg.outbox_key)
    with monkeypatch.context() as m:
        _crash_in(m, provider, "send_draft")  # dies just before /send
        with pytest.raises(Crash):
            outbox.send(store, provider, msg, contact_id=None, purpose="request", now=clock.now())
    assert _copies(emulator, wanted) == {"drafts": 1}

    (draft,) = [m for m in emulator.messages.values() if m.internet_message_id == wanted]

    later = _provider(emulator, certificate, store, account, sim, clock)
    try:
        # The composer's retry: that draft is sent (no second one made).
        sent = outbox.send(store, later, msg, contact_id=None, purpose="request", now=clock.now())
        assert sent.id == draft.id and store.outbox.state(msg.outbox_key) == "sent"
        assert _copies(emulator, wanted) == {"outbox": 1}
        assert outbox.resume(store, later, now=clock.now()) == 0  # nothing left to do
        clock.advance(timedelta(minutes=2))
        assert outbox.resume(store, later, now=clock.now()) == 0
        found = later.find_sent(msg.outbox_key)  # the copy has reached Sent Items
        assert found is not None and found.id == draft.id
    finally:
        later.close()
    assert _copies(emulator, wanted) == {"sentitems": 1}
    assert emulator.count("/send") == 1
    made = [p for m, p in emulator.requests if m == "POST" and p.endswith("/me/messages")]
    assert len(made) == 1  # one draft, made before the crash


def test_a_lost_answer_to_send_is_not_a_failure_and_not_sent_again(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    emulator.sent_delay = 60.0
    msg = _request("cleo@contact.test")
    wanted = provider._message_id_for(msg.outbox_key)
    draft_made = provider.create_draft  # the draft is made; then /send is carried out, but
    created: list[str] = []  # its answers are lost (the retry meets the message in transit)

    def make_then_fail_send(message: OutgoingMessage) -> object:
        draft = draft_made(message)
        created.append(draft.id)
        emulator.fail_after_next(503)
        return draft

    provider.create_draft = make_then_fail_send  # type: ignore[method-assign,assignment]
    with pytest.raises(outbox.SentUnconfirmedError):
        outbox.send(store, provider, msg, contact_id=None, purpose="request", now=clock.now())
    assert store.outbox.state(msg.outbox_key) == "pending"  # not "failed": it went out
    assert _copies(emulator, wanted) == {"outbox": 1}
    clock.advance(timedelta(minutes=2))
    assert outbox.resume(store, provider, now=clock.now()) == 1
    assert _copies(emulator, wanted) == {"sentitems": 1} and len(created) == 1


def test_a_send_whose_copy_never_shows_is_given_up_never_sent_again(
    emulator: GraphEmulator,
    opened: Setup,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, provider, _ = opened
    emulator.sent_delay = 30 * 24 * 3600.0  # stuck in the Outbox
    msg = _request("dan@contact.test")
    with monkeypatch.context() as m:
        _crash_in(m, store.outbox, "done")
        with pytest.raises(Crash):
            outbox.send(store, provider, msg, contact_id=None, purpose="request", now=clock.now())
    clock.advance(outbox.UNCONFIRMED_FOR - timedelta(minutes=1))
    assert outbox.resume(store, provider, now=clock.now()) == 0
    assert store.outbox.state(msg.outbox_key) == "pending"
    clock.advance(timedelta(minutes=2))
    assert outbox.resume(store, provider, now=clock.now()) == 0
    assert store.outbox.state(msg.outbox_key) == "failed"
    assert store.outbox.pending(provider.account.id) == []
    assert emulator.count("/send") == 1
