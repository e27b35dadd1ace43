"""The history pass over IMAP: one ``UID SEARCH`` per folder (Inbox and Sent) and batch of
contacts, ``SINCE`` the start of the window and ``OR`` over ``FROM``/``TO``/``CC`` of every
address (RFC 3501 6.4.4: search keys are ANDed; ``OR`` takes two keys, so several addresses
nest), plus the mail systems' senders (bounces) and, for threads, ``HEADER Message-ID`` /
``References`` / ``In-Reply-To`` with the thread's first Message-ID. Headers of what is found
are read in one FETCH per 500 messages; bodies later, only for what concerns a contact."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from mail.heads import MessageCache
from mail.provider import Folder, MessageRef
from mail.relevance import DAEMON_LOCALPARTS, Relevance

#: Senders of delivery reports searched for by name (IMAP FROM is a substring match).
DAEMON_SENDERS = ("mailer-daemon", "postmaster")


class _Searchable(Protocol):
    commands: int
    _cache: MessageCache

    def _session(self) -> AbstractContextManager[Any]: ...

    def _folder(self, folder: Folder) -> str: ...

    def _select(self, client: Any, name: str, *, write: bool = False) -> int: ...

    def _read_heads(
        self, client: Any, folder: Folder, name: str, validity: int, uids: list[int]
    ) -> list[MessageRef]: ...

    def _fetch_full(self, client: Any, name: str, refs: list[MessageRef]) -> None: ...


def either(keys: list[list[Any]]) -> list[Any]:
    """One search key matching any of ``keys`` (each a key and its arguments), as a balanced
    tree of ``OR`` so that no nesting grows with the batch."""
    if len(keys) == 1:
        return list(keys[0])
    middle = len(keys) // 2
    return ["OR", *either(keys[:middle]), *either(keys[middle:])]


def criteria(addresses: Collection[str], since: datetime, threads: Collection[str]) -> list[Any]:
    keys: list[list[Any]] = []
    for address in sorted({a.lower() for a in addresses if a}):
        keys += [["FROM", address], ["TO", address], ["CC", address]]
    if addresses:
        keys += [["FROM", d] for d in DAEMON_SENDERS if d in DAEMON_LOCALPARTS]
    for root in sorted(set(threads)):
        if root.startswith("<"):
            keys += [["HEADER", h, root] for h in ("Message-ID", "References", "In-Reply-To")]
    if not keys:
        return []
    return ["SINCE", since.date(), *either(keys)]


def search(
    provider: _Searchable,
    addresses: Collection[str],
    since: datetime,
    threads: Collection[str] = (),
    relevance: Relevance | None = None,
) -> Iterator[MessageRef]:
    wanted = criteria(addresses, since, threads)
    if not wanted:
        return
    found: list[MessageRef] = []
    with provider._session() as client:
        for folder in (Folder.INBOX, Folder.SENT):
            name = provider._folder(folder)
            validity = provider._select(client, name)
            uids = sorted(int(u) for u in client.search(wanted))
            provider.commands += 1
            refs = provider._read_heads(client, folder, name, validity, uids)
            found += refs
            heads = provider._cache.heads
            ahead = [r for r in refs if relevance is not None and relevance.concerns(heads[r.id])]
            for start in range(0, len(ahead), 500):  # one FETCH of the bodies per 500
                provider._fetch_full(client, name, ahead[start : start + 500])
    yield from dict.fromkeys(found)
