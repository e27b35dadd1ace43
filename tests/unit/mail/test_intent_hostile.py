"""The reply-intent patterns on text a stranger can send: a long capitalised word once made the
referral search backtrack from every capital letter to the end of the word (a 24 KB word took
most of a second). The time itself is printed by bench/hostile_mail.py, never asserted here:
these tests check the shape of the patterns (a match cannot span more than a bounded number of
characters, so the work from each position is bounded and a search is linear) and that the
shape is still read right."""

from __future__ import annotations

import re
import re._parser as sre
from datetime import UTC, datetime

import pytest

from mail import intent
from mail.intent import detect, referral

SENT = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
#: The most characters one match may span: a long name, its separator and a long address.
WIDEST = 1_000


def _widest(pattern: re.Pattern[str]) -> int:
    return int(sre.parse(pattern.pattern, pattern.flags).getwidth()[1])


@pytest.mark.parametrize(
    "name", ["_EMAIL", "_NAME_BEFORE_ADDRESS", "_NAME_AFTER_CUE", "_ORDINAL_RE"]
)
def test_every_search_pattern_spans_a_bounded_width(name: str) -> None:
    # An unbounded repetition (``+``, ``*``) gives the greatest width the parser knows (2**64).
    assert _widest(getattr(intent, name)) <= WIDEST


def test_the_widest_check_sees_an_unbounded_pattern() -> None:
    assert _widest(re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")) > WIDEST


def test_a_long_capitalised_word_before_a_referral_is_read() -> None:
    word = "Ana" * 8_000  # the fuzzed shape: one 24 KB capitalised word
    assert referral(word) == ("", "")
    assert referral(f"{word}\nTalk to my colleague Erin Park (erin.park@northwind.example).") == (
        "Erin Park",
        "erin.park@northwind.example",
    )
    assert detect(word, sent=SENT).kind == "unknown"


def test_an_address_inside_a_long_run_of_address_characters_is_found() -> None:
    local = "a." * 40 + "jo"  # a local part over 64 characters is not an address
    assert referral(f"Write to {local}@x.example or to jo@x.example, my colleague.") == (
        "",
        "jo@x.example",
    )
    assert referral(f"{'x' * 30_000} contact jo.lee@x.example") == ("", "jo.lee@x.example")


def test_names_start_at_a_word_and_keep_their_particles() -> None:
    assert referral("Write to Jan van Berg <jan@berg.example>.") == (
        "Jan van Berg",
        "jan@berg.example",
    )
    assert referral("meine Kollegin Petra Lang: petra.lang@x.example") == (
        "Petra Lang",
        "petra.lang@x.example",
    )
    # A capital inside a word does not start a name.
    assert referral("macOS-Expertin: eva@x.example")[0] == ""


def test_ordinals_and_option_numbers_across_long_gaps_are_bounded() -> None:
    assert detect("option" + " " * 20_000 + "x", sent=SENT).kind == "unknown"
    assert intent._ORDINAL_RE.search("the second one works") is not None
    assert intent._ORDINAL_RE.search("Option #2 please") is not None
