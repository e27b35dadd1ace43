"""Messages a sender can put in anyone's mailbox to break or stall the sync: dates at the end of
the calendar, invalid text, and shapes that made the old regular expressions quadratic."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mail.classify import away_until, classify
from mail.dates import EARLIEST, LATEST, clamp, find_dates
from mail.intent import detect
from mail.mime import parse_message
from mail.provider import Folder, MessageRef

REF = MessageRef("m1", "t1", Folder.INBOX)
RECEIVED = datetime(2026, 3, 12, 9, 5, tzinfo=UTC)

FAR_FUTURE_REPLY = (
    b"From: Maya Chen <maya.chen@lumen.example>\r\n"
    b"To: Sam Rivera <sam.rivera@demo.example>\r\n"
    b"Subject: Re: A 15-minute call about your work?\r\n"
    b"Date: Fri, 31 Dec 9999 23:59:59 -1200\r\n"
    b"Message-ID: <far-future@lumen.example>\r\n"
    b"In-Reply-To: <req-1@demo.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hi Sam,\r\n\r\nHappy to chat! Would Thursday at 11:00 work?\r\n\r\nMaya\r\n"
)


def test_a_reply_dated_9999_takes_the_servers_date_and_is_read() -> None:
    msg = parse_message(FAR_FUTURE_REPLY, REF, default_date=RECEIVED)
    assert msg.date == RECEIVED
    assert any("Date header out of range" in d for d in msg.defects)
    verdict = classify(msg, now=RECEIVED)
    assert verdict.kind == "human"
    assert verdict.intent == "propose"  # Thursday at 11:00


def test_without_a_server_date_a_date_out_of_range_is_still_in_range() -> None:
    msg = parse_message(FAR_FUTURE_REPLY, REF)
    assert EARLIEST <= msg.date <= LATEST
    assert classify(msg).kind == "human"


def test_dates_in_text_are_read_relative_to_a_clamped_day() -> None:
    for base in (date.max, date.min):
        found = find_dates("Back on Monday, or tomorrow, or on 3 March.", base)
        assert [f.when for f in found] and all(EARLIEST.date() <= f.when for f in found)
    end = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    assert away_until("I am out of office until Tuesday.", end) is not None
    assert detect("Thursday at 2pm works, or Friday?", sent=end).kind in ("propose", "question")
    assert clamp(end) == LATEST and clamp(datetime(1, 1, 1)) == EARLIEST


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def test_a_body_in_unicode_escape_is_valid_text_and_pairs_are_joined() -> None:
    raw = (
        b"From: Lena Svensson <lena.svensson@fjord.example>\r\n"
        b"To: sam.rivera@demo.example\r\nSubject: Re: Coffee?\r\n"
        b"Date: Thu, 12 Mar 2026 09:05:00 +0100\r\n"
        b"Content-Type: text/plain; charset=unicode_escape\r\n\r\n"
        b"Glad to help \\ud83d - and \\ud83d\\ude00 - Thursday works.\r\n"
    )
    msg = parse_message(raw, REF)
    assert not _has_lone_surrogate(msg.text)
    assert "Glad to help \ufffd - and \U0001f600 - Thursday works." in msg.text


def test_no_field_of_a_parsed_message_holds_a_lone_surrogate() -> None:
    raw = (
        b"From: =?unicode_escape?q?Lena_\\ud800?= <lena.svensson@fjord.example>\r\n"
        b"To: sam.rivera@demo.example\r\nSubject: \xff\xfe =?unicode_escape?q?\\udfff?=\r\n"
        b"Date: Thu, 12 Mar 2026 09:05:00 +0100\r\nX-Note: \xed\xa0\x80\r\n"
        b"Content-Type: text/html; charset=unicode_escape\r\n\r\n"
        b"<p>Hi \\udc80 Sam</p>\r\n"
    )
    msg = parse_message(raw, REF)
    fields = [msg.subject, msg.sender, msg.sender_name, msg.text, msg.html, *msg.defects]
    fields += [v for pair in msg.headers for v in pair]
    assert not any(_has_lone_surrogate(f) for f in fields)
    assert "Hi \ufffd Sam" in msg.text


# --- bounded work: each shape below took minutes with the old quadratic code (see
# bench/hostile_mail.py for the times); here only the outcome is asserted.

_NEWSLETTER = (
    "From: Lumen Weekly <news@lumen.example>\r\nTo: sam.rivera@demo.example\r\n"
    "Subject: This week at Lumen\r\nDate: Fri, 13 Mar 2026 10:00:00 +0000\r\n"
    "Message-ID: <weekly-11@lumen.example>\r\nMIME-Version: 1.0\r\n"
)


def test_an_html_newsletter_of_a_million_unclosed_br_tags_is_read() -> None:
    body = "<html><body><p>Hello Sam,</p><p>Our picks this week.</p>" + "<br " * 250_000
    raw = (_NEWSLETTER + "Content-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()
    msg = parse_message(raw, REF)
    assert msg.text.startswith("Hello Sam,\nOur picks this week.")
    assert len(msg.text) <= len(body)
    assert classify(msg).kind == "human"


def test_a_reply_of_unclosed_div_tags_is_classified() -> None:
    body = "<div>Thursday at 11:00 works for me.</div>" + "<div " * 20_000
    raw = (
        "From: Maya Chen <maya.chen@lumen.example>\r\nTo: sam.rivera@demo.example\r\n"
        "Subject: Re: Coffee?\r\nDate: Fri, 13 Mar 2026 10:00:00 +0000\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + body
    ).encode()
    verdict = classify(parse_message(raw, REF))
    assert verdict.kind == "human"
    assert verdict.new_text.startswith("Thursday at 11:00 works for me.")


def test_a_part_with_fifty_thousand_rfc2231_parameters_is_read() -> None:
    params = "".join(f";\r\n title*{i}*=utf-8''part{i}" for i in range(50_000))
    raw = (
        _NEWSLETTER + f"Content-Type: text/plain; charset=utf-8{params}\r\n\r\nHello Sam\r\n"
    ).encode()
    msg = parse_message(raw, REF)
    assert msg.text == "Hello Sam\n"
    assert msg.content_type == "text/plain"
    assert any("parameters" in d for d in msg.defects)


def test_a_message_of_fifty_thousand_parts_is_read_up_to_a_limit() -> None:
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\nPart {i}\r\n" for i in range(50_000))
    raw = (
        _NEWSLETTER + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + "--b--\r\n"
    ).encode()
    msg = parse_message(raw, REF)
    assert msg.text == "Part 0"
    assert any("parts" in d for d in msg.defects)
