"""The slot proposer: properties checked against zoneinfo directly, plus worked examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.slots import (
    MeetingKind,
    Party,
    Slot,
    SlotRules,
    WorkingHours,
    allowed_days,
    candidates,
    language,
    meetings_as_busy,
    propose_slots,
    render_slot,
    render_slots,
    zone_label,
)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Europe/London",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
)
#: Around the 2026 clock changes: US 8 Mar and 1 Nov, EU 29 Mar and 25 Oct, Sydney 5 Apr / 4 Oct.
DST_ANCHORS = (
    datetime(2026, 3, 2, tzinfo=UTC),
    datetime(2026, 3, 20, tzinfo=UTC),
    datetime(2026, 3, 26, tzinfo=UTC),
    datetime(2026, 10, 16, tzinfo=UTC),
    datetime(2026, 10, 22, tzinfo=UTC),
    datetime(2026, 10, 28, tzinfo=UTC),
    datetime(2026, 3, 30, tzinfo=UTC),
)
D = "\u2013"  # en dash
PROPS = settings(max_examples=60, deadline=None)


@dataclass(frozen=True)
class Block:
    start: datetime
    end: datetime


@st.composite
def hours(draw: st.DrawFn) -> WorkingHours:
    start = draw(st.integers(6, 12))
    end = draw(st.integers(start + 2, min(start + 11, 23)))
    return WorkingHours(time(start, draw(st.sampled_from((0, 30)))), time(end, 0))


@st.composite
def scenarios(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> dict[str, object]:
    now = draw(st.sampled_from(DST_ANCHORS)) + timedelta(minutes=draw(st.integers(0, 12 * 1440)))
    user_zone = draw(st.sampled_from(zones))
    today = now.astimezone(ZoneInfo(user_zone)).date()
    holidays = frozenset(
        today + timedelta(days=d) for d in draw(st.lists(st.integers(0, 20), max_size=4))
    )
    user = Party(user_zone, draw(hours()), holidays)
    contact_holidays = frozenset(draw(st.lists(st.sampled_from(sorted(holidays) or [today]))))
    contact = draw(
        st.one_of(
            st.none(),
            st.builds(Party, st.sampled_from(zones), hours(), st.just(contact_holidays)),
        )
    )

    def span(max_len: int) -> st.SearchStrategy[Block]:
        return st.tuples(st.integers(0, 20 * 96), st.integers(1, max_len)).map(
            lambda t: Block(
                now + timedelta(minutes=15 * t[0]), now + timedelta(minutes=15 * (t[0] + t[1]))
            )
        )

    busy = draw(st.lists(span(16), max_size=40))
    offered = draw(st.lists(span(4), max_size=6))
    rules = SlotRules(
        count=draw(st.integers(1, 5)),
        length=timedelta(minutes=draw(st.sampled_from([k.minutes for k in MeetingKind]))),
        buffer=timedelta(minutes=draw(st.sampled_from((0, 10, 15, 30)))),
    )
    return {
        "now": now,
        "user": user,
        "contact": contact,
        "busy": busy,
        "offered": offered,
        "rules": rules,
    }


def _business_days_between(start: date, end: date, holidays: frozenset[date]) -> int:
    """Business days d with start < d <= end, counted one by one."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            n += 1
    return n


def _inside(party: Party, slot: Slot) -> bool:
    zone = ZoneInfo(party.timezone)
    a, b = slot.start.astimezone(zone), slot.end.astimezone(zone)
    wall = datetime.combine(b.date(), b.time()) - datetime.combine(a.date(), a.time())
    return (
        a.date() == b.date()
        and wall == slot.end - slot.start  # no clock change inside the slot
        and a.weekday() < 5
        and a.date() not in party.holidays
        and party.hours.start <= a.time()
        and b.time() <= party.hours.end
    )


def _check_all(s: dict[str, object], slots: list[Slot]) -> None:
    now = s["now"]
    user = s["user"]
    contact = s["contact"]
    rules = s["rules"]
    assert isinstance(now, datetime) and isinstance(user, Party) and isinstance(rules, SlotRules)
    assert len(slots) <= rules.count
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    for slot in slots:
        assert slot.end - slot.start == rules.length
        assert _inside(user, slot)
        if isinstance(contact, Party):
            assert _inside(contact, slot)
        day = slot.start.astimezone(ZoneInfo(user.timezone)).date()
        ahead = _business_days_between(today, day, user.holidays)
        assert 2 <= ahead <= 10
        for block in [*s["busy"], *s["offered"]]:  # type: ignore[misc]
            assert (
                slot.end + rules.buffer <= block.start or block.end + rules.buffer <= slot.start
            ), (slot, block)
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            assert a.end <= b.start or b.end <= a.start


