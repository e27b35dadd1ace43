"""The localised phrases of automatic mail, one data file per language (``mail/phrases/*.json``),
read and compiled once, on first use.

Each file holds regular-expression fragments (matched case-insensitively) under these keys:
``auto_reply_subject`` (how an out-of-office subject starts, or what it says in brackets),
``auto_reply_body`` (statements of an out-of-office notice, by kind: absence, mail_access,
redirect, will_reply, automatic), ``back_reference`` (a person speaking of their own absence or
auto-reply), ``bounce_subject``, ``bounce_body``, ``delay_words``, ``read_receipt_subject`` and
``ticket_subject``. Adding a language is adding a file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"
OOO_KINDS = ("absence", "mail_access", "redirect", "will_reply", "automatic")
_FLAGS = re.IGNORECASE
# A subject may carry a tag or forwarding mark before what the mail system wrote.
_LEAD = r"^[\s*]*(?:(?:\[[^\]]{0,40}\]|fwd?|fw|wg|tr|i)\s*:?\s*)*"


@dataclass(frozen=True)
class Phrasebook:
    languages: tuple[str, ...]
    auto_reply_subject: re.Pattern[str]
    auto_reply_bracketed: re.Pattern[str]
    auto_reply_body: tuple[tuple[str, re.Pattern[str]], ...]
    back_reference: re.Pattern[str]
    bounce_subject: re.Pattern[str]
    bounce_body: re.Pattern[str]
    delay_words: re.Pattern[str]
    read_receipt_subject: re.Pattern[str]
    ticket_subject: re.Pattern[str]


def _any(fragments: list[str]) -> str:
    # Longest first, so that "Automatic reply" wins over "Auto".
    return "|".join(f"(?:{f})" for f in sorted(set(fragments), key=len, reverse=True))


def _is_cjk(fragment: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in fragment)


@cache
def phrasebook() -> Phrasebook:
    """All languages' phrases, compiled (once per process)."""
    data = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(PHRASES_DIR.glob("*.json"))
    ]

    def gather(key: str) -> list[str]:
        return [fragment for entry in data for fragment in entry.get(key, [])]

    subjects = gather("auto_reply_subject")
    latin = [f for f in subjects if not _is_cjk(f)]
    cjk = [f for f in subjects if _is_cjk(f)]
    # After a Latin phrase comes the end, a colon, a dash, a bracket or punctuation (so
    # "Out of office hours?" is not one); CJK phrases need no separator.
    subject = (
        r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:(?P<latin>"
        + _any(latin)
        + r")(?:(?<=:)|\s*(?::|$|[-\u2013(\[|,.!]))|(?P<cjk>"
        + _any(cjk)
        + r"))"
    )
    bracketed = r"[\[(\uff08\u3010]\s*(?P<phrase>" + _any(subjects) + r")\s*[\])\uff09\u3011]"
    body = tuple(
        (
            kind,
            re.compile(
                _any([f for entry in data for f in entry.get("auto_reply_body", {}).get(kind, [])]),
                _FLAGS,
            ),
        )
        for kind in OOO_KINDS
    )
    return Phrasebook(
        languages=tuple(entry["language"] for entry in data),
        auto_reply_subject=re.compile(subject, _FLAGS),
        auto_reply_bracketed=re.compile(bracketed, _FLAGS),
        auto_reply_body=body,
        back_reference=re.compile(_any(gather("back_reference")), _FLAGS),
        bounce_subject=re.compile(_LEAD + r"(?:" + _any(gather("bounce_subject")) + r")", _FLAGS),
        bounce_body=re.compile(_any(gather("bounce_body")), _FLAGS),
        delay_words=re.compile(_any(gather("delay_words")), _FLAGS),
        read_receipt_subject=re.compile(
            r"^\s*(?:" + _any(gather("read_receipt_subject")) + r")", _FLAGS
        ),
        ticket_subject=re.compile(_any(gather("ticket_subject")), _FLAGS),
    )


def auto_reply_subject(subject: str) -> str | None:
    """The out-of-office phrase ``subject`` starts with (or carries in brackets), if any."""
    book = phrasebook()
    match = book.auto_reply_subject.match(subject)
    if match:
        return (match.group("latin") or match.group("cjk") or "").strip()
    bracketed = book.auto_reply_bracketed.search(subject)
    return bracketed.group("phrase") if bracketed else None


def ooo_signals(text: str) -> list[tuple[str, str]]:
    """(kind, phrase) for each kind of out-of-office statement found in ``text``."""
    found: list[tuple[str, str]] = []
    for kind, pattern in phrasebook().auto_reply_body:
        m = pattern.search(text)
        if m:
            found.append((kind, m.group(0)))
    return found
