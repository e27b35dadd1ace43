"""The kept IMAP connection of an account: opened on first use, checked after a quiet minute,
reopened once when it dropped; folders are opened read-only unless flags are to be set, and left
after each piece of work. Every command that reaches the server is counted (tests, benchmark)."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from mail.auth import AuthError
from mail.dates import clamp
from mail.heads import HEADER_FIELDS
from mail.imap.connection import close_quietly, open_imap
from mail.imap.errors import (
    ServerSetupError,
    SetupProblem,
)
from mail.imap.folders import Folders, find_folders
from mail.imap.settings import ImapSettings
from mail.provider import (
    Account,
    Folder,
    NeedsSignInError,
    OfflineError,
    ProviderError,
)

log = logging.getLogger(__name__)

#: The header-first fetch item: only the headers relevance and classification read.
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(f.upper() for f in HEADER_FIELDS)})]"


def thread_root(message_id: str, in_reply_to: str, references: Iterable[str]) -> str:
    """IMAP has no thread ids: a thread is named by its first message's Message-ID, which every
    reply carries first in References (or alone in In-Reply-To)."""
    refs = [r for r in references if r.startswith("<")]
    return refs[0] if refs else (in_reply_to or message_id)


def body_of(answer: dict[bytes, Any], prefix: bytes) -> bytes:
    for key, value in answer.items():
        if isinstance(key, bytes) and key.upper().startswith(prefix) and isinstance(value, bytes):
            return value
    return b""


def aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return clamp(value)


def message_ident(folder: Folder, message_id: str, validity: int, uid: int) -> str:
    # The Message-ID, not the UID: it survives a UIDVALIDITY change (no second copy of a
    # message in the store), and it is how other accounts see the same mail.
    if message_id:
        return f"{folder.value}:{message_id}"
    return f"{folder.value}:{validity}/{uid}"


class ImapSession:
    """The plumbing under ``ImapProvider``: the connection, its folders and the account's state.
    Every use of the connection holds ``_lock`` (``_session``)."""

    def __init__(
        self,
        account: Account,
        settings: ImapSettings,
        password: Callable[[], str | None],
        now: Callable[[], datetime],
    ) -> None:
        self.account = account
        self.settings = settings
        self._password_source = password
        self._now = now
        self._lock = threading.RLock()
        self._client: Any = None
        self._folders: Folders | None = None
        self._drafts: dict[str, bytes] = {}
        self._used = 0.0
        self._selected = False
        #: IMAP commands that reached the server (for tests and the benchmark).
        self.commands = 0
        #: Seconds, for the quiet-minute check of the kept connection (the benchmark simulates).
        self.monotonic: Callable[[], float] = time.monotonic

    def password(self) -> str:
        try:
            secret = self._password_source()
        except AuthError as exc:
            raise NeedsSignInError(str(exc)) from None
        if not secret:
            raise NeedsSignInError(
                f"There is no saved password for {self.account.address} in the keyring. "
                "Reconnect the account."
            )
        return secret

    def _connect(self) -> Any:
        if self._client is None:
            client = open_imap(self.settings, self.password())
            try:
                self._folders = find_folders(client, self.settings)
            except Exception:
                close_quietly(client)
                raise
            self._client = client
        return self._client

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._selected = False
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                close_quietly(client)

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        """The kept connection, opened on first use. A connection that dropped since the last
        use is reopened once; one that drops during the work is offline (the pass is repeated)."""
        with self._lock:
            # A connection quiet for a minute may have been closed by the server: look first.
            if self._client is not None and self.monotonic() - self._used > 60:
                try:
                    self._client.noop()
                    self.commands += 1
                except Exception:
                    self._drop()
            client = self._connect()
            try:
                yield client
                self._release(client)
                self._used = self.monotonic()
            except ProviderError:
                raise
            except (imaplib.IMAP4.abort, OSError) as exc:
                self._drop()
                raise OfflineError(
                    f"the connection to {self.settings.host} dropped ({type(exc).__name__})"
                ) from None
            except imaplib.IMAP4.error as exc:
                raise ProviderError(f"{self.settings.host} refused a command: {exc}") from None

    def _folder(self, folder: Folder) -> str:
        assert self._folders is not None
        return self._folders.inbox if folder is Folder.INBOX else self._folders.sent

    def _drafts_folder(self) -> str:
        assert self._folders is not None
        if self._folders.drafts is None:
            raise ServerSetupError(
                f"No Drafts folder was found on {self.settings.host}. Type the name of your "
                "Drafts folder in the account settings.",
                SetupProblem.FOLDER,
            )
        return self._folders.drafts

    def _status(self, client: Any, name: str) -> tuple[int, int, int | None]:
        items = [b"UIDVALIDITY", b"UIDNEXT"]
        condstore = bool(client.has_capability("CONDSTORE"))
        if condstore:
            items.append(b"HIGHESTMODSEQ")
        status = client.folder_status(name, items)
        self.commands += 1
        modseq = status.get(b"HIGHESTMODSEQ") if condstore else None
        return int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"]), modseq

    def _select(self, client: Any, name: str, *, write: bool = False) -> int:
        """Open read-only (EXAMINE) unless flags are to be set: nothing read can change the
        folder or its \\Seen flags."""
        info = client.select_folder(name, readonly=not write)
        self.commands += 1
        self._selected = True
        return int(info[b"UIDVALIDITY"])

    def _release(self, client: Any) -> None:
        """Leave the selected folder after each piece of work: a selected folder's STATUS is the
        session's stale view, and servers end a session whose selected folder is renumbered."""
        if not self._selected:
            return
        self._selected = False
        if client.has_capability("UNSELECT"):
            client.unselect_folder()
        else:
            client.close_folder()  # opened read-only: CLOSE expunges nothing
        self.commands += 1

    def _search_message_id(self, client: Any, name: str, message_id: str) -> int | None:
        self._select(client, name)
        found = client.search(["HEADER", "Message-ID", message_id])
        self.commands += 1
        return max((int(u) for u in found), default=None)
