"""The localised phrases of automatic mail, one data file per language (``mail/phrases/*.json``),
read and compiled once, on first use.

Each file holds regular-expression fragments (matched case-insensitively) under these keys:
``auto_reply_subject`` (how an out-of-office subject starts, or what it says in brackets),
``auto_reply_body`` (statements of an out-of-office notice, by kind: absence, mail_access,
redirect, will_reply, automatic), ``back_reference`` (a person speaking of their own absence or
auto-reply), ``bounce_subject``, ``bounce_body``, ``delay_words``, ``read_receipt_subject`` and
``ticket_subject``. Adding a language is adding a file.

The phrases searched in running text (bodies) are a ``TextPattern``: one alternation of a few
hundred phrases, matched case-insensitively at every position of 3,000 characters, cost most of
a message's classification; lower-cased text against lower-cased phrases, tried only where a
word starts or ends, is about nine times faster and finds the same phrases.
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


_ESCAPE_OR_TEXT = re.compile(r"\\.|[^\\]+", re.DOTALL)


def _lower(fragment: str) -> str:
    """A regular-expression fragment in lower case, its escapes (``\\S``, ``\\W``) kept."""
    return _ESCAPE_OR_TEXT.sub(
        lambda m: m.group(0) if m.group(0).startswith("\\") else m.group(0).lower(), fragment
    )


class TextPattern:
    """Phrases to find in running text, case-insensitively: the text is lower-cased and searched
    with the lower-cased phrases. A Latin phrase is tried only where a word starts or ends (so
    not inside a word), a CJK phrase anywhere (CJK text has no spaces between words)."""

    __slots__ = ("pattern",)

    def __init__(self, fragments: list[str]) -> None:
        latin = [_lower(f) for f in fragments if not _is_cjk(f)]
        cjk = [f for f in fragments if _is_cjk(f)]
        branches = []
        if latin:
            branches.append(r"(?:(?<!\w)|(?!\w))(?:" + _any(latin) + ")")
        if cjk:
            branches.append(_any(cjk))
        self.pattern = re.compile("|".join(branches) or r"(?!)")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text.lower())


@dataclass(frozen=True)
class Phrasebook:
    languages: tuple[str, ...]
    auto_reply_subject: re.Pattern[str]
    auto_reply_bracketed: re.Pattern[str]
    auto_reply_body: tuple[tuple[str, TextPattern], ...]
    back_reference: TextPattern
    bounce_subject: re.Pattern[str]
    bounce_body: TextPattern
    delay_words: TextPattern
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
            TextPattern(
                [f for entry in data for f in entry.get("auto_reply_body", {}).get(kind, [])]
            ),
        )
        for kind in OOO_KINDS
    )
    return Phrasebook(
        languages=tuple(entry["language"] for entry in data),
        auto_reply_subject=re.compile(subject, _FLAGS),
        auto_reply_bracketed=re.compile(bracketed, _FLAGS),
        auto_reply_body=body,
        back_reference=TextPattern(gather("back_reference")),
        bounce_subject=re.compile(_LEAD + r"(?:" + _any(gather("bounce_subject")) + r")", _FLAGS),
        bounce_body=TextPattern(gather("bounce_body")),
        delay_words=TextPattern(gather("delay_words")),
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