def _propose(s: dict[str, object]) -> list[Slot]:
    return propose_slots(
        s["now"],  # type: ignore[arg-type]
        s["user"],  # type: ignore[arg-type]
        s["contact"],  # type: ignore[arg-type]
        s["busy"],  # type: ignore[arg-type]
        s["offered"],  # type: ignore[arg-type]
        s["rules"],  # type: ignore[arg-type]
    )


@PROPS
@given(scenarios())
def test_every_slot_is_inside_hours_free_ahead_and_never_double_offered(
    s: dict[str, object],
) -> None:
    _check_all(s, _propose(s))


@PROPS
@given(scenarios(zones=("Europe/Berlin", "America/New_York")))
def test_dst_changes_in_both_zones(s: dict[str, object]) -> None:
    _check_all(s, _propose(s))


@PROPS
@given(scenarios())
def test_spread_over_days_and_as_many_as_asked_when_there_is_room(s: dict[str, object]) -> None:
    slots = _propose(s)
    rules = s["rules"]
    assert isinstance(rules, SlotRules)
    user = s["user"]
    assert isinstance(user, Party)
    available = candidates(s["now"], user, s["contact"], s["busy"], s["offered"], rules)  # type: ignore[arg-type]
    for day, options in available.items():  # the candidates obey the same rules
        _check_all(s, options[:1])
        assert all(o.start.astimezone(user.zone).date() == day for o in options)
    days = {slot.start.astimezone(user.zone).date() for slot in slots}
    if available:
        assert slots
    if rules.count >= 2 and len(available) >= 2:
        assert len(days) >= 2
    if len(available) >= rules.count:
        assert len(slots) == rules.count
        assert len(days) == rules.count  # one per day while free days remain
    assert slots == sorted(slots, key=lambda x: x.start)


@PROPS
@given(scenarios())
def test_offering_in_turn_never_gives_the_same_time_twice(s: dict[str, object]) -> None:
    first = _propose(s)
    second = _propose({**s, "offered": [*s["offered"], *first]})  # type: ignore[misc]
    _check_all({**s, "offered": [*s["offered"], *first]}, second)  # type: ignore[misc]


# ------------------------------------------------------------------------------- examples
BERLIN = Party("Europe/Berlin")
NEW_YORK = Party("America/New_York")


def test_us_summer_time_starts_three_weeks_before_europe() -> None:
    # Between 8 and 29 March 2026 New York is 5 hours behind Berlin instead of 6, so the overlap
    # of 9-17 days is 14:00-17:00 Berlin (9:00-12:00 in New York).
    now = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday
    by_day = candidates(now, BERLIN, NEW_YORK)
    first_day = min(by_day)
    assert first_day == date(2026, 3, 11)
    starts = [s.start.astimezone(BERLIN.zone).time() for s in by_day[first_day]]
    assert starts[0] == time(14, 0) and starts[-1] == time(16, 30)
    # After both changes (30 March) the usual 6 hours: 15:00-17:00 Berlin.
    later = candidates(datetime(2026, 3, 30, 8, 0, tzinfo=UTC), BERLIN, NEW_YORK)
    starts = [s.start.astimezone(BERLIN.zone).time() for s in later[min(later)]]
    assert starts[0] == time(15, 0)


def test_autumn_weeks_with_a_four_hour_gap_and_rendering_across_it() -> None:
    # Europe falls back on 25 October, New York on 1 November: 26-30 Oct the gap is 5 hours.
    slot = Slot(
        datetime(2026, 10, 27, 14, 0, tzinfo=UTC), datetime(2026, 10, 27, 14, 15, tzinfo=UTC)
    )
    assert render_slot(slot, "Europe/Berlin", "America/New_York") == (
        f"Tue 27 Oct, 10:00{D}10:15 (EDT) · 15:00 your time"
    )
    slot = Slot(datetime(2026, 11, 3, 15, 0, tzinfo=UTC), datetime(2026, 11, 3, 15, 15, tzinfo=UTC))
    assert render_slot(slot, "Europe/Berlin", "America/New_York") == (
        f"Tue 3 Nov, 10:00{D}10:15 (EST) · 16:00 your time"
    )


