"""Dates and times as people write them in mail, in EN, DE, FR, ES, IT, NL, PT and PL.

Small and fast on purpose: the return date of an out-of-office ("back on Tuesday", "returning
05/01", "bis zum 3. März", "jusqu'au 16 mars") and the days and times a reply mentions
("Thursday at 2pm", "Mittwoch, 18.03. um 11 Uhr") are found with a handful of regular
expressions over word lists, relative to the message's Date. dateparser stays a fallback for
the rare forms these miss.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_WEEKDAY_WORDS: dict[int, tuple[str, ...]] = {
    0: ("monday", "mon", "montag", "lundi", "lunes", "lunedì", "lunedi", "maandag", "segunda-feira",
        "segunda", "poniedziałek", "poniedziałku", "poniedzialek"),
    1: ("tuesday", "tues", "tue", "dienstag", "mardi", "martes", "martedì", "martedi", "dinsdag",
        "terça-feira", "terca-feira", "terça", "terca", "wtorek", "wtorku"),
    2: ("wednesday", "wed", "mittwoch", "mercredi", "miércoles", "miercoles", "mercoledì",
        "mercoledi", "woensdag", "quarta-feira", "quarta", "środa", "środy", "środę", "sroda"),
    3: ("thursday", "thurs", "thur", "thu", "donnerstag", "jeudi", "jueves", "giovedì", "giovedi",
        "donderdag", "quinta-feira", "quinta", "czwartek", "czwartku"),
    4: ("friday", "fri", "freitag", "vendredi", "viernes", "venerdì", "venerdi", "vrijdag",
        "sexta-feira", "sexta", "piątek", "piątku", "piatek", "piatku"),
    5: ("saturday", "sat", "samstag", "samedi", "sábado", "sabado", "sabato", "zaterdag",
        "sobota", "soboty", "sobotę"),
    6: ("sunday", "sun", "sonntag", "dimanche", "domingo", "domenica", "zondag", "niedziela",
        "niedzieli", "niedzielę"),
}  # fmt: skip

_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "enero", "gennaio", "januari", "janeiro",
        "styczeń", "stycznia", "sty"),
    2: ("february", "feb", "februar", "février", "fevrier", "febrero", "febbraio", "februari",
        "fevereiro", "luty", "lutego", "lut"),
    3: ("march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "maart", "mrt", "março",
        "marco", "marzec", "marca"),
    4: ("april", "apr", "avril", "abril", "aprile", "kwiecień", "kwietnia", "kwi"),
    5: ("may", "mai", "mayo", "maggio", "mei", "maio", "maj", "maja"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "junho", "czerwiec", "czerwca", "cze"),
    7: ("july", "jul", "juli", "juillet", "julio", "luglio", "julho", "lipiec", "lipca", "lip"),
    8: ("august", "aug", "août", "aout", "agosto", "augustus", "sierpień", "sierpnia", "sie"),
    9: ("september", "sept", "sep", "septembre", "septiembre", "setiembre", "settembre",
        "setembro", "wrzesień", "września", "wrz"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "outubro",
         "październik", "października", "paź"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "lis"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "diciembre", "dicembre",
         "dezembro", "grudzień", "grudnia", "gru"),
}  # fmt: skip

_TOMORROW = ("tomorrow", "morgen", "demain", "mañana", "domani", "amanhã", "amanha", "jutro")

#: The dates a message may carry. Anything outside (a client's "9999", a spoofed "0001") is
#: clamped, so that no later arithmetic on a message's date ("the next Tuesday", "five working
#: days later") can leave the calendar and raise OverflowError.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def clamp(when: datetime) -> datetime:
    """``when`` moved into [EARLIEST, LATEST], aware (naive means UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # The year is compared first: converting 9999-12-31 -12:00 to UTC would itself overflow.
    if when.year > LATEST.year:
        return LATEST
    if when.year < EARLIEST.year:
        return EARLIEST
    return max(EARLIEST, min(LATEST, when))


def clamp_day(day: date) -> date:
    """``day`` moved into the days of [EARLIEST, LATEST]."""
    return max(EARLIEST.date(), min(LATEST.date(), day))


WEEKDAYS: dict[str, int] = {w: i for i, words in _WEEKDAY_WORDS.items() for w in words}
MONTHS: dict[str, int] = {w: i for i, words in _MONTH_WORDS.items() for w in words}


def _alt(words: object) -> str:
    items = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "|".join(re.escape(w) for w in items)


_WD = _alt(WEEKDAYS)
_MO = _alt(MONTHS)
_ORDINAL_SUFFIX = r"(?:st|nd|rd|th|er|e|º|°|\.)?"

DAY_MONTH = re.compile(
    rf"\b(?P<d>[0-3]?\d){_ORDINAL_SUFFIX}\s*(?:de\s+|of\s+|d'\s*)?(?P<m>{_MO})\b\.?"
    rf"(?:,?\s*(?:de\s+)?(?P<y>20\d\d))?",
    re.IGNORECASE,
)
MONTH_DAY = re.compile(
    rf"\b(?P<m>{_MO})\.?\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>20\d\d))?",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b(?P<y>20\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b")
NUMERIC_DATE = re.compile(
    r"(?<![\d:])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[01]?\d)(?:(?P=sep)(?P<y>(?:20)?\d\d))?"
    r"(?![\d:])\.?"
)
WEEKDAY = re.compile(rf"\b(?P<w>{_WD})\b\.?", re.IGNORECASE)
TOMORROW = re.compile(rf"\b(?:{_alt(_TOMORROW)})\b", re.IGNORECASE)
DAY_ONLY = re.compile(r"\bthe\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
TIME = re.compile(
    r"(?<![\d.:/-])(?P<h>[012]?\d)(?:(?:[:.h]|\s?h\s?)(?P<mi>[0-5]\d))?(?![\d.:/-]\d)\s*"
    r"(?P<ampm>a\.?m\.?|p\.?m\.?|h\b|uhr\b|hs\b|hrs\b|godz\b)?",
    re.IGNORECASE,
)
_TIME_LEAD = re.compile(
    r"(?:\bat|\bum|\bà|\ba\s+las|\ba\s+la|\balle|\bore|\bom|\bàs|\bas|\bo\s+godz\.?|\bo|\bvon|\bfrom)"
    r"\s*$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _year_for(day: int, month: int, base: date) -> date | None:
    for year in (base.year, base.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found >= base - timedelta(days=1):
            return found
    return None


def _mk(y: str | None, m: int, d: int, base: date) -> date | None:
    if y:
        year = int(y)
        if year < 100:
            year += 2000
        try:
            return date(year, m, d)
        except ValueError:
            return None
    return _year_for(d, m, base)


def next_weekday(weekday: int, base: date) -> date:
    """The next ``weekday`` strictly after ``base``."""
    ahead = (weekday - base.weekday()) % 7 or 7
    return base + timedelta(days=ahead)


@dataclass(frozen=True, slots=True)
class Found:
    when: date
    start: int
    end: int
    explicit: bool  # a calendar date rather than a weekday or "tomorrow"


def find_dates(text: str, base: date) -> list[Found]:
    """Every date mentioned in ``text``, resolved relative to ``base``, in text order."""
    base = clamp_day(base)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(when: date | None, m: re.Match[str], explicit: bool) -> None:
        if when is not None and free(m.start(), m.end()):
            found.append(Found(when, m.start(), m.end(), explicit))
            taken.append((m.start(), m.end()))

    for m in ISO_DATE.finditer(text):
        add(
            _mk(m["y"], int(m["m"]), int(m["d"]), base) if 1 <= int(m["m"]) <= 12 else None, m, True
        )
    for m in DAY_MONTH.finditer(text):
        add(_mk(m["y"], MONTHS[m["m"].lower()], int(m["d"]), base), m, True)
    for m in MONTH_DAY.finditer(text):
        add(_mk(m["y"], MONTHS[m["m"].lower()], int(m["d"]), base), m, True)
    for m in NUMERIC_DATE.finditer(text):
        add(_numeric(m, base), m, True)
    for m in DAY_ONLY.finditer(text):
        day = int(m["d"])
        month_start = base.replace(day=1)
        candidates = [_safe(month_start, day), _safe(_add_month(month_start), day)]
        when = next((c for c in candidates if c is not None and c >= base), None)
        add(when, m, True)
    for m in WEEKDAY.finditer(text):
        word = m["w"].lower()
        if len(word) <= 3 and not m.group(0)[0].isupper():
            continue  # "sun", "sat", "mar", "wed" in running text are too ambiguous lower-case
        add(next_weekday(WEEKDAYS[word], base), m, False)
    for m in TOMORROW.finditer(text):
        add(base + timedelta(days=1), m, False)
    found.sort(key=lambda f: f.start)
    return found


def _safe(month_start: date, day: int) -> date | None:
    try:
        return month_start.replace(day=day)
    except ValueError:
        return None


def _add_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _numeric(m: re.Match[str], base: date) -> date | None:
    a, b = int(m["a"]), int(m["b"])
    sep = m["sep"]
    y = m["y"]
    if sep == "-" and not y:
        return None  # "10-12" is a range of hours more often than a date
    options: list[tuple[int, int]] = []
    if sep == ".":
        options = [(a, b)]
    else:
        if 1 <= b <= 12 and 1 <= a <= 31:
            options.append((a, b))  # day/month
        if 1 <= a <= 12 and 1 <= b <= 31 and a != b:
            options.append((b, a))  # month/day (US)
    dates = [d for d in (_mk(y, mo, dd, base) for dd, mo in options if 1 <= mo <= 12) if d]
    if not dates:
        return None
    # Ambiguous day/month order: the sooner plausible date (a return date is rarely far off).
    future = [d for d in dates if d >= base - timedelta(days=1)]
    return min(future) if future else dates[0]


@dataclass(frozen=True, slots=True)
class ClockTime:
    hour: int
    minute: int
    start: int
    end: int
    #: True when am/pm was not said and a 1-7 o'clock hour may mean the afternoon.
    ambiguous: bool


def find_times(text: str) -> list[ClockTime]:
    """Clock times: "14:00", "2pm", "4:30 pm", "10 Uhr", "14h30", "at 11" (a bare number only
    after a word like at/um/à/alle/om/às/o)."""
    out: list[ClockTime] = []
    for m in TIME.finditer(text):
        hour = int(m["h"])
        minute = int(m["mi"]) if m["mi"] else 0
        ampm = (m["ampm"] or "").lower().replace(".", "")
        lead = _TIME_LEAD.search(text[max(0, m.start() - 12) : m.start()]) is not None
        if not (m["mi"] or ampm or lead):
            continue
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour > 23:
            continue
        ambiguous = ampm not in ("am", "pm") and 1 <= hour <= 7
        out.append(ClockTime(hour, minute, m.start(), m.end(), ambiguous))
    return out


#: Time zones as people name them after a time ("15:00 CET", "3pm (UTC)"): the usual
#: abbreviations, each read as the zone most people mean by it.
ZONE_WORDS: dict[str, str] = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC",
    "cet": "Europe/Paris", "cest": "Europe/Paris", "mez": "Europe/Berlin",
    "mesz": "Europe/Berlin", "bst": "Europe/London", "wet": "Europe/Lisbon",
    "eet": "Europe/Athens", "et": "America/New_York", "est": "America/New_York",
    "edt": "America/New_York", "ct": "America/Chicago", "cst": "America/Chicago",
    "cdt": "America/Chicago", "mt": "America/Denver", "mst": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "jst": "Asia/Tokyo", "sgt": "Asia/Singapore", "aest": "Australia/Sydney",
}  # fmt: skip
_ZONE = re.compile(
    r"\b(?P<iana>[A-Z][a-z]+/[A-Z][A-Za-z_]+)\b|(?<![\w/])(?P<abbr>"
    + "|".join(sorted(ZONE_WORDS, key=len, reverse=True))
    + r")(?![\w/])",
    re.IGNORECASE,
)
_MINUTES = re.compile(r"\b(?P<n>15|20|25|30|45|60)[ -]?(?:minutes?|mins?|minuten|min)\b", re.I)


def zone_named(text: str) -> str:
    """The time zone the text names for its times (an IANA name, or a usual abbreviation next
    to a time or in brackets), or "" when it names none."""
    for m in _ZONE.finditer(text):
        if m["iana"]:
            return m["iana"]
        word = m["abbr"].lower()
        if word in ("et", "ct", "mt", "pt", "z") and m["abbr"] != m["abbr"].upper():
            continue  # "et", "pt" in running text are words, not zones
        return ZONE_WORDS[word]
    return ""


def proposed_times(
    text: str, sent: datetime, zone_name: str = ""
) -> tuple[list[tuple[datetime, datetime]], str]:
    """The meeting times a request written by hand proposes ("Tuesday 14 April at 15:00 or
    Wednesday at 10am (CET)"): each date with the clock time after it, in the zone the text
    names (else ``zone_name``, else UTC), lasting the minutes the text asks for (else 30).
    Only times after ``sent`` and within 90 days. Returns the times and the zone named."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    named = zone_named(text)
    try:
        zone = ZoneInfo(named or zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone, named = ZoneInfo("UTC"), ""
    minutes = _MINUTES.search(text)
    length = timedelta(minutes=int(minutes["n"]) if minutes else 30)
    dates = find_dates(text, sent.astimezone(zone).date())
    times = find_times(text)
    out: list[tuple[datetime, datetime]] = []
    for n, found in enumerate(dates):
        limit = dates[n + 1].start if n + 1 < len(dates) else len(text)
        clock = next((t for t in times if found.end <= t.start < min(limit, found.end + 40)), None)
        if clock is None:
            continue
        hour = clock.hour + 12 if clock.ambiguous else clock.hour
        start = datetime(found.when.year, found.when.month, found.when.day, hour, clock.minute,
                         tzinfo=zone)  # fmt: skip
        if sent < start < sent + timedelta(days=90):
            out.append((start.astimezone(UTC), (start + length).astimezone(UTC)))
    return list(dict.fromkeys(out)), named
