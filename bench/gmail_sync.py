"""Gmail sync cost with many tracked contacts: Coffeechat's history-based pass against the naive
strategy (one ``threads.get`` per tracked thread), on the same local emulator in the same run,
and the recovery from a stale history id (404) with nothing new.

Both go through the real google-api-python-client. Counted per pass: API calls, HTTP round trips
(a batch is one) and quota units (new-project prices: history.list 2, messages.get 20,
threads.get 40). The naive strategy is given batches of 50 too, to be fair on round trips.

    python bench/gmail_sync.py [--contacts 500] [--new 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from googleapiclient.http import BatchHttpRequest  # noqa: E402

from desktop.domain.clock import ManualClock  # noqa: E402
from desktop.domain.model import Contact  # noqa: E402
from desktop.storage import Store  # noqa: E402
from desktop.sync import run_once  # noqa: E402
from mail.gmail import GmailProvider  # noqa: E402
from mail.provider import AccountKind  # noqa: E402
from tests.helpers.gmail_emulator import (  # noqa: E402
    GmailEmulator,
    SimClock,
    endpoints_for,
    grant_for,
    mail,
)

ME = "me@example.test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _snapshot(emu: GmailEmulator) -> dict[str, int]:
    return {"calls": emu.total_calls, "http": emu.http_requests, "units": emu.total_units}


def _naive_pass(emu: GmailEmulator, provider: GmailProvider, threads: list[str]) -> None:
    """One threads.get (metadata) per tracked thread, 50 per batch."""
    session = provider._session()
    for start in range(0, len(threads), 50):
        batch = BatchHttpRequest(batch_uri=endpoints_for(emu).batch_uri)
        for thread_id in threads[start : start + 50]:
            batch.add(
                session.gmail.users()
                .threads()
                .get(userId="me", id=thread_id, format="metadata", metadataHeaders=["From"]),
                request_id=thread_id,
            )
        batch.execute(http=session.http)


def run(contacts: int, new: int) -> dict[str, Any]:
    sim = SimClock()
    with GmailEmulator(ME, clock=sim.now) as emu, tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "profile")
        account = store.accounts.add(AccountKind.GMAIL, ME)
        clock = ManualClock(T0)
        emu.wall = clock.now
        grant = grant_for(emu)
        provider = GmailProvider(
            account,
            lambda: grant,
            endpoints=endpoints_for(emu),
            clock=sim.now,
            sleep=sim.sleep,
            now=clock.now,
        )
        run_once(store, provider, clock)  # baseline
        requests = []
        for n in range(contacts):
            address = f"contact{n:04d}@people.test"
            store.contacts.add(Contact(None, f"Contact {n}", (address,)))
            message_id = f"<req{n:04d}@example.test>"
            raw = mail(ME, address, f"Chat {n}?", "Hello!", message_id=message_id, when=T0)
            emu.deliver(raw, labels=("SENT",))
            requests.append((n, address, message_id))
        clock.advance(timedelta(minutes=1))
        run_once(store, provider, clock)
        threads = sorted(store.messages.tracked_threads(account.id))

        emu.reset_counters()
        clock.advance(timedelta(minutes=1))
        run_once(store, provider, clock)
        idle = _snapshot(emu)

        in_thread = new - new // 5
        for n, address, message_id in requests[:in_thread]:
            emu.deliver(
                mail(address, ME, f"Re: Chat {n}?", "Happy to talk!", message_id=f"<r{n}@p>",
                     when=T0 + timedelta(hours=1), in_reply_to=message_id)
            )  # fmt: skip
        for n, address, _ in requests[in_thread:new]:
            emu.deliver(
                mail(address, ME, "Coffee", "Sure, next week?", message_id=f"<c{n}@p>",
                     when=T0 + timedelta(hours=1))
            )  # fmt: skip
        emu.reset_counters()
        clock.advance(timedelta(hours=2))
        result = run_once(store, provider, clock)
        busy = _snapshot(emu)
        assert result.relevant == new, result

        # The history id expires (a week without the app, or fewer hours on a busy mailbox):
        # nothing new arrived, only another client read a message.
        clock.advance(timedelta(days=3))
        emu.mark_read(emu.order[0])
        emu.expire_history()
        emu.reset_counters()
        stale_result = run_once(store, provider, clock)
        stale = _snapshot(emu)
        assert stale_result.reset and stale_result.relevant == 0, stale_result

        emu.reset_counters()
        # Lift the quota so the naive pass can be counted in full (at 6,000 units/min Gmail
        # would refuse most of it with 429s).
        emu.quota_per_minute = 10**9
        _naive_pass(emu, provider, threads)
        naive = _snapshot(emu)
        provider.close()
        store.close()
    return {
        "contacts": contacts, "new": new, "idle": idle, "busy": busy, "stale": stale,
        "naive": naive,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.contacts, args.new)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    idle, busy, naive = figures["idle"], figures["busy"], figures["naive"]
    stale = figures["stale"]
    print(f"Gmail sync with {figures['contacts']} tracked contacts (emulator, real client)\n")
    print(f"{'pass':<38}{'API calls':>10}{'HTTP':>7}{'units':>8}")
    rows = [
        ("idle (history.list)", idle),
        (f"{figures['new']} new relevant messages", busy),
        ("stale history id (404), nothing new", stale),
        ("naive: threads.get per tracked thread", naive),
    ]
    for label, row in rows:
        print(f"{label:<38}{row['calls']:>10}{row['http']:>7}{row['units']:>8}")
    print()
    print(
        f"naive / idle:  {naive['units'] / max(idle['units'], 1):,.0f}x the quota units, "
        f"{naive['calls'] / max(idle['calls'], 1):,.0f}x the API calls, "
        f"{naive['http'] / max(idle['http'], 1):,.0f}x the round trips"
    )
    print(
        f"naive / busy:  {naive['units'] / max(busy['units'], 1):,.1f}x the quota units, "
        f"{naive['calls'] / max(busy['calls'], 1):,.1f}x the API calls, "
        f"{naive['http'] / max(busy['http'], 1):,.1f}x the round trips"
    )
    print(
        f"the naive pass alone costs {naive['units'] / 6000:.1f} minutes of the per-user quota "
        "(6,000 units/min) - and still misses replies in new threads"
    )
    ok = idle["calls"] == 1 and idle["units"] == 2
    print("\nidle pass = 1 request, 2 units:", "yes" if ok else "NO")
    recovered = stale["http"] <= 5
    print(
        f"stale-id recovery with {figures['contacts']} tracked threads: {stale['http']} requests, "
        f"{stale['units']} units (aim <= 5 requests):",
        "yes" if recovered else "NO",
    )
    ok = ok and recovered
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
