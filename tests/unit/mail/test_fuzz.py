"""Arbitrary bytes and mutated corpus messages through the MIME parser, the classifier and the
command line's per-file path: no exception escapes. (Per-call time is measured by
bench/classify_eval.py --fuzz, not asserted here.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli.classify import classify_file
from mail.classify import KINDS, classify
from mail.mime import parse_message
from mail.provider import Interval, MessageRef
from mail.quotes import strip_quotes
from tests.unit.mail import corpus_builder

REF = MessageRef("m1", "t1")
NOW = datetime(2026, 3, 10, tzinfo=UTC)
_START = datetime(2026, 3, 12, 14, 0, tzinfo=timezone(timedelta(hours=1)))
SLOTS = (Interval(_START, _START + timedelta(minutes=15)),)


@cache
def corpus() -> list[bytes]:
    return [p.read_bytes() for p in sorted(corpus_builder.CORPUS_DIR.glob("*.eml"))]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(corpus())))
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "chunk", "dup"]))
        pos = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(min_value=0, max_value=255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(
                [b"\n", b"\r\n", b":", b"=?", b"?=", b"<", b">", b"--", b"=?utf-8?b?",
                 b"charset=\"", b"boundary=", b"\n\t", b"@", b"\xff", b"\x00", b"METHOD:",
                 b"Content-Type: text/calendar\n", b"Action: failed\n", b"until ", b"> ",
                 b"Auto-Submitted: auto-replied\n", b"Content-Type: multipart/report; "
                 b"report-type=delivery-status\n"]
            ))  # fmt: skip
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(min_value=1, max_value=200))]
        elif op == "dup" and data:
            data[pos:pos] = data[pos : pos + draw(st.integers(min_value=1, max_value=2000))]
        else:
            data[pos:pos] = draw(st.binary(max_size=40))
    return bytes(data)


def check(raw: bytes) -> None:
    msg = parse_message(raw, REF)
    result = classify(msg, now=NOW, slots=SLOTS)
    assert result.kind in KINDS
    assert result.evidence
    assert all(addr == addr.lower() for addr in result.bounced_addresses)
    assert result.slot in (None, 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_corpus_messages(raw: bytes) -> None:
    check(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=600))
def test_quote_stripping_any_text(text: str) -> None:
    assert len(strip_quotes(text)) <= len(text)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2000))
def test_cli_path_never_raises(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    record = classify_file(str(path), SLOTS)
    assert record["kind"] in KINDS
