"""The return date an out-of-office notice announces ("back on Tuesday", "bis 16.03.", "de
retour le 3 mars"): trigger words, then a date that follows them within the sentence;
dateparser is the fallback, loaded only when an auto-reply needs it."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from mail.dates import clamp, find_dates, normalise

#: How much of a text the date search reads.
TEXT_SCAN_CHARS = 3000

# Return-date triggers: the date follows. Strong ones first; "ab"/"from"-style ones (the day the
# absence *starts* in "ab 09.03. nicht im Büro") only when nothing else names a date.
_STRONG_TRIGGERS = re.compile(
    r"\b(?:until|till|til|through|thru|back(?: in(?: the)? office)?(?: on)?|returning(?: on)?|"
    r"return(?:s|ing)?(?: to the office)?(?: on)?|will be back(?: on)?|"
    r"bis(?: einschlie(?:ß|ss)lich)?(?: zum| zur| am| dem)?|wieder(?: ab| am)?|"
    r"zurück(?: am| ab)?|rückkehr(?: am)?|"
    r"jusqu['\u2019](?:au|à|a)|de retour(?: le)?|retour(?: prévu)?(?: le)?|"
    r"hasta(?: el(?: día)?)?|de vuelta(?: el)?|regreso(?: el)?|volveré(?: el)?|"
    r"fino (?:al|a|all['\u2019])|rientr(?:o|erò)(?: in ufficio)?(?: il)?|di ritorno(?: il)?|"
    r"tornerò(?: il)?|"
    r"tot en met|t/m|tot|terug(?: op)?|"
    r"até(?: ao| à| a| o| dia)?|regresso(?: a| em| no dia)?|de volta(?: a| em| no dia)?|"
    r"retorno(?: em| a)?|"
    r"do(?: dnia)?|wracam(?: dnia)?|powrót(?: dnia)?)\b",
    re.IGNORECASE,
)
_WEAK_TRIGGERS = re.compile(
    r"\b(?:ab(?: dem)?|from|as of|à partir du|dès le|a partir del?|a partire dal?|vanaf|"
    r"a partir de|od(?: dnia)?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?:\s|$)|[!?\n;]")


def away_until(text: str, sent: datetime) -> datetime | None:
    """The return date an out-of-office text announces, as 00:00 UTC of that day, or None.

    Relative dates ("back on Tuesday", "bis Donnerstag", "tomorrow") count from ``sent``; a
    date without a year is the next such date; an ambiguous 05/01 is the sooner reading."""
    text = normalise(text[:TEXT_SCAN_CHARS])
    base = clamp(sent).astimezone(UTC)
    day = base.date()
    earliest = day - timedelta(days=1)
    latest = day + timedelta(days=400)
    for pattern in (_STRONG_TRIGGERS, _WEAK_TRIGGERS):
        for match in pattern.finditer(text):
            found = _date_after(text, match.end(), day)
            if found is not None and earliest <= found <= latest:
                return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return _away_with_dateparser(text, base, earliest, latest)


def _date_after(text: str, pos: int, base: date) -> date | None:
    rest = text[pos : pos + 80]
    end = _SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start() + 1]
    lead = rest.lstrip(" ,:")
    skipped = len(rest) - len(lead)
    dates = find_dates(lead, base)
    if not dates or dates[0].start > 24 + skipped:
        return None
    first = dates[0]
    # "Monday, 16 March": the explicit date that follows the weekday wins.
    explicit = [d for d in dates if d.explicit and d.start - first.end < 6]
    if not first.explicit and explicit:
        return explicit[0].when
    return first.when


# dateparser is the fallback for forms mail.dates does not read; it takes long to import (and
# ships no types), so it is loaded on the first auto-reply that needs it only.
_DATEPARSER_LANGS = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]


def _away_with_dateparser(
    text: str, base: datetime, earliest: date, latest: date
) -> datetime | None:
    matches = list(_STRONG_TRIGGERS.finditer(text))[:6]
    if not matches:
        return None
    try:
        dateparser = importlib.import_module("dateparser")
    except ImportError:
        return None
    naive = base.replace(tzinfo=None)
    for match in matches:
        found = _parse_phrase(dateparser.parse, text[match.end() : match.end() + 80], naive)
        if found is not None and earliest <= found <= latest:
            return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def _parse_phrase(parse: Callable[..., object], rest: str, base: datetime) -> date | None:
    end = _SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start()]
    words = rest.replace(",", " , ").split()[:5]
    if not any(ch.isdigit() for ch in rest) and len(words) > 3:
        words = words[:3]
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PARSERS": ["relative-time", "absolute-time"],
    }
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).replace(" , ", ", ").strip(" ,")
        if not candidate or not any(ch.isalnum() for ch in candidate):
            continue
        try:
            result = parse(candidate, languages=_DATEPARSER_LANGS, settings=settings)
        except Exception:
            return None
        if isinstance(result, datetime):
            return result.date()
    return None
