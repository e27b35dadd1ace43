"""An in-memory keyring backend for tests: select it with ``keyring.set_keyring(MemoryKeyring())``
(the ``memory_keyring`` fixture does, and restores the previous backend)."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]


class ForgetfulKeyring(MemoryKeyring):
    """Accepts every secret and keeps none (some broken backends do that)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None
