"""The Gmail (and Google Calendar) provider: the MailProvider port over the real
google-api-python-client.

Sync follows PROVIDERS.md. The first pass takes a baseline (``getProfile().historyId``); each later
pass is one ``history.list`` (2 units) when nothing happened, whatever the number of tracked
contacts. New messages are fetched in batches of at most 50 built with
``BatchHttpRequest(batch_uri=...)``: the full message at once for tracked threads (classification
reads the body), headers only (``format=metadata`` with ``metadataHeaders`` and ``fields``) for the
rest, and then the full message only for those that concern a known address. A 404 on an old
history id takes a fresh baseline and re-checks only the tracked threads, reporting the messages
changed since the stale id - never the whole mailbox.

Every call goes through a token bucket kept under the per-user quota, and retries with backoff
that honours Retry-After on 429, 403 rate limits and 5xx. Failures end as the port's three kinds:
``OfflineError`` (network, timeouts, 5xx that persist), ``ThrottledError`` (rate limits that
persist) and ``NeedsSignInError`` (``invalid_grant``, a missing or unusable grant). httplib2 is not
thread-safe: each thread gets its own ``Http`` (with a timeout) and its own service objects.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import BatchHttpRequest

from mail.auth import AuthError
from mail.auth.tokens import GoogleGrant, TokenStore
from mail.heads import HEADER_FIELDS, MessageCache, message_id_for, stub
from mail.http_retry import GMAIL_RETRY, RetryPolicy, retry_after
from mail.mime import OUTBOX_HEADER, build_message, parse_message
from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    EventRef,
    Folder,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    NeedsSignInError,
    NoCalendarError,
    OfflineError,
    OutgoingMessage,
    ProviderError,
    SentRef,
    ThrottledError,
)
from mail.relevance import Relevance

log = logging.getLogger(__name__)

T = TypeVar("T")

GMAIL_ENDPOINT = "https://gmail.googleapis.com/"
CALENDAR_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
TOKEN_URI = "https://oauth2.googleapis.com/token"

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
_META_FIELDS = "id,threadId,labelIds,internalDate,payload/headers"
_RAW_FIELDS = "id,threadId,labelIds,internalDate,raw"
_HISTORY_FIELDS = "history(messagesAdded(message(id,threadId,labelIds))),nextPageToken,historyId"
_SKIPPED_LABELS = frozenset({"DRAFT", "CHAT"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_DAILY_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded"})
_SYSTEM_FLAGS = {"starred": "STARRED", "important": "IMPORTANT", "unread": "UNREAD"}
BUSY_CACHE_FRESH = timedelta(minutes=15)
BUSY_CACHE_OFFLINE = timedelta(hours=24)

_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # timeouts, refused and reset connections
    http.client.HTTPException,
    httplib2.HttpLib2Error,
    TransportError,
)


@dataclass(frozen=True, slots=True)
class GoogleEndpoints:
    """Where the services live; tests point all three at a local emulator."""

    gmail: str = GMAIL_ENDPOINT
    calendar: str = CALENDAR_ENDPOINT
    token_uri: str = TOKEN_URI

    @property
    def batch_uri(self) -> str:
        return self.gmail.rstrip("/") + "/batch/gmail/v1"


GOOGLE = GoogleEndpoints()


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


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: str  # "throttled" or "offline"
    detail: str
    retry_after: float | None = None


class ServiceDisabledError(ProviderError):
    """The user's Google Cloud project has not turned on the API that was called."""


#: The permission that lets us create calendar events (and so send invitations through Google).
EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"


class _HistoryGone(Exception):
    """history.list answered 404: the start id is older than Gmail keeps."""


@dataclass
class _Session:
    http: Any
    gmail: Any
    calendar: Any = None


@dataclass
class _BusyEntry:
    fetched: float
    start: datetime
    end: datetime
    blocks: list[Interval] = field(default_factory=list)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _reason(exc: HttpError) -> str:
    try:
        data = json.loads(exc.content)
        errors = data["error"].get("errors") or [{}]
        return str(errors[0].get("reason", "") or data["error"].get("status", ""))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return ""


