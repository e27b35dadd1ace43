"""Start-up benchmark: a profile with 10,000 contacts and 100,000 messages.

Prints the time from process start to the first painted main window, beside an empty PySide6
main window measured in the same run (the two alternate, so both meet the same machine load),
and their ratio; the longest the window could not answer until the first sync round was
applied; the time to filter the contacts table per keystroke (median and p95), typed once that
round is in; the peak RSS. Figures only: nothing here passes or fails. Aims: ratio <= 2.5,
p95 <= 16 ms.

    python bench/startup.py [--contacts N] [--messages N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop import settings  # noqa: E402
from desktop.domain.model import Contact, ContactState, Stage  # noqa: E402
from desktop.storage import Store  # noqa: E402
from mail.provider import AccountKind, Folder, MailMessage, MessageRef  # noqa: E402

FIRST = [
    "Maya",
    "Jonas",
    "Alex",
    "Daniel",
    "Lena",
    "Erin",
    "Priya",
    "Tomás",
    "Chloé",
    "Wei",
    "Fatima",
    "Kenji",
    "Olga",
    "Samuel",
    "Aisha",
    "Marco",
    "Ingrid",
    "Ravi",
    "Zoe",
    "Noah",
]
LAST = [
    "Chen",
    "Weber",
    "Moreau",
    "Okafor",
    "Svensson",
    "Park",
    "Nair",
    "Ortega",
    "Dubois",
    "Zhang",
    "Haddad",
    "Sato",
    "Ivanova",
    "Mensah",
    "Khan",
    "Rossi",
    "Larsen",
    "Iyer",
]
COMPANIES = [
    "Lumen Analytics",
    "Kraftwerk Labs",
    "Northwind Health",
    "Fjord Studio",
    "BrightPath Learning",
    "Solara Energy",
    "Oldcorp Systems",
    "Acme Robotics",
]
ROLES = ["Data Scientist", "Product Manager", "UX Researcher", "Engineering Manager",
         "Designer", "Analyst", "Consultant", "Director of Operations"]  # fmt: skip


def build_profile(root: Path, contacts: int, messages: int) -> None:
    rnd = random.Random(7)
    store = Store.open(root)
    account = store.accounts.add(AccountKind.DEMO, "bench@demo.example", "Bench")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    stages = list(Stage)
    ids: list[int] = []
    with store.transaction():
        for n in range(contacts):
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            stage = rnd.choice(stages)
            at = now - timedelta(days=rnd.randint(0, 60))
            state = ContactState(
                stage=stage,
                requested_at=at,
                last_nudge_at=at,
                replied_at=at if stage is Stage.REPLIED else None,
                last_exchange_at=at,
            )
            stored = store.contacts.add(
                Contact(
                    None,
                    name,
                    (f"person{n}@example.org",),
                    rnd.choice(COMPANIES),
                    rnd.choice(ROLES),
                    "Europe/Berlin",
                    "bench",
                ),
                state,
            )
            assert stored.id is not None
            ids.append(stored.id)
        for n in range(messages):
            contact = ids[n % len(ids)]
            when = now - timedelta(minutes=n)
            msg = MailMessage(
                ref=MessageRef(f"m{n}", f"t{contact}", Folder.INBOX),
                message_id=f"<m{n}@example.org>",
                subject=f"Re: a 15-minute chat ({n})",
                sender=f"person{contact - 1}@example.org",
                sender_name="",
                to=("bench@demo.example",),
                cc=(),
                date=when,
                headers=(),
                text="Thanks for reaching out! " * 8,
            )
            store.messages.save(account.id, msg, kind="human", evidence="bench", contact_id=contact)
    store.close()
    # A profile in use: the first-run welcome has been answered.
    settings.save(root / "settings.json", settings.Settings(user_name="Bench", welcome_done=True))


def probe(profile: Path, script: str = "window_probe.py") -> dict[str, Any]:
    started = time.time()
    env = {**os.environ, "COFFEECHAT_PROFILE": str(profile)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # As an installed copy runs: with compiled bytecode (kept beside the profile, not in the
    # source tree), even where the environment asks Python not to write it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(profile.parent / "pycache")
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), repr(started)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest value with ``pct`` % of the values at or
    below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coffeechat-bench-") as tmp:
        profile = Path(tmp) / "profile"
        t = time.perf_counter()
        build_profile(profile, args.contacts, args.messages)
        print(
            f"profile: {args.contacts} contacts, {args.messages} messages, built in "
            f"{time.perf_counter() - t:.1f} s; database "
            f"{(profile / 'coffeechat.sqlite3').stat().st_size / 1e6:.0f} MB"
        )
        probe(profile)  # warm the disk cache and Python's bytecode once, counted in neither
        runs, empty = [], []
        for _ in range(args.runs):
            empty.append(probe(profile, "empty_window_probe.py")["first_paint_s"])
            runs.append(probe(profile))
    first = [r["first_paint_s"] for r in runs]
    keys = [k for r in runs for k in r["keystroke_ms"]]
    rss = max(r["peak_rss_mb"] for r in runs)
    ours, base = statistics.median(first), statistics.median(empty)
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM', 'offscreen')}, {args.runs} runs each")
    print(
        f"empty PySide6 window: median {base:.3f} s (runs: {', '.join(f'{v:.2f}' for v in empty)})"
    )
    print(
        f"Coffeechat first painted window: median {ours:.3f} s "
        f"(runs: {', '.join(f'{v:.2f}' for v in first)})"
    )
    print(f"ratio Coffeechat / empty window: {ours / base:.2f} (aim <= 2.5)")
    shown = [r["data_shown_s"] for r in runs]
    print(
        f"Coffeechat window with its {args.contacts} contacts shown: median "
        f"{statistics.median(shown):.3f} s, ratio {statistics.median(shown) / base:.2f}"
    )
    rounds = [r["round_applied_s"] for r in runs if r.get("round_applied_s") is not None]
    freezes = [r["longest_freeze_ms"] for r in runs]
    if rounds:
        print(f"first sync round applied: median {statistics.median(rounds):.3f} s")
    print(
        "longest GUI-thread freeze from the first paint to the first round applied: median "
        f"{statistics.median(freezes):.0f} ms, max {max(freezes):.0f} ms"
    )
    print(
        f"filter per keystroke: median {statistics.median(keys):.1f} ms, "
        f"p95 {percentile(keys, 95):.1f} ms, max {max(keys):.1f} ms "
        f"over {len(keys)} keystrokes (aim p95 <= 16 ms)"
    )
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
