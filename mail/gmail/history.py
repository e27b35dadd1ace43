"""The history pass over Gmail: one ``messages.list`` (5 units a page of up to 500) per batch of
contacts, with Gmail's search operators: ``from:(a OR b) OR to:(a OR b) OR cc:(a OR b)`` and
``after:YYYY/MM/DD`` (the mail systems' senders join the ``from:`` list, for bounces); then the
headers of what was found, batched (``messages.get`` format=metadata), and, for threads, one
``threads.get`` each, batched. Every call goes through the provider's quota bucket."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from mail.heads import HEADER_FIELDS, MessageCache
from mail.provider import Folder, MailMessage, MessageRef
from mail.relevance import Relevance

#: Senders of delivery reports: Gmail's from: matches a word of the address.
DAEMON_SENDERS = ("mailer-daemon", "postmaster")
_LIST_FIELDS = "messages(id,threadId),nextPageToken"
_THREAD_FIELDS = "id,messages(id,threadId,labelIds,internalDate,payload/headers)"
_SKIPPED = frozenset({"DRAFT", "CHAT", "SPAM", "TRASH"})


class _Searchable(Protocol):
    _cache: MessageCache

    def _execute(self, method: str, request: Callable[[Any], Any]) -> Any: ...

    def _batch(
        self, method: str, items: Iterable[tuple[str, Callable[[Any], Any]]]
    ) -> dict[str, Any]: ...

    def _from_metadata(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage: ...

    def _from_raw(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage: ...

    @staticmethod
    def _meta_request(ident: str) -> Callable[[Any], Any]: ...

    @staticmethod
    def _raw_request(ident: str) -> Callable[[Any], Any]: ...


def query(addresses: Collection[str], since: datetime) -> str:
    """The search for one batch. ``after:`` takes a date (read in Pacific time): a day earlier
    is asked for, so no message of the first day is missed."""
    names = sorted({a.lower() for a in addresses if a})
    listed = " OR ".join(names)
    senders = " OR ".join([*names, *DAEMON_SENDERS])
    day = (since.astimezone(UTC) - timedelta(days=1)).strftime("%Y/%m/%d")
    return f"(from:({senders}) OR to:({listed}) OR cc:({listed})) after:{day}"


def _folder(labels: Iterable[str]) -> Folder | None:
    found = set(labels)
    if found & _SKIPPED:
        return None
    return Folder.SENT if "SENT" in found else Folder.INBOX


def _listed(provider: _Searchable, q: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    token: str | None = None
    while True:

        def page(g: Any, token: str | None = token) -> Any:
            return (
                g.users()
                .messages()
                .list(userId="me", q=q, maxResults=500, pageToken=token, fields=_LIST_FIELDS)
            )

        data = provider._execute("messages.list", page)
        found += [(str(m["id"]), str(m.get("threadId", m["id"]))) for m in data.get("messages", [])]
        token = data.get("nextPageToken")
        if not token:
            return found


def _heads(provider: _Searchable, listed: list[tuple[str, str]]) -> list[MessageRef]:
    answers = provider._batch(
        "messages.get", ((ident, provider._meta_request(ident)) for ident, _ in listed)
    )
    refs: list[MessageRef] = []
    for ident, thread in listed:
        answer = answers.get(ident)
        if not isinstance(answer, dict):
            continue  # deleted since the search
        folder = _folder(answer.get("labelIds", []))
        if folder is None:
            continue
        ref = MessageRef(ident, thread, folder)
        provider._cache.heads[ident] = provider._from_metadata(ref, answer)
        refs.append(ref)
    return refs


def _threads(provider: _Searchable, threads: Collection[str], since: datetime) -> list[MessageRef]:
    def make(thread_id: str) -> Callable[[Any], Any]:
        return lambda g: (
            g.users()
            .threads()
            .get(
                userId="me",
                id=thread_id,
                format="metadata",
                metadataHeaders=list(HEADER_FIELDS),
                fields=_THREAD_FIELDS,
            )
        )

    answers = provider._batch("threads.get", ((t, make(t)) for t in sorted(set(threads))))
    refs: list[MessageRef] = []
    start = since.timestamp() * 1000
    for thread_id in sorted(set(threads)):
        answer = answers.get(thread_id)
        if not isinstance(answer, dict):
            continue
        for message in answer.get("messages", []):
            folder = _folder(message.get("labelIds", []))
            if folder is None or int(message.get("internalDate", 0)) < start:
                continue
            ref = MessageRef(str(message["id"]), thread_id, folder)
            provider._cache.heads[ref.id] = provider._from_metadata(ref, message)
            refs.append(ref)
    return refs


def _read_ahead(provider: _Searchable, refs: list[MessageRef], relevance: Relevance) -> None:
    """The whole of what concerns a contact, in batches (20 units a message, as one by one)."""
    cache = provider._cache
    wanted = [
        r
        for r in refs
        if r.id not in cache.full and r.id in cache.heads and relevance.concerns(cache.heads[r.id])
    ]
    answers = provider._batch("messages.get", ((r.id, provider._raw_request(r.id)) for r in wanted))
    for ref in wanted:
        answer = answers.get(ref.id)
        if isinstance(answer, dict):
            cache.full[ref.id] = provider._from_raw(ref, answer)


def search(
    provider: _Searchable,
    addresses: Collection[str],
    since: datetime,
    threads: Collection[str] = (),
    relevance: Relevance | None = None,
) -> Iterator[MessageRef]:
    refs: list[MessageRef] = []
    if addresses:
        listed = _listed(provider, query(addresses, since))
        refs += _heads(provider, [m for m in listed if m[0] not in provider._cache.heads])
        refs += [
            provider._cache.heads[ident].ref
            for ident, _ in listed
            if ident in provider._cache.heads and all(r.id != ident for r in refs)
        ]
    if threads:
        refs += _threads(provider, threads, since)
    refs = list(dict.fromkeys(refs))
    if relevance is not None:
        _read_ahead(provider, refs, relevance)
    yield from refs
