"""A simulated day of mail for the provider day tests (Gmail, Outlook): passes that may fail
(throttled, offline: the pass commits nothing and the next one carries on), and the checks that
every event happened once and nothing was sent twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from desktop.domain.clock import ManualClock
from desktop.domain.model import EventKind
from desktop.storage import Store
from desktop.sync import SyncResult, run_once
from mail.provider import MailProvider, ProviderError


class Day:
    """Sync passes through the day, counting those the service turned away."""

    def __init__(self, store: Store, provider: MailProvider, clock: ManualClock) -> None:
        self.store, self.provider, self.clock = store, provider, clock
        self.failed = 0
        self.results: list[SyncResult] = []

    def sync(self, *, minutes: int = 5, tries: int = 6) -> SyncResult:
        """A pass after ``minutes``; a failed pass is retried a minute later, as the app does."""
        self.clock.advance(timedelta(minutes=minutes))
        for _ in range(tries):
            try:
                result = run_once(self.store, self.provider, self.clock)
            except ProviderError:
                self.failed += 1
                self.clock.advance(timedelta(minutes=1))
                continue
            self.results.append(result)
            return result
        raise AssertionError(f"no pass succeeded in {tries} tries")


def assert_each_event_once(store: Store, contacts: Iterable[int]) -> Counter[EventKind]:
    """No contact has the same event for the same message twice; returns the kinds counted."""
    kinds: Counter[EventKind] = Counter()
    for contact_id in contacts:
        history = store.pipeline.history(contact_id)
        keys = [(e.kind, e.evidence.message_key) for e in history if e.evidence.message_key]
        repeated = [k for k, n in Counter(keys).items() if n > 1]
        assert not repeated, f"contact {contact_id}: events seen twice {repeated}"
        kinds.update(e.kind for e in history)
    return kinds


def assert_sent_once(message_ids: Iterable[str]) -> None:
    """Nothing went out twice: each Message-ID once among the sent messages."""
    twice = [m for m, n in Counter(message_ids).items() if n > 1]
    assert not twice, f"sent twice: {twice}"
