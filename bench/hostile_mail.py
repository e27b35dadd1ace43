"""How long one hostile but legal message costs the sync: parse + classify, per shape; and
how long a whole sync pass takes on a real Dovecot holding them among genuine replies.

Each shape is a message a sender can put in anyone's mailbox: an HTML newsletter of unclosed
tags, a part with tens of thousands of RFC 2231 parameters, deeply nested multiparts, a huge
header. Every shape runs in its own process with a time limit, so a quadratic case is reported
as "stopped" instead of hanging the benchmark. The referral search of mail/intent.py is also
timed on one capitalised word of doubling sizes: linear work doubles its time, quadratic work
quadruples it. With ``--dovecot`` (needs Dovecot), the mailbox of
tests/integration/test_hostile_imap.py is synced and the pass is timed.

    python bench/hostile_mail.py [--limit SECONDS] [--only NAME ...] [--dovecot] [--no-shapes]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_HEAD = (
    "From: Lumen Weekly <news@lumen.example>\r\n"
    "To: sam.rivera@demo.example\r\n"
    "Subject: This week at Lumen\r\n"
    "Date: Fri, 13 Mar 2026 10:00:00 +0000\r\n"
    "Message-ID: <hostile@lumen.example>\r\n"
    "MIME-Version: 1.0\r\n"
)


def _html(tag: str, size: int) -> bytes:
    body = "<html><body><p>Hello Sam,</p>" + (tag * (size // len(tag)))
    return (_HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()


def br_1mb() -> bytes:
    return _html("<br ", 1_000_000)


def div_100kb() -> bytes:
    return _html("<div ", 100_000)


def rfc2231_50k() -> bytes:
    params = "".join(f";\r\n title*{i}*=utf-8''part{i}" for i in range(50_000))
    head = _HEAD + f"Content-Type: text/plain; charset=utf-8{params}\r\n"
    return (head + "\r\nHello Sam\r\n").encode()


def deep_nesting() -> bytes:
    depth = 5_000
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (_HEAD + opening + "Content-Type: text/plain\r\n\r\nHello Sam" + closing).encode()


def many_parts() -> bytes:
    parts = "".join("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(50_000))
    return (
        _HEAD + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + "--b--\r\n"
    ).encode()


def huge_header() -> bytes:
    recipients = ",\r\n ".join(f"Person {i} <p{i}@lumen.example>" for i in range(100_000))
    return (_HEAD + f"Cc: {recipients}\r\n\r\nHello Sam\r\n").encode()


def many_headers() -> bytes:
    fields = "".join(f"X-Trace-{i}: hop {i}\r\n" for i in range(200_000))
    return (_HEAD + fields + "\r\nHello Sam\r\n").encode()


def folded_content_type() -> bytes:
    folded = "\r\n        Mon, 09 Mar 2026 10:00:00 +0000" * 2_000
    return (
        _HEAD + f'Content-Type: multipart/alternative; boundary="b"{folded}\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nSure.\r\n--b--\r\n"
    ).encode()


def one_long_word() -> bytes:
    return (_HEAD + "Content-Type: text/plain\r\n\r\n" + "Ana" * 8_000 + "\r\n").encode()


SHAPES: dict[str, Callable[[], bytes]] = {
    "1 MB of '<br '": br_1mb,
    "100 KB of '<div '": div_100kb,
    "50,000 RFC 2231 parameters": rfc2231_50k,
    "5,000 nested multiparts": deep_nesting,
    "50,000 parts": many_parts,
    "Cc header of 100,000 addresses": huge_header,
    "200,000 header fields": many_headers,
    "Content-Type folded into 80 KB": folded_content_type,
    "a body of one 24 KB capitalised word": one_long_word,
}


def _run(name: str, answer: multiprocessing.SimpleQueue) -> None:  # type: ignore[type-arg]
    from mail.classify import classify
    from mail.mime import parse_message
    from mail.provider import MessageRef

    raw = SHAPES[name]()
    started = time.perf_counter()
    msg = parse_message(raw, MessageRef("hostile", "hostile"))
    verdict = classify(msg)
    answer.put((time.perf_counter() - started, len(raw), verdict.kind, len(msg.text)))


def measure(name: str, limit: float) -> str:
    answer: multiprocessing.SimpleQueue = multiprocessing.SimpleQueue()  # type: ignore[type-arg]
    process = multiprocessing.Process(target=_run, args=(name, answer))
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
        return f"{name:38} stopped after {limit:.0f} s"
    if answer.empty():
        return f"{name:38} failed (exit status {process.exitcode})"
    seconds, size, kind, text = answer.get()
    return f"{name:38} {seconds:8.2f} s  ({size / 1e6:5.1f} MB raw; {kind}, {text} chars of text)"


def _scaling(answer: multiprocessing.SimpleQueue) -> None:  # type: ignore[type-arg]
    from mail.intent import referral

    for size in (24_000, 48_000, 96_000):
        text = "Ana" * (size // 3)
        best = float("inf")
        for _ in range(3):  # the best of three: other work on the machine only adds time
            started = time.perf_counter()
            referral(text)
            best = min(best, time.perf_counter() - started)
        answer.put((size, best))
    answer.put(None)


def scaling(limit: float) -> str:
    """referral() over one capitalised word of 24, 48 and 96 KB, and how the time grows."""
    answer: multiprocessing.SimpleQueue = multiprocessing.SimpleQueue()  # type: ignore[type-arg]
    process = multiprocessing.Process(target=_scaling, args=(answer,))
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
    figures: list[tuple[int, float]] = []
    while not answer.empty() and (got := answer.get()) is not None:
        figures.append(got)
    times = ", ".join(f"{size // 1000} KB {seconds * 1000:.2f} ms" for size, seconds in figures)
    growth = [b[1] / a[1] for a, b in itertools.pairwise(figures) if a[1] > 0]
    ratios = ", ".join(f"x{g:.1f}" for g in growth)
    stopped = "" if len(figures) == 3 else f"; stopped after {limit:.0f} s"
    return (
        f"referral() on one capitalised word: {times} (time per doubling: {ratios or '-'}; "
        f"linear ~x2, quadratic ~x4){stopped}"
    )


def dovecot_pass() -> None:
    """The hostile mailbox of the integration test on a real Dovecot: one pass, timed."""
    import tempfile
    from datetime import UTC, datetime, timedelta

    from desktop.domain.clock import ManualClock
    from desktop.domain.model import Stage
    from desktop.sync import run_once
    from tests.fuzz import hostile_mailbox as hm
    from tests.helpers.dovecot import mail_servers

    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp, mail_servers(users={hm.ME: hm.PASSWORD}) as ds:
        room = hm.open_mailroom(*ds, Path(tmp) / "profile", clock)
        try:
            run_once(room.store, room.provider, clock)
            clock.advance(timedelta(hours=1))
            hostile = hm.deliver_all(ds[0], clock.now())
            size = sum(p.stat().st_size for p in (ds[0].root / "mail").rglob("*") if p.is_file())
            started = time.perf_counter()
            result = run_once(room.store, room.provider, clock)
            took = time.perf_counter() - started
            started = time.perf_counter()
            again = run_once(room.store, room.provider, clock)
            idle = time.perf_counter() - started
            replied = sum(
                room.store.pipeline.state(room.contacts[a]).stage is Stage.REPLIED
                for a in hm.GENUINE
            )
        finally:
            room.close()
    print(
        f"dovecot pass: {len(hostile)} hostile messages and {len(hm.GENUINE)} genuine replies "
        f"({size / 1e6:.1f} MB in the Maildir): {took:.2f} s, {result.relevant} relevant, "
        f"{replied}/{len(hm.GENUINE)} genuine replies landed; the next pass {idle:.2f} s, "
        f"{again.relevant} read again"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per shape")
    parser.add_argument("--only", nargs="+", choices=sorted(SHAPES), default=None)
    parser.add_argument("--dovecot", action="store_true", help="also time a pass on Dovecot")
    parser.add_argument("--no-shapes", action="store_true", help="skip the shapes one by one")
    args = parser.parse_args(argv)
    if not args.no_shapes:
        for name in args.only or SHAPES:
            print(measure(name, args.limit), flush=True)
        print(scaling(args.limit), flush=True)
    if args.dovecot:
        dovecot_pass()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
