from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mail.mime import EPOCH, MAX_BODY_CHARS, OUTBOX_HEADER, build_message, parse_message
from mail.provider import Folder, MessageRef, OutgoingMessage
from tests.unit.mail import fixtures

REF = MessageRef("m1", "t1", Folder.INBOX)
WHEN = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)


def test_fields_of_a_plain_reply() -> None:
    msg = parse_message(fixtures.PLAIN_HUMAN, REF)
    assert msg.ref == REF
    assert msg.sender == "maya.chen@lumen.example"
    assert msg.sender_name == "Maya Chen"
    assert msg.to == ("sam.rivera@demo.example", "ops@lumen.example")
    assert msg.cc == ("erin.park@northwind.example",)
    assert msg.subject == "Re: Café chat"
    assert msg.date == datetime(2026, 3, 9, 16, 40, tzinfo=UTC)
    assert msg.message_id == "<maya-1@lumen.example>"
    assert msg.in_reply_to == "<req-1@demo.example>"
    assert msg.references == ("<req-0@demo.example>", "<req-1@demo.example>")
    assert msg.text == "Thursday at 10:00 works for me.\n"
    assert msg.html == ""
    assert msg.content_type == "text/plain"
    assert msg.raw == fixtures.PLAIN_HUMAN
    assert msg.header("auto-submitted") == "no"
    assert msg.defects == ()
    assert msg.complete


def test_headers_only() -> None:
    msg = parse_message(fixtures.GMAIL_VACATION, REF, full=False)
    assert msg.text == msg.html == ""
    assert not msg.complete
    assert msg.subject.startswith("Out of office")
    assert msg.header("X-Autoreply") == "yes"


def test_multipart_alternative_prefers_plain_and_keeps_html() -> None:
    msg = parse_message(fixtures.GMAIL_VACATION, REF)
    assert msg.text.startswith("Hi,\n\nI'm travelling until Monday")
    assert '<div dir="ltr">' in msg.html
    assert msg.content_type == "multipart/alternative"


def test_html_only_is_turned_into_text() -> None:
    msg = parse_message(fixtures.NEWSLETTER, REF)
    assert "<h1>" in msg.html
    assert "The Product Weekly" in msg.text
    assert "Three roadmap formats & more." in msg.text
    assert "track()" not in msg.text
    assert "color: red" not in msg.text
    assert "<" not in msg.text


def test_quoted_printable_latin1() -> None:
    msg = parse_message(fixtures.EXCHANGE_OOO, REF)
    assert "Vielen Dank für Ihre Nachricht" in msg.text
    assert "nicht im Büro" in msg.text
    assert msg.defects == ()


def test_attached_message_is_not_the_body() -> None:
    msg = parse_message(fixtures.POSTFIX_TEXT_BOUNCE, REF)
    assert msg.text.startswith("This is the Postfix program")
    assert "Hi Bob" not in msg.text


def test_unknown_charset_is_guessed_with_a_defect() -> None:
    raw = (
        b"From: a@b.example\nTo: c@d.example\nSubject: x\n"
        b"Date: Mon, 09 Mar 2026 10:00:00 +0000\n"
        b"Content-Type: text/plain; charset=x-klingon\n\nGr\xc3\xbc\xc3\x9fe\n"
    )
    msg = parse_message(raw, REF)
    assert msg.text == "Grüße\n"
    assert any("x-klingon" in d for d in msg.defects)


def test_wrong_bytes_for_declared_charset_are_replaced() -> None:
    raw = (
        b"From: a@b.example\nSubject: x\nDate: Mon, 09 Mar 2026 10:00:00 +0000\n"
        b"Content-Type: text/plain; charset=utf-8\n\nna\xefve caf\xe9\n"
    )
    msg = parse_message(raw, REF)
    assert msg.text == "na\ufffdve caf\ufffd\n"
    assert any("utf-8" in d for d in msg.defects)


def test_non_text_codec_as_charset() -> None:
    raw = b"From: a@b.example\nContent-Type: text/plain; charset=base64\n\nhello\n"
    msg = parse_message(raw, REF)
    assert msg.text == "hello\n"
    assert msg.defects


def test_encoded_word_with_unknown_charset_and_8bit_header() -> None:
    raw = (
        b"From: =?x-nonsense?q?J=F6rg?= <Joerg@X.example>\n"
        b"Subject: caf\xc3\xa9 \xff\n"
        b"Date: Mon, 09 Mar 2026 10:00:00 +0000\n\nbody\n"
    )
    msg = parse_message(raw, REF)
    assert msg.sender == "joerg@x.example"
    assert msg.sender_name == "Jörg"
    assert msg.subject.startswith("café")


def test_missing_date_falls_back_and_is_noted() -> None:
    raw = b"From: a@b.example\nSubject: x\n\nbody\n"
    assert parse_message(raw, REF).date == EPOCH
    msg = parse_message(raw, REF, default_date=WHEN)
    assert msg.date == WHEN
    assert "no Date header" in msg.defects


def test_unreadable_date_is_noted() -> None:
    msg = parse_message(b"From: a@b.example\nDate: the day after tomorrow\n\nx\n", REF)
    assert msg.date == EPOCH
    assert any("Date" in d for d in msg.defects)


