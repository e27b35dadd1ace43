"""Business-day arithmetic in the user's own time zone."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: date, holidays: Collection[date] = ()) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(
    when: datetime, days: int, tz: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """``when`` moved ``days`` business days later, keeping its local time of day.

    A start on a weekend or holiday counts from the next business day's start, as a person would:
    a request sent on Saturday is "5 business days old" at the start of the following Monday week.
    """
    local = when.astimezone(tz)
    day = local.date()
    clock_time = local.timetz().replace(tzinfo=None)
    if not is_business_day(day, holidays):
        day = next_business_day(day, holidays)
        clock_time = time(0, 0)
    for _ in range(days):
        day = next_business_day(day, holidays)
    return datetime.combine(day, clock_time, tzinfo=tz)


def start_of_next_business_day(
    day: date, tz: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """Midnight (local) of the first business day after ``day``."""
    return datetime.combine(next_business_day(day, holidays), time(0, 0), tzinfo=tz)
