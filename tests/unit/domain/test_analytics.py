"""Analytics on a generated history with numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.analytics import Period, Rate, compute, duration_text
from desktop.domain.clock import ManualClock
from desktop.domain.model import Event, EventKind, Evidence
from desktop.domain.workspace import SourceKind

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 4, 1, tzinfo=UTC)
PERIOD = Period(START, NOW)
H = timedelta(hours=1)


def _e(kind: EventKind, at: datetime) -> Event:
    return Event(kind, at, Evidence(kind.value), f"{kind.value}:{at.isoformat()}")


def _history() -> list[tuple[int, Event]]:
    out: list[tuple[int, Event]] = []

    def request(c: int) -> datetime:
        at = START + timedelta(days=c, hours=9)
        out.append((c, _e(EventKind.REQUEST_SENT, at)))
        return at

    def meeting(c: int, end: datetime, thank_after: timedelta | None) -> None:
        out.append((c, _e(EventKind.MEETING_SET, end - 5 * 24 * H)))
        out.append((c, _e(EventKind.MEETING_PASSED, end)))
        if thank_after is not None:
            out.append((c, _e(EventKind.THANK_YOU_SENT, end + thank_after)))

    for c, delay in ((1, 2 * H), (2, 10 * H), (3, 24 * H), (4, 72 * H)):
        out.append((c, _e(EventKind.GENUINE_REPLY, request(c) + delay)))
    out.append((5, _e(EventKind.AUTO_REPLY, request(5) + H)))  # out of office only
    out.append((6, _e(EventKind.BOUNCE, request(6) + H)))
    at7 = request(7)
    out.append((7, _e(EventKind.AUTO_REPLY, at7 + H)))
    out.append((7, _e(EventKind.GENUINE_REPLY, at7 + 48 * H)))
    for c in (8, 9, 10):
        request(c)
    # Requested before the period, replied and met inside it: its meeting counts, not its ask.
    out.append((11, _e(EventKind.REQUEST_SENT, START - 20 * 24 * H)))
    out.append((11, _e(EventKind.GENUINE_REPLY, START + H)))
    meeting(11, START + 30 * 24 * H, 23 * H)
    # A friend writing before any request is not a reply.
    out.append((12, _e(EventKind.GENUINE_REPLY, START + 3 * H)))
    meeting(1, START + 20 * 24 * H, 5 * H)
    meeting(2, START + 21 * 24 * H, 30 * H)  # thanked, but late
    meeting(7, START + 22 * 24 * H, None)
    return out


SOURCES = {
    1: SourceKind.REFERRAL,
    2: SourceKind.REFERRAL,
    3: SourceKind.ARTICLE,
    4: SourceKind.LINKEDIN,
    5: SourceKind.LINKEDIN,
    6: SourceKind.ARTICLE,
}
REFERRERS: dict[int, int | None] = {7: 30, 13: 1, 14: 1, 15: 11, 16: 8, 17: None}


def test_every_figure_on_a_generated_history() -> None:
    a = compute(
        _history(), clock=ManualClock(NOW), period=PERIOD, sources=SOURCES, referrers=REFERRERS
    )
    assert a.requests == 10
    assert a.reply_rate == Rate(5, 10)
    assert (a.auto_replies_ignored, a.bounced) == (2, 1)
    assert a.median_time_to_reply == 24 * H  # of 2 h, 10 h, 24 h, 48 h, 72 h
    assert a.request_to_meeting == Rate(3, 10)
    assert a.thank_you_within_24h == Rate(2, 4)  # contacts 1 and 11 in time; 2 late; 7 never
    assert (a.referrals, a.meetings, a.referrals_per_meeting) == (3, 4, 0.75)
    assert a.by_source == (
        ("not recorded", Rate(0, 3)),
        ("referral", Rate(3, 3)),  # 7 counts as a referral: it has a referrer
        ("article", Rate(1, 2)),
        ("linkedin", Rate(1, 2)),
    )
    assert a.period == PERIOD


def test_a_meeting_that_has_not_ended_yet_is_not_owed_a_thank_you() -> None:
    history = [(1, _e(EventKind.MEETING_PASSED, NOW + H))]
    a = compute(history, clock=ManualClock(NOW), period=Period(START, NOW + 2 * H))
    assert a.thank_you_within_24h == Rate(0, 0)
    assert a.thank_you_within_24h.percent() == "—"


@pytest.mark.parametrize("kind", [EventKind.AUTO_REPLY, EventKind.BOUNCE])
def test_an_auto_reply_or_a_bounce_never_raises_the_reply_rate(kind: EventKind) -> None:
    base = compute(_history(), clock=ManualClock(NOW), period=PERIOD).reply_rate
    assert base.value is not None
    for contact in range(1, 13):
        extra = (contact, _e(kind, START + timedelta(days=contact, hours=11)))
        rate = compute([*_history(), extra], clock=ManualClock(NOW), period=PERIOD).reply_rate
        assert rate.value is not None and rate.value <= base.value, contact
    # A new request that only bounces or auto-replies lowers the rate.
    new = [(99, _e(EventKind.REQUEST_SENT, START + H)), (99, _e(kind, START + 2 * H))]
    lowered = compute([*_history(), *new], clock=ManualClock(NOW), period=PERIOD).reply_rate
    assert lowered == Rate(5, 11)


def test_empty_history_and_durations() -> None:
    a = compute([], clock=ManualClock(NOW), period=PERIOD)
    assert (a.requests, a.reply_rate.value, a.median_time_to_reply) == (0, None, None)
    assert a.referrals_per_meeting is None
    assert [duration_text(d) for d in (None, 17 * H, 50 * H, 90 * timedelta(minutes=1))] == [
        "—",
        "17 h",
        "2 d 2 h",
        "1 h 30 min",
    ]
    assert Period.last_days(ManualClock(NOW), 30) == Period(NOW - 30 * 24 * H, NOW)
