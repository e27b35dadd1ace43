"""Proposing meeting times, and writing them for a message. Pure: clock, calendar and offers are
passed in. See PRODUCT.md, "Proposing times".

Candidates are walked as UTC instants and judged by each party's local wall clock, so a change of
daylight-saving time in either zone needs no special case: a slot is kept only when its start and
end fall on the same local day, inside that party's working hours, with the same UTC offset at
both ends (it never straddles a clock change).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from desktop.domain.bizdays import is_business_day, next_business_day
from desktop.domain.clock import utc


class Span(Protocol):
    """Anything with an aware start and end: a busy block, an offered slot, a meeting."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


class MeetingKind(StrEnum):
    CALL = "call"
    COFFEE = "coffee"
    LUNCH = "lunch"

    @property
    def minutes(self) -> int:
        return _MINUTES[self]


_MINUTES = {MeetingKind.CALL: 15, MeetingKind.COFFEE: 30, MeetingKind.LUNCH: 60}


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Local wall-clock hours on the working weekdays (0 = Monday)."""

    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times, without a zone")
        if not self.start < self.end:
            raise ValueError("working hours must end after they start")


@dataclass(frozen=True, slots=True)
class Party:
    """One side of the meeting: where they are, when they work, their days off."""

    timezone: str = "UTC"
    hours: WorkingHours = field(default_factory=WorkingHours)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def works_during(self, start: datetime, end: datetime) -> bool:
        """True when every instant of [start, end] is inside this party's working hours."""
        zone = self.zone
        a, b = start.astimezone(zone), end.astimezone(zone)
        if a.utcoffset() != b.utcoffset() or a.date() != b.date() or not b > a:
            return False
        day = a.date()
        if day.weekday() not in self.hours.weekdays or day in self.holidays:
            return False
        return self.hours.start <= a.time() and b.time() <= self.hours.end


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError("a slot must end after it starts")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Span, margin: timedelta = timedelta(0)) -> bool:
        return self.start < other.end + margin and other.start < self.end + margin


@dataclass(frozen=True, slots=True)
class SlotRules:
    count: int = 3
    length: timedelta = timedelta(minutes=15)
    #: The first allowed day is this many business days after today (the user's today).
    min_business_days_ahead: int = 2
    #: The last allowed day is this many business days after today.
    horizon_business_days: int = 10
    #: Kept free before and after every busy block and offered slot.
    buffer: timedelta = timedelta(minutes=15)
    #: Slots start on multiples of this many minutes of the user's local clock.
    granularity_minutes: int = 30

    def __post_init__(self) -> None:
        if self.count < 0 or self.length <= timedelta(0) or self.buffer < timedelta(0):
            raise ValueError("bad slot rules")
        if not 0 < self.granularity_minutes <= 60 or 60 % self.granularity_minutes:
            raise ValueError("granularity must divide an hour")
        if self.horizon_business_days < self.min_business_days_ahead:
            raise ValueError("the horizon ends before the first allowed day")


DASH = "\u2013"  # the en dash between the start and end times
_GRID = timedelta(minutes=15)  # every real UTC offset is a multiple of 15 minutes
#: Where in each day's free range the slot for the 1st, 2nd, 3rd... day is aimed: morning,
#: afternoon, middle, then in between. Spreads the times of day.
_AIMS = (0.15, 0.85, 0.5, 0.3, 0.7, 0.0, 1.0)


def allowed_days(now: datetime, user: Party, rules: SlotRules) -> tuple[date, date]:
    """The first and last local days (user's zone) on which slots may fall."""
    today = now.astimezone(user.zone).date()
    first = last = today
    for i in range(rules.horizon_business_days):
        last = next_business_day(last, user.holidays, user.hours.weekdays)
        if i + 1 == rules.min_business_days_ahead:
            first = last
    if rules.min_business_days_ahead == 0:
        first = today
    return first, last


