"""Templates: every default renders, missing fields are named, and fields cannot escape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop import templates
from desktop.domain.coaching import DraftToCheck, check
from mail.mime import build_message, parse_message
from mail.provider import MessageRef, OutgoingMessage

DEFAULTS = (
    "request_referral",
    "request_article",
    "request_affiliation",
    "request_cold",
    "follow_up",
    "close_the_loop",
    "thank_you",
    "check_in",
    "referrer_update",
)
FIELDS: dict[str, object] = {
    "first_name": "Maya",
    "name": "Maya Chen",
    "company": "Lumen Analytics",
    "role": "Head of Data Science",
    "user_name": "Sam Rivera",
    "referrer_name": "Jon Smith",
    "referrer_first_name": "Jon",
    "meeting": templates.meeting_phrase("call", 15),
    "slots": ["Tue 3 Mar, 10:00 (EST)", "Thu 5 Mar, 15:00 (EST)"],
    "article_title": "Building a data team from scratch",
    "article_source": "Data Weekly",
    "affiliation": "the Lakeside University alumni network",
    "reason": "your talk on data ethics stayed with me",
    "original_subject": "Jon Smith suggested I get in touch",
    "loose_ends": ["the reading list you mentioned"],
}


def test_the_defaults_are_all_there_with_their_kinds() -> None:
    found = templates.available()
    assert set(DEFAULTS) <= set(found)
    kinds = {name: found[name].kind for name in DEFAULTS}
    assert kinds["request_cold"] is templates.TemplateKind.REQUEST
    assert kinds["follow_up"] is templates.TemplateKind.FOLLOW_UP
    assert kinds["referrer_update"] is templates.TemplateKind.REFERRER_UPDATE


@pytest.mark.parametrize("name", DEFAULTS)
def test_every_default_renders_cleanly(name: str) -> None:
    message = templates.render(templates.load(name), FIELDS)
    assert message.subject and "\n" not in message.subject
    assert message.body.startswith("Hi ")
    assert "{" not in message.body and "  " not in message.body
    assert "\n\n\n" not in message.body
    assert message.body.rstrip().endswith("Sam Rivera")
    if message.kind is templates.TemplateKind.REQUEST:
        assert "- Tue 3 Mar, 10:00 (EST)\n- Thu 5 Mar, 15:00 (EST)\n" in message.body
        findings = check(DraftToCheck(message.subject, message.body, "Maya Chen", slot_count=2))
        assert findings == [], findings  # the defaults pass their own coaching


def test_optional_parts_vanish_and_required_ones_are_named() -> None:
    fields = {k: v for k, v in FIELDS.items() if k not in ("company", "loose_ends")}
    thanks = templates.render(templates.load("thank_you"), fields)
    assert "As we discussed" not in thanks.body
    with pytest.raises(templates.MissingFieldError) as caught:
        templates.render(templates.load("request_article"), {**FIELDS, "article_title": "  "})
    assert caught.value.field == "article_title"
    assert "'article_title'" in str(caught.value)
    with pytest.raises(templates.MissingFieldError) as caught:
        templates.render(templates.load("request_referral"), {**FIELDS, "slots": []})
    assert caught.value.field == "slots"
    assert "referrer_name" in templates.fields_used(templates.load("request_referral"))


def test_template_code_in_a_field_is_only_text() -> None:
    evil = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    message = templates.render(
        templates.load("request_referral"), {**FIELDS, "first_name": evil, "referrer_name": evil}
    )
    assert f"Hi {evil}," in message.body
    assert "<class" not in message.body and "subclasses__() }}" in message.subject
    # ...and the coaching panel points at it as unresolved template text.
    codes = [f.code for f in check(DraftToCheck(message.subject, message.body, evil))]
    assert "template_text" in codes


@pytest.mark.parametrize(
    "source",
    [
        "Subject: x\n\n{{ ''.__class__.__mro__ }}",
        "Subject: {{ first_name.__class__ }}\n\nHi",
        "Subject: x\n\n{{ slots.append('x') }}",
        "Subject: x\n\n{{ self.__init__.__globals__ }}",
        "Subject: x\n\n{{ lipsum.__globals__['os'] }}",
    ],
)
def test_the_sandbox_refuses_reaching_into_python(source: str) -> None:
    template = templates.from_source("mine", source)
    with pytest.raises(templates.TemplateError):
        templates.render(template, FIELDS)


def test_line_breaks_cannot_add_headers() -> None:
    name = "Maya\r\nBcc: victim@example.com\r\n\r\nInjected"
    message = templates.render(
        templates.load("request_referral"),
        {**FIELDS, "first_name": name, "referrer_name": "Jon\nBcc: x@example.com"},
    )
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "Jon Bcc: x@example.com suggested I get in touch"
    assert "\r" not in message.body
    assert "Hi Maya Bcc: victim@example.com Injected," in message.body
    built = build_message(
        OutgoingMessage(("maya@example.com",), message.subject, message.body, "k"),
        "sam@example.com",
        "Sam Rivera",
        datetime(2026, 3, 2, tzinfo=UTC),
    )
    parsed = parse_message(built.as_bytes(), MessageRef("1", "t"))
    assert parsed.to == ("maya@example.com",) and not parsed.cc
    assert all(key.lower() != "bcc" for key, _ in parsed.headers)
    for bad in ("a@example.com\r\nBcc: b@example.com", "a@example.com, b@example.com", "x"):
        with pytest.raises(ValueError):
            templates.safe_address(bad)
    assert templates.safe_address(" maya@example.com ") == "maya@example.com"


def test_non_ascii_names_survive_the_round_trip() -> None:
    fields = {**FIELDS, "first_name": "Zoë", "name": "Zoë Ågren-Núñez", "user_name": "Łukasz Żółw"}
    message = templates.render(templates.load("referrer_update"), fields)
    assert message.subject == "I spoke with Zoë Ågren-Núñez — thank you"
    built = build_message(
        OutgoingMessage(("zoe@example.com",), message.subject, message.body, "k"),
        "lukasz@example.com",
        "Łukasz Żółw",
        datetime(2026, 3, 2, tzinfo=UTC),
    )
    parsed = parse_message(built.as_bytes(), MessageRef("1", "t"))
    assert parsed.subject == message.subject
    assert "Zoë Ågren-Núñez" in parsed.text and parsed.sender_name == "Łukasz Żółw"
    # Decomposed input is normalised, so names compare equal to what the user typed.
    assert templates.one_line("Zoe\u0308") == "Zoë"


def test_user_templates_add_and_override(tmp_path: Path) -> None:
    (tmp_path / "thank_you.j2").write_text("Subject: Thanks!\n\nThanks {{ first_name }}.\n")
    (tmp_path / "mine.j2").write_text(
        "{# kind: check_in #}\nSubject: Hello\n\nHello {{ first_name }}\n"
    )
    (tmp_path / "bad name.j2").write_text("Subject: x\n\nx")
    found = templates.available(tmp_path)
    assert "bad name" not in found
    assert found["thank_you"].builtin is False
    assert found["mine"].kind is templates.TemplateKind.CHECK_IN
    assert templates.render(found["mine"], FIELDS).body == "Hello Maya\n"
    with pytest.raises(templates.TemplateError, match="request_referral"):
        templates.load("nope", tmp_path)
    with pytest.raises(templates.TemplateError, match="Subject"):
        templates.render(templates.from_source("x", "Hello"), FIELDS)
    with pytest.raises(templates.TemplateError, match="line"):
        templates.render(templates.from_source("x", "Subject: a\n\n{% if %}"), FIELDS)


def test_field_helpers() -> None:
    assert templates.meeting_phrase("coffee", 30).startswith("a coffee")
    assert templates.first_name("  Ana María López ") == "Ana"
    notes = (
        "Great chat.\n- [ ] send her my portfolio link\nTODO: read 'Thinking in Systems'\n"
        "She will introduce me to Priya in research.\n- unrelated point"
    )
    assert templates.loose_ends(notes) == [
        "send her my portfolio link",
        "read 'Thinking in Systems'",
        "She will introduce me to Priya in research.",
    ]
    assert templates.context({"a": None, "b": "", "c": 3, "d": ["x", ""], "e": object()})["c"] == 3
    assert "notes" in templates.MULTILINE_FIELDS
    assert templates.context({"notes": "a\r\nb\x00"})["notes"] == "a\nb"
