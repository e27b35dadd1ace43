"""Business-day arithmetic in the user's own time zone, on the days the user works.

``workdays`` are weekday numbers (0 = Monday, as ``date.weekday()``); Monday to Friday unless the
user's "working days" setting says otherwise (a Sunday-to-Thursday week, a four-day week).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MON_FRI: frozenset[int] = frozenset(range(5))


def _check(workdays: Collection[int]) -> None:
    if not any(0 <= d <= 6 for d in workdays):
        raise ValueError("at least one working day (0 = Monday ... 6 = Sunday) is needed")


def is_business_day(
    day: date, holidays: Collection[date] = (), workdays: Collection[int] = MON_FRI
) -> bool:
    return day.weekday() in workdays and day not in holidays


def next_business_day(
    day: date, holidays: Collection[date] = (), workdays: Collection[int] = MON_FRI
) -> date:
    """The first business day strictly after ``day``."""
    _check(workdays)
    day += timedelta(days=1)
    while not is_business_day(day, holidays, workdays):
        day += timedelta(days=1)
    return day


def add_business_days(
    when: datetime,
    days: int,
    tz: ZoneInfo,
    holidays: Collection[date] = (),
    workdays: Collection[int] = MON_FRI,
) -> datetime:
    """``when`` moved ``days`` business days later, keeping its local time of day.

    A start on a day off or a holiday counts from the next business day's start, as a person
    would: a request sent on Saturday is "5 business days old" at the start of the following
    week's first working day.
    """
    local = when.astimezone(tz)
    day = local.date()
    clock_time = local.timetz().replace(tzinfo=None)
    if not is_business_day(day, holidays, workdays):
        day = next_business_day(day, holidays, workdays)
        clock_time = time(0, 0)
    for _ in range(days):
        day = next_business_day(day, holidays, workdays)
    return datetime.combine(day, clock_time, tzinfo=tz)


def start_of_next_business_day(
    day: date, tz: ZoneInfo, holidays: Collection[date] = (), workdays: Collection[int] = MON_FRI
) -> datetime:
    """Midnight (local) of the first business day after ``day``."""
    return datetime.combine(next_business_day(day, holidays, workdays), time(0, 0), tzinfo=tz)
