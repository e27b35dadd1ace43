"""Google sign-in: google-auth-oauthlib's installed-app flow over a loopback redirect.

``run_local_server(port=0)`` uses PKCE and state, and blocks until the browser comes back: call
``GoogleSignIn.run`` off the GUI thread (desktop.tasks' network pool), with a timeout; ``cancel``
may be called from any thread. The user brings their own OAuth client (``client_secret.json`` of
a "Desktop app" client, see docs/gmail-setup.md). The keyring is checked before the browser
opens, and the grant goes to the keyring only. Every failure is an ``AuthError`` subclass whose
text says what happened and what to do.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from google_auth_oauthlib.flow import (  # type: ignore[import-untyped]
    InstalledAppFlow,
    WSGITimeoutError,
)
from oauthlib.oauth2.rfc6749.errors import (  # type: ignore[import-untyped]
    AccessDeniedError,
    MismatchingStateError,
    OAuth2Error,
)

from mail.auth import AuthError
from mail.auth.tokens import GoogleGrant, TokenStore
from mail.gmail.transport import GOOGLE, GoogleEndpoints, fetch_address
from mail.provider import ProviderError

log = logging.getLogger(__name__)

SCOPES = (
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.events",
)
DEFAULT_TIMEOUT = 300.0

_SETUP_HINT = (
    "In Google Cloud Console, open APIs & Services > Credentials, create an OAuth client ID of "
    "type 'Desktop app' and download its JSON (see docs/gmail-setup.md)."
)


class SignInError(AuthError):
    """A Google sign-in that did not complete."""


class ClientFileError(SignInError):
    """The client_secret.json is missing, unreadable or not a Desktop-app OAuth client."""


class SignInCancelled(SignInError):
    pass


class SignInTimedOut(SignInError):
    pass


class SignInDenied(SignInError):
    """The user (or Google) refused some or all of the access Coffeechat asks for."""


def load_client_file(path: Path) -> dict[str, Any]:
    """The client configuration in Google's format ({"installed": {...}}), checked."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClientFileError(f"The client file {name} does not exist. {_SETUP_HINT}") from None
    except (OSError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        raise ClientFileError(f"Cannot read the client file {name} ({detail}).") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise ClientFileError(
            f"{name} is not a Google OAuth client file (it is not JSON). {_SETUP_HINT}"
        ) from None
    if not isinstance(data, dict):
        raise ClientFileError(f"{name} is not a Google OAuth client file. {_SETUP_HINT}")
    if data.get("type") == "service_account":
        raise ClientFileError(
            f"{name} is a service-account key, not an OAuth client. Coffeechat signs in as you, "
            f"with a client of type 'Desktop app'. {_SETUP_HINT}"
        )
    if "installed" not in data:
        if "web" in data:
            raise ClientFileError(
                f"{name} belongs to a 'Web application' OAuth client. Coffeechat needs a "
                f"'Desktop app' client (its sign-in returns to this computer). {_SETUP_HINT}"
            )
        raise ClientFileError(f"{name} is not a Google OAuth client file. {_SETUP_HINT}")
    client = data["installed"]
    missing = [
        key
        for key in ("client_id", "client_secret", "auth_uri", "token_uri")
        if not isinstance(client, dict) or not client.get(key)
    ]
    if missing:
        raise ClientFileError(
            f"The client file {name} is incomplete (no {', '.join(missing)}). Download it again. "
            f"{_SETUP_HINT}"
        )
    return {"installed": dict(client)}


class FlowLike(Protocol):
    """What GoogleSignIn needs from a flow (InstalledAppFlow; tests may pass a fake)."""

    redirect_uri: str
    credentials: Any

    def run_local_server(self, **kwargs: Any) -> Any: ...


FlowFactory = Callable[[Mapping[str, Any], tuple[str, ...], Callable[[str], None]], FlowLike]


def _installed_app_flow(
    config: Mapping[str, Any], scopes: tuple[str, ...], on_url: Callable[[str], None]
) -> FlowLike:
    class Flow(InstalledAppFlow):  # type: ignore[misc]
        def authorization_url(self, **kwargs: Any) -> Any:
            url, state = super().authorization_url(**kwargs)
            on_url(url)
            return url, state

    flow: FlowLike = Flow.from_client_config(dict(config), scopes=list(scopes))
    return flow


class GoogleSignIn:
    """One sign-in attempt. ``run`` blocks (call it on a worker); ``cancel`` from anywhere.

    ``open_url`` shows the consent page (default: the system browser); the UI also shows the
    link in case no browser opens.
    """

    def __init__(
        self,
        client_file: Path,
        *,
        tokens: TokenStore,
        timeout: float = DEFAULT_TIMEOUT,
        open_url: Callable[[str], object] | None = None,
        endpoints: GoogleEndpoints = GOOGLE,
        flow_factory: FlowFactory = _installed_app_flow,
        scopes: tuple[str, ...] = SCOPES,
    ) -> None:
        self._client_file = Path(client_file)
        self._tokens = tokens
        self._timeout = timeout
        self._open_url = open_url or (lambda url: webbrowser.open(url, new=1))
        self._endpoints = endpoints
        self._flow_factory = flow_factory
        self._scopes = scopes
        self._cancelled = threading.Event()
        self._flow: FlowLike | None = None
        self._lock = threading.Lock()

    def run(self) -> GoogleGrant:
        self._tokens.check()  # no keyring: say so before the user goes through the browser
        config = load_client_file(self._client_file)
        if self._cancelled.is_set():
            raise SignInCancelled("Sign-in cancelled.")
        flow = self._flow_factory(config, self._scopes, self._show)
        with self._lock:
            self._flow = flow
        try:
            flow.run_local_server(
                host="127.0.0.1",
                port=0,
                open_browser=False,
                authorization_prompt_message="",
                success_message="Coffeechat is connected. You can close this tab.",
                timeout_seconds=self._timeout,
                access_type="offline",
                prompt="consent",
            )
        except WSGITimeoutError:
            if self._cancelled.is_set():
                raise SignInCancelled("Sign-in cancelled.") from None
            raise SignInTimedOut(
                f"No answer from the browser within {self._timeout:.0f} seconds, so the sign-in "
                "was stopped. Try again, and finish the Google page in your browser."
            ) from None
        except (AccessDeniedError, MismatchingStateError) as exc:
            if self._cancelled.is_set():
                raise SignInCancelled("Sign-in cancelled.") from None
            if isinstance(exc, AccessDeniedError):
                raise SignInDenied(
                    "Google reported that access was refused. Coffeechat needs to read and send "
                    "your mail and see your calendar's free/busy times; try again and allow it."
                ) from None
            raise SignInError(
                "The answer from the browser did not match this sign-in (state mismatch). "
                "Try again."
            ) from None
        except Warning as exc:  # oauthlib raises "Scope has changed" when boxes were unticked
            raise SignInDenied(
                "Not all the requested permissions were granted. Try again and leave every box "
                "ticked: Coffeechat needs Gmail (read and send) and Calendar (free/busy, events)."
            ) from exc
        except OAuth2Error as exc:
            error = getattr(exc, "error", "") or type(exc).__name__
            if error == "invalid_client":
                raise ClientFileError(
                    f"Google does not know the OAuth client in {self._client_file.name} (it may "
                    f"have been deleted). {_SETUP_HINT}"
                ) from None
            raise SignInError(f"Google refused the sign-in ({error}). Try again.") from None
        except OSError as exc:
            raise SignInError(
                f"The sign-in could not reach Google or open its local page "
                f"({type(exc).__name__}). Check the connection and try again."
            ) from None
        if self._cancelled.is_set():
            raise SignInCancelled("Sign-in cancelled.")
        credentials = flow.credentials
        if not getattr(credentials, "refresh_token", None):
            raise SignInError(
                "Google did not hand out a lasting permission. Remove Coffeechat at "
                "myaccount.google.com/permissions, then connect again."
            )
        granted = set(getattr(credentials, "granted_scopes", None) or self._scopes)
        if not set(self._scopes) <= granted:
            raise SignInDenied(
                "Not all the requested permissions were granted. Try again and leave every box "
                "ticked."
            )
        try:
            address = fetch_address(credentials, self._endpoints)
        except ProviderError as exc:
            raise SignInError(f"Signed in, but Gmail could not be read: {exc}") from None
        client = config["installed"]
        grant = GoogleGrant(
            address=address,
            refresh_token=str(credentials.refresh_token),
            client_id=str(client["client_id"]),
            client_secret=str(client["client_secret"]),
            token_uri=str(client["token_uri"]),
            scopes=tuple(sorted(granted)),
        )
        self._tokens.save_google(grant)
        log.info("google sign-in completed for account %s", address)
        return grant

    def _show(self, url: str) -> None:
        # Called once the local page listens, just before the flow waits for the browser.
        if self._cancelled.is_set():
            self._poke()
        else:
            self._open_url(url)

    def cancel(self) -> None:
        """Stop a running ``run``: its local page gets an access_denied answer at once."""
        self._cancelled.set()
        self._poke()

    def _poke(self) -> None:
        with self._lock:
            flow = self._flow
        redirect = getattr(flow, "redirect_uri", None) if flow is not None else None
        if not redirect or not str(redirect).startswith("http://127.0.0.1:"):
            return  # not listening yet: run() sees the flag before it waits
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{redirect}?error=access_denied&state=cancelled", timeout=2):
                pass
        except OSError:
            pass  # the flow has already finished or stopped listening