def test_naive_date_becomes_utc() -> None:
    msg = parse_message(b"From: a@b.example\nDate: Mon, 09 Mar 2026 10:00:00 -0000\n\nx\n", REF)
    assert msg.date == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    assert msg.date.tzinfo is UTC


def test_offset_date_is_normalised_to_utc() -> None:
    msg = parse_message(b"From: a@b.example\nDate: Mon, 09 Mar 2026 10:00:00 +0530\n\nx\n", REF)
    assert msg.date == datetime(2026, 3, 9, 4, 30, tzinfo=UTC)


def test_huge_body_is_truncated() -> None:
    raw = b"From: a@b.example\nContent-Type: text/plain\n\n" + b"a" * (MAX_BODY_CHARS + 500)
    msg = parse_message(raw, REF)
    assert len(msg.text) == MAX_BODY_CHARS
    assert any("truncated" in d for d in msg.defects)


def test_empty_and_garbage_input() -> None:
    for raw in (b"", b"\x00\xff\xfe", b"::::\n\n", b"From:\n\n", b"\r\n\r\n\r\n"):
        msg = parse_message(raw, REF)
        assert msg.raw == raw
        assert msg.date == EPOCH


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_parse_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    msg = parse_message(raw, REF)
    assert msg.raw == raw
    assert msg.date.tzinfo is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixtures.mutated())
def test_parse_never_raises_on_mutated_messages(raw: bytes) -> None:
    msg = parse_message(raw, REF)
    assert msg.raw == raw
    assert isinstance(msg.text, str)
    assert all(addr == addr.lower() for addr in msg.addresses)


# --- building ---------------------------------------------------------------------------------


def outgoing(**changes: object) -> OutgoingMessage:
    values: dict[str, object] = {
        "to": ("maya.chen@lumen.example",),
        "cc": ("erin.park@northwind.example",),
        "subject": "Café chat — 15 minutes?",
        "text": "Hi Maya,\n\nWould Thursday 12 March at 10:00 work?\n\nSam\n",
        "outbox_key": "ob-123",
        "in_reply_to": "<req-1@demo.example>",
        "references": ("<req-0@demo.example>", "<req-1@demo.example>"),
    }
    values.update(changes)
    return OutgoingMessage(**values)  # type: ignore[arg-type]


def test_build_round_trips_through_parse() -> None:
    built = build_message(outgoing(), "sam.rivera@demo.example", "Sam Rivera", WHEN)
    msg = parse_message(built.as_bytes(), REF)
    assert msg.sender == "sam.rivera@demo.example"
    assert msg.sender_name == "Sam Rivera"
    assert msg.to == ("maya.chen@lumen.example",)
    assert msg.cc == ("erin.park@northwind.example",)
    assert msg.subject == "Café chat — 15 minutes?"
    assert msg.text == "Hi Maya,\n\nWould Thursday 12 March at 10:00 work?\n\nSam\n"
    assert msg.date == WHEN
    assert msg.in_reply_to == "<req-1@demo.example>"
    assert msg.references == ("<req-0@demo.example>", "<req-1@demo.example>")
    assert msg.header(OUTBOX_HEADER) == "ob-123"
    assert msg.header("MIME-Version") == "1.0"
    assert msg.message_id.endswith("@demo.example>")
    assert 'charset="utf-8"' in msg.header("Content-Type")
    assert msg.defects == ()


def test_build_uses_given_message_id_and_keeps_the_offset() -> None:
    when = datetime(2026, 3, 9, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    built = build_message(
        outgoing(cc=(), in_reply_to="", references=()), "sam@demo.example", "", when,
        message_id="<fixed@demo.example>",
    )  # fmt: skip
    assert built["Message-ID"] == "<fixed@demo.example>"
    assert built["Date"] == "Mon, 09 Mar 2026 09:00:00 -0500"
    assert built["In-Reply-To"] is None
    assert built["Cc"] is None
    assert built["From"] == "sam@demo.example"


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Hello\nBcc: victim@evil.example"},
        {"subject": "Hello\r\nX-Evil: 1"},
        {"to": ("maya@lumen.example\nBcc: victim@evil.example",)},
        {"to": ("maya@lumen.example, other@evil.example",)},
        {"cc": ("erin@x.example\r\n",)},
        {"outbox_key": "k\nBcc: x@evil.example"},
        {"in_reply_to": "<a@b>\nBcc: x@evil.example"},
        {"references": ("<a@b>\r\nBcc: x@evil.example",)},
        {"to": ()},
        {"to": ("not-an-address",)},
    ],
)
def test_build_rejects_header_injection(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build_message(outgoing(**changes), "sam@demo.example", "Sam", WHEN)


def test_build_rejects_injection_in_sender_name_and_naive_dates() -> None:
    with pytest.raises(ValueError):
        build_message(outgoing(), "sam@demo.example", "Sam\nBcc: x@evil.example", WHEN)
    with pytest.raises(ValueError):
        build_message(outgoing(), "sam@demo.example", "Sam", datetime(2026, 3, 9))
