from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from desktop.domain.bizdays import add_business_days, is_business_day, next_business_day

Z = ZoneInfo("Europe/Berlin")


def test_weekends_are_skipped() -> None:
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=Z)
    assert add_business_days(friday, 1, Z) == datetime(2026, 3, 9, 15, 0, tzinfo=Z)
    assert add_business_days(friday, 5, Z) == datetime(2026, 3, 13, 15, 0, tzinfo=Z)


def test_holidays_are_skipped() -> None:
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=Z)
    assert add_business_days(monday, 1, Z, {date(2026, 3, 3)}) == datetime(
        2026, 3, 4, 9, 0, tzinfo=Z
    )


def test_a_weekend_start_counts_from_monday_morning() -> None:
    saturday = datetime(2026, 3, 7, 22, 0, tzinfo=Z)
    assert add_business_days(saturday, 5, Z) == datetime(2026, 3, 16, 0, 0, tzinfo=Z)


def test_local_day_decides_not_utc() -> None:
    # 23:30 UTC on Friday is already Saturday in Berlin.
    late_friday_utc = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert add_business_days(late_friday_utc, 1, Z).date() == date(2026, 3, 10)


def test_dst_change_keeps_local_time() -> None:
    before_dst = datetime(2026, 3, 27, 10, 0, tzinfo=Z)  # Friday; clocks change on Sunday 29
    after = add_business_days(before_dst, 1, Z)
    assert (after.date(), after.hour) == (date(2026, 3, 30), 10)


def test_next_business_day_and_predicate() -> None:
    assert not is_business_day(date(2026, 3, 7))
    assert next_business_day(date(2026, 3, 6)) == date(2026, 3, 9)


SUN_THU = frozenset({6, 0, 1, 2, 3})  # a Sunday-to-Thursday week


def test_the_users_working_days_decide_what_a_business_day_is() -> None:
    thursday = datetime(2026, 3, 5, 15, 0, tzinfo=Z)
    # Friday and Saturday are the weekend: one business day after Thursday is Sunday
    assert add_business_days(thursday, 1, Z, workdays=SUN_THU) == datetime(
        2026, 3, 8, 15, 0, tzinfo=Z
    )
    assert add_business_days(thursday, 5, Z, workdays=SUN_THU) == datetime(
        2026, 3, 12, 15, 0, tzinfo=Z
    )
    assert not is_business_day(date(2026, 3, 6), workdays=SUN_THU)  # a Friday
    assert is_business_day(date(2026, 3, 8), workdays=SUN_THU)  # a Sunday
    four_days = frozenset({0, 1, 2, 3})
    assert next_business_day(date(2026, 3, 5), workdays=four_days) == date(2026, 3, 9)
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=Z)  # a day off starts at the next day's start
    assert add_business_days(friday, 1, Z, workdays=four_days) == datetime(
        2026, 3, 10, 0, 0, tzinfo=Z
    )


def test_no_working_day_at_all_is_refused_not_an_endless_loop() -> None:
    import pytest

    with pytest.raises(ValueError, match="working day"):
        next_business_day(date(2026, 3, 5), workdays=frozenset())
