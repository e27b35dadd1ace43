"""Tokens live in the OS keyring (Keychain, Windows Credential Manager, Secret Service) only.

Never in the database, the settings, the logs or any other file: with no usable keyring the
account cannot be added, and the error says what to install. A plaintext keyring (keyrings.alt)
is refused like a missing one. One entry per account, a small JSON document well under the
2,560-byte limit of Windows Credential Manager.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

from mail.auth import AuthError

SERVICE = "Coffeechat"

NO_KEYRING_MESSAGE = (
    "Coffeechat keeps your sign-in in the system keyring, and no keyring is available here "
    "({detail}). On Linux, install and unlock GNOME Keyring (Debian/Ubuntu: 'sudo apt install "
    "gnome-keyring') or KWallet in your desktop session; macOS and Windows use their built-in "
    "keychain. Coffeechat never stores sign-in tokens in a plain file, so the account cannot be "
    "added until a keyring works."
)


class KeyringUnavailableError(AuthError):
    """No secure keyring backend: nothing can be stored, so the account cannot be added."""


@dataclass(frozen=True, slots=True)
class GoogleGrant:
    """What a Google sign-in leaves behind: enough to mint access tokens later."""

    address: str
    refresh_token: str
    client_id: str
    client_secret: str
    token_uri: str
    scopes: tuple[str, ...]

    def __repr__(self) -> str:  # never show the secrets in a traceback or a log line
        return f"GoogleGrant(address={self.address!r}, client_id={self.client_id!r}, ...)"


def _insecure(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why ``backend`` cannot hold tokens, or None when it can."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return "no keyring backend was found"
    if module.startswith("keyrings.alt") or "plaintext" in name.lower():
        return f"the only keyring is {name}, which writes secrets to a plain file"
    chained = getattr(backend, "backends", None)
    if chained is not None and not list(chained):
        return "no keyring backend was found"
    return None


class TokenStore:
    """The keyring entries of connected accounts. The backend is keyring's current one (tests
    select an in-memory backend with ``keyring.set_keyring``)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def check(self) -> None:
        """Raise KeyringUnavailableError if tokens cannot be stored safely right now."""
        backend = keyring.get_keyring()
        reason = _insecure(backend)
        if reason is not None:
            raise KeyringUnavailableError(NO_KEYRING_MESSAGE.format(detail=reason))

    @staticmethod
    def _key(kind: str, address: str) -> str:
        return f"{kind}:{address.lower()}"

    def save_google(self, grant: GoogleGrant) -> None:
        self.check()
        data = json.dumps(
            {
                "v": 1,
                "refresh_token": grant.refresh_token,
                "client_id": grant.client_id,
                "client_secret": grant.client_secret,
                "token_uri": grant.token_uri,
                "scopes": list(grant.scopes),
            }
        )
        key = self._key("gmail", grant.address)
        try:
            keyring.set_password(self.service, key, data)
            stored = keyring.get_password(self.service, key)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None
        if stored != data:  # some backends fail silently; never report a save that did not happen
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail="the keyring did not keep the entry")
            )

    def load_google(self, address: str) -> GoogleGrant | None:
        self.check()
        try:
            data = keyring.get_password(self.service, self._key("gmail", address))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None
        if data is None:
            return None
        try:
            parsed = json.loads(data)
            return GoogleGrant(
                address=address.lower(),
                refresh_token=str(parsed["refresh_token"]),
                client_id=str(parsed["client_id"]),
                client_secret=str(parsed["client_secret"]),
                token_uri=str(parsed["token_uri"]),
                scopes=tuple(str(s) for s in parsed["scopes"]),
            )
        except (ValueError, KeyError, TypeError):
            return None  # a damaged entry is as good as none: the user reconnects

    def delete_google(self, address: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(self.service, self._key("gmail", address))


class PasswordStore:
    """The app passwords of IMAP/SMTP accounts, in the same keyring service as the grants (one
    entry per account, the password alone). Same rules: no keyring, no account."""

    def __init__(self, tokens: TokenStore | None = None) -> None:
        self.tokens = tokens or TokenStore()

    def _key(self, address: str) -> str:
        return self.tokens._key("imap", address)

    def save(self, address: str, password: str) -> None:
        self.tokens.check()
        key = self._key(address)
        try:
            keyring.set_password(self.tokens.service, key, password)
            stored = keyring.get_password(self.tokens.service, key)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None
        if stored != password:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail="the keyring did not keep the entry")
            )

    def load(self, address: str) -> str | None:
        self.tokens.check()
        try:
            return keyring.get_password(self.tokens.service, self._key(address))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                NO_KEYRING_MESSAGE.format(detail=f"the keyring refused: {type(exc).__name__}")
            ) from None

    def delete(self, address: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(self.tokens.service, self._key(address))
