"""The history pass on the Gmail and Graph emulators (the real google-api-python-client and
requests): a generated mailbox of 210 contacts' past, the pass interrupted in the middle, live
sync taking its baseline meanwhile, and a resume; every contact in the expected stage, no event
twice, Gmail within its per-user quota. Time is simulated: nothing waits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact
from desktop.history import run_pass
from desktop.storage import Store
from desktop.sync import run_once
from mail.auth.tokens import TokenStore
from mail.gmail import GmailProvider
from mail.gmail.ratelimit import QUOTA_PER_USER_MINUTE
from mail.outlook import OutlookProvider
from mail.provider import AccountKind, MailProvider
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for
from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator
from tests.helpers.history_mailbox import Person, all_mail, check_history, generate, scenario_table
from tests.helpers.memory_keyring import MemoryKeyring

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
COUNT = 210


def _keys(store: Store) -> list[str]:
    rows = store.database.connection.execute("SELECT contact_id, key FROM events").fetchall()
    return [f"{c}:{k}" for c, k in rows]


def _add_contacts(store: Store, people: list[Person]) -> None:
    for p in people:
        store.contacts.add(Contact(None, p.name, (p.address,)))


def _interrupted_then_resumed(
    store: Store, provider: MailProvider, people: list[Person], throttle: Callable[[], None]
) -> None:
    clock = ManualClock(NOW)
    asked = iter([False] * 4)
    first = run_pass(store, provider, clock, cancelled=lambda: next(asked, True))
    assert first.state == "cancelled" and 0 < first.contacts_done < COUNT
    # Live sync meanwhile: its first pass is the baseline (the mail there is the pass's).
    run_once(store, provider, clock)
    throttle()  # the service asks to slow down: the pass waits (simulated time) and goes on
    done = run_pass(store, provider, clock)
    assert (done.state, done.contacts_done, done.contacts_total) == ("done", COUNT, COUNT)
    print("\n" + scenario_table(store, people))
    check_history(store, people, NOW)
    keys = _keys(store)
    assert len(keys) == len(set(keys))
    # Run twice: nothing new.
    assert run_pass(store, provider, clock).messages_read == done.messages_read
    assert _keys(store) == keys


@pytest.fixture
def people() -> list[Person]:
    return generate(COUNT, NOW, me="me@example.test")


def test_history_on_the_gmail_emulator_interrupted_and_resumed(
    tmp_path: Path, gmail: GmailEmulator, sim: SimClock, people: list[Person]
) -> None:
    for mail in all_mail(people):
        gmail.deliver_dated(mail.raw, ("SENT",) if mail.folder == "sent" else ("INBOX",))
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.GMAIL, "me@example.test")
    grant = grant_for(gmail)
    provider = GmailProvider(
        account, lambda: grant, endpoints=endpoints_for(gmail),
        clock=sim.now, sleep=sim.sleep, now=lambda: NOW,
    )  # fmt: skip
    _add_contacts(store, people)
    gmail.reset_counters()
    _interrupted_then_resumed(
        store, provider, people, lambda: gmail.fail_next("429", 2, retry_after=20)
    )
    # One search per batch of 25 contacts (and its threads), never one per contact.
    assert gmail.calls["gmail.users.messages.list"] <= 2 * (COUNT // 25 + 1)
    assert gmail.quota_rejections == 0
    assert gmail.max_units_per_minute() <= QUOTA_PER_USER_MINUTE
    provider.close()
    store.close()


@pytest.fixture
def graph(
    certificate: tuple[Path, Path], sim: SimClock, memory_keyring: MemoryKeyring
) -> Iterator[GraphEmulator]:
    cert, key = certificate
    with GraphEmulator("me@outlook.test", cert, key, clock=sim.now, wall=lambda: NOW) as emu:
        yield emu


def test_history_on_the_graph_emulator_interrupted_and_resumed(
    tmp_path: Path,
    graph: GraphEmulator,
    sim: SimClock,
    certificate: tuple[Path, Path],
) -> None:
    from mail.auth.microsoft import MicrosoftAuth

    people = generate(COUNT, NOW, me="me@outlook.test")
    for mail in all_mail(people):
        graph.deliver_raw(mail.raw, "sentitems" if mail.folder == "sent" else "inbox")
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate[0])
    options = {"authority": graph.authority, "instance_discovery": False, "http_client": session}
    MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **options).sign_in_device(lambda _: None)
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.OUTLOOK, "me@outlook.test", "Sam Rivera")
    provider = OutlookProvider.from_keyring(
        account, TokenStore(), auth_options=options, base_url=graph.graph, session=session,
        clock=sim.now, sleep=sim.sleep, now=lambda: NOW,
    )  # fmt: skip
    _add_contacts(store, people)
    graph.reset_counts()

    def throttle() -> None:
        graph.fail_next(429, retry_after=20, times=2)  # whole requests
        graph.throttle_batched(3, retry_after=20)  # single requests inside a $batch

    _interrupted_then_resumed(store, provider, people, throttle)
    assert graph.violations == []  # nothing was sent before Retry-After had passed
    # The full messages came in $batch calls of up to 20, the throttled ones again later:
    # none was read on its own.
    assert graph.batched_throttled == 3
    singles = [p for m, p in graph.requests if m == "GET" and p.startswith("/v1.0/me/messages/")]
    assert singles == []
    assert 0 < graph.count("$batch") <= graph.batched // 20 + 2 * (COUNT // 25 + 1)
    searches = graph.count("$search")
    assert 0 < searches <= 2 * 2 * (COUNT // 25 + 1)  # a few pages per folder and batch
    provider.close()
    session.close()
    store.close()


def test_graph_batch_reads_by_id_in_any_order_and_leaves_a_gone_message_to_a_single_read(
    tmp_path: Path, graph: GraphEmulator, certificate: tuple[Path, Path]
) -> None:
    from mail.auth.microsoft import MicrosoftAuth
    from mail.outlook import history as outlook_history
    from mail.outlook.transport import RefusedError
    from mail.provider import Folder, MessageRef

    people = generate(30, NOW, me="me@outlook.test")
    for mail in all_mail(people):
        graph.deliver_raw(mail.raw, "sentitems" if mail.folder == "sent" else "inbox")
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate[0])
    options = {"authority": graph.authority, "instance_discovery": False, "http_client": session}
    MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **options).sign_in_device(lambda _: None)
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.OUTLOOK, "me@outlook.test")
    provider = OutlookProvider.from_keyring(
        account, TokenStore(), auth_options=options, base_url=graph.graph, session=session,
        now=lambda: NOW,
    )  # fmt: skip
    ids = sorted(graph.messages)[:23]
    refs = [MessageRef(i, "", Folder.INBOX) for i in ids] + [MessageRef("gone", "", Folder.INBOX)]
    graph.reset_counts()
    select = "id,subject,from,toRecipients,receivedDateTime,internetMessageHeaders,body"
    assert outlook_history.read_full(provider, select, refs) == 2  # 20 + 4
    for ref in refs[:-1]:  # each answer landed on its own message, whatever the order
        assert provider.fetch_message(ref).subject == graph.messages[ref.id].subject
    assert graph.count("/v1.0/me/messages/") == 0
    assert provider.fetch_message(refs[-1]).complete is False  # gone: a stub, read on its own
    # Graph's limit: more than 20 requests in one call is refused as a whole.
    too_many = {"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(21)]}
    with pytest.raises(RefusedError):
        provider._post("/$batch", too_many)
    provider.close()
    session.close()
    store.close()
