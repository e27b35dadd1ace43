"""The history pass over Microsoft Graph: per batch of contacts, one ``$search`` per folder
(Inbox, Sent Items) with KQL property restrictions, ``from:``/``to:``/``cc:`` for every address
and ``received>=`` for the window (``$filter`` cannot name ``toRecipients``: Graph answers
"invalid nodes" to a lambda over recipients, so the search, which can, is used); paged with
``@odata.nextLink``. Threads are read by ``$filter`` on ``conversationId`` (a few per request).
The full messages of what concerns a contact are read ahead with JSON batching (``$batch``, 20
requests a call, Graph's limit): the answers are matched by id (Graph promises no order), each
has its own status, and those answered 429 go again, after their Retry-After, in a later batch.
Requests go through the provider's transport: at most four in flight, 429 honoured."""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from mail.heads import MessageCache
from mail.http_retry import PauseGate, RetryPolicy, retry_after
from mail.provider import Folder, MailMessage, MessageRef
from mail.relevance import Relevance

_FOLDERS = {Folder.INBOX: "inbox", Folder.SENT: "sentitems"}
DAEMON_SENDERS = ("mailer-daemon", "postmaster")
#: Conversation ids per ``$filter`` (each is long: the URL stays well under Graph's limits).
THREADS_PER_REQUEST = 15
PAGE = 100
#: Requests per ``$batch`` call: "up to 20" (Graph's JSON batching documentation).
BATCH_MAX = 20
#: Rounds of a batch's throttled requests before the rest is left to single reads.
BATCH_RETRIES = 5


class _Searchable(Protocol):
    _cache: MessageCache

    def _get(self, path: str, **kw: Any) -> dict[str, Any]: ...

    _gate: PauseGate
    retry: RetryPolicy

    def _head(self, item: dict[str, Any], folder: Folder) -> MailMessage: ...

    def _post(self, path: str, body: Any = None) -> dict[str, Any]: ...

    def _parse_full(self, ref: MessageRef, item: dict[str, Any]) -> MailMessage: ...

    def _now(self) -> datetime: ...


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
    full_select: str,
    addresses: Collection[str],
    since: datetime,
    threads: Collection[str] = (),
    relevance: Relevance | None = None,
) -> Iterator[MessageRef]:
    """With ``relevance``, the full messages of what concerns a contact are read ahead in
    batches (``read_full``), so that ``fetch_message(ref, full=True)`` finds them in the cache."""
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
    unique = list(dict.fromkeys(refs))
    if relevance is not None:
        heads = provider._cache.heads
        read_full(provider, full_select, [r for r in unique if relevance.concerns(heads[r.id])])
    yield from unique


def read_full(provider: _Searchable, select: str, refs: list[MessageRef]) -> int:
    """The full messages of ``refs`` into the provider's cache, BATCH_MAX per ``$batch``; returns
    the number of ``$batch`` calls. A request answered 429 (or 5xx) goes again in a later call,
    after the longest Retry-After its batch named; after BATCH_RETRIES rounds, or for any other
    status (a message gone: 404), the message is left to ``fetch_message``, which reads it on
    its own and knows what each status means."""
    pending = [r for r in dict.fromkeys(refs) if r.id not in provider._cache.full]
    calls = attempt = 0
    while pending:
        chunk, pending = pending[:BATCH_MAX], pending[BATCH_MAX:]
        body = {
            "requests": [
                {
                    "id": str(n),
                    "method": "GET",
                    "url": f"/me/messages/{ref.id}?$select={select}",
                    "headers": {"Prefer": 'IdType="ImmutableId"'},
                }
                for n, ref in enumerate(chunk)
            ]
        }
        answer = provider._post("/$batch", body)
        calls += 1
        by_id = {str(r.get("id")): r for r in answer.get("responses") or [] if isinstance(r, dict)}
        again: list[MessageRef] = []
        wait: float | None = None
        for n, ref in enumerate(chunk):
            response = by_id.get(str(n)) or {}
            status = response.get("status")
            item = response.get("body")
            if status == 200 and isinstance(item, dict):
                provider._cache.full[ref.id] = provider._parse_full(ref, item)
            elif status == 429 or (isinstance(status, int) and status >= 500):
                again.append(ref)
                headers = response.get("headers") or {}
                named = retry_after(
                    next((v for k, v in headers.items() if k.lower() == "retry-after"), None),
                    provider._now,
                )
                if named is not None:
                    wait = max(wait or 0.0, named)
        if again:
            if attempt >= BATCH_RETRIES:
                continue  # left to single reads, with their own retry and throttling
            provider._gate.pause(provider.retry.delay(attempt, wait))
            attempt += 1
            pending = again + pending
    return calls
