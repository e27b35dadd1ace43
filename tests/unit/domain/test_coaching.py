"""The request checker, finding by finding."""

from __future__ import annotations

import pytest

from desktop.domain.coaching import (
    LONG_WORDS,
    TOO_LONG_WORDS,
    DraftToCheck,
    Severity,
    blocking,
    check,
    greeting_name,
    word_count,
)

GOOD = (
    "Hi Maya,\n\nJon Smith suggested I speak with you about your work at Lumen. I am exploring "
    "a move into data science, and hearing how you got there would help me a great deal.\n\n"
    "Would you have 15 minutes for a phone call? I am free:\n\n"
    "- Tue 3 Mar, 10:00 (EST)\n- Thu 5 Mar, 15:30 (EST)\n\nBest wishes,\nSam\n"
)


def _codes(**changes: object) -> list[str]:
    fields: dict[str, object] = {
        "subject": "Jon suggested I get in touch",
        "body": GOOD,
        "contact_name": "Maya Chen",
    }
    fields.update(changes)
    return [f.code for f in check(DraftToCheck(**fields))]  # type: ignore[arg-type]


def test_a_good_request_has_no_findings() -> None:
    assert _codes() == []


def test_length_warns_then_warns_strongly() -> None:
    filler = " ".join(["word"] * (LONG_WORDS + 1 - word_count(GOOD)))
    long = GOOD.replace("Best wishes", filler + "\n\nBest wishes")
    assert word_count(long) == LONG_WORDS + 1
    assert _codes(body=long) == ["long"]
    longer = GOOD.replace("Best wishes", " ".join(["word"] * TOO_LONG_WORDS) + "\nBest")
    findings = check(DraftToCheck("s", longer, "Maya Chen"))
    assert [(f.code, f.severity) for f in findings] == [("too_long", Severity.STRONG)]
    # Quoted text from the thread does not count.
    quoted = GOOD + "\n" + "\n".join(["> word word word word word"] * 80)
    assert _codes(body=quoted) == []


def test_no_reason_no_ask_no_times() -> None:
    bare = "Hi Maya,\n\nCould we talk sometime about your work?\n\nSam\n"
    assert _codes(body=bare) == ["no_reason", "no_concrete_ask", "no_times"]
    # A reason named by the composer counts when the text mentions it.
    article = bare.replace("Could", "Your piece Data at Scale was great. Could")
    assert "no_reason" not in _codes(body=article, reasons=("Data at Scale",))
    assert "no_times" not in _codes(body=bare, slot_count=3)
    assert "no_times" in _codes(body=GOOD, slot_count=0)
    # Not a request (a thank-you): those three are not asked for.
    assert _codes(body=bare, is_request=False) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Are you hiring at the moment?",
        "Do you have any openings on your team?",
        "I would love you to consider me for the analyst role.",
        "Is your team hiring?",
    ],
)
def test_asking_for_a_job(sentence: str) -> None:
    body = GOOD.replace("Best wishes", sentence + "\n\nBest wishes")
    findings = check(DraftToCheck("s", body, "Maya Chen"))
    assert [(f.code, f.severity) for f in findings] == [("asks_for_job", Severity.STRONG)]


def test_attachments_a_resume_blocks() -> None:
    findings = check(
        DraftToCheck("s", GOOD, "Maya Chen", attachments=("Sam Rivera Résumé 2026.pdf", "a.png"))
    )
    assert [(f.code, f.severity) for f in findings] == [
        ("resume_attached", Severity.BLOCK),
        ("attachment", Severity.WARN),
    ]
    assert "no résumé" in findings[0].message
    assert blocking(findings)
    assert _codes(attachments=("CV_Sam.docx",)) == ["resume_attached"]
    assert _codes(attachments=("Lebenslauf.pdf",)) == ["resume_attached"]


def test_subject_greeting_and_leftover_template_text() -> None:
    assert _codes(subject="  ") == ["no_subject"]
    assert _codes(body=GOOD.replace("Hi Maya,", "Hi there,")) == ["greeting_without_name"]
    assert _codes(body=GOOD.replace("Hi Maya,", "Dear Sir or Madam,")) == ["greeting_without_name"]
    assert _codes(body=GOOD.replace("Hi Maya,", "Dear Ms Chen,")) == []
    assert _codes(body=GOOD.replace("Hi Maya,", "Hallo Zoë,"), contact_name="Zoe Müller") == []
    assert _codes(body=GOOD.replace("Hi Maya,", "Hi [First Name],")) == [
        "template_text",
        "greeting_without_name",
    ]
    assert _codes(body=GOOD.replace("Lumen", "{{ company }}")) == ["template_text"]
    assert _codes(subject="About TODO") == ["template_text"]
    findings = check(DraftToCheck("", GOOD.replace("Lumen", "{{ company }}"), "Maya Chen"))
    assert [f.severity for f in findings] == [Severity.BLOCK, Severity.STRONG]
    assert all(f.message.endswith(".") for f in findings)


def test_a_title_before_the_name_is_not_the_name_to_greet() -> None:
    assert greeting_name("Dr. Maya Chen") == "Maya"
    assert greeting_name("Prof Maya Chen") == "Maya"
    assert greeting_name("Maya Chen") == "Maya"
    assert greeting_name("Dr.") == "Dr."  # nothing after the title: kept as written
    body = GOOD.replace("Hi Maya,", "Hi Dr.,")
    findings = check(DraftToCheck("Jon suggested I get in touch", body, "Dr. Maya Chen"))
    assert [f.code for f in findings] == ["greeting_without_name"]
    assert '"Hi Maya,"' in findings[0].message
    assert _codes(contact_name="Dr. Maya Chen") == []
    assert _codes(contact_name="Dr. Maya Chen", body=GOOD.replace("Hi Maya", "Dear Dr. Chen")) == []


def test_a_resume_in_the_text_is_strong_advice_not_a_block() -> None:
    findings = check(DraftToCheck("Hello", GOOD, "Maya Chen", mentions_resume=True))
    assert [(f.code, f.severity) for f in findings] == [("resume_mentioned", Severity.STRONG)]
    assert not blocking(findings)
