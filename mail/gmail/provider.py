"""The Gmail (and Google Calendar) provider: the MailProvider port over the real
google-api-python-client.

Sync follows PROVIDERS.md. The first pass takes a baseline (``getProfile().historyId``); each later
pass is one ``history.list`` (2 units) when nothing happened, whatever the number of tracked
contacts. New messages are fetched in batches of at most 50 built with
``BatchHttpRequest(batch_uri=...)``: the full message at once for tracked threads (classification
reads the body), headers only (``format=metadata`` with ``metadataHeaders`` and ``fields``) for the
rest, and then the full message only for those that concern a known address. A 404 on an old
history id takes a fresh baseline and lists what arrived since the last good pass (the cursor
keeps its wall time) with one ``messages.list(q="after:...")`` page per 500 ids - in every thread,
so a reply in a new thread is found too - never one request per tracked thread.

Every call goes through a token bucket kept under the per-user quota, and retries with backoff
that honours Retry-After on 429, 403 rate limits and 5xx. Failures end as the port's three kinds:
``OfflineError`` (network, timeouts, 5xx that persist), ``ThrottledError`` (rate limits that
persist) and ``NeedsSignInError`` (``invalid_grant``, a missing or unusable grant). httplib2 is not
thread-safe: each thread gets its own ``Http`` (with a timeout) and its own service objects.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from typing import Any

from mail.auth.tokens import GoogleGrant, TokenStore
from mail.gmail import history
from mail.gmail.calendar import BusyEntry, GmailCalendar
from mail.gmail.mail import GmailMail
from mail.gmail.ratelimit import TokenBucket
from mail.gmail.transport import GOOGLE, GoogleEndpoints
from mail.heads import MessageCache
from mail.http_retry import GMAIL_RETRY, RetryPolicy
from mail.provider import (
    Account,
    MessageRef,
)
from mail.relevance import Relevance

log = logging.getLogger(__name__)


class GmailProvider(GmailMail, GmailCalendar):
    """A connected Gmail account. See the module docstring.

    ``grant_source`` gives the stored grant (read lazily, on first use). The ``Relevance`` passed
    to ``fetch_changes`` decides what is fetched in full up front and which threads a 404
    recovery re-checks; ``tracked_threads`` and ``known_addresses`` stand in for it when a caller
    passes none (called on the thread that syncs).
    """

    def __init__(
        self,
        account: Account,
        grant_source: Callable[[], GoogleGrant | None],
        *,
        endpoints: GoogleEndpoints = GOOGLE,
        tracked_threads: Callable[[], Collection[str]] = lambda: (),
        known_addresses: Callable[[], Collection[str]] = lambda: (),
        limiter: TokenBucket | None = None,
        retry: RetryPolicy = GMAIL_RETRY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            account,
            grant_source,
            endpoints=endpoints,
            limiter=limiter,
            retry=retry,
            clock=clock,
            sleep=sleep,
            now=now,
            timeout=timeout,
            rng=rng,
        )
        self._tracked = tracked_threads
        self._known = known_addresses
        # Per change set (the sync worker's thread): what fetch_changes fetched ahead.
        self._cache = MessageCache()
        self._draft_keys: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        self._busy: list[BusyEntry] = []

    @classmethod
    def from_keyring(cls, account: Account, tokens: TokenStore, **options: Any) -> GmailProvider:
        return cls(account, lambda: tokens.load_google(account.address), **options)

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        """See the port; one messages.list search per batch (mail.gmail.history)."""
        return history.search(self, addresses, since, threads, relevance)
