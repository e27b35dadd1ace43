from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest

from desktop.cli.classify import add_parser, parse_slot, run
from tests.unit.mail import corpus_builder

CORPUS = corpus_builder.CORPUS_DIR


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="coffeechat")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_json_lines_in_file_order_with_an_error_object(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.eml"
    garbage.write_bytes(b"\xff\x00\xfe--\r\n\r\n=?utf-8?b?" * 50)
    files = [
        str(CORPUS / "human_en_gmail_accept_weekday.eml"),
        str(tmp_path / "missing.eml"),
        str(garbage),
        str(CORPUS / "bounce_exim.eml"),
        str(CORPUS / "ooo_fr_exchange.eml"),
        str(tmp_path),  # a directory
    ]
    slots = ["2026-03-12T14:00-05:00/2026-03-12T14:15-05:00", "2026-03-13T10:00-05:00/10:15"]
    out = io.StringIO()
    status = run(parse(["classify", "--json", *files, "--slots", *slots]), out)
    assert status == 2
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["file"] for r in records] == files
    assert [r["kind"] for r in records] == [
        "human", "error", "human", "bounce", "auto_reply", "error",
    ]  # fmt: skip
    human = records[0]
    assert human["intent"] == "accept"
    assert human["accepted_slot"] == "2026-03-13T10:00:00-05:00/2026-03-13T10:15:00-05:00"
    assert human["new_text"].startswith("Hi Sam")
    assert human["evidence"]
    assert records[1]["error"].startswith("FileNotFoundError")
    assert records[3]["bounced"] == ["lena.old@fjord-old.example"]
    assert records[3]["permanent"] is True
    assert records[4]["away_until"] == "2026-03-16"


def test_text_output_and_success_status() -> None:
    out = io.StringIO()
    files = [
        str(CORPUS / "human_en_gmail_refer.eml"),
        str(CORPUS / "calendar_outlook_declined.eml"),
    ]
    assert run(parse(["classify", *files]), out) == 0
    text = out.getvalue()
    assert "human" in text and "refer" in text and "Erin Park <erin.park@northwind.example>" in text
    assert "calendar: declined" in text


@pytest.mark.parametrize(
    "bad", ["2026-03-12T14:00", "x/y", "2026-03-12T14:00+01:00/2026-03-12T13:00+01:00",
            "2026-03-12T14:00/2026-03-12T14:15+01:00"],
)  # fmt: skip
def test_bad_slots_are_refused(bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_slot(bad)


def test_whole_corpus_in_one_process() -> None:
    files = sorted(str(p) for p in CORPUS.glob("*.eml"))
    out = io.StringIO()
    assert run(parse(["classify", "--json", *files]), out) == 0
    kinds = [json.loads(line)["kind"] for line in out.getvalue().splitlines()]
    assert len(kinds) == len(files)


def _strict_utf8(text: str) -> str:
    """What a strict UTF-8 stdout would refuse: a lone surrogate raises here."""
    return text.encode("utf-8").decode("utf-8")


def test_a_reply_in_unicode_escape_prints_as_valid_utf8(tmp_path: Path) -> None:
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From: Lena Svensson <lena.svensson@fjord.example>\r\n"
        b"To: sam.rivera@demo.example\r\nSubject: Re: Coffee? =?unicode_escape?q?\\ud800?=\r\n"
        b"Date: Thu, 12 Mar 2026 09:05:00 +0100\r\n"
        b"Content-Type: text/plain; charset=unicode_escape\r\n\r\n"
        b"Hi Sam,\r\nGlad to help \\ud83d - Thursday works for me.\r\nLena\r\n"
    )
    text = io.StringIO()
    assert run(parse(["classify", str(reply)]), text) == 0
    assert "Thursday works for me." in _strict_utf8(text.getvalue())
    lines = io.StringIO()
    assert run(parse(["classify", "--json", str(reply)]), lines) == 0
    record = json.loads(_strict_utf8(lines.getvalue()))
    assert record["kind"] == "human"
    assert "Thursday works for me." in record["new_text"]


def test_a_file_name_that_is_not_utf8_prints_as_valid_utf8(tmp_path: Path) -> None:
    # How Python hands over a file name with a byte that is not UTF-8 (surrogateescape).
    name = os.fsdecode(bytes(tmp_path / "reply") + b"\xff.eml")
    Path(name).write_bytes(b"From: lena.svensson@fjord.example\r\n\r\nSure!\r\n")
    out = io.StringIO()
    assert run(parse(["classify", "--json", name]), out) == 0
    assert json.loads(_strict_utf8(out.getvalue()))["kind"] == "human"
