"""Talking to Google: credentials, a per-thread ``Http`` with a timeout (httplib2 is not
thread-safe), batches built with ``BatchHttpRequest(batch_uri=...)``, retries that honour
Retry-After, and the mapping of failures onto the port's three kinds."""

from __future__ import annotations

import http.client
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import BatchHttpRequest

from mail.auth import AuthError
from mail.auth.tokens import GoogleGrant
from mail.gmail.ratelimit import BATCH_MAX, UNITS, TokenBucket
from mail.http_retry import RetryPolicy, retry_after
from mail.provider import (
    Account,
    NeedsSignInError,
    OfflineError,
    ProviderError,
    ThrottledError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

GMAIL_ENDPOINT = "https://gmail.googleapis.com/"
CALENDAR_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
TOKEN_URI = "https://oauth2.googleapis.com/token"


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


_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_DAILY_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded"})
_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # timeouts, refused and reset connections
    http.client.HTTPException,
    httplib2.HttpLib2Error,
    TransportError,
)


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: str  # "throttled" or "offline"
    detail: str
    retry_after: float | None = None


class ServiceDisabledError(ProviderError):
    """The user's Google Cloud project has not turned on the API that was called."""


@dataclass
class _Session:
    http: Any
    gmail: Any
    calendar: Any = None


def error_reason(exc: HttpError) -> str:
    try:
        data = json.loads(exc.content)
        errors = data["error"].get("errors") or [{}]
        return str(errors[0].get("reason", "") or data["error"].get("status", ""))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return ""


def _retry_after(exc: HttpError) -> float | None:
    return retry_after(exc.resp.get("retry-after") if exc.resp is not None else None)


def http_status(exc: HttpError) -> int:
    return int(exc.resp.status) if exc.resp is not None else 0


class GmailTransport:
    """Credentials, one ``Http`` and service objects per thread, and every call through the limiter
    with retries; failures end as the port's errors."""

    def __init__(
        self,
        account: Account,
        grant_source: Callable[[], GoogleGrant | None],
        *,
        endpoints: GoogleEndpoints,
        limiter: TokenBucket | None,
        retry: RetryPolicy,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        now: Callable[[], datetime],
        timeout: float,
        rng: random.Random | None,
    ) -> None:
        self.account = account
        self._grant_source = grant_source
        self._endpoints = endpoints
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
            status = http_status(exc)
            reason = error_reason(exc)
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