def test_issue_example_and_languages() -> None:
    slot = Slot(datetime(2026, 3, 3, 15, 0, tzinfo=UTC), datetime(2026, 3, 3, 15, 15, tzinfo=UTC))
    assert render_slot(slot, "Europe/Berlin", "America/New_York") == (
        f"Tue 3 Mar, 10:00{D}10:15 (EST) · 16:00 your time"
    )
    assert render_slot(slot, "Europe/Berlin", "America/New_York", "de", audience="contact") == (
        f"Di. 3. März, 10:00{D}10:15 (EST) · 16:00 meine Zeit (CET)"
    )
    assert render_slot(slot, "America/New_York", "Europe/Paris", "fr-FR", audience="contact") == (
        f"mar. 3 mars, 16:00{D}16:15 (CET) · 10:00 mon heure (EST)"
    )
    assert render_slot(slot, "Europe/Berlin", "America/Mexico_City", "es") == (
        f"mar 3 mar, 09:00{D}09:15 (CST) · 16:00 su hora"
    )
    # Same clock on both sides: no second time.
    assert render_slot(slot, "Europe/Berlin", "Europe/Paris") == f"Tue 3 Mar, 16:00{D}16:15 (CET)"
    assert render_slot(slot, "Europe/Berlin") == f"Tue 3 Mar, 16:00{D}16:15 (CET)"
    assert language("pt-BR") == "en"
    assert len(render_slots([slot, slot], "UTC")) == 2


def test_a_different_day_is_named_and_zones_without_a_name_get_an_offset() -> None:
    slot = Slot(datetime(2026, 3, 3, 23, 0, tzinfo=UTC), datetime(2026, 3, 3, 23, 30, tzinfo=UTC))
    assert render_slot(slot, "Asia/Kathmandu", "America/Sao_Paulo") == (
        f"Tue 3 Mar, 20:00{D}20:30 (UTC-3) · Wed 4 Mar 04:45 your time"
    )
    kolkata = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert zone_label(kolkata) == "IST"
    assert zone_label(datetime(2026, 3, 3, tzinfo=ZoneInfo("Asia/Kathmandu"))) == "UTC+5:45"


def test_busy_blocks_buffer_and_meetings() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday
    user = Party("UTC", WorkingHours(time(9), time(11)))
    day = date(2026, 11, 25)
    block = Block(datetime.combine(day, time(9, 15), UTC), datetime.combine(day, time(10), UTC))
    rules = SlotRules(count=1, horizon_business_days=2)
    only = candidates(now, user, None, [block], rules=rules)[day]
    assert [s.start.time() for s in only] == [time(10, 30)]  # 9:00 ends inside the buffer
    meeting = meetings_as_busy([(only[0].start, only[0].end), (None, None)])
    assert candidates(now, user, None, [block, *meeting], rules=rules) == {}
    assert propose_slots(now, user, None, [block, *meeting], rules=rules) == []


def test_holidays_weekends_and_the_two_day_rule() -> None:
    thursday = datetime(2026, 12, 17, 16, 0, tzinfo=UTC)
    first, last = allowed_days(thursday, Party("UTC"), SlotRules())
    assert (first, last) == (date(2026, 12, 21), date(2026, 12, 31))  # Friday is 1, Monday 2
    christmas = Party("UTC", holidays=frozenset({date(2026, 12, 21), date(2026, 12, 25)}))
    first, last = allowed_days(thursday, christmas, SlotRules())
    assert (first, last) == (date(2026, 12, 22), date(2027, 1, 4))
    slots = propose_slots(thursday, christmas, rules=SlotRules(count=5))
    days = {s.start.date() for s in slots}
    assert len(days) == 5 and not days & christmas.holidays
    assert all(d.weekday() < 5 for d in days)


def test_one_free_day_still_gives_several_times() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    rules = SlotRules(count=3, horizon_business_days=2)
    slots = propose_slots(now, Party("UTC"), None, rules=rules)
    assert len(slots) == 3 and len({s.start.date() for s in slots}) == 1
    assert len({s.start.time() for s in slots}) == 3


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkingHours(time(17), time(9))
    with pytest.raises(ValueError):
        SlotRules(granularity_minutes=7)
    with pytest.raises(ValueError):
        Slot(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        propose_slots(datetime(2026, 1, 1), Party())


def test_slots_fall_on_the_users_working_days_only() -> None:
    thursday = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    sun_thu = Party("UTC", WorkingHours(weekdays=frozenset({6, 0, 1, 2, 3})))
    first, last = allowed_days(thursday, sun_thu, SlotRules())
    # Sunday is business day 1, Monday 2; the tenth is Thursday 19th (Fridays, Saturdays off)
    assert (first, last) == (date(2026, 3, 9), date(2026, 3, 19))
    slots = propose_slots(thursday, sun_thu, rules=SlotRules(count=5))
    assert slots and all(s.start.weekday() in {6, 0, 1, 2, 3} for s in slots)
    assert any(s.start.weekday() == 6 for s in slots)  # Sunday is a working day here
