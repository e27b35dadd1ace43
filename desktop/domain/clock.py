"""Clocks. Every time-dependent rule takes one, so tests move time instead of waiting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock that only moves when told to: for tests and the headless demo."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, when: datetime) -> None:
        self.current = when


@dataclass
class AcceleratedClock:
    """Demo time: starts at ``origin`` and runs ``speed`` times faster than ``base``."""

    origin: datetime
    speed: float
    base: Clock = field(default_factory=SystemClock)
    _started: datetime | None = None

    def now(self) -> datetime:
        real = self.base.now()
        if self._started is None:
            self._started = real
        return self.origin + (real - self._started) * self.speed


def utc(when: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are refused (they are a bug)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: every instant in Coffeechat carries a time zone")
    return when.astimezone(UTC)
