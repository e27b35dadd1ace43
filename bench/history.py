"""The history pass at size: 500 contacts and twelve months of generated mail (the test suite's
generator), on the Gmail emulator, the Graph emulator and a real Dovecot. Prints, per provider,
the requests (HTTP round trips, or IMAP commands), Gmail's quota units and its busiest minute
against the per-user quota, and the time (wall clock; the emulators' simulated seconds spent
waiting on quotas). Asserts nothing.

    python bench/history.py [--contacts 500] [--only gmail,graph,imap]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import requests  # noqa: E402

from desktop.domain.clock import ManualClock  # noqa: E402
from desktop.domain.model import Contact  # noqa: E402
from desktop.history import run_pass  # noqa: E402
from desktop.storage import Store  # noqa: E402
from mail.gmail import GmailProvider  # noqa: E402
from mail.gmail.ratelimit import QUOTA_PER_USER_MINUTE  # noqa: E402
from mail.provider import AccountKind, MailProvider  # noqa: E402
from tests.helpers.gmail_emulator import (  # noqa: E402
    GmailEmulator,
    SimClock,
    endpoints_for,
    grant_for,
)
from tests.helpers.history_mailbox import Person, all_mail, generate  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _pass(store: Store, provider: MailProvider, people: list[Person]) -> tuple[float, int, int]:
    for p in people:
        store.contacts.add(Contact(None, p.name, (p.address,)))
    started = time.perf_counter()
    run = run_pass(store, provider, ManualClock(NOW))
    return time.perf_counter() - started, run.contacts_done, run.messages_read


def _line(name: str, figures: dict[str, object]) -> None:
    print(f"{name:6} " + "  ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def bench_gmail(count: int, folder: Path) -> None:
    sim = SimClock()
    people = generate(count, NOW, me="me@example.test")
    with GmailEmulator("me@example.test", clock=sim.now) as emu:
        for mail in all_mail(people):
            emu.deliver_dated(mail.raw, ("SENT",) if mail.folder == "sent" else ("INBOX",))
        store = Store.open(folder / "gmail")
        account = store.accounts.add(AccountKind.GMAIL, "me@example.test")
        grant = grant_for(emu)
        provider = GmailProvider(
            account, lambda: grant, endpoints=endpoints_for(emu),
            clock=sim.now, sleep=sim.sleep, now=lambda: NOW,
        )  # fmt: skip
        emu.reset_counters()
        waited = sim.now()
        seconds, contacts, read = _pass(store, provider, people)
        _line("gmail", {
            "contacts": contacts, "messages_in_mailbox": len(all_mail(people)),
            "messages_read": read, "http_requests": emu.http_requests,
            "api_calls": emu.total_calls,
            "messages.list": emu.calls["gmail.users.messages.list"],
            "quota_units": emu.total_units,
            "busiest_minute_units": emu.max_units_per_minute(),
            "per_user_quota_per_minute": QUOTA_PER_USER_MINUTE,
            "within_quota": emu.max_units_per_minute() <= QUOTA_PER_USER_MINUTE
            and emu.quota_rejections == 0,
            "wall_s": f"{seconds:.2f}", "simulated_wait_s": f"{sim.now() - waited:.1f}",
        })  # fmt: skip
        provider.close()
        store.close()


def bench_graph(count: int, folder: Path) -> None:
    from mail.auth.microsoft import MicrosoftAuth
    from mail.auth.tokens import TokenStore
    from mail.outlook import OutlookProvider
    from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator, make_certificate
    from tests.helpers.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    sim = SimClock()
    cert, key = make_certificate(folder)
    people = generate(count, NOW, me="me@outlook.test")
    with GraphEmulator("me@outlook.test", cert, key, clock=sim.now, wall=lambda: NOW) as emu:
        for mail in all_mail(people):
            emu.deliver_raw(mail.raw, "sentitems" if mail.folder == "sent" else "inbox")
        session = requests.Session()
        session.trust_env = False
        session.verify = str(cert)
        options: dict[str, object] = {
            "authority": emu.authority, "instance_discovery": False, "http_client": session,
        }  # fmt: skip
        MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **options).sign_in_device(  # type: ignore[arg-type]
            lambda _: None
        )
        store = Store.open(folder / "graph")
        account = store.accounts.add(AccountKind.OUTLOOK, "me@outlook.test")
        provider = OutlookProvider.from_keyring(
            account, TokenStore(), auth_options=options, base_url=emu.graph, session=session,
            clock=sim.now, sleep=sim.sleep, now=lambda: NOW,
        )  # fmt: skip
        emu.reset_counts()
        seconds, contacts, read = _pass(store, provider, people)
        _line("graph", {
            "contacts": contacts, "messages_in_mailbox": len(all_mail(people)),
            "messages_read": read, "http_requests": emu.count(),
            "searches": emu.count("$search"), "thread_filters": emu.count("$filter=conversationId"),
            "batch_calls": emu.count("$batch"), "batched_requests": emu.batched,
            "single_message_gets": sum(
                m == "GET" and p.startswith("/v1.0/me/messages/") for m, p in emu.requests
            ),
            "wall_s": f"{seconds:.2f}",
        })  # fmt: skip
        provider.close()
        session.close()
        store.close()


def bench_imap(count: int, folder: Path) -> None:
    from mail.auth.tokens import PasswordStore
    from mail.imap import ImapProvider, ImapSettings, Security
    from tests.helpers.dovecot import mail_servers
    from tests.helpers.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    me, password = "sam@mail.test", "app-pass-1"
    people = generate(count, NOW, me=me)
    with mail_servers(users={me: password}) as (d, s):
        for mail in all_mail(people):
            sub = "Sent" if mail.folder == "sent" else ""
            key = d.deliver(me, mail.raw, sub)
            path = Path(d.maildir(me, sub)._path) / "new" / key
            os.utime(path, (mail.when.timestamp(), mail.when.timestamp()))
        store = Store.open(folder / "imap")
        account = store.accounts.add(AccountKind.IMAP, me)
        PasswordStore().save(me, password)
        settings = ImapSettings(
            host="127.0.0.1", username=me, port=d.port, security=Security.STARTTLS,
            smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
            ca_file=str(d.cert), timeout=30,
        )  # fmt: skip
        provider = ImapProvider.from_keyring(account, settings, now=lambda: NOW)
        seconds, contacts, read = _pass(store, provider, people)
        _line("imap", {
            "contacts": contacts, "messages_in_mailbox": len(all_mail(people)),
            "messages_read": read, "imap_commands": provider.commands,
            "wall_s": f"{seconds:.2f}",
        })  # fmt: skip
        provider.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--only", default="gmail,graph,imap")
    args = parser.parse_args()
    runs: dict[str, Callable[[int, Path], None]] = {
        "gmail": bench_gmail, "graph": bench_graph, "imap": bench_imap,
    }  # fmt: skip
    print(f"history pass: {args.contacts} contacts, twelve months of mail", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            folder = Path(tmp) / name
            folder.mkdir(parents=True)
            runs[name](args.contacts, folder)


if __name__ == "__main__":
    main()
