"""IMAP on a real Dovecot: what an idle pass costs with many tracked contacts, what a pass with
new mail costs, and how long a reply takes from delivery to the pipeline with IDLE.

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
from datetime import UTC, datetime
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
from desktop.storage import Store  # noqa: E402
from desktop.sync import run_once  # noqa: E402
from desktop.tasks import Tasks  # noqa: E402
from mail.imap import ImapProvider, ImapSettings, Security  # noqa: E402
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
        provider = ImapProvider(account, settings, lambda: PASSWORD)
        clock = ManualClock(datetime.now(UTC))
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
        tasks.stop_service(handle)
        tasks.shutdown()
        if latencies:
            print(f"IDLE: delivery to reply applied, median {1000 * median(latencies):.0f} ms, "
                  f"max {1000 * max(latencies):.0f} ms over {len(latencies)} replies")  # fmt: skip
        replied = sum(1 for r in store.contacts.all() if r.state.stage is Stage.REPLIED)
        print(f"contacts replied: {replied}")
        provider.close()
        store.close()


if __name__ == "__main__":
    main()
