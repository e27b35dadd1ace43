"""Gmail end to end: the real google-api-python-client and google-auth-oauthlib against the local
emulator, the real Store and sync pass. Time is simulated: nothing here waits."""

from __future__ import annotations

import argparse
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop import logs, outbox
from desktop.cli import account as cli_account
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind, Stage
from desktop.paths import resolve
from desktop.storage import Store
from desktop.sync import run_once
from mail.auth.tokens import TokenStore
from mail.gmail import GmailProvider, GoogleEndpoints
from mail.http_retry import GMAIL_RETRY
from mail.provider import Account, AccountKind, OfflineError, OutgoingMessage, ThrottledError
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for, mail
from tests.helpers.loop_checks import assert_replies_count_and_the_out_of_office_does_not
from tests.helpers.memory_keyring import MemoryKeyring

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = "me@example.test"


@pytest.fixture
def emulator(gmail: GmailEmulator) -> GmailEmulator:
    """The shared Gmail emulator (tests/conftest.py) under this file's name for it."""
    return gmail


def _provider(
    emu: GmailEmulator, store: Store, account: Account, sim: SimClock, clock: ManualClock
) -> GmailProvider:
    tokens = TokenStore()
    return GmailProvider.from_keyring(
        account,
        tokens,
        endpoints=endpoints_for(emu),
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: store.contacts.address_index().keys(),
        clock=sim.now,
        sleep=sim.sleep,
        now=clock.now,
    )


def _fake_browser(url: str) -> None:
    """Follow the consent page's redirect to the loopback, as a browser would (asynchronously:
    the flow starts waiting only after handing out the link)."""

    def visit() -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=10) as answer:
            answer.read()

    threading.Thread(target=visit, name="fake-browser", daemon=True).start()


def _stage(store: Store, contact_id: int) -> Stage:
    return store.pipeline.state(contact_id).stage


