"""IMAP on a real Dovecot: what an idle pass costs with many tracked contacts, what a pass with
new mail costs, how long a reply takes from delivery to the pipeline with IDLE, and the IMAP
commands of an idle hour with IDLE working against the same hour polled (simulated clock: the
app's timer every minute, the Sent folder's schedule, IDLE re-issued every 25 minutes).

Needs Dovecot (scripts/system-deps.sh test). Prints figures; asserts nothing.

    python bench/imap_sync.py [--contacts 300] [--replies 5] [--idle-rounds 5]
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from desktop import outbox  # noqa: E402
from desktop.domain.clock import ManualClock  # noqa: E402
from desktop.domain.model import Contact, Stage  # noqa: E402
from desktop.jobs import polled_accounts, sync_round  # noqa: E402
from desktop.storage import Store  # noqa: E402
from desktop.sync import run_once  # noqa: E402
from desktop.tasks import Tasks  # noqa: E402
from mail.imap import (  # noqa: E402
    IDLE_REISSUE_S,
    ImapProvider,
    ImapSettings,
    InboxWatcher,
    Security,
)
from mail.provider import AccountKind, OutgoingMessage  # noqa: E402
from tests.helpers.dovecot import mail_servers  # noqa: E402
from tests.helpers.memory_keyring import MemoryKeyring  # noqa: E402

ME, PASSWORD = "sam@mail.test", "bench-pass"


def _reply(to_id: str, sender: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ME, "Re: Coffee chat?"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<bench-{n}-{time.monotonic_ns()}@contact.test>"
    msg["In-Reply-To"] = msg["References"] = to_id
    msg.set_content("Happy to talk, Tuesday works.\n")
    return msg.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--replies", type=int, default=5)
    parser.add_argument("--idle-rounds", type=int, default=5)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with mail_servers(users={ME: PASSWORD}) as (d, s), tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        account = store.accounts.add(AccountKind.IMAP, ME)
        settings = ImapSettings(
            host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
            smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
            ca_file=str(d.cert),
        )  # fmt: skip
        # What concerns a contact comes with each pass: desktop.sync passes its filter.
        clock = ManualClock(datetime.now(UTC))
        provider = ImapProvider(account, settings, lambda: PASSWORD, now=clock.now)
        run_once(store, provider, clock)
        sent = {}
        started = time.perf_counter()
        for i in range(args.contacts):
            address = f"c{i:04d}@contact.test"
            contact = store.contacts.add(Contact(None, f"Contact {i}", (address,)))
            assert contact.id is not None
            msg = OutgoingMessage((address,), "Coffee chat?", "Hello!\n", outbox.new_key())
            sent[contact.id] = (address, outbox.send(
                store, provider, msg, contact_id=contact.id, purpose="request", now=clock.now()
            ))  # fmt: skip
        print(f"sent {args.contacts} requests (draft + SMTP + Sent copy) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        run_once(store, provider, clock)
        provider.commands = 0
        started = time.perf_counter()
        idle = run_once(store, provider, clock)
        took = 1000 * (time.perf_counter() - started)
        print(f"idle pass with {args.contacts} tracked contacts: {provider.commands} IMAP "
              f"commands, {took:.1f} ms, {idle.seen} seen")  # fmt: skip
        for n, (address, ref) in enumerate(list(sent.values())[: args.replies]):
            with smtplib.SMTP("127.0.0.1", s.port) as smtp:
                smtp.sendmail(address, [ME], _reply(ref.message_id, address, n))
        provider.commands = 0
        busy = run_once(store, provider, clock)
        print(f"pass with {args.replies} replies: {provider.commands} IMAP commands, "
              f"{busy.relevant} relevant, {busy.events} events")  # fmt: skip

        # IDLE: delivery -> announcement -> a sync pass that applies the reply.
        tasks = Tasks()
        arrived = threading.Event()
        ready = threading.Event()

        def on_state(state: str, _message: str) -> None:
            if state == "watching":
                ready.set()

        watcher = provider.watcher(arrived.set, on_state)
        handle = tasks.start_service("bench-idle", watcher)
        ready.wait(10)
        arrived.wait(2)  # the announcement made after connecting
        latencies = []
        pending = [v for v in sent.values()][args.replies : args.replies + args.idle_rounds]
        for n, (address, ref) in enumerate(pending):
            arrived.clear()
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", s.port) as smtp:
                smtp.sendmail(address, [ME], _reply(ref.message_id, address, 100 + n))
            if not arrived.wait(10):
                print("IDLE announcement missing")
                continue
            applied = run_once(store, provider, clock)
            latencies.append(time.perf_counter() - started)
            assert applied.events >= 1
        if latencies:
            print(f"IDLE: delivery to reply applied, median {1000 * median(latencies):.0f} ms, "
                  f"max {1000 * max(latencies):.0f} ms over {len(latencies)} replies")  # fmt: skip

        # An idle hour, simulated: the kept connection's quiet-minute check on the same clock.
        provider.monotonic = lambda: clock.now().timestamp()
        if arrived.is_set():
            run_once(store, provider, clock)
        pushed = _hour(store, provider, clock, watcher, arrived)
        print(
            f"idle hour with IDLE working: {pushed[0]} IMAP commands in {pushed[1]} Sent looks"
            f" (every {provider.push.sent_every.total_seconds() / 60:.0f} min), "
            f"{pushed[2]} IDLE re-issues; {pushed[3]} timer rounds reached the account"
        )
        tasks.stop_service(handle)
        tasks.shutdown()
        polled = _hour(store, provider, clock, None, arrived)
        print(f"idle hour polled (no IDLE, a round a minute): {polled[0]} IMAP commands, "
              f"{polled[3]} timer rounds reached the account")  # fmt: skip
        replied = sum(1 for r in store.contacts.all() if r.state.stage is Stage.REPLIED)
        print(f"contacts replied: {replied}")
        provider.close()
        store.close()


def _hour(
    store: Store,
    provider: ImapProvider,
    clock: ManualClock,
    watcher: InboxWatcher | None,
    arrived: threading.Event,
) -> tuple[int, int, int, int]:
    """Sixty minutes of the app's timer: (IMAP commands, Sent looks, IDLE re-issues, rounds that
    reached the account). With ``watcher``, IDLE is re-issued on its schedule."""
    providers = (provider,)
    provider.commands = 0
    idles, looks, rounds = (watcher.idles if watcher else 0), 0, 0
    since_reissue = 0.0
    for _ in range(60):
        clock.advance(timedelta(minutes=1))
        since_reissue += 60
        if watcher is not None and since_reissue >= IDLE_REISSUE_S:
            since_reissue = 0.0
            before = watcher.idles
            watcher.reissue()
            deadline = time.monotonic() + 10
            while watcher.idles == before and time.monotonic() < deadline:
                time.sleep(0.01)  # the watcher's thread issues it
        if arrived.is_set():  # an announcement: that account only
            arrived.clear()
            sync_round(store, providers, clock, only={provider.account.id})
        only = polled_accounts(providers)
        before_commands = provider.commands
        round_ = sync_round(store, providers, clock, only=only)
        rounds += len(round_.outcomes)
        looks += provider.commands > before_commands and watcher is not None
    reissues = (watcher.idles - idles) if watcher else 0
    return provider.commands, looks, reissues, rounds


if __name__ == "__main__":
    main()
