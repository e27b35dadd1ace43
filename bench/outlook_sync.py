"""Outlook sync cost with many tracked contacts: Coffeechat's delta-query pass against polling
every tracked conversation, on the same local Graph emulator in the same run; and a day of other
clients reading, flagging and categorising the tracked mail (message fetches: aim 0).

Both go through the real msal sign-in and HTTPS to the emulator. Counted per pass: Graph requests.

    python bench/outlook_sync.py [--contacts 500] [--new 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import requests  # noqa: E402

from desktop.domain.clock import ManualClock  # noqa: E402
from desktop.domain.model import Contact  # noqa: E402
from desktop.storage import Store  # noqa: E402
from desktop.sync import run_once  # noqa: E402
from mail.auth.microsoft import MicrosoftAuth  # noqa: E402
from mail.auth.tokens import TokenStore  # noqa: E402
from mail.outlook import OutlookProvider  # noqa: E402
from mail.provider import AccountKind  # noqa: E402
from tests.helpers.gmail_emulator import SimClock  # noqa: E402
from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator, make_certificate  # noqa: E402
from tests.helpers.memory_keyring import MemoryKeyring  # noqa: E402

ME = "me@outlook.test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--new", type=int, default=20)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory(prefix="coffeechat-bench-") as tmp:
        (Path(tmp) / "tls").mkdir()
        cert, key = make_certificate(Path(tmp) / "tls")
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        session.verify = str(cert)
        sim, clock = SimClock(), ManualClock(T0)
        with GraphEmulator(ME, cert, key, clock=sim.now, wall=clock.now) as emu:
            options: dict[str, Any] = {
                "authority": emu.authority, "instance_discovery": False, "http_client": session,
            }  # fmt: skip
            MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **options).sign_in_device(lambda _: None)
            store = Store.open(Path(tmp) / "profile")
            account = store.accounts.add(AccountKind.OUTLOOK, ME)
            for n in range(args.contacts):
                store.contacts.add(Contact(None, f"Person {n}", (f"p{n}@example.org",)))
            provider = OutlookProvider.from_keyring(
                account, TokenStore(), auth_options=options, base_url=emu.graph,
                session=session, clock=sim.now, sleep=sim.sleep, now=clock.now,
            )  # fmt: skip
            run_once(store, provider, clock)  # the baseline
            for n in range(args.contacts):
                emu.deliver(
                    f"p{n}@example.org",
                    "Re: a 15-minute call?",
                    "Happy to talk!",
                    when=T0 + timedelta(seconds=n),
                    message_id=f"<m{n}@example.org>",
                )
            run_once(store, provider, clock)  # every contact's conversation is now tracked
            conversations = sorted(store.messages.tracked_threads(account.id))

            emu.reset_counts()
            run_once(store, provider, clock)
            idle = emu.count()

            for n in range(args.new):
                emu.deliver(
                    f"p{n}@example.org",
                    "Re: a 15-minute call?",
                    "Tuesday works.",
                    when=T0 + timedelta(hours=1, seconds=n),
                    message_id=f"<r{n}@example.org>",
                    in_reply_to=f"<m{n}@example.org>",
                )
            emu.reset_counts()
            run_once(store, provider, clock)
            busy = emu.count()

            # A day of other clients: the phone reads every tracked message, the web app flags
            # and categorises half of them; Coffeechat flags 20 conversations itself.
            inbox = [m for m in emu.messages.values() if m.folder == "inbox"]
            for n, msg in enumerate(inbox):
                emu.other_client(msg.id, read=True)
                if n % 2:
                    emu.other_client(msg.id, flag="flagged", categories=["Networking"])
            for msg in inbox[:20]:
                provider.set_thread_flag(msg.conversation_id, "Reply due", True)
            emu.reset_counts()
            emu.message_gets = 0
            clock.advance(timedelta(hours=8))
            day_result = run_once(store, provider, clock)
            flag_day, flag_fetches = emu.count(), emu.message_gets
            assert day_result.events == 0, day_result

            emu.reset_counts()
            headers = {"Authorization": f"Bearer {provider.auth.access_token()}"}
            found = 0
            for conversation in conversations:
                answer = session.get(
                    f"{emu.graph}/me/messages",
                    params={"$filter": f"conversationId eq '{conversation}'"},
                    headers=headers, timeout=30,
                )  # fmt: skip
                answer.raise_for_status()
                found += len(answer.json()["value"])
            naive = emu.count()
            store.close()
    print(f"{args.contacts} tracked contacts, {len(conversations)} conversations")
    print(f"idle pass (delta on inbox + sent items):      {idle:5d} requests")
    print(f"pass with {args.new} new relevant messages:          {busy:5d} requests")
    print(
        f"naive: one request per tracked conversation:  {naive:5d} requests "
        f"({found} messages read to find {args.new} new ones)"
    )
    print(
        f"naive / idle: {naive / max(idle, 1):,.0f}x the requests; naive / busy: "
        f"{naive / max(busy, 1):,.1f}x"
    )
    print(
        f"a day of other clients' read/flag/category changes on {len(conversations)} tracked "
        f"threads: {flag_fetches} message fetches, {flag_day} requests (aim 0 fetches): "
        f"{'yes' if flag_fetches == 0 else 'no'}"
    )
    print(f"idle pass = 2 requests: {'yes' if idle == 2 else 'no'}")


if __name__ == "__main__":
    main()