def test_whole_loop_from_sign_in_to_replies_and_no_token_on_disk(
    tmp_path: Path,
    emulator: GmailEmulator,
    sim: SimClock,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # --- account added through the real installed-app flow (PKCE) against the emulator -------
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks http
    client_file = tmp_path / "client_secret.json"
    client_file.write_text(json.dumps(emulator.client_file()), encoding="utf-8")
    profile = tmp_path / "profile"
    args = argparse.Namespace(
        client_secret=client_file, profile=str(profile), name="Sam Rivera", timeout=20.0,
        no_browser=True,
    )  # fmt: skip
    assert cli_account.run(args, endpoints=endpoints_for(emulator), open_url=_fake_browser) == 0
    stored = memory_keyring.entries[("Coffeechat", f"gmail:{ME}")]
    assert "refresh_token" in stored  # the grant is in the (test) keyring ...

    paths = resolve(profile)
    import logging

    logs.setup(paths.logs, level=logging.DEBUG)  # ... and, below, nowhere in the profile
    store = Store.open(profile)
    (account,) = store.accounts.all()
    assert account.kind is AccountKind.GMAIL and account.address == ME
    clock = ManualClock(T0)
    provider = _provider(emulator, store, account, sim, clock)

    ada = store.contacts.add(Contact(None, "Ada Byron", ("ada@contact.test",))).id
    bob = store.contacts.add(Contact(None, "Bob Ooo", ("bob@contact.test",))).id
    cleo = store.contacts.add(Contact(None, "Cleo New", ("cleo@contact.test",))).id
    assert ada is not None and bob is not None and cleo is not None
    first = run_once(store, provider, clock)
    assert first.seen == 0 and store.accounts.cursor(account.id) == first.cursor

    # --- request saved as a Gmail draft: nothing moves yet ---------------------------------
    request = OutgoingMessage(
        to=("ada@contact.test",), subject="A 15-minute chat about your work?",
        text="Hi Ada,\n\nWould you have 15 minutes next week?\n\nSam\n",
        outbox_key=outbox.new_key(),
    )  # fmt: skip
    draft = provider.create_draft(request)
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.TARGET
    assert len(emulator.drafts) == 1

    # --- sent from Coffeechat: the SENT label in history makes Ada *requested* ---------------
    sent = provider.send_draft(draft)
    assert not emulator.drafts
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.REQUESTED
    requests = {}
    for contact_id, address in ((bob, "bob@contact.test"), (cleo, "cleo@contact.test")):
        msg = OutgoingMessage(
            to=(address,), subject="Coffee chat?", text="Hello!\n\nSam\n",
            outbox_key=outbox.new_key(),
        )  # fmt: skip
        requests[contact_id] = outbox.send(
            store, provider, msg, contact_id=contact_id, purpose="request", now=clock.now()
        )
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, bob) is Stage.REQUESTED and _stage(store, cleo) is Stage.REQUESTED

    # --- replies: in the thread (counts), an out-of-office (does not), a new thread (counts) --
    clock.advance(timedelta(hours=2))
    reply = mail(
        "Ada Byron <ada@contact.test>", ME, f"Re: {request.subject}",
        "Hi Sam,\n\nHappy to help. Thursday works for me.\n\nAda\n",
        message_id="<r1@contact.test>", when=clock.now(), in_reply_to=sent.message_id,
    )  # fmt: skip
    _, reply_thread = emulator.deliver(reply)
    assert reply_thread == sent.thread_id
    bob_request = requests[bob]
    ooo = mail(
        "Bob Ooo <bob@contact.test>", ME, "Automatic reply: Coffee chat?",
        "I am out of the office until Monday 9 March with limited access to email.\n",
        message_id="<ooo@contact.test>", when=clock.now(), in_reply_to=bob_request.message_id,
        extra={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )  # fmt: skip
    emulator.deliver(ooo)
    fresh = mail(
        "Cleo New <cleo@contact.test>", ME, "Coffee next week",
        "Hi Sam, sorry for the delay - yes, let's talk. Tuesday?\n\nCleo\n",
        message_id="<cleo-new@contact.test>", when=clock.now(),
    )  # fmt: skip
    _, cleo_thread = emulator.deliver(fresh)
    assert cleo_thread not in store.messages.tracked_threads(account.id)
    clock.advance(timedelta(minutes=5))
    result = run_once(store, provider, clock)
    assert_replies_count_and_the_out_of_office_does_not(
        store, result, replied=(ada, cleo), away=bob, relevant=3
    )

    # --- a follow-up goes into Bob's thread: threadId + In-Reply-To/References + same subject --
    follow = OutgoingMessage(
        to=("bob@contact.test",), subject="Re: Coffee chat?", text="Hi Bob, welcome back!\n",
        outbox_key=outbox.new_key(), in_reply_to=bob_request.message_id,
        references=(bob_request.message_id,), thread_id=bob_request.thread_id,
    )  # fmt: skip
    followed = outbox.send(
        store, provider, follow, contact_id=bob, purpose="follow-up", now=clock.now()
    )
    assert followed.thread_id == bob_request.thread_id
    raw = emulator.message_raw(followed.id).decode()
    assert f"In-Reply-To: {bob_request.message_id}" in raw and "Subject: Re: Coffee chat?" in raw
    clock.advance(timedelta(minutes=5))
    run_once(store, provider, clock)
    assert EventKind.FOLLOWUP_SENT in {e.kind for e in store.pipeline.history(bob)}

    # --- no token, secret or grant anywhere in the profile (database, WAL, logs, settings) ---
    provider.close()
    store.close()
    logs.shutdown()
    secrets = [s for s in emulator.issued_secrets if s]
    assert any(s.startswith("ya29.") for s in secrets) and any(s.startswith("1//") for s in secrets)
    files = [p for p in profile.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any("sqlite" in p.name for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a token or secret leaked into {path.name}"


def _seed_contacts(
    emu: GmailEmulator, store: Store, count: int, when: datetime
) -> list[tuple[int, str, str]]:
    """``count`` contacts, each with a request the user sent from Gmail itself."""
    seeded = []
    for n in range(count):
        address = f"contact{n:04d}@people.test"
        contact = store.contacts.add(Contact(None, f"Contact {n}", (address,)))
        assert contact.id is not None
        message_id = f"<req{n:04d}@example.test>"
        raw = mail(ME, address, f"Chat {n}?", "Hello!\n", message_id=message_id, when=when)
        emu.deliver(raw, labels=("SENT",))
        seeded.append((contact.id, address, message_id))
    return seeded


Setup = tuple[Store, GmailProvider, ManualClock]


@pytest.fixture
def opened(tmp_path: Path, emulator: GmailEmulator, sim: SimClock) -> Iterator[Setup]:
    store, provider, clock = _open(tmp_path, emulator, sim)
    yield store, provider, clock
    provider.close()
    store.close()


def _open(tmp_path: Path, emu: GmailEmulator, sim: SimClock) -> Setup:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.GMAIL, ME)
    clock = ManualClock(T0)
    emu.wall = clock.now  # mail arrives at the account's wall time (internalDate)
    grant = grant_for(emu)
    provider = GmailProvider(
        account, lambda: grant, endpoints=endpoints_for(emu),
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: store.contacts.address_index().keys(),
        clock=sim.now, sleep=sim.sleep, now=clock.now,
    )  # fmt: skip
    return store, provider, clock


@pytest.mark.parametrize("tracked", [3, 500])
def test_an_idle_pass_is_one_request_of_two_units(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup, tracked: int
) -> None:
    store, provider, clock = opened
    run_once(store, provider, clock)  # baseline
    _seed_contacts(emulator, store, tracked, clock.now())
    clock.advance(timedelta(minutes=1))
    seeded = run_once(store, provider, clock)
    assert seeded.relevant == tracked and len(store.messages.tracked_threads(1)) == tracked
    assert max(emulator.batch_sizes) <= 50
    emulator.reset_counters()
    clock.advance(timedelta(minutes=1))
    idle = run_once(store, provider, clock)
    assert idle.seen == 0
    assert emulator.calls == {"gmail.users.history.list": 1}
    assert emulator.total_units == 2 and emulator.http_requests == 1


def test_a_stale_history_id_lists_what_arrived_since_the_last_pass_not_each_thread(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup
) -> None:
    store, provider, clock = opened
    for n in range(300):  # a mailbox with plenty of unrelated mail
        emulator.deliver(
            mail(f"news{n}@list.test", ME, f"Issue {n}", "news", message_id=f"<n{n}@l>", when=T0)
        )
    clock.advance(timedelta(days=1))  # the mailbox's past: before the last good pass
    run_once(store, provider, clock)
    seeded = _seed_contacts(emulator, store, 40, clock.now())
    clock.advance(timedelta(minutes=15))  # past the recovery's safety margin
    run_once(store, provider, clock)
    clock.advance(timedelta(hours=1))
    for n, (contact_id, address, message_id) in enumerate(seeded[:3]):
        emulator.deliver(
            mail(address, ME, f"Re: Chat {n}?", "Sure, happy to talk!",
                 message_id=f"<re-{contact_id}@p>", when=clock.now(), in_reply_to=message_id)
        )  # fmt: skip
    # A known contact answers in a NEW thread (a fresh mail, not a reply to the request).
    fresh_id, fresh_address, _ = seeded[3]
    emulator.deliver(
        mail(fresh_address, ME, "Coffee on Thursday?", "Yes - let's talk Thursday.",
             message_id=f"<new-{fresh_id}@p>", when=clock.now())
    )  # fmt: skip
    for n in range(5):
        emulator.deliver(
            mail(f"x{n}@list.test", ME, "Sale", "50% off", message_id=f"<s{n}@l>", when=T0)
        )
    emulator.expire_history()
    emulator.reset_counters()

    result = run_once(store, provider, clock)

    print("\nstale-history recovery:", dict(emulator.calls), "units", emulator.total_units)
    assert result.reset
    assert "gmail.users.threads.get" not in emulator.calls  # never one call per tracked thread
    assert emulator.calls == {
        "gmail.users.history.list": 1,  # answered 404
        "gmail.users.getProfile": 1,  # fresh baseline
        "gmail.users.messages.list": 1,  # what arrived since the last good pass
        # heads of the 6 untracked arrivals (the new thread, the sales), then in full the 3
        # replies in tracked threads and the new thread of a known contact
        "gmail.users.messages.get": 6 + 4,
    }
    assert {_stage(store, c) for c, _, _ in seeded[:4]} == {Stage.REPLIED}
    assert {_stage(store, c) for c, _, _ in seeded[4:]} == {Stage.REQUESTED}
    emulator.reset_counters()
    run_once(store, provider, clock)
    assert emulator.calls == {"gmail.users.history.list": 1}


def test_a_stale_history_id_with_nothing_new_and_500_tracked_threads_is_a_few_requests(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup
) -> None:
    store, provider, clock = opened
    run_once(store, provider, clock)
    seeded = _seed_contacts(emulator, store, 500, clock.now())
    clock.advance(timedelta(minutes=15))
    run_once(store, provider, clock)
    assert len(store.messages.tracked_threads(1)) == 500
    clock.advance(timedelta(days=2))
    emulator.mark_read(emulator.order[0])  # the history moves on, with nothing new in it
    emulator.expire_history()
    emulator.reset_counters()

    result = run_once(store, provider, clock)

    assert result.reset and result.seen == 0
    assert emulator.http_requests <= 5, dict(emulator.calls)
    assert emulator.total_units <= 10
    assert {_stage(store, c) for c, _, _ in seeded} == {Stage.REQUESTED}


def test_200_new_messages_through_20_percent_faults_apply_exactly_once(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup
) -> None:
    store, provider, clock = opened
    run_once(store, provider, clock)
    seeded = _seed_contacts(emulator, store, 40, clock.now())
    clock.advance(timedelta(minutes=15))  # past the recovery's safety margin
    run_once(store, provider, clock)
    clock.advance(timedelta(hours=1))
    expected: dict[int, int] = {}
    for round_ in range(3):  # 120 replies in the tracked threads
        for n, (contact_id, address, message_id) in enumerate(seeded):
            emulator.deliver(
                mail(address, ME, f"Re: Chat {n}?", f"Thanks! Note {round_}.",
                     message_id=f"<re{round_}-{contact_id}@p>", when=clock.now(),
                     in_reply_to=message_id)
            )  # fmt: skip
            expected[contact_id] = expected.get(contact_id, 0) + 1
    for contact_id, address, _ in seeded:  # 40 replies in new threads
        emulator.deliver(
            mail(address, ME, "Another thought", "Also, happy to intro you to a colleague.",
                 message_id=f"<new-{contact_id}@p>", when=clock.now())
        )  # fmt: skip
        expected[contact_id] += 1
    for n in range(40):  # 40 unrelated
        emulator.deliver(
            mail(f"n{n}@list.test", ME, "Digest", "news", message_id=f"<d{n}@l>", when=T0)
        )
    emulator.reset_counters()
    emulator.fault_rate = 0.2
    emulator.fault_kinds = ("429", "403", "500", "503", "reset", "lost")
    before = store.pipeline.event_count()

    passes = failures = 0
    while True:
        passes += 1
        assert passes <= 20, "the sync never got through"
        cursor = store.accounts.cursor(1)
        try:
            result = run_once(store, provider, clock)
        except (ThrottledError, OfflineError):
            failures += 1
            assert store.accounts.cursor(1) == cursor  # a failed pass commits nothing
            assert store.pipeline.event_count() == before
            continue
        break

    print(
        f"\n200 messages with 20% faults: {passes} pass(es), {failures} failed; "
        f"faults {dict(emulator.faults_injected)}; units {emulator.total_units}; "
        f"busiest minute {emulator.max_units_per_minute()} units; simulated {sum(sim.slept):.0f} s"
    )
    assert result.seen == 200 and result.relevant == 160
    assert sum(emulator.faults_injected.values()) > 20
    for contact_id, count in expected.items():
        replies = [
            e for e in store.pipeline.history(contact_id) if e.kind is EventKind.GENUINE_REPLY
        ]
        assert len(replies) == count
    assert store.pipeline.event_count() == before + 160
    assert emulator.quota_rejections == 0
    assert emulator.max_units_per_minute() <= 6000
    assert provider.limiter.max_units_per_minute() <= provider.limiter.worst_minute <= 6000
    emulator.fault_rate = 0.0
    again = run_once(store, provider, clock)
    assert again.seen == 0 and store.pipeline.event_count() == before + 160


def test_a_revoked_grant_and_a_dead_network_are_distinct_states(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup
) -> None:
    from desktop.jobs import SyncState, sync_round

    store, provider, clock = opened
    provider._retry = replace(GMAIL_RETRY, attempts=2)
    run_once(store, provider, clock)
    emulator.revoke_grants()
    emulator.expire_access_tokens()
    rounds = Store.open(tmp_path / "profile")
    try:
        revoked = sync_round(rounds, (provider,), clock)
    finally:
        rounds.close()
    (outcome,) = revoked.outcomes
    assert outcome.state is SyncState.NEEDS_SIGN_IN
    assert "Reconnect the account" in outcome.message

    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there any more
    offline = GmailProvider(
        provider.account, lambda: grant_for(emulator),
        endpoints=GoogleEndpoints(f"http://127.0.0.1:{port}/", "", f"http://127.0.0.1:{port}/token"),
        clock=sim.now, sleep=sim.sleep, retry=replace(GMAIL_RETRY, attempts=2),
    )  # fmt: skip
    rounds = Store.open(tmp_path / "profile")
    try:
        down = sync_round(rounds, (offline,), clock)
    finally:
        rounds.close()
        offline.close()
    (outcome,) = down.outcomes
    assert outcome.state is SyncState.OFFLINE


def test_a_stale_history_id_after_a_flood_of_mail_searches_the_contacts_first(
    tmp_path: Path, emulator: GmailEmulator, sim: SimClock, opened: Setup
) -> None:
    store, provider, clock = opened
    run_once(store, provider, clock)
    seeded = _seed_contacts(emulator, store, 40, clock.now())
    clock.advance(timedelta(minutes=15))
    run_once(store, provider, clock)
    clock.advance(timedelta(days=3))
    for n in range(600):  # three days of newsletters while the app was closed
        emulator.deliver(mail(f"news{n}@list.test", ME, "Deals", "x", message_id=f"<f{n}@l>",
                              when=clock.now()))  # fmt: skip
    contact_id, address, _ = seeded[7]
    emulator.deliver(mail(address, ME, "Next week?", "Let's talk Tuesday.",
                          message_id="<fresh@p>", when=clock.now()))  # fmt: skip
    emulator.deliver(mail(f"colleague@{address.split('@')[1]}", ME, "FYI", "cc'd",
                          message_id="<cc@p>", when=clock.now(),
                          extra={"Cc": address}))  # fmt: skip
    emulator.expire_history()
    emulator.reset_counters()

    result = run_once(store, provider, clock)

    print("\nflooded stale-history recovery:", dict(emulator.calls), "units", emulator.total_units)
    assert result.reset
    assert _stage(store, contact_id) is Stage.REPLIED
    # the 600 newsletters are never fetched: only the two messages that name a contact
    assert emulator.calls["gmail.users.messages.get"] <= 2 * 2
    assert emulator.total_units < 600 * 20 / 10
