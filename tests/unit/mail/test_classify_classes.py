"""Each class of the issue, on real-shaped messages in at least five languages (the written
part of the real-mail corpus, tests/corpus/real/written/), and the classes on the real
messages of the corpus's tuning split (the held-out fifth is for bench/classify_eval.py only)."""

from __future__ import annotations

import json
import zipfile
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from mail.classify import classify, label_of
from mail.mime import parse_message
from mail.provider import MessageRef

REAL = Path(__file__).resolve().parents[2] / "corpus" / "real"
WRITTEN = REAL / "written"
LABELS: dict[str, dict[str, str]] = json.loads((WRITTEN / "labels.json").read_text("utf-8"))
CLASSES = ("human", "bounce", "delay", "auto_reply", "challenge", "ticket", "read_receipt")


def verdict(raw: bytes, name: str = "m") -> str:
    return label_of(classify(parse_message(raw, MessageRef(name, name))))


def test_every_class_has_messages_in_at_least_five_languages() -> None:
    languages: dict[str, set[str]] = defaultdict(set)
    for info in LABELS.values():
        languages[info["label"]].add(info["lang"])
    for cls in CLASSES:
        assert len(languages[cls]) >= 5, (cls, languages[cls])
    assert len(languages["auto_reply"]) >= 10


@pytest.mark.parametrize("name", sorted(LABELS))
def test_written_message(name: str) -> None:
    got = classify(parse_message((WRITTEN / name).read_bytes(), MessageRef(name, name)))
    assert label_of(got) == LABELS[name]["label"], got.evidence
    assert got.evidence


def test_a_person_who_mentions_their_auto_reply_stays_human_but_the_notice_does_not() -> None:
    for lang in ("en", "de", "fr", "es", "ja"):
        assert LABELS[f"human_{lang}_mentions_auto_reply.eml"]["label"] == "human"
        assert verdict((WRITTEN / f"human_{lang}_mentions_auto_reply.eml").read_bytes()) == "human"
        assert verdict((WRITTEN / f"ooo_{lang}_subject_and_body.eml").read_bytes()) == "auto_reply"


def test_a_delay_notice_is_not_a_bounce_whatever_its_form() -> None:
    for name in ("delay_en_text.eml", "delay_de_text.eml", "delay_fr_text.eml"):
        got = classify(parse_message((WRITTEN / name).read_bytes(), MessageRef(name, name)))
        assert got.kind == "bounce" and got.permanent is False, got.evidence


def test_headers_only_decisions_need_no_body() -> None:
    raw = (WRITTEN / "ooo_de_auto_submitted.eml").read_bytes()
    msg = parse_message(raw, MessageRef("h", "h"), full=False)
    assert not msg.complete and not msg.text
    assert label_of(classify(msg)) == "auto_reply"


@cache
def tuning_split() -> list[tuple[str, bytes, str]]:
    manifest = json.loads((REAL / "manifest.json").read_text("utf-8"))["messages"]
    with zipfile.ZipFile(REAL / "messages.zip") as archive:
        return [
            (name, archive.read(name), entry["label"])
            for name, entry in sorted(manifest.items())
            if not entry["holdout"] and entry["origin"] == "real"
        ]


def test_the_real_corpus_is_large_sourced_and_split() -> None:
    manifest = json.loads((REAL / "manifest.json").read_text("utf-8"))["messages"]
    real = [e for e in manifest.values() if e["origin"] == "real"]
    assert len(real) >= 1000
    assert all(e["repo"] and e["commit"] and e["licence"] and e["path"] for e in real)
    share = sum(e["holdout"] for e in manifest.values()) / len(manifest)
    assert 0.15 < share < 0.25
    assert len({e["repo"] for e in real}) >= 6


def test_on_the_real_tuning_split_bounces_and_auto_replies_are_not_taken_for_people() -> None:
    confusion: Counter[tuple[str, str]] = Counter()
    for name, raw, label in tuning_split():
        confusion[(label, verdict(raw, name))] += 1
    bounces = sum(v for (label, _), v in confusion.items() if label == "bounce")
    assert confusion[("bounce", "human")] / bounces <= 0.005
    assert confusion[("bounce", "bounce")] / bounces >= 0.98
    assert confusion[("delay", "bounce")] == 0
    assert confusion[("auto_reply", "human")] == 0
    humans = sum(v for (label, _), v in confusion.items() if label == "human")
    assert confusion[("human", "human")] / humans >= 0.99


def test_the_command_line_names_the_finer_class() -> None:
    from desktop.cli.classify import classify_file

    delay = classify_file(str(WRITTEN / "delay_de_text.eml"), ())
    assert (delay["kind"], delay["class"]) == ("bounce", "delay")
    ticket = classify_file(str(WRITTEN / "ticket_fr.eml"), ())
    assert (ticket["kind"], ticket["class"]) == ("bulk", "ticket")


def test_a_huge_report_is_read_within_bounds() -> None:
    from mail.bounces import MAX_ADDRESSES

    blocks = "".join(
        f"\r\nFinal-Recipient: rfc822; u{i}@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        for i in range(50_000)
    )
    raw = (
        "From: MAILER-DAEMON@x.example\r\nTo: a@b.example\r\nSubject: Undelivered Mail\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n'
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n"
        + blocks
        + "\r\n--b--\r\n"
    ).encode()
    got = classify(parse_message(raw, MessageRef("h", "h")))
    assert got.kind == "bounce" and got.permanent
    assert len(got.bounced_addresses) == MAX_ADDRESSES
    assert got.bounced_addresses[0] == "u0@x.example"
