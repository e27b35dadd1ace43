"""Microsoft sign-in with msal: device code or interactive (loopback), token cache in the keyring.

The msal ``PublicClientApplication`` reaches the network in its constructor, so it is built on
first use only: Coffeechat starts offline. The serialised msal cache lives in the OS keyring
only (split into parts well under the 2,560-byte limit of Windows Credential Manager), together
with the client id and authority it belongs to. Never in a file, the database or a log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.errors
import msal
import requests
from msal.oauth2cli.authcode import AuthCodeReceiver
from msal.oauth2cli.oauth2 import BrowserInteractionTimeoutError

from mail.auth import AuthError
from mail.auth.tokens import NO_KEYRING_MESSAGE, KeyringUnavailableError, TokenStore
from mail.provider import NeedsSignInError, OfflineError

AUTHORITY = "https://login.microsoftonline.com/common"
#: msal adds openid, profile and offline_access itself (and refuses them here).
#: What the provider's requests need (Graph's permission tables): mail read, written and flagged,
#: mail sent, events made and busy times read. Nothing more: a scope never used is a consent
#: screen line the user must accept for nothing.
SCOPES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")
PART_SIZE = 1800
_SIGN_IN_AGAIN = {"invalid_grant", "interaction_required", "consent_required", "login_required"}


log = logging.getLogger(__name__)

#: How long the browser sign-in waits for the user by default.
DEFAULT_TIMEOUT = 300.0
_NO_BROWSER = "coffeechat_no_browser"
_CANCELLED = "coffeechat_cancelled"


class SignInCancelled(AuthError):
    """The user stopped the sign-in."""


class _BrowserMissing(AuthError):
    """No browser could be opened for the interactive sign-in."""


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What the user types where: ``code`` at ``url``, on any device with a browser."""

    code: str
    url: str
    message: str
    expires_in: int = 900


class _Receiver(AuthCodeReceiver):  # type: ignore[misc]  # msal has no type hints
    """msal's loopback receiver, remembering the request's state, so that Coffeechat can answer
    the redirect itself: when no browser opens (then a device code takes over) or on Cancel."""

    state: str | None = None
    no_browser = False

    def __init__(self, port: int = 0) -> None:
        super().__init__(port=port)
        self._answers: list[socket.socket] = []

    def get_auth_response(self, **kwargs: Any) -> Any:
        self.state = kwargs.get("state")
        return super().get_auth_response(**kwargs)

    def answer(self, error: str) -> None:
        """Post an error answer to the redirect, as a browser would, without waiting for the
        reply (this may run on the receiver's own thread, before it listens). The connection
        stays open until ``close``: the receiver records the answer only after replying."""
        form = urllib.parse.urlencode({"error": error, "state": self.state or ""}).encode()
        request = (
            b"POST / HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form
        )
        try:
            conn = socket.create_connection(("127.0.0.1", self.get_port()), timeout=2)
        except OSError:
            return  # the receiver has already finished
        self._answers.append(conn)
        with contextlib.suppress(OSError):
            conn.sendall(request)

    def close(self) -> None:
        super().close()
        for conn in self._answers:
            conn.close()
        self._answers.clear()


def _key(address: str) -> str:
    return f"outlook:{address.lower()}"


class KeyringCache:
    """The msal cache of one account, kept in keyring entries ``outlook:ADDRESS`` (an index:
    client id, authority, number of parts) and ``outlook:ADDRESS#N`` (the parts)."""

    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens

    def _set(self, key: str, value: str) -> None:
        try:
            keyring.set_password(self.tokens.service, key, value)
            stored = keyring.get_password(self.tokens.service, key)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None
        if stored != value:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail="the keyring did not keep the entry")
            )

    def save(self, address: str, client_id: str, authority: str, cache: str) -> None:
        self.tokens.check()
        parts = [cache[i : i + PART_SIZE] for i in range(0, len(cache), PART_SIZE)] or [""]
        for n, part in enumerate(parts):
            self._set(f"{_key(address)}#{n}", part)
        index = {"v": 1, "client_id": client_id, "authority": authority, "parts": len(parts)}
        self._set(_key(address), json.dumps(index))

    def load(self, address: str) -> tuple[str, str, str] | None:
        """(client id, authority, serialised cache), or None when there is no usable entry."""
        self.tokens.check()
        try:
            index = keyring.get_password(self.tokens.service, _key(address))
            if index is None:
                return None
            parsed = json.loads(index)
            parts = []
            for n in range(int(parsed["parts"])):
                part = keyring.get_password(self.tokens.service, f"{_key(address)}#{n}")
                if part is None:
                    return None
                parts.append(part)
            return str(parsed["client_id"]), str(parsed["authority"]), "".join(parts)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None
        except (ValueError, KeyError, TypeError):
            return None  # a damaged entry is as good as none: the user reconnects

    def delete(self, address: str) -> None:
        try:
            index = keyring.get_password(self.tokens.service, _key(address))
            count = int(json.loads(index)["parts"]) if index else 0
        except (keyring.errors.KeyringError, ValueError, KeyError, TypeError):
            count = 0
        for key in [_key(address), *(f"{_key(address)}#{n}" for n in range(count))]:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(self.tokens.service, key)


