"""Microsoft Graph requests for the Outlook provider: tokens, throttling and errors."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import requests

from mail.auth import AuthError
from mail.auth.microsoft import MicrosoftAuth
from mail.auth.tokens import TokenStore
from mail.dates import clamp
from mail.http_retry import GRAPH_RETRY, PauseGate, RetryPolicy, retry_after
from mail.provider import (
    Account,
    NeedsSignInError,
    OfflineError,
    ProviderError,
    ThrottledError,
)

GRAPH = "https://graph.microsoft.com/v1.0"


class RefusedError(ProviderError):
    """Graph answered with a 4xx that no retry mends (its status and error code are kept)."""

    def __init__(self, status: int, code: str = "") -> None:
        super().__init__(f"Outlook answered {status} {code}".strip())
        self.status = status
        self.code = code


MAX_IN_FLIGHT = 4
MAX_BACKOFF = GRAPH_RETRY.max_delay


class TokenSource(Protocol):
    def access_token(self, *, force_refresh: bool = False) -> str: ...


class DeltaExpiredError(Exception):
    """The delta link expired."""


def parse_when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return clamp(parsed)


class KeyringAuth:
    """MicrosoftAuth loaded from the keyring on first use."""

    def __init__(self, address: str, tokens: TokenStore, options: dict[str, Any]) -> None:
        self.address, self.tokens, self.options = address, tokens, options
        self._auth: MicrosoftAuth | None = None
        self._lock = threading.Lock()

    def access_token(self, *, force_refresh: bool = False) -> str:
        with self._lock:
            if self._auth is None:
                try:
                    self._auth = MicrosoftAuth.from_keyring(
                        self.address, self.tokens, **self.options
                    )
                except AuthError as exc:
                    raise NeedsSignInError(str(exc)) from None
                if self._auth is None:
                    raise NeedsSignInError(
                        f"There is no saved Microsoft sign-in for {self.address} in the keyring. "
                        "Reconnect the account."
                    )
        try:
            return self._auth.access_token(force_refresh=force_refresh)
        except AuthError as exc:
            raise NeedsSignInError(str(exc)) from None


class GraphTransport:
    """Requests to Graph: the token (refreshed once on a 401), ``Prefer: IdType="ImmutableId"``,
    at most four in flight, and one pause for all of them on a 429 or 5xx (Retry-After, else the
    policy's back-off); what no retry mends ends as the port's errors or ``RefusedError``."""

    def __init__(
        self,
        account: Account,
        auth: TokenSource,
        *,
        base_url: str,
        session: requests.Session | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        now: Callable[[], datetime] | None,
        retry: RetryPolicy | None,
        timeout: float,
    ) -> None:
        self.account = account
        self.auth = auth
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self._now = now or (lambda: datetime.now(UTC))
        self.retry = retry or GRAPH_RETRY
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        self._gate = PauseGate(clock, sleep)
        self.requests = 0

    def close(self) -> None:
        self.session.close()

    def _once(self, method: str, url: str, body: Any, token: str) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "Prefer": 'IdType="ImmutableId", odata.maxpagesize=200',
            "Accept": "application/json",
        }
        self._gate.wait()
        with self._slots:
            self.requests += 1
            return self.session.request(
                method, url, json=body, headers=headers, timeout=self.timeout
            )

    def _request(
        self, method: str, path: str, body: Any = None, *, ok_missing: bool = False
    ) -> dict[str, Any] | None:
        url = path if path.startswith("https://") else self.base_url + path
        token = self.auth.access_token()
        refreshed = False
        last: ProviderError = OfflineError("the mail service did not answer")
        for attempt in range(self.retry.attempts):
            try:
                answer = self._once(method, url, body, token)
            except requests.RequestException as exc:
                # One quick retry (a dropped keep-alive connection); then it is offline.
                if attempt >= 1:
                    raise OfflineError(f"cannot reach Outlook: {type(exc).__name__}") from None
                self._gate.pause(self.retry.base_delay)
                continue
            status = answer.status_code
            if status == 429 or status in (500, 502, 503, 504):
                wait = retry_after(answer.headers.get("Retry-After"), self._now)
                delay = self.retry.delay(attempt, wait)
                self._gate.pause(delay)
                last = (
                    ThrottledError(delay)
                    if status == 429
                    else OfflineError(f"Outlook is unavailable ({status})")
                )
                continue
            if status == 401 and not refreshed:
                refreshed = True
                token = self.auth.access_token(force_refresh=True)
                continue
            if status == 401:
                raise NeedsSignInError("Outlook refused the sign-in")
            if status == 410:
                raise DeltaExpiredError()
            if status == 404 and ok_missing:
                return None
            if status >= 400:
                code = ""
                with contextlib.suppress(ValueError):
                    code = str(answer.json().get("error", {}).get("code", ""))
                if "SyncState" in code or "syncstate" in code.lower():
                    raise DeltaExpiredError()
                raise RefusedError(status, code)
            if not answer.content:
                return {}
            parsed = answer.json()
            return parsed if isinstance(parsed, dict) else {}
        raise last

    def _get(self, path: str, **kw: Any) -> dict[str, Any]:
        return self._request("GET", path, **kw) or {}

    def _post(self, path: str, body: Any = None) -> dict[str, Any]:
        return self._request("POST", path, body) or {}
