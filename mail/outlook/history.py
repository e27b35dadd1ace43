"""The history pass over Microsoft Graph: per batch of contacts, one ``$search`` per folder
(Inbox, Sent Items) with KQL property restrictions, ``from:``/``to:``/``cc:`` for every address
and ``received>=`` for the window (``$filter`` cannot name ``toRecipients``: Graph answers
"invalid nodes" to a lambda over recipients, so the search, which can, is used); paged with
``@odata.nextLink``. Threads are read by ``$filter`` on ``conversationId`` (a few per request).
Requests go through the provider's transport: at most four in flight, 429 honoured."""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from mail.heads import MessageCache
from mail.provider import Folder, MailMessage, MessageRef
from mail.relevance import Relevance

_FOLDERS = {Folder.INBOX: "inbox", Folder.SENT: "sentitems"}
DAEMON_SENDERS = ("mailer-daemon", "postmaster")
#: Conversation ids per ``$filter`` (each is long: the URL stays well under Graph's limits).
THREADS_PER_REQUEST = 15
PAGE = 100


class _Searchable(Protocol):
    _cache: MessageCache

    def _get(self, path: str, **kw: Any) -> dict[str, Any]: ...

    def _head(self, item: dict[str, Any], folder: Folder) -> MailMessage: ...


def kql(addresses: Collection[str], since: datetime) -> str:
    names = sorted({a.lower() for a in addresses if a})
    terms = [f"{field}:{a}" for a in names for field in ("from", "to", "cc")]
    terms += [f"from:{d}" for d in DAEMON_SENDERS]
    return f"({' OR '.join(terms)}) AND received>={since.astimezone(UTC):%Y-%m-%d}"


def _pages(provider: _Searchable, path: str, folder: Folder) -> list[MessageRef]:
    refs: list[MessageRef] = []
    url = path
    while url:
        page = provider._get(url)
        for item in page.get("value", []):
            if not isinstance(item, dict) or item.get("isDraft"):
                continue
            head = provider._head(item, folder)
            provider._cache.heads[head.ref.id] = head
            refs.append(head.ref)
        url = str(page.get("@odata.nextLink", ""))
    return refs


def search(
    provider: _Searchable,
    select: str,
    addresses: Collection[str],
    since: datetime,
    threads: Collection[str] = (),
    relevance: Relevance | None = None,
) -> Iterator[MessageRef]:
    """``relevance`` is not used: bodies are read one by one, when asked for."""
    refs: list[MessageRef] = []
    for folder, name in _FOLDERS.items():
        base = f"/me/mailFolders/{name}/messages?$select={select}&$top={PAGE}"
        if addresses:
            quoted = urllib.parse.quote(f'"{kql(addresses, since)}"', safe="")
            refs += _pages(provider, f"{base}&$search={quoted}", folder)
        wanted = sorted(set(threads))
        for start in range(0, len(wanted), THREADS_PER_REQUEST):
            chunk = wanted[start : start + THREADS_PER_REQUEST]
            clause = " or ".join(
                "conversationId eq '{}'".format(t.replace("'", "''")) for t in chunk
            )
            quoted = urllib.parse.quote(clause, safe="")
            found = _pages(provider, f"{base}&$filter={quoted}", folder)
            refs += [r for r in found if provider._cache.heads[r.id].date >= since]
    yield from dict.fromkeys(refs)
