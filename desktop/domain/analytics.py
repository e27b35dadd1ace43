"""Honest analytics, computed locally from the event history. Pure: the clock and the period
are arguments.

Counting rules (each figure states its numbers, so the user can check them):

- A *request* is a contact's first request sent inside the period.
- A *reply* is a genuine reply after that request. Out-of-office auto-replies and bounces are
  never replies, and a bounced request stays in the denominator (it was asked and not answered):
  neither can ever raise the reply rate.
- *Time to reply* runs from the request to the first genuine reply (median over replied ones).
- *Request → meeting*: requests of the period that led to a meeting being set (at any time).
- *Thank-you within 24 h*: meetings that ended inside the period (and before now) with a
  thank-you seen in the Sent mail at most 24 hours after the end.
- *Referrals per meeting*: people introduced by the contacts met in the period, per meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.domain.clock import Clock
from desktop.domain.model import Event, EventKind
from desktop.domain.workspace import SourceKind

THANK_YOU_WINDOW = timedelta(hours=24)
#: The group of requests whose contact has no recorded source and no referrer.
UNRECORDED = "not recorded"


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def __contains__(self, when: datetime) -> bool:
        return self.start <= when < self.end

    @classmethod
    def last_days(cls, clock: Clock, days: int) -> Period:
        now = clock.now()
        return cls(now - timedelta(days=days), now)


@dataclass(frozen=True, slots=True)
class Rate:
    """``part`` of ``whole``; ``value`` is None when there is nothing to count yet."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return None if self.whole == 0 else self.part / self.whole

    def percent(self) -> str:
        return "—" if self.value is None else f"{round(self.value * 100)}%"


@dataclass(frozen=True, slots=True)
class Analytics:
    period: Period
    requests: int
    reply_rate: Rate
    auto_replies_ignored: int
    bounced: int
    median_time_to_reply: timedelta | None
    replies_timed: int
    request_to_meeting: Rate
    thank_you_within_24h: Rate
    referrals: int
    meetings: int
    #: Reply rate per source group, largest group first (ties by name).
    by_source: tuple[tuple[str, Rate], ...]

    @property
    def referrals_per_meeting(self) -> float | None:
        return None if self.meetings == 0 else self.referrals / self.meetings


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def source_group(
    contact_id: int, sources: Mapping[int, SourceKind], referrers: Mapping[int, int | None]
) -> str:
    """The group a contact's request is counted in for "reply rate by source"."""
    kind = sources.get(contact_id)
    if kind is None and referrers.get(contact_id) is not None:
        kind = SourceKind.REFERRAL
    return kind.value if kind is not None else UNRECORDED


def compute(
    events: Iterable[tuple[int, Event]],
    *,
    clock: Clock,
    period: Period,
    sources: Mapping[int, SourceKind] | None = None,
    referrers: Mapping[int, int | None] | None = None,
) -> Analytics:
    """Every figure over ``period`` from ``(contact id, event)`` pairs in any order.

    ``referrers`` maps each contact to who introduced them (the referral chains); ``sources``
    maps contacts to how they were found."""
    sources = sources or {}
    referrers = referrers or {}
    now = clock.now()
    per_contact: dict[int, list[Event]] = {}
    for contact_id, event in events:
        per_contact.setdefault(contact_id, []).append(event)

    requested: dict[int, datetime] = {}
    replied: dict[int, datetime] = {}
    met_in_period: set[int] = set()
    auto_replies = bounced = 0
    meeting_set: set[int] = set()
    thanks_due = thanked_in_time = 0
    for contact_id, history in per_contact.items():
        history.sort(key=lambda e: e.at)
        first_request = next((e.at for e in history if e.kind is EventKind.REQUEST_SENT), None)
        if first_request is not None and first_request in period:
            requested[contact_id] = first_request
            after = [e for e in history if e.at >= first_request]
            reply = next((e.at for e in after if e.kind is EventKind.GENUINE_REPLY), None)
            if reply is not None:
                replied[contact_id] = reply
            auto_replies += sum(1 for e in after if e.kind is EventKind.AUTO_REPLY)
            if any(e.kind is EventKind.BOUNCE for e in after):
                bounced += 1
            if any(e.kind is EventKind.MEETING_SET for e in after):
                meeting_set.add(contact_id)
        thanks = [e.at for e in history if e.kind is EventKind.THANK_YOU_SENT]
        for e in history:
            if e.kind is EventKind.MEETING_PASSED and e.at in period and e.at <= now:
                met_in_period.add(contact_id)
                thanks_due += 1
                if any(e.at <= t <= e.at + THANK_YOU_WINDOW for t in thanks):
                    thanked_in_time += 1

    groups: dict[str, list[int]] = {}
    for contact_id in requested:
        groups.setdefault(source_group(contact_id, sources, referrers), []).append(contact_id)
    by_source = tuple(
        (group, Rate(sum(1 for c in members if c in replied), len(members)))
        for group, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    referrals = sum(1 for r in referrers.values() if r is not None and r in met_in_period)
    return Analytics(
        period=period,
        requests=len(requested),
        reply_rate=Rate(len(replied), len(requested)),
        auto_replies_ignored=auto_replies,
        bounced=bounced,
        median_time_to_reply=_median([replied[c] - requested[c] for c in replied]),
        replies_timed=len(replied),
        request_to_meeting=Rate(len(meeting_set), len(requested)),
        thank_you_within_24h=Rate(thanked_in_time, thanks_due),
        referrals=referrals,
        meetings=thanks_due,
        by_source=by_source,
    )


def group_label(group: str) -> str:
    if group == UNRECORDED:
        return "Not recorded"
    return SourceKind(group).label


def duration_text(delta: timedelta | None) -> str:
    """ "2 d 4 h", "5 h 30 min", "—"."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
