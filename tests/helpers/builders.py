"""Small builders for domain values used across tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop.domain.model import Event, EventKind, Evidence, Stage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def event(
    kind: EventKind,
    at: datetime = T0,
    key: str | None = None,
    *,
    away_until: date | None = None,
    bounced: tuple[str, ...] = (),
    meeting: tuple[datetime, datetime] | None = None,
    target: Stage | None = None,
) -> Event:
    return Event(
        kind=kind,
        at=at,
        evidence=Evidence(f"{kind.value} at {at.isoformat()}", "test"),
        key=key or f"{kind.value}:{at.isoformat()}",
        away_until=away_until,
        bounced_addresses=bounced,
        meeting_start=meeting[0] if meeting else None,
        meeting_end=meeting[1] if meeting else None,
        target_stage=target,
    )