def _merged(blocks: Iterable[Span], buffer: timedelta) -> tuple[list[datetime], list[datetime]]:
    spans = sorted((utc(b.start) - buffer, utc(b.end) + buffer) for b in blocks)
    starts: list[datetime] = []
    ends: list[datetime] = []
    for s, e in spans:
        if starts and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _free(start: datetime, end: datetime, starts: list[datetime], ends: list[datetime]) -> bool:
    """True when [start, end) meets none of the merged (already buffered) blocks."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and ends[i] > start:
        return False
    j = i + 1
    return not (j < len(starts) and starts[j] < end)


def candidates(
    now: datetime,
    user: Party,
    contact: Party | None,
    busy: Iterable[Span] = (),
    offered: Iterable[Span] = (),
    rules: SlotRules | None = None,
) -> dict[date, list[Slot]]:
    """Every acceptable slot, grouped by the user's local day, in time order."""
    rules = rules or SlotRules()
    utc(now)
    zone = user.zone
    first, last = allowed_days(now, user, rules)
    starts, ends = _merged([*busy, *offered], rules.buffer)
    begin = datetime.combine(first - timedelta(days=1), time(0), UTC)
    stop = datetime.combine(last + timedelta(days=2), time(0), UTC)
    out: dict[date, list[Slot]] = {}
    at = begin
    while at < stop:
        local = at.astimezone(zone)
        day = local.date()
        if (
            first <= day <= last
            and local.minute % rules.granularity_minutes == 0
            and is_business_day(day, user.holidays, user.hours.weekdays)
        ):
            end = at + rules.length
            if (
                user.works_during(at, end)
                and (contact is None or contact.works_during(at, end))
                and _free(at, end, starts, ends)
            ):
                out.setdefault(day, []).append(Slot(at, end))
        at += _GRID
    return out


def _pick(options: list[Slot], aim: float, used_times: set[time], user: Party) -> Slot:
    lo, hi = options[0].start, options[-1].start
    target = lo + (hi - lo) * aim

    def score(slot: Slot) -> tuple[bool, timedelta]:
        clock = slot.start.astimezone(user.zone).time()
        return (clock in used_times, abs(slot.start - target))

    return min(options, key=score)


def propose_slots(
    now: datetime,
    user: Party,
    contact: Party | None = None,
    busy: Iterable[Span] = (),
    offered: Iterable[Span] = (),
    rules: SlotRules | None = None,
) -> list[Slot]:
    """``rules.count`` slots, in time order, or fewer when the calendar is that full.

    Each slot is inside the user's working hours and, when known, the contact's; at least
    ``min_business_days_ahead`` business days ahead and within the horizon; ``buffer`` away from
    every busy block and every slot already offered to someone else; one per day while free days
    remain, at different times of day.
    """
    rules = rules or SlotRules()
    by_day = candidates(now, user, contact, busy, offered, rules)
    days = sorted(by_day)
    if not days or rules.count == 0:
        return []
    # Skip a day between picks when there are days enough: "Tue, Thu, Mon" reads better.
    stride = 2 if len(days) >= 2 * rules.count else 1
    order = days[::stride] + [d for d in days if d not in days[::stride]]
    chosen: list[Slot] = []
    used_times: set[time] = set()
    rounds = 0
    while len(chosen) < rules.count and rounds < rules.count:
        progressed = False
        for day in order:
            if len(chosen) >= rules.count:
                break
            options = [
                s
                for s in by_day[day]
                if not any(s.overlaps(c, rules.buffer) for c in chosen)
                and (rounds > 0 or not any(_same_day(s, c, user) for c in chosen))
            ]
            if not options:
                continue
            slot = _pick(options, _AIMS[len(chosen) % len(_AIMS)], used_times, user)
            chosen.append(slot)
            used_times.add(slot.start.astimezone(user.zone).time())
            progressed = True
        if not progressed:
            break
        rounds += 1
    return sorted(chosen, key=lambda s: s.start)


def _same_day(a: Slot, b: Slot, user: Party) -> bool:
    zone = user.zone
    return a.start.astimezone(zone).date() == b.start.astimezone(zone).date()


def meetings_as_busy(meetings: Iterable[tuple[datetime | None, datetime | None]]) -> list[Slot]:
    """The app's own scheduled meetings (start, end pairs) as busy blocks; incomplete ones skip."""
    return [Slot(utc(s), utc(e)) for s, e in meetings if s is not None and e is not None and e > s]


# --------------------------------------------------------------------------------- reserving

#: An offer nobody answered stops holding its time after this many days (Settings can change it).
OFFER_EXPIRY_DAYS = 14


@dataclass(frozen=True, slots=True)
class Offer:
    """A time proposed to one contact, from the moment it was offered until it is released
    (declined, another time chosen, the meeting set) or expires."""

    contact_id: int
    start: datetime
    end: datetime
    offered_at: datetime
    released_at: datetime | None = None


