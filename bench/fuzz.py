"""The fuzz suite at size (``make fuzz``): mutated real-shaped messages through parse and
classify and through sync passes, mutated contact exports through the import, and every kind of
database damage through Store.open and ``coffeechat status``. Prints the figures: crashes, the
slowest message (and its shape), data lost. No time limit is asserted.

    python bench/fuzz.py [--messages N] [--imports N] [--seeds N] [--sync-passes N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _crash(crashes: Counter[str], where: str, exc: BaseException) -> None:
    crashes[f"{where}: {type(exc).__name__}: {str(exc)[:100]}"] += 1


def warm_up() -> float:
    """Every seed message once, unmutated: the first use of the lazily loaded parts (the date
    parser's tables, compiled patterns) is paid here and printed, not charged to a message."""
    from tests.fuzz import messages

    started = time.perf_counter()
    for _shape, raw in messages.seeds():
        messages.check(raw)
    return time.perf_counter() - started


def run_messages(count: int, crashes: Counter[str]) -> tuple[float, str]:
    from tests.fuzz import messages

    slowest = (0.0, "")
    for number in range(count):
        shape, raw = messages.case(number)
        try:
            outcome = messages.check(raw)
        except Exception as exc:  # counted and printed, the run goes on
            _crash(crashes, f"message case {number} ({shape})", exc)
            continue
        if outcome.seconds > slowest[0]:
            slowest = (outcome.seconds, f"case {number}, a mutated {shape} of {len(raw)} bytes")
    return slowest


def run_sync(root: Path, passes: int, crashes: Counter[str]) -> tuple[int, int, int]:
    from tests.fuzz import syncing

    done = hostile = lost = 0
    try:
        for result in syncing.passes(root, syncing.batches_of(1_000_000, passes, 20)):
            done += 1
            hostile += result.hostile
            lost += result.lost
    except Exception as exc:
        _crash(crashes, f"sync pass {done + 1}", exc)
    return done, hostile, lost


def run_imports(root: Path, count: int, crashes: Counter[str]) -> tuple[Counter[str], int]:
    from desktop.storage import Store
    from tests.fuzz import imports

    outcomes: Counter[str] = Counter()
    lost = 0
    store = Store.open(root / "imports")
    try:
        for number in range(count):
            name, data = imports.case(number)
            path = root / name
            path.write_bytes(data)
            try:
                outcomes[imports.check(store, path).result] += 1
            except AssertionError as exc:  # a partial import: data written half-way
                lost += 1
                _crash(crashes, f"import case {number} ({name})", exc)
            except Exception as exc:
                _crash(crashes, f"import case {number} ({name})", exc)
    finally:
        store.close()
    return outcomes, lost


def run_databases(root: Path, seeds: int, crashes: Counter[str]) -> Counter[str]:
    from desktop.cli import main
    from tests.fuzz import databases

    real = databases.real_profile(root / "real")
    outcomes: Counter[str] = Counter()
    for kind in databases.KINDS:
        for seed in range(seeds):
            profile = databases.damaged_copy(real, root / f"{kind}-{seed}", kind, seed)
            try:
                outcomes[f"{kind} {databases.open_and_read(profile)}"] += 1
            except Exception as exc:
                _crash(crashes, f"Store.open, {kind} seed {seed}", exc)
            profile = databases.damaged_copy(real, root / f"cli-{kind}-{seed}", kind, seed)
            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    status = main(["--profile", str(profile), "status"])
            except Exception as exc:
                _crash(crashes, f"coffeechat status, {kind} seed {seed}", exc)
                continue
            lines = err.getvalue().strip().splitlines()
            if (
                status not in (0, 1)
                or (status == 1 and len(lines) != 1)
                or "Traceback" in err.getvalue()
            ):
                crashes[f"coffeechat status, {kind} seed {seed}: exit {status}, {lines[:3]}"] += 1
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--imports", type=int, default=1_000)
    parser.add_argument("--seeds", type=int, default=50, help="per kind of database damage")
    parser.add_argument("--sync-passes", type=int, default=50, help="of 20 hostile messages")
    args = parser.parse_args(argv)
    crashes: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coffeechat-fuzz-") as tmp:
        root = Path(tmp)
        # The command line writes logs and settings under the XDG folders: keep them in here.
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(root / var.lower())
        os.environ.pop("COFFEECHAT_PROFILE", None)
        first = warm_up()
        slowest = run_messages(args.messages, crashes)
        print(
            f"messages:  {args.messages} parsed and classified (after the seed messages once: "
            f"{first:.2f} s, the first use of lazily loaded parts)",
            flush=True,
        )
        passes, hostile, sync_lost = run_sync(root / "sync", args.sync_passes, crashes)
        print(f"sync:      {passes} passes, {hostile} hostile messages and a genuine reply each")
        import_outcomes, import_lost = run_imports(root, args.imports, crashes)
        print(f"imports:   {args.imports} files ({dict(sorted(import_outcomes.items()))})")
        db_outcomes = run_databases(root / "db", args.seeds, crashes)
        kinds = sorted(
            {k.split()[0] for k in db_outcomes}
            | {
                k.split(", ")[1].split()[0]
                for k in crashes
                if k.startswith(("Store.open", "coffeechat status"))
            }
        )
        print(f"databases: {len(kinds)} kinds of damage x {args.seeds} seeds ({', '.join(kinds)})")
    print()
    print(f"crashes:   {sum(crashes.values())}")
    for what, n in sorted(crashes.items()):
        print(f"  {n} x {what}")
    print(f"slowest message: {slowest[0]:.3f} s ({slowest[1]})")
    print(
        f"data lost: {sync_lost + import_lost} (genuine replies that did not move their "
        f"contact: {sync_lost}; imports written in part: {import_lost})"
    )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
