from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from mail.classify import away_until, classify, is_thank_you
from mail.mime import parse_message
from mail.provider import MessageRef
from tests.unit.mail import fixtures

REF = MessageRef("m1", "t1")


def kind_of(raw: bytes) -> str:
    return classify(parse_message(raw, REF)).kind


def test_gmail_vacation_is_auto_reply_with_return_date() -> None:
    result = classify(parse_message(fixtures.GMAIL_VACATION, REF))
    assert result.kind == "auto_reply"
    assert result.evidence.startswith("header Auto-Submitted: auto-replied")
    assert result.away_until == datetime(2026, 3, 16, tzinfo=UTC)


def test_exchange_out_of_office_pair() -> None:
    result = classify(parse_message(fixtures.EXCHANGE_OOO, REF))
    assert result.kind == "auto_reply"
    assert "X-MS-Exchange-Inbox-Rules-Loop" in result.evidence
    assert result.away_until == datetime(2026, 3, 20, tzinfo=UTC)


def test_auto_response_suppress_alone_is_not_an_auto_reply() -> None:
    assert kind_of(fixtures.OUTLOOK_HUMAN_WITH_SUPPRESS) == "human"


def test_rfc3464_dsn() -> None:
    result = classify(parse_message(fixtures.RFC3464_DSN, REF))
    assert result.kind == "bounce"
    assert "multipart/report" in result.evidence
    assert result.bounced_addresses == ("alex.moreau@oldcorp.example",)
    assert result.permanent
    assert result.extra["status"] == "5.1.1"


def test_delayed_dsn_is_a_temporary_bounce() -> None:
    result = classify(parse_message(fixtures.DELAYED_DSN, REF))
    assert result.kind == "bounce"
    assert result.bounced_addresses == ("alex.moreau@oldcorp.example",)
    assert not result.permanent


def test_postfix_text_bounce_via_flufl() -> None:
    result = classify(parse_message(fixtures.POSTFIX_TEXT_BOUNCE, REF))
    assert result.kind == "bounce"
    assert result.evidence.startswith("sender mailer-daemon@mail.legacy.example")
    assert result.bounced_addresses == ("bob.gone@legacy.example",)
    assert result.permanent


def test_qmail_bounce_via_flufl() -> None:
    result = classify(parse_message(fixtures.QMAIL_BOUNCE, REF))
    assert result.kind == "bounce"
    assert result.bounced_addresses == ("carol@qmail.example",)


def test_newsletter_is_bulk() -> None:
    result = classify(parse_message(fixtures.NEWSLETTER, REF))
    assert result.kind == "bulk"
    assert result.evidence.startswith("header List-Id")


@pytest.mark.parametrize(
    ("header", "evidence"),
    [
        ("List-Unsubscribe: <mailto:u@list.example>", "header List-Unsubscribe"),
        ("Precedence: list", "header Precedence: list"),
        ("Precedence: junk", "header Precedence: junk"),
        ("Feedback-ID: 1:2:3", "header Feedback-ID"),
    ],
)
def test_bulk_headers(header: str, evidence: str) -> None:
    raw = fixtures.PLAIN_HUMAN.replace(b"MIME-Version", header.encode() + b"\nMIME-Version")
    result = classify(parse_message(raw, REF))
    assert result.kind == "bulk"
    assert result.evidence.startswith(evidence)


def test_human_reply_quoting_an_out_of_office_stays_human() -> None:
    assert kind_of(fixtures.HUMAN_QUOTING_OOO) == "human"


def test_auto_submitted_no_is_human() -> None:
    result = classify(parse_message(fixtures.PLAIN_HUMAN, REF))
    assert result.kind == "human"
    assert result.away_until is None


@pytest.mark.parametrize(
    "header",
    ["X-Autoreply: yes", "X-Autorespond: Vacation", "Precedence: auto_reply",
     "Auto-Submitted: auto-generated"],
)  # fmt: skip
def test_auto_reply_headers(header: str) -> None:
    raw = fixtures.PLAIN_HUMAN.replace(b"Auto-Submitted: no", header.encode())
    result = classify(parse_message(raw, REF))
    assert result.kind == "auto_reply"
    assert result.evidence == f"header {header}"


