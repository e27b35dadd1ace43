"""Retrying web API calls (Gmail, Microsoft Graph): one policy, one reading of Retry-After.

A server's Retry-After wins (seconds or an HTTP date); without one the delay doubles from
``base_delay`` up to ``max_delay``, with jitter where many threads retry at once. A Retry-After
longer than ``max_wait`` ends the pass as ``ThrottledError`` instead of holding the worker. The
wait itself is a pause for every request of the account (``PauseGate``, or Gmail's token bucket):
a Retry-After applies to the user, not to one request.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from mail.provider import ThrottledError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 120.0
    #: A Retry-After longer than this ends the pass (ThrottledError); None: always wait.
    max_wait: float | None = None
    #: Spread the back-off (0.5x to 1x) so parallel callers do not retry in step.
    jitter: bool = False

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0**attempt)
        if self.jitter:
            delay *= 0.5 + (rng.random() if rng is not None else random.random()) / 2
        return delay

    def delay(
        self, attempt: int, retry_after: float | None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after is None:
            return self.backoff(attempt, rng)
        if self.max_wait is not None and retry_after > self.max_wait:
            raise ThrottledError(retry_after=retry_after)
        return retry_after


#: Gmail: several worker threads share the quota, so the back-off is jittered and short.
GMAIL_RETRY = RetryPolicy(attempts=6, max_delay=32.0, max_wait=90.0, jitter=True)
#: Graph: pause all requests on a 429; without Retry-After back off up to two minutes.
GRAPH_RETRY = RetryPolicy(attempts=5, max_delay=120.0)


def retry_after(
    value: object, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """A Retry-After header's wait in seconds (delta-seconds or an HTTP date), or None."""
    if value is None or value == "":
        return None
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class PauseGate:
    """Holds every request of an account until a pause ends. Thread-safe; time is injected."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def wait(self) -> None:
        while True:
            with self._lock:
                left = self._until - self._clock()
            if left <= 0:
                return
            self._sleep(left)