def holds(offer: Offer, now: datetime, expiry_days: int = OFFER_EXPIRY_DAYS) -> bool:
    """Whether ``offer`` still keeps its time from everyone else at ``now`` (all instants)."""
    now = utc(now)
    if offer.released_at is not None and utc(offer.released_at) <= now:
        return False
    if utc(offer.end) <= now:
        return False
    return expiry_days <= 0 or now < utc(offer.offered_at) + timedelta(days=expiry_days)


def reserved_for_others(
    offers: Iterable[Offer],
    contact_id: int | None,
    now: datetime,
    expiry_days: int = OFFER_EXPIRY_DAYS,
) -> list[Slot]:
    """The times held by offers to anyone but ``contact_id``: not to be offered again."""
    return sorted(
        (Slot(utc(o.start), utc(o.end)) for o in offers
         if o.contact_id != contact_id and holds(o, now, expiry_days)),
        key=lambda s: s.start,
    )  # fmt: skip


def clashes(slot: Span, held: Iterable[Span]) -> bool:
    """Whether ``slot`` meets any held time; instants are compared, never wall clocks."""
    a, b = utc(slot.start), utc(slot.end)
    return any(a < utc(h.end) and utc(h.start) < b for h in held)


# ----------------------------------------------------------------------------------- rendering

_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
}
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.",
           "Dez."),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
}  # fmt: skip
#: "<time> your time" (for the user reading the composer) and "<time> my time" (in the message).
_OWN_TIME: dict[str, dict[str, str]] = {
    "en": {"user": "{t} your time", "contact": "{t} my time ({z})"},
    "de": {"user": "{t} Ihre Zeit", "contact": "{t} meine Zeit ({z})"},
    "fr": {"user": "{t} votre heure", "contact": "{t} mon heure ({z})"},
    "es": {"user": "{t} su hora", "contact": "{t} mi hora ({z})"},
}
LANGUAGES: tuple[str, ...] = tuple(_WEEKDAYS)
#: Each language by its own name, for the choice of the message's language.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
}


def language(code: str) -> str:
    """The supported language for a code such as "de" or "fr-CA"; English otherwise."""
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in _WEEKDAYS else "en"


def _day_text(day: date, lang: str) -> str:
    weekday = _WEEKDAYS[lang][day.weekday()]
    month = _MONTHS[lang][day.month - 1]
    if lang == "de":
        return f"{weekday} {day.day}. {month}"
    return f"{weekday} {day.day} {month}"


def zone_label(when: datetime) -> str:
    """The zone's abbreviation at ``when`` ("EST", "CEST"), or "UTC+5:30" when it has none."""
    name = when.tzname() or ""
    if name[:1].isalpha():
        return name
    offset = when.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, mins = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def render_slot(
    slot: Slot,
    user_tz: str,
    contact_tz: str | None = None,
    lang: str = "en",
    *,
    audience: str = "user",
) -> str:
    """A slot in the contact's zone, the user's time beside it when the clocks differ.

    ``audience="user"`` (the composer): "Tue 3 Mar, 10:00-10:15 (EST) · 16:00 your time" (an en dash
    between the times).
    ``audience="contact"`` (the message itself): "... · 16:00 my time (CET)".
    """
    lang = language(lang)
    user_zone = ZoneInfo(user_tz)
    zone = ZoneInfo(contact_tz) if contact_tz else user_zone
    a, b = slot.start.astimezone(zone), slot.end.astimezone(zone)
    text = f"{_day_text(a.date(), lang)}, {a:%H:%M}{DASH}{b:%H:%M} ({zone_label(a)})"
    mine = slot.start.astimezone(user_zone)
    if mine.utcoffset() != a.utcoffset():
        own = f"{mine:%H:%M}"
        if mine.date() != a.date():
            own = f"{_day_text(mine.date(), lang)} {own}"
        text += " · " + _OWN_TIME[lang][audience].format(t=own, z=zone_label(mine))
    return text


def render_slots(
    slots: Sequence[Slot],
    user_tz: str,
    contact_tz: str | None = None,
    lang: str = "en",
    *,
    audience: str = "user",
) -> list[str]:
    return [render_slot(s, user_tz, contact_tz, lang, audience=audience) for s in slots]