def test_localised_subject_is_last_resort() -> None:
    result = classify(parse_message(fixtures.GERMAN_SUBJECT_ONLY, REF))
    assert result.kind == "auto_reply"
    assert result.evidence == "subject phrase 'Abwesenheitsnotiz'"
    assert result.away_until == datetime(2026, 3, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: Hi", "Out of Office: Hi", "Automatische Antwort: Hallo",
     "Réponse automatique : Bonjour", "Respuesta automática: Hola",
     "Risposta automatica: Ciao", "AUTO: Jane is out of the office (returning 17/03/2026)",
     "[Team] Out of office: Hi"],
)  # fmt: skip
def test_subject_phrases(subject: str) -> None:
    raw = fixtures.PLAIN_HUMAN.replace(
        b"Subject: =?utf-8?q?Re=3A_Caf=C3=A9_chat?=", f"Subject: {subject}".encode()
    )
    assert kind_of(raw) == "auto_reply"


def test_list_headers_win_over_subject_phrase() -> None:
    raw = fixtures.NEWSLETTER.replace(b"This week: roadmaps", b"Out of office tips")
    assert kind_of(raw) == "bulk"


def test_precedence_bulk_vacation_program_is_auto_reply() -> None:
    # Old vacation(1) programs mark their replies "Precedence: bulk"; the subject decides.
    raw = fixtures.GERMAN_SUBJECT_ONLY.replace(b"Content-Type", b"Precedence: bulk\nContent-Type")
    assert kind_of(raw) == "auto_reply"


def test_bounce_precedes_auto_submitted() -> None:
    # Postfix marks its bounces Auto-Submitted: auto-replied; the bounce must win.
    assert kind_of(fixtures.RFC3464_DSN) == "bounce"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am out of the office until Thursday 12 March.", datetime(2026, 3, 12, tzinfo=UTC)),
        ("I'll be back on Monday.", datetime(2026, 3, 16, tzinfo=UTC)),
        ("Returning 17/03/2026, with limited access.", datetime(2026, 3, 17, tzinfo=UTC)),
        ("I will return on 2 April.", datetime(2026, 4, 2, tzinfo=UTC)),
        ("Ich bin bis zum 20.03.2026 nicht im Büro.", datetime(2026, 3, 20, tzinfo=UTC)),
        ("Away until tomorrow.", datetime(2026, 3, 11, tzinfo=UTC)),
        ("I am away until 5 January.", datetime(2027, 1, 5, tzinfo=UTC)),
        ("I'll get back to you as soon as possible.", None),
        ("I am away until further notice.", None),
        ("No dates here at all.", None),
    ],
)
def test_away_until(text: str, expected: datetime | None) -> None:
    sent = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday
    assert away_until(text, sent) == expected


@pytest.mark.parametrize(
    ("text", "subject", "expected"),
    [
        ("Thank you so much for your time today!", "Coffee", True),
        ("Great talking to you.", "Thanks!", True),
        ("I am grateful for the advice.", "Follow-up", True),
        ("Vielen Dank für das Gespräch.", "Gespräch", True),
        ("Merci pour votre temps.", "Suivi", True),
        ("Muchas gracias.", "Hola", True),
        ("Grazie mille!", "Ciao", True),
        ("Would Thursday work?", "A 15-minute chat?", False),
    ],
)
def test_is_thank_you(text: str, subject: str, expected: bool) -> None:
    assert is_thank_you(text, subject) is expected


def test_human_mail_does_not_load_dateparser() -> None:
    # dateparser is slow to import: plain classification must not pay for it.
    code = (
        "import sys\n"
        "import mail.demo\n"
        "from mail.classify import classify\n"
        "from mail.mime import parse_message\n"
        "from mail.provider import MessageRef\n"
        "from tests.unit.mail import fixtures\n"
        "for raw in (fixtures.PLAIN_HUMAN, fixtures.NEWSLETTER, fixtures.RFC3464_DSN):\n"
        "    classify(parse_message(raw, MessageRef('1', 't')))\n"
        "assert 'dateparser' not in sys.modules\n"
        "assert 'PySide6' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixtures.mutated())
def test_classify_never_raises_on_mutated_messages(raw: bytes) -> None:
    result = classify(parse_message(raw, REF), now=datetime(2026, 3, 10, tzinfo=UTC))
    assert result.kind in {"bounce", "auto_reply", "bulk", "human"}
    assert all(addr == addr.lower() for addr in result.bounced_addresses)
