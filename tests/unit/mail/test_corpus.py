"""The written corpus (tests/unit/mail/corpus): every message is classified as its manifest says,
and the acceptance targets hold."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

import pytest

from mail.classify import classify
from mail.mime import parse_message
from mail.provider import Classification, Interval, MessageRef
from tests.unit.mail import corpus_builder

CORPUS = corpus_builder.CORPUS_DIR
MANIFEST: dict[str, Any] = json.loads((CORPUS / corpus_builder.MANIFEST).read_text("utf-8"))
LABELS: dict[str, dict[str, Any]] = MANIFEST["messages"]
NOW = datetime.fromisoformat(MANIFEST["request_sent"])


def slots_of(label: dict[str, Any]) -> tuple[Interval, ...]:
    pairs = [text.split("/") for text in label.get("slots", ())]
    return tuple(Interval(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in pairs)


@cache
def result(name: str) -> Classification:
    raw = (CORPUS / name).read_bytes()
    return classify(
        parse_message(raw, MessageRef(name, name)), now=NOW, slots=slots_of(LABELS[name])
    )


def test_files_on_disk_match_the_builder() -> None:
    cases = corpus_builder.build()
    assert {f"{c.name}.eml" for c in cases} == {p.name for p in CORPUS.glob("*.eml")}
    for case in cases:
        assert (CORPUS / f"{case.name}.eml").read_bytes() == case.raw, case.name
    assert (CORPUS / corpus_builder.MANIFEST).read_text("utf-8") == corpus_builder.manifest(cases)


def test_corpus_covers_kinds_clients_languages_and_hard_cases() -> None:
    assert len(LABELS) >= 150
    kinds = Counter(label["kind"] for label in LABELS.values())
    assert set(kinds) == {"bounce", "auto_reply", "bulk", "calendar", "human"}
    assert kinds["human"] >= 60
    langs = {label["lang"] for label in LABELS.values()}
    assert langs == {"en", "de", "fr", "es", "it", "nl", "pt", "pl"}
    human_clients = {label["client"] for label in LABELS.values() if label["kind"] == "human"}
    assert {"gmail", "outlook", "apple", "thunderbird", "iphone", "android"} <= human_clients
    ooo = {label["client"] for label in LABELS.values() if label["kind"] == "auto_reply"}
    assert {"exchange", "gmail", "notes", "zimbra", "qmail"} <= ooo
    bounces = {label["client"] for label in LABELS.values() if label["kind"] == "bounce"}
    assert {"postfix", "exim", "qmail", "exchange", "gmail", "yahoo"} <= bounces
    assert any(not label["permanent"] for label in LABELS.values() if label["kind"] == "bounce")
    assert any(label["client"] == "challenge" for label in LABELS.values())
    notes = " | ".join(label.get("note", "") for label in LABELS.values())
    for hard in ("quotes", "html only", "another address", "new thread", "mailing list"):
        assert hard in notes, hard


@pytest.mark.parametrize("name", sorted(LABELS))
def test_message(name: str) -> None:
    label = LABELS[name]
    got = result(name)
    assert got.kind == label["kind"], got.evidence
    assert got.evidence
    if label["kind"] == "human":
        assert got.intent == label["intent"], got.extra
        assert got.slot == label.get("slot")
        if "referral_address" in label:
            assert got.referral_name == label["referral_name"]
            assert got.referral_address == label["referral_address"]
        assert got.new_text.strip()
        assert "Best wishes,\nSam Rivera" not in got.new_text  # the quoted request is gone
    elif label["kind"] == "auto_reply":
        away = got.away_until.date().isoformat() if got.away_until else None
        assert away == label["away_until"]
    elif label["kind"] == "bounce":
        assert list(got.bounced_addresses) == label["bounced"]
        assert got.permanent is label["permanent"]
    elif label["kind"] == "calendar":
        assert got.calendar == label["calendar"]


def test_acceptance_targets() -> None:
    humans = [n for n, label in LABELS.items() if label["kind"] == "human"]
    automatic = [n for n, label in LABELS.items() if label["kind"] in ("auto_reply", "bounce")]
    assert not [n for n in automatic if result(n).kind == "human"]
    recognised = sum(result(n).kind == "human" for n in humans)
    assert recognised / len(humans) >= 0.98