def _retry_after(exc: HttpError) -> float | None:
    return retry_after(exc.resp.get("retry-after") if exc.resp is not None else None)


def _status(exc: HttpError) -> int:
    return int(exc.resp.status) if exc.resp is not None else 0


def _interval(item: dict[str, Any]) -> Interval:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

    return Interval(parse(str(item["start"])), parse(str(item["end"])))


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


class GmailProvider:
    """A connected Gmail account. See the module docstring.

    ``grant_source`` gives the stored grant (read lazily, on first use). ``tracked_threads`` and
    ``known_addresses`` give the sync engine's current view (thread ids with contact mail, and
    contact addresses): they decide what is fetched in full up front and which threads a 404
    recovery re-checks. Both are called on the thread that syncs.
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
        self.account = account
        self._grant_source = grant_source
        self._endpoints = endpoints
        self._tracked = tracked_threads
        self._known = known_addresses
        self._clock = clock
        self.limiter = limiter or TokenBucket.for_gmail(clock=clock, sleep=sleep)
        self._retry = retry
        self._now = now
        self._timeout = timeout
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._credentials: Credentials | None = None
        self._sessions: list[_Session] = []
        # Per change set (the sync worker's thread): what fetch_changes fetched ahead.
        self._cache = MessageCache()
        self._draft_keys: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        self._busy: list[_BusyEntry] = []

    @classmethod
    def from_keyring(cls, account: Account, tokens: TokenStore, **options: Any) -> GmailProvider:
        return cls(account, lambda: tokens.load_google(account.address), **options)

    # ---------------------------------------------------------------- plumbing
    def _creds(self) -> Credentials:
        with self._lock:
            if self._credentials is None:
                try:
                    grant = self._grant_source()
                except AuthError as exc:
                    raise NeedsSignInError(str(exc)) from None
                if grant is None:
                    raise NeedsSignInError(
                        f"There is no saved Google sign-in for {self.account.address} in the "
                        "keyring. Reconnect the account."
                    )
                self._credentials = Credentials(  # type: ignore[no-untyped-call]
                    token=None,
                    refresh_token=grant.refresh_token,
                    token_uri=grant.token_uri,
                    client_id=grant.client_id,
                    client_secret=grant.client_secret,
                    scopes=list(grant.scopes),
                )
            return self._credentials

    def _session(self) -> _Session:
        session: _Session | None = getattr(self._local, "session", None)
        if session is None:
            authed = google_auth_httplib2.AuthorizedHttp(
                self._creds(), http=httplib2.Http(timeout=self._timeout)
            )
            gmail = build(
                "gmail",
                "v1",
                http=authed,
                static_discovery=True,
                client_options={"api_endpoint": self._endpoints.gmail},
            )
            session = _Session(authed, gmail)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every thread's connections (at shutdown, when no call is running)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.http.http.close()
        self._local = threading.local()

    def _calendar(self) -> Any:
        session = self._session()
        if session.calendar is None:
            session.calendar = build(
                "calendar",
                "v3",
                http=session.http,
                static_discovery=True,
                client_options={"api_endpoint": self._endpoints.calendar},
            )
        return session.calendar

    def _ensure_token(self) -> None:
        """Refresh before a batch through our own Http (the library's would have no timeout of
        ours), with the same error mapping as any call."""
        creds = self._creds()
        if creds.valid:
            return
        session = self._session()

        def refresh() -> None:
            creds.refresh(google_auth_httplib2.Request(session.http.http))  # type: ignore[no-untyped-call]

        self._call("calendar", refresh)  # costs no Gmail units

    def _needs_sign_in(self, exc: RefreshError) -> NeedsSignInError:
        text = str(exc)
        if "invalid_grant" in text:
            return NeedsSignInError(
                f"Google no longer accepts Coffeechat's access to {self.account.address} (the "
                "permission was revoked or has expired). Reconnect the account."
            )
        return NeedsSignInError(
            f"Google refused to renew the sign-in for {self.account.address} "
            f"({text.split(':', 1)[0][:80]}). Reconnect the account."
        )

    def _classify(self, exc: BaseException) -> _Failure | None:
        """A failure worth retrying, or None (the caller raises or handles it)."""
        if isinstance(exc, RefreshError):
            if getattr(exc, "retryable", False) and "invalid_grant" not in str(exc):
                return _Failure("offline", "the sign-in service is unavailable")
            raise self._needs_sign_in(exc) from None
        if isinstance(exc, BatchError) and exc.resp is None:
            return _Failure("offline", "malformed batch response")
        if isinstance(exc, HttpError):
            status = _status(exc)
            reason = _reason(exc)
            if status == 429 or (status == 403 and reason in _RATE_REASONS):
                return _Failure("throttled", f"HTTP {status} {reason}", _retry_after(exc))
            if status == 403 and reason in _DAILY_REASONS:
                raise ThrottledError(retry_after=None) from None
            if status >= 500:
                return _Failure("offline", f"Gmail answered HTTP {status}", _retry_after(exc))
            if status == 401:
                raise NeedsSignInError(
                    f"Google did not accept the sign-in for {self.account.address}. "
                    "Reconnect the account."
                ) from None
            if status == 403 and reason in ("accessNotConfigured", "SERVICE_DISABLED"):
                # The user's own Google Cloud project has not turned on the Gmail or Calendar
                # API: a set-up step, said plainly (docs/gmail-setup.md), not a crash.
                raise ServiceDisabledError(
                    "The Gmail or Google Calendar API is not enabled in your Google Cloud "
                    "project. Enable both (see docs/gmail-setup.md), then sync again."
                ) from None
            if status == 403 and reason in ("insufficientPermissions", "forbidden"):
                raise NeedsSignInError(
                    f"Coffeechat lacks a permission it needs on {self.account.address}. "
                    "Reconnect the account and allow all the requested access."
                ) from None
            return None
        if isinstance(exc, _TRANSIENT):
            return _Failure("offline", f"cannot reach Google ({type(exc).__name__})")
        return None

    def _wait(self, failure: _Failure, attempt: int) -> None:
        delay = self._retry.delay(attempt, failure.retry_after, self._rng)
        log.debug("gmail %s: retrying in %.1f s (%s)", failure.kind, delay, failure.detail)
        # Through the limiter, so every thread of this account holds off too.
        self.limiter.pause(delay)

    def _give_up(self, failure: _Failure) -> Exception:
        if failure.kind == "throttled":
            return ThrottledError(retry_after=failure.retry_after)
        return OfflineError(f"Gmail is unreachable for now ({failure.detail}); will retry")

    def _call(self, method: str, fn: Callable[[], T]) -> T:
        """Run one call under the limiter with retries; map failures to the port's errors."""
        failure: _Failure | None = None
        for attempt in range(self._retry.attempts):
            self.limiter.acquire(UNITS[method])
            try:
                return fn()
            except Exception as exc:
                failure = self._classify(exc)
                if failure is None:
                    raise
            self._wait(failure, attempt)
        assert failure is not None
        raise self._give_up(failure)

    def _execute(self, method: str, request: Callable[[Any], Any]) -> Any:
        def run() -> Any:
            session = self._session()
            return request(session.gmail).execute(http=session.http)

        return self._call(method, run)

    def _batch(
        self, method: str, items: Iterable[tuple[str, Callable[[Any], Any]]]
    ) -> dict[str, Any]:
        """Run calls in batches of at most 50 (fewer if the units would overflow the bucket);
        retry the failed parts. Results by key: the response, or the HttpError (e.g. 404)."""
        units = UNITS[method]
        size = max(1, min(BATCH_MAX, int(self.limiter.capacity) // max(units, 1)))
        todo = list(dict(items).items())
        results: dict[str, Any] = {}
        for start in range(0, len(todo), size):
            results.update(self._batch_chunk(method, dict(todo[start : start + size])))
        return results

    def _batch_chunk(self, method: str, pending: dict[str, Callable[[Any], Any]]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        failure: _Failure | None = None
        for attempt in range(self._retry.attempts):
            self._ensure_token()
            self.limiter.acquire(UNITS[method] * len(pending))
            session = self._session()
            answers: dict[str, tuple[Any, BaseException | None]] = {}

            def collect(
                request_id: str,
                response: Any,
                exception: BaseException | None,
                answers: dict[str, tuple[Any, BaseException | None]] = answers,
            ) -> None:
                answers[request_id] = (response, exception)

            batch = BatchHttpRequest(callback=collect, batch_uri=self._endpoints.batch_uri)
            for key, make in pending.items():
                batch.add(make(session.gmail), request_id=key)
            failure = None
            try:
                batch.execute(http=session.http)
            except Exception as exc:
                failure = self._classify(exc)
                if failure is None:
                    raise
            if failure is None:
                for key, (response, exception) in answers.items():
                    if exception is None:
                        results[key] = response
                        pending.pop(key, None)
                        continue
                    part = self._classify(exception)
                    if part is None:
                        results[key] = exception
                        pending.pop(key, None)
                    elif failure is None or (part.retry_after or 0) > (failure.retry_after or 0):
                        failure = part
            if not pending:
                return results
            assert failure is not None
            self._wait(failure, attempt)
        assert failure is not None
        raise self._give_up(failure)

    # ---------------------------------------------------------------- sync
    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self._cache.clear()
        if relevance is None:
            relevance = Relevance.from_views(self._tracked, self._known)
        text = (cursor or "").strip()
        if not text.isdecimal():
            baseline = self._profile_history_id()
            if cursor is not None:
                log.warning("gmail: unreadable cursor; starting from a fresh baseline")
            return ChangeSet(refs=(), cursor=baseline, reset=cursor is not None)
        try:
            refs, new_cursor = self._history(text)
            reset = False
        except _HistoryGone:
            refs, new_cursor = self._recover(int(text), relevance)
            reset = True
        refs = self._prefetch(refs, relevance)
        return ChangeSet(refs=tuple(refs), cursor=new_cursor, reset=reset)

    def _profile_history_id(self) -> str:
        profile = self._execute(
            "getProfile", lambda g: g.users().getProfile(userId="me", fields="historyId")
        )
        return str(profile["historyId"])

    def _history(self, start: str) -> tuple[list[MessageRef], str]:
        refs: dict[str, MessageRef] = {}
        token: str | None = None
        cursor = start
        while True:

            def page(g: Any, token: str | None = token) -> Any:
                return (
                    g.users()
                    .history()
                    .list(
                        userId="me",
                        startHistoryId=start,
                        historyTypes="messageAdded",
                        maxResults=500,
                        pageToken=token,
                        fields=_HISTORY_FIELDS,
                    )
                )

            try:
                data = self._execute("history.list", page)
            except HttpError as exc:
                if _status(exc) == 404:
                    raise _HistoryGone from None
                raise
            for record in data.get("history", []):
                for added in record.get("messagesAdded", []):
                    self._add_ref(refs, added.get("message", {}))
            cursor = str(data.get("historyId", cursor))
            token = data.get("nextPageToken")
            if not token:
                return list(refs.values()), cursor

    @staticmethod
    def _add_ref(refs: dict[str, MessageRef], message: dict[str, Any]) -> None:
        labels = set(message.get("labelIds", []))
        ident = str(message.get("id", ""))
        if not ident or labels & _SKIPPED_LABELS:
            return
        folder = Folder.SENT if "SENT" in labels else Folder.INBOX
        refs.setdefault(ident, MessageRef(ident, str(message.get("threadId", ident)), folder))

    def _recover(self, stale: int, relevance: Relevance) -> tuple[list[MessageRef], str]:
        """Fresh baseline first (nothing that arrives meanwhile is lost), then only the tracked
        threads, keeping the messages changed after the stale id."""
        baseline = self._profile_history_id()
        tracked = sorted(relevance.threads)

        def make(thread_id: str) -> Callable[[Any], Any]:
            return lambda g: (
                g.users()
                .threads()
                .get(
                    userId="me",
                    id=thread_id,
                    format="minimal",
                    fields="id,messages(id,threadId,labelIds,historyId)",
                )
            )

        answers = self._batch("threads.get", ((t, make(t)) for t in tracked))
        refs: dict[str, MessageRef] = {}
        for thread_id in tracked:
            answer = answers.get(thread_id)
            if not isinstance(answer, dict):
                continue  # the thread is gone
            for message in answer.get("messages", []):
                if int(message.get("historyId", 0)) > stale:
                    self._add_ref(refs, message)
        log.info(
            "gmail: history expired; re-checked %d tracked threads, %d messages changed",
            len(tracked),
            len(refs),
        )
        return list(refs.values()), baseline

    def _prefetch(self, refs: list[MessageRef], relevance: Relevance) -> list[MessageRef]:
        """Fetch ahead, batched: full for tracked threads, headers for the rest, then full for
        those that concern a contact. Messages deleted meanwhile drop out."""
        if not refs:
            return refs
        heads_cache = self._cache.heads
        gone: set[str] = set()
        heads = [r for r in refs if not relevance.tracks(r.thread_id)]
        answers = self._batch("messages.get", ((r.id, self._meta_request(r.id)) for r in heads))
        for ref in heads:
            answer = answers.get(ref.id)
            if isinstance(answer, dict):
                heads_cache[ref.id] = self._from_metadata(ref, answer)
            else:
                gone.add(ref.id)
        wanted = [
            r
            for r in refs
            if r.id not in gone
            and (
                relevance.tracks(r.thread_id)
                or (r.id in heads_cache and relevance.concerns(heads_cache[r.id]))
            )
        ]
        answers = self._batch("messages.get", ((r.id, self._raw_request(r.id)) for r in wanted))
        for ref in wanted:
            answer = answers.get(ref.id)
            if isinstance(answer, dict):
                self._cache.full[ref.id] = self._from_raw(ref, answer)
            else:
                gone.add(ref.id)
        if gone:
            log.info("gmail: %d new messages were deleted before they could be read", len(gone))
        return [r for r in refs if r.id not in gone]

    @staticmethod
    def _meta_request(ident: str) -> Callable[[Any], Any]:
        return lambda g: (
            g.users()
            .messages()
            .get(
                userId="me",
                id=ident,
                format="metadata",
                metadataHeaders=list(HEADER_FIELDS),
                fields=_META_FIELDS,
            )
        )

    @staticmethod
    def _raw_request(ident: str) -> Callable[[Any], Any]:
        return lambda g: (
            g.users().messages().get(userId="me", id=ident, format="raw", fields=_RAW_FIELDS)
        )

    @staticmethod
    def _date(answer: dict[str, Any]) -> datetime | None:
        try:
            return datetime.fromtimestamp(int(answer["internalDate"]) / 1000, UTC)
        except (KeyError, ValueError, TypeError, OverflowError):
            return None

    def _from_metadata(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage:
        headers = answer.get("payload", {}).get("headers", [])
        lines = [
            f"{h.get('name', '')}: {h.get('value', '')}".replace("\r", " ").replace("\n", " ")
            for h in headers
            if h.get("name")
        ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")
        return parse_message(raw, ref, full=False, default_date=self._date(answer))

    def _from_raw(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage:
        raw = _unb64url(str(answer.get("raw", "")))
        return parse_message(raw, ref, full=True, default_date=self._date(answer))

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        cached = self._cache.get(ref.id, full=full)
        if cached is not None:
            return cached
        make = self._raw_request(ref.id) if full else self._meta_request(ref.id)
        try:
            answer = self._execute("messages.get", make)
        except HttpError as exc:
            if _status(exc) == 404:
                return stub(ref, self._now())
            raise
        message = self._from_raw(ref, answer) if full else self._from_metadata(ref, answer)
        self._cache.put(message, full=full, ident=ref.id)
        return message

    # ---------------------------------------------------------------- sending
    def _message_id_for(self, outbox_key: str) -> str:
        # Derived from the outbox key: a cheap rfc822msgid: search mends a crash after sending.
        return message_id_for(self.account.address, outbox_key)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        built = build_message(
            msg,
            self.account.address,
            self.account.display_name,
            self._now(),
            message_id=self._message_id_for(msg.outbox_key),
        )
        message: dict[str, Any] = {"raw": _b64url(built.as_bytes())}
        if msg.thread_id:
            message["threadId"] = msg.thread_id
        result = self._execute(
            "drafts.create",
            lambda g: (
                g.users()
                .drafts()
                .create(userId="me", body={"message": message}, fields="id,message(id,threadId)")
            ),
        )
        draft_id = str(result["id"])
        if msg.outbox_key:
            self._draft_keys[draft_id] = msg.outbox_key
        return DraftRef(draft_id, str(result.get("message", {}).get("threadId") or "") or None)

    def send_draft(self, draft: DraftRef) -> SentRef:
        try:
            result = self._execute(
                "drafts.send",
                lambda g: (
                    g.users()
                    .drafts()
                    .send(userId="me", body={"id": draft.id}, fields="id,threadId,labelIds")
                ),
            )
        except HttpError as exc:
            if _status(exc) != 404:
                raise
            # Gone: most likely sent by an attempt whose answer was lost. Look for it.
            key = self._draft_keys.get(draft.id)
            found = self.find_sent(key) if key else None
            if found is not None:
                return found
            raise KeyError(f"draft {draft.id} no longer exists") from None
        self._draft_keys.pop(draft.id, None)
        ident = str(result["id"])
        head = self.fetch_message(
            MessageRef(ident, str(result["threadId"]), Folder.SENT), full=False
        )
        return SentRef(ident, str(result["threadId"]), head.message_id)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        message_id = self._message_id_for(outbox_key)
        query = f"in:sent rfc822msgid:{message_id.strip('<>')}"
        found = self._execute(
            "messages.list",
            lambda g: (
                g.users()
                .messages()
                .list(userId="me", q=query, maxResults=5, fields="messages(id,threadId)")
            ),
        )
        for item in found.get("messages", []):
            return SentRef(str(item["id"]), str(item["threadId"]), message_id)
        # Gmail may have replaced our Message-ID: read the marker of the latest sent mail.
        recent = self._execute(
            "messages.list",
            lambda g: (
                g.users()
                .messages()
                .list(
                    userId="me",
                    labelIds=["SENT"],
                    q="newer_than:7d",
                    maxResults=10,
                    fields="messages(id,threadId)",
                )
            ),
        )
        items = [(str(m["id"]), str(m["threadId"])) for m in recent.get("messages", [])]
        answers = self._batch("messages.get", ((i, self._meta_request(i)) for i, _ in items))
        for ident, thread in items:
            answer = answers.get(ident)
            if not isinstance(answer, dict):
                continue
            head = self._from_metadata(MessageRef(ident, thread, Folder.SENT), answer)
            if head.header(OUTBOX_HEADER) == outbox_key:
                return SentRef(ident, thread, head.message_id)
        return None

    # ---------------------------------------------------------------- calendar
    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        """Busy times from freebusy.query, cached 15 minutes; offline, the last answer that
        covers the range (up to a day old) is used."""
        now = self._clock()
        entry = self._cached_busy(start, end, BUSY_CACHE_FRESH.total_seconds(), now)
        if entry is not None:
            return self._clip(entry, start, end)
        body = {"timeMin": _iso(start), "timeMax": _iso(end), "items": [{"id": "primary"}]}

        def query() -> Any:
            return self._calendar().freebusy().query(body=body).execute(http=self._session().http)

        try:
            answer = self._call("calendar", query)
        except ServiceDisabledError:
            raise self._no_calendar() from None
        except (OfflineError, ThrottledError):
            stale = self._cached_busy(start, end, BUSY_CACHE_OFFLINE.total_seconds(), now)
            if stale is None:
                raise
            return self._clip(stale, start, end)
        calendars = answer.get("calendars", {})
        busy = calendars.get("primary", {}).get("busy", [])
        blocks = sorted((_interval(b) for b in busy), key=lambda b: (b.start, b.end))
        with self._lock:
            self._busy = [
                e for e in self._busy if now - e.fetched < BUSY_CACHE_OFFLINE.total_seconds()
            ]
            self._busy.append(_BusyEntry(now, start, end, blocks))
        return self._clip(self._busy[-1], start, end)

    @property
    def has_calendar(self) -> bool:
        """Whether the grant lets us create events (one that names no scopes is taken as whole)."""
        scopes = self._creds().scopes
        return not scopes or EVENTS_SCOPE in scopes

    def _no_calendar(self) -> NoCalendarError:
        return NoCalendarError(
            f"Google Calendar cannot be used from {self.account.address} (the Calendar API is "
            "not enabled in your Google Cloud project, or the permission was not granted)."
        )

    def _cached_busy(
        self, start: datetime, end: datetime, max_age: float, now: float
    ) -> _BusyEntry | None:
        with self._lock:
            for entry in reversed(self._busy):
                if now - entry.fetched <= max_age and entry.start <= start and entry.end >= end:
                    return entry
        return None

    @staticmethod
    def _clip(entry: _BusyEntry, start: datetime, end: datetime) -> list[Interval]:
        return [
            Interval(max(b.start, start), min(b.end, end))
            for b in entry.blocks
            if b.end > start and b.start < end
        ]

    def create_event(self, event: MeetingInvite) -> EventRef:
        """An invitation (Google e-mails the attendees: sendUpdates="all"). The event id is
        derived from the invite, so a retry after a lost answer cannot create a second one."""
        digest = hashlib.sha256(
            "|".join(
                (event.title, _iso(event.start), _iso(event.end), *sorted(event.attendees))
            ).encode()
        ).hexdigest()[:32]
        if not self.has_calendar:
            raise self._no_calendar()
        body = {
            "id": f"cc{digest}",
            "summary": event.title,
            "location": event.location,
            "description": event.description,
            "start": {"dateTime": _iso(event.start)},
            "end": {"dateTime": _iso(event.end)},
            "attendees": [{"email": a} for a in event.attendees],
        }

        def insert() -> Any:
            request = (
                self._calendar().events().insert(calendarId="primary", body=body, sendUpdates="all")
            )
            return request.execute(http=self._session().http)

        try:
            answer = self._call("calendar", insert)
        except ServiceDisabledError:
            raise self._no_calendar() from None
        except HttpError as exc:
            if _status(exc) == 409:  # created by an attempt whose answer was lost
                return EventRef(str(body["id"]))
            raise
        return EventRef(str(answer["id"]))

    # ---------------------------------------------------------------- labels
    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        label = _SYSTEM_FLAGS.get(flag.lower()) or self._user_label(f"Coffeechat/{flag}")
        body = {"addLabelIds": [label]} if on else {"removeLabelIds": [label]}
        self._execute(
            "threads.modify",
            lambda g: g.users().threads().modify(userId="me", id=thread_id, body=body, fields="id"),
        )

    def _user_label(self, name: str) -> str:
        if name not in self._labels:
            answer = self._execute(
                "labels.list",
                lambda g: g.users().labels().list(userId="me", fields="labels(id,name)"),
            )
            for label in answer.get("labels", []):
                self._labels[str(label["name"])] = str(label["id"])
        if name not in self._labels:
            created = self._execute(
                "labels.create",
                lambda g: (
                    g.users()
                    .labels()
                    .create(
                        userId="me",
                        body={"name": name, "labelListVisibility": "labelShow"},
                        fields="id,name",
                    )
                ),
            )
            self._labels[name] = str(created["id"])
        return self._labels[name]


def fetch_address(
    credentials: Credentials, endpoints: GoogleEndpoints = GOOGLE, timeout: float = 30.0
) -> str:
    """The signed-in user's address (getProfile), right after a sign-in."""
    authed = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
    gmail = build(
        "gmail",
        "v1",
        http=authed,
        static_discovery=True,
        client_options={"api_endpoint": endpoints.gmail},
    )
    try:
        profile = gmail.users().getProfile(userId="me", fields="emailAddress").execute()
    except RefreshError as exc:
        raise NeedsSignInError(f"Google refused the new sign-in ({type(exc).__name__})") from None
    except _TRANSIENT as exc:
        raise OfflineError(f"cannot reach Google ({type(exc).__name__})") from None
    finally:
        authed.http.close()
    return str(profile["emailAddress"]).lower()
