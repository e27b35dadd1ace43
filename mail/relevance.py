"""Does this message concern a contact? One answer for the sync engine and every provider.

The sync engine builds a ``Relevance`` from what it knows (tracked threads, contact addresses, the
Message-IDs it has stored for contacts) and passes it into ``fetch_changes``: a provider uses it to
decide what to fetch in full up front and what a recovery round reports, and the sync uses the
same filter to decide what to read at all. A message concerns a contact when it is in a tracked
thread, names a contact's address (sender, To or Cc), answers a message stored for a contact
(In-Reply-To or References), or comes from a delivery daemon (a bounce often names no contact in
its headers; only its body says who failed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol


class _Ref(Protocol):
    @property
    def thread_id(self) -> str: ...


class Head(Protocol):
    """What the filter reads of a message: ``mail.provider.MailMessage`` has it. A protocol, so
    that the port (which names ``Relevance`` in ``fetch_changes``) and the filter do not import
    each other."""

    @property
    def ref(self) -> _Ref: ...

    @property
    def sender(self) -> str: ...

    @property
    def addresses(self) -> tuple[str, ...]: ...

    @property
    def in_reply_to(self) -> str: ...

    @property
    def references(self) -> tuple[str, ...]: ...


#: Local parts of the senders of delivery reports (MTAs, and the usual misspellings of them).
DAEMON_LOCALPARTS = frozenset(
    {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mail.daemon", "maildaemon"}
)
#: Exchange sends its reports from a system mailbox named after a GUID.
_EXCHANGE_SYSTEM = re.compile(r"^microsoftexchange[0-9a-f]{32}$")


def is_daemon(address: str) -> bool:
    """Whether ``address`` is a mail system's own sender (bounces and delivery reports)."""
    local = address.partition("@")[0].strip().lower()
    return local in DAEMON_LOCALPARTS or _EXCHANGE_SYSTEM.match(local) is not None


class Relevance:
    """The sync engine's view of what concerns a contact, frozen for one pass.

    ``answers_contact(message_id)`` tells whether a stored message of a contact has that
    Message-ID (a reply in a thread we do not track yet); it runs on the thread that calls
    ``fetch_changes``. ``Relevance.everything()`` lets every message through (no view given).
    """

    __slots__ = ("_addresses", "_all", "_answers", "_threads")

    def __init__(
        self,
        threads: Iterable[str] = (),
        addresses: Iterable[str] = (),
        answers_contact: Callable[[str], bool] | None = None,
    ) -> None:
        self._threads = frozenset(threads)
        self._addresses = frozenset(a.lower() for a in addresses)
        self._answers = answers_contact
        self._all = False

    @classmethod
    def everything(cls) -> Relevance:
        relevance = cls()
        relevance._all = True
        return relevance

    @classmethod
    def from_views(
        cls,
        tracked_threads: Callable[[], Iterable[str]] | None,
        known_addresses: Callable[[], Iterable[str]] | None,
    ) -> Relevance:
        """From a provider's own look-ups (when the caller passed no filter); without both of
        them, nothing can be ruled out."""
        if tracked_threads is None or known_addresses is None:
            return cls.everything()
        return cls(tracked_threads(), known_addresses())

    @property
    def threads(self) -> frozenset[str]:
        """The tracked thread ids (a recovery round re-checks these)."""
        return self._threads

    @property
    def addresses(self) -> frozenset[str] | None:
        """The contacts' addresses (lower case); None when everything is relevant."""
        return None if self._all else self._addresses

    def tracks(self, thread_id: str) -> bool:
        return self._all or thread_id in self._threads

    def names_contact(self, head: Head) -> bool:
        return any(a.lower() in self._addresses for a in head.addresses if a)

    def concerns(self, head: Head) -> bool:
        """Cheap test on a message's headers: is it worth a full fetch?"""
        if self._all or head.ref.thread_id in self._threads:
            return True
        if self.names_contact(head) or is_daemon(head.sender):
            return True
        if self._answers is not None:
            return any(self._answers(m) for m in (head.in_reply_to, *head.references) if m)
        return False