class MicrosoftAuth:
    """Tokens for one Microsoft account. ``http_client`` (a requests.Session) and
    ``instance_discovery`` are for tests against a local authority."""

    def __init__(
        self,
        client_id: str,
        *,
        address: str = "",
        tokens: TokenStore | None = None,
        authority: str = AUTHORITY,
        scopes: tuple[str, ...] = SCOPES,
        http_client: requests.Session | None = None,
        instance_discovery: bool | None = None,
    ) -> None:
        self.client_id = client_id
        self.address = address.lower()
        self.authority = authority
        self.scopes = list(scopes)
        self.store = KeyringCache(tokens or TokenStore())
        self._http = http_client
        self._discovery = instance_discovery
        self._cache = msal.SerializableTokenCache()
        self._app: Any = None
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._receiver: _Receiver | None = None
        self._flow: dict[str, Any] | None = None

    @classmethod
    def from_keyring(cls, address: str, tokens: TokenStore, **options: Any) -> MicrosoftAuth | None:
        """The auth of a connected account, or None when the keyring holds nothing for it."""
        found = KeyringCache(tokens).load(address)
        if found is None:
            return None
        client_id, authority, cache = found
        options.setdefault("authority", authority)
        auth = cls(client_id, address=address, tokens=tokens, **options)
        auth._cache.deserialize(cache)
        return auth

    def _application(self) -> Any:
        if self._app is None:
            kwargs: dict[str, Any] = {"authority": self.authority, "token_cache": self._cache}
            if self._http is not None:
                kwargs["http_client"] = self._http
            if self._discovery is not None:
                kwargs["instance_discovery"] = self._discovery
            try:
                self._app = msal.PublicClientApplication(self.client_id, **kwargs)
            except requests.RequestException as exc:
                raise OfflineError(f"cannot reach Microsoft: {type(exc).__name__}") from None
            except ValueError as exc:
                raise AuthError(f"Microsoft sign-in is not available: {exc}") from None
        return self._app

    def _save(self) -> None:
        if self.address and self._cache.has_state_changed:
            self.store.save(self.address, self.client_id, self.authority, self._cache.serialize())
            self._cache.has_state_changed = False

    def _signed_in(self, result: dict[str, Any] | None) -> str:
        if not result or "access_token" not in result:
            error = (result or {}).get("error", "no answer")
            detail = (result or {}).get("error_description", "")
            raise AuthError(f"Microsoft sign-in failed ({error}). {detail}".strip())
        claims = result.get("id_token_claims") or {}
        address = str(claims.get("preferred_username") or claims.get("email") or "").lower()
        if not address:
            raise AuthError("Microsoft did not say which account signed in.")
        self.address = address
        self._save()
        return address

    def sign_in(
        self,
        on_code: Callable[[DeviceCode], None],
        *,
        browser: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        open_url: Callable[[str], None] | None = None,
    ) -> str:
        """Sign in a new account: in the browser over a loopback redirect, or with a device code
        (``on_code`` gets it) when no browser can be opened or ``browser`` is False. Blocks; call
        ``cancel`` from another thread to stop it. Returns the account's address."""
        if browser:
            try:
                return self.sign_in_interactive(timeout, open_url)
            except _BrowserMissing:
                log.info("no browser could be opened: signing in with a device code")
        return self._sign_in_device(on_code)

    def cancel(self) -> None:
        """Stop a running sign-in (from any thread): it raises SignInCancelled."""
        self._cancelled.set()
        with self._lock:
            receiver, flow = self._receiver, self._flow
        if receiver is not None and receiver.state is not None:
            receiver.answer(_CANCELLED)
        if flow is not None:
            flow["expires_at"] = 0  # msal's documented way to stop polling a device flow

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise SignInCancelled("Sign-in cancelled.")

    def sign_in_device(self, show: Callable[[str], None]) -> str:
        """Device-code sign-in: ``show`` gets the text with the code and the link."""
        return self._sign_in_device(lambda code: show(code.message))

    def _sign_in_device(self, on_code: Callable[[DeviceCode], None]) -> str:
        self.store.tokens.check()
        self._check_cancelled()
        try:
            app = self._application()
            flow = app.initiate_device_flow(scopes=self.scopes)
            if "user_code" not in flow:
                raise AuthError(f"Microsoft refused the sign-in: {flow.get('error', 'unknown')}")
            with self._lock:
                self._flow = flow
            self._check_cancelled()
            on_code(
                DeviceCode(
                    str(flow["user_code"]),
                    str(flow.get("verification_uri", "")),
                    str(flow.get("message", "")),
                    int(flow.get("expires_in", 900)),
                )
            )
            result = app.acquire_token_by_device_flow(flow)
        except requests.RequestException:
            raise AuthError(
                "Cannot reach Microsoft's sign-in service; check the network."
            ) from None
        finally:
            with self._lock:
                self._flow = None
        self._check_cancelled()
        if (result or {}).get("error") in ("expired_token", "authorization_pending"):
            raise AuthError("The code expired before the sign-in was finished. Try again.")
        return self._signed_in(result)

    def sign_in_interactive(
        self, timeout: float = DEFAULT_TIMEOUT, open_url: Callable[[str], None] | None = None
    ) -> str:
        """Sign-in in the system browser over a loopback redirect. Returns the account's
        address. ``open_url`` is called when msal could not open a browser itself (a browser of
        the caller's, or tests); without it, no browser means _BrowserMissing."""
        self.store.tokens.check()
        self._check_cancelled()
        receiver = _Receiver(port=0)

        def no_browser(url: str) -> None:
            if open_url is not None:
                open_url(url)
                return
            receiver.no_browser = True
            receiver.answer(_NO_BROWSER)

        with self._lock:
            self._receiver = receiver
        try:
            with receiver:
                result = self._application().acquire_token_interactive(
                    scopes=self.scopes,
                    timeout=timeout,
                    prompt="select_account",
                    port=receiver.get_port(),
                    auth_code_receiver=receiver,
                    auth_uri_callback=no_browser,
                )
        except requests.RequestException:
            raise AuthError(
                "Cannot reach Microsoft's sign-in service; check the network."
            ) from None
        except BrowserInteractionTimeoutError:
            self._check_cancelled()
            raise AuthError(
                f"No answer from the browser within {timeout:.0f} seconds, so the sign-in was "
                "stopped. Try again, and finish the Microsoft page in your browser."
            ) from None
        finally:
            with self._lock:
                self._receiver = None
        self._check_cancelled()
        if receiver.no_browser:
            raise _BrowserMissing()
        error = str((result or {}).get("error", ""))
        if error == "access_denied":
            raise AuthError(
                "Microsoft reported that access was refused. Coffeechat needs to read and send "
                "your mail and see your calendar; try again and accept."
            )
        return self._signed_in(result)

    def access_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token, refreshed from the cache as needed."""
        with self._lock:
            app = self._application()
            try:
                accounts = app.get_accounts(username=self.address or None)
                if not accounts:
                    raise NeedsSignInError("the Outlook account is not signed in")
                result = app.acquire_token_silent_with_error(
                    self.scopes, accounts[0], force_refresh=force_refresh
                )
            except requests.RequestException as exc:
                raise OfflineError(f"cannot reach Microsoft: {type(exc).__name__}") from None
            if result is None:
                raise NeedsSignInError("the Outlook sign-in has expired")
            if "access_token" not in result:
                error = str(result.get("error", ""))
                if error in _SIGN_IN_AGAIN or result.get("suberror"):
                    raise NeedsSignInError(f"Outlook asks to sign in again ({error})")
                raise OfflineError(f"Microsoft could not refresh the sign-in ({error})")
            self._save()
            return str(result["access_token"])

    def forget(self) -> None:
        if self.address:
            self.store.delete(self.address)
