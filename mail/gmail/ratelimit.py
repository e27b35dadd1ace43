"""Gmail's per-user quota: what each call costs, and the token bucket every call of an account
goes through so a pass never exceeds the quota (PROVIDERS.md)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

#: Quota units per call (projects created after 1 May 2026, PROVIDERS.md). Calendar calls are
#: not charged against the Gmail quota.
UNITS: dict[str, int] = {
    "getProfile": 1,
    "history.list": 2,
    "messages.list": 5,
    "messages.get": 20,
    "threads.get": 40,
    "threads.modify": 10,
    "labels.list": 1,
    "labels.create": 5,
    "drafts.create": 10,
    "drafts.send": 100,
    "calendar": 0,
}
QUOTA_PER_USER_MINUTE = 6000
#: Google advises at most 50 calls per batch (100 is the hard limit).
BATCH_MAX = 50


class TokenBucket:
    """Quota units in a bucket refilled at ``rate`` per second, holding at most ``capacity``.

    Over any 60 s window at most ``capacity + 60 * rate`` units go out: ``for_gmail`` keeps that
    under the per-user quota. ``pause`` holds every caller (a Retry-After applies to the user,
    not to one request). Time and sleeping are injected so tests never wait.
    """

    def __init__(
        self,
        rate: float,
        capacity: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._stamp = clock()
        self._not_before = 0.0
        self._lock = threading.Lock()
        #: (time, units) of each grant, for tests and the benchmark.
        self.granted: deque[tuple[float, int]] = deque(maxlen=100_000)

    @classmethod
    def for_gmail(
        cls,
        *,
        quota_per_minute: int = QUOTA_PER_USER_MINUTE,
        share: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TokenBucket:
        """``share`` of the quota as steady rate; a burst of one full batch of messages.get."""
        capacity = float(BATCH_MAX * UNITS["messages.get"])
        rate = quota_per_minute * share / 60.0
        if capacity + 60 * rate > quota_per_minute:
            raise ValueError("this limiter could exceed the quota")
        return cls(rate, capacity, clock=clock, sleep=sleep)

    @property
    def worst_minute(self) -> float:
        return self.capacity + 60 * self.rate

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self, units: int) -> float:
        """Take ``units``, sleeping as needed; returns the seconds waited."""
        if units <= 0:
            return 0.0
        if units > self.capacity:
            raise ValueError(f"{units} units exceed the bucket's capacity {self.capacity}")
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                self._refill(now)
                wait = self._not_before - now
                if wait <= 0 and self._tokens >= units - 1e-6:  # float dust is not a debt
                    self._tokens = max(0.0, self._tokens - units)
                    self.granted.append((now, units))
                    return waited
                if wait <= 0:
                    wait = (units - self._tokens) / self.rate
                wait = max(wait, 0.001)
                self._sleep(wait)
                waited += wait

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def max_units_per_minute(self) -> int:
        grants = list(self.granted)
        best = total = start = 0
        for t, units in grants:
            total += units
            while grants[start][0] <= t - 60:
                total -= grants[start][1]
                start += 1
            best = max(best, total)
        return best
