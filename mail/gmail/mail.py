"""Gmail mail: one ``history.list`` per idle pass, new messages fetched ahead in batches (full
for tracked threads, headers first for the rest), after a 404 a fresh baseline and a search of
what arrived since the last good pass, drafts, sends and labels."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import HttpError

from mail.dates import clamp
from mail.gmail.labels import GmailLabels
from mail.gmail.transport import http_status
from mail.heads import HEADER_FIELDS, MessageCache, message_id_for, stub
from mail.mime import OUTBOX_HEADER, build_message, parse_message
from mail.provider import (
    ChangeSet,
    DraftRef,
    Folder,
    MailMessage,
    MessageRef,
    OutgoingMessage,
    SentRef,
)
from mail.relevance import DAEMON_LOCALPARTS, Relevance

log = logging.getLogger(__name__)

_META_FIELDS = "id,threadId,labelIds,internalDate,payload/headers"
_RAW_FIELDS = "id,threadId,labelIds,internalDate,raw"
_HISTORY_FIELDS = "history(messagesAdded(message(id,threadId,labelIds))),nextPageToken,historyId"
_SKIPPED_LABELS = frozenset({"DRAFT", "CHAT"})


#: Seconds before the last good pass that a recovery also lists (clock skew, delivery delay).
RECOVERY_MARGIN = 600
#: Drafts whose outbox key is remembered (to find a send whose answer was lost): the newest.
DRAFT_KEYS_MAX = 200
#: Past this many new messages outside the tracked threads, a recovery first narrows them with
#: searches for the contacts' addresses, so many at once per search.
RECOVERY_HEADS_MAX = 200
CONTACTS_PER_QUERY = 15
#: How far back a recovery looks when the cursor does not say when it was taken.
RECOVERY_DAYS = 8


def _parse_cursor(cursor: str | None) -> tuple[str, int | None] | None:
    """``HISTORYID@EPOCH`` (or a bare history id, as older versions stored it)."""
    head, _, when = (cursor or "").strip().partition("@")
    if not head.isdecimal() or (when and not when.isdecimal()):
        return None
    return head, int(when) if when else None


class _HistoryGone(Exception):
    """history.list answered 404: the start id is older than Gmail keeps."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GmailMail(GmailLabels):
    """Sync (history, recovery, fetching ahead in batches), drafts and sends; labels from
    ``GmailLabels``."""

    _tracked: Callable[[], Collection[str]]
    _known: Callable[[], Collection[str]]
    _cache: MessageCache
    _draft_keys: dict[str, str]
    _labels: dict[str, str]

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self._cache.clear()
        if relevance is None:
            relevance = Relevance.from_views(self._tracked, self._known)
        parsed = _parse_cursor(cursor)
        if parsed is None:
            baseline = self._profile_history_id()
            if cursor is not None:
                log.warning("gmail: unreadable cursor; starting from a fresh baseline")
            return ChangeSet(refs=(), cursor=self._cursor(baseline, None), reset=cursor is not None)
        start, since = parsed
        try:
            refs, new_cursor = self._history(start)
            reset = False
        except _HistoryGone:
            refs, new_cursor = self._recover(since, relevance)
            reset = True
        refs = self._prefetch(refs, relevance, settle=reset)
        moved = new_cursor != start or reset
        return ChangeSet(
            refs=tuple(refs), cursor=self._cursor(new_cursor, None if moved else since), reset=reset
        )

    def _cursor(self, history_id: str, since: int | None) -> str:
        """``HISTORYID@EPOCH``: the history id and when it was taken (wall time, seconds). The
        time stays while the history id does not move: nothing arrived in between."""
        when = since if since is not None else int(self._now().timestamp())
        return f"{history_id}@{when}"

    def _profile_history_id(self) -> str:
        profile = self._execute(
            "getProfile", lambda g: g.users().getProfile(userId="me", fields="historyId")
        )
        return str(profile["historyId"])

    def _history(self, start: str) -> tuple[list[MessageRef], str]:
        refs: dict[str, MessageRef] = {}
        token: str | None = None
        cursor = start
        while True:

            def page(g: Any, token: str | None = token) -> Any:
                return (
                    g.users()
                    .history()
                    .list(
                        userId="me",
                        startHistoryId=start,
                        historyTypes="messageAdded",
                        maxResults=500,
                        pageToken=token,
                        fields=_HISTORY_FIELDS,
                    )
                )

            try:
                data = self._execute("history.list", page)
            except HttpError as exc:
                if http_status(exc) == 404:
                    raise _HistoryGone from None
                raise
            for record in data.get("history", []):
                for added in record.get("messagesAdded", []):
                    self._add_ref(refs, added.get("message", {}))
            cursor = str(data.get("historyId", cursor))
            token = data.get("nextPageToken")
            if not token:
                return list(refs.values()), cursor

    @staticmethod
    def _add_ref(refs: dict[str, MessageRef], message: dict[str, Any]) -> None:
        labels = set(message.get("labelIds", []))
        ident = str(message.get("id", ""))
        if not ident or labels & _SKIPPED_LABELS:
            return
        folder = Folder.SENT if "SENT" in labels else Folder.INBOX
        refs.setdefault(ident, MessageRef(ident, str(message.get("threadId", ident)), folder))

    def _recover(self, since: int | None, relevance: Relevance) -> tuple[list[MessageRef], str]:
        """Google's answer to a 404: a fresh baseline first (nothing that arrives meanwhile is
        lost), then every message that arrived since the last good pass - one
        ``messages.list`` page (5 units) per 500 ids, in any thread, so a reply in a NEW thread
        is found too. Never one request per tracked thread. When many arrived outside the
        tracked threads, searches for the contacts' addresses (and mail daemons) narrow them
        before any is fetched."""
        baseline = self._profile_history_id()
        window = f"after:{since - RECOVERY_MARGIN}" if since else f"newer_than:{RECOVERY_DAYS}d"
        refs = {
            ident: MessageRef(ident, thread, Folder.INBOX)  # the folder: from the labels, later
            for ident, thread in self._list_ids(window)
        }
        outside = [r for r in refs.values() if not relevance.tracks(r.thread_id)]
        addresses = relevance.addresses
        if len(outside) > RECOVERY_HEADS_MAX and addresses is not None:
            found = self._search_contacts(window, sorted(addresses))
            refs = {i: r for i, r in refs.items() if relevance.tracks(r.thread_id) or i in found}
        log.info(
            "gmail: history expired; %d messages to read since the last pass (%s)",
            len(refs),
            window,
        )
        return list(refs.values()), baseline

    def _list_ids(self, query: str) -> list[tuple[str, str]]:
        """(id, threadId) of every message ``query`` finds, 500 a page."""
        found: list[tuple[str, str]] = []
        token: str | None = None
        while True:

            def page(g: Any, token: str | None = token) -> Any:
                return (
                    g.users()
                    .messages()
                    .list(
                        userId="me",
                        q=query,
                        maxResults=500,
                        pageToken=token,
                        fields="messages(id,threadId),nextPageToken",
                    )
                )

            data = self._execute("messages.list", page)
            for item in data.get("messages", []):
                if item.get("id"):
                    found.append((str(item["id"]), str(item.get("threadId") or item["id"])))
            token = data.get("nextPageToken")
            if not token:
                return found

    def _search_contacts(self, window: str, addresses: list[str]) -> set[str]:
        """Ids of the messages in ``window`` from or to a contact, or from a mail daemon:
        one search per CONTACTS_PER_QUERY addresses (``{from:a to:a cc:a ...}``)."""
        groups = [
            [
                f"{op}:{a}"
                for a in addresses[n : n + CONTACTS_PER_QUERY]
                for op in ("from", "to", "cc")
            ]
            for n in range(0, len(addresses), CONTACTS_PER_QUERY)
        ]
        groups.append([f"from:{local}" for local in sorted(DAEMON_LOCALPARTS)])
        found: set[str] = set()
        for terms in groups:
            found.update(i for i, _ in self._list_ids(f"{window} {{{' '.join(terms)}}}"))
        return found

    def _prefetch(
        self, refs: list[MessageRef], relevance: Relevance, *, settle: bool = False
    ) -> list[MessageRef]:
        """Fetch ahead, batched: full for tracked threads, headers for the rest, then full for
        those that concern a contact. Messages deleted meanwhile drop out. ``settle``: the refs
        came from a search (ids only): their folder comes from the labels read here, and drafts
        and chats drop out."""
        if not refs:
            return refs
        heads_cache = self._cache.heads
        gone: set[str] = set()
        skipped: set[str] = set()
        refs = list(refs)
        position = {r.id: n for n, r in enumerate(refs)}

        def settled(ref: MessageRef, answer: dict[str, Any]) -> MessageRef | None:
            if not settle:
                return ref
            labels = set(answer.get("labelIds") or [])
            if labels & _SKIPPED_LABELS:
                skipped.add(ref.id)
                return None
            if "SENT" in labels and ref.folder is not Folder.SENT:
                ref = MessageRef(ref.id, ref.thread_id, Folder.SENT)
                refs[position[ref.id]] = ref
            return ref

        heads = [r for r in refs if not relevance.tracks(r.thread_id)]
        answers = self._batch("messages.get", ((r.id, self._meta_request(r.id)) for r in heads))
        for ref in heads:
            answer = answers.get(ref.id)
            if not isinstance(answer, dict):
                gone.add(ref.id)
                continue
            fixed = settled(ref, answer)
            if fixed is not None:
                heads_cache[ref.id] = self._from_metadata(fixed, answer)
        wanted = [
            r
            for r in refs
            if r.id not in gone
            and r.id not in skipped
            and (
                relevance.tracks(r.thread_id)
                or (r.id in heads_cache and relevance.concerns(heads_cache[r.id]))
            )
        ]
        answers = self._batch("messages.get", ((r.id, self._raw_request(r.id)) for r in wanted))
        for ref in wanted:
            answer = answers.get(ref.id)
            if not isinstance(answer, dict):
                gone.add(ref.id)
                continue
            fixed = settled(ref, answer)
            if fixed is not None:
                self._cache.full[ref.id] = self._from_raw(fixed, answer)
        if gone:
            log.info("gmail: %d new messages were deleted before they could be read", len(gone))
        return [r for r in refs if r.id not in gone and r.id not in skipped]

    @staticmethod
    def _meta_request(ident: str) -> Callable[[Any], Any]:
        return lambda g: (
            g.users()
            .messages()
            .get(
                userId="me",
                id=ident,
                format="metadata",
                metadataHeaders=list(HEADER_FIELDS),
                fields=_META_FIELDS,
            )
        )

    @staticmethod
    def _raw_request(ident: str) -> Callable[[Any], Any]:
        return lambda g: (
            g.users().messages().get(userId="me", id=ident, format="raw", fields=_RAW_FIELDS)
        )

    @staticmethod
    def _date(answer: dict[str, Any]) -> datetime | None:
        try:
            return clamp(datetime.fromtimestamp(int(answer["internalDate"]) / 1000, UTC))
        except (KeyError, ValueError, TypeError, OverflowError, OSError):
            return None

    def _from_metadata(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage:
        headers = answer.get("payload", {}).get("headers", [])
        lines = [
            f"{h.get('name', '')}: {h.get('value', '')}".replace("\r", " ").replace("\n", " ")
            for h in headers
            if h.get("name")
        ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")
        return parse_message(raw, ref, full=False, default_date=self._date(answer))

    def _from_raw(self, ref: MessageRef, answer: dict[str, Any]) -> MailMessage:
        raw = _unb64url(str(answer.get("raw", "")))
        return parse_message(raw, ref, full=True, default_date=self._date(answer))

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        cached = self._cache.get(ref.id, full=full)
        if cached is not None:
            return cached
        make = self._raw_request(ref.id) if full else self._meta_request(ref.id)
        try:
            answer = self._execute("messages.get", make)
        except HttpError as exc:
            if http_status(exc) == 404:
                return stub(ref, self._now())
            raise
        message = self._from_raw(ref, answer) if full else self._from_metadata(ref, answer)
        self._cache.put(message, full=full, ident=ref.id)
        return message

    # ---------------------------------------------------------------- sending
    def _message_id_for(self, outbox_key: str) -> str:
        # Derived from the outbox key: a cheap rfc822msgid: search mends a crash after sending.
        return message_id_for(self.account.address, outbox_key)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        built = build_message(
            msg,
            self.account.address,
            self.account.display_name,
            self._now(),
            message_id=self._message_id_for(msg.outbox_key),
        )
        message: dict[str, Any] = {"raw": _b64url(built.as_bytes())}
        if msg.thread_id:
            message["threadId"] = msg.thread_id
        result = self._execute(
            "drafts.create",
            lambda g: (
                g.users()
                .drafts()
                .create(userId="me", body={"message": message}, fields="id,message(id,threadId)")
            ),
        )
        draft_id = str(result["id"])
        if msg.outbox_key:
            self._draft_keys[draft_id] = msg.outbox_key
            for stale in list(self._draft_keys)[:-DRAFT_KEYS_MAX]:  # drafts saved, never sent
                del self._draft_keys[stale]
        return DraftRef(draft_id, str(result.get("message", {}).get("threadId") or "") or None)

    def send_draft(self, draft: DraftRef) -> SentRef:
        try:
            result = self._execute(
                "drafts.send",
                lambda g: (
                    g.users()
                    .drafts()
                    .send(userId="me", body={"id": draft.id}, fields="id,threadId,labelIds")
                ),
            )
        except HttpError as exc:
            if http_status(exc) != 404:
                raise
            # Gone: most likely sent by an attempt whose answer was lost. Look for it.
            key = self._draft_keys.get(draft.id)
            found = self.find_sent(key) if key else None
            if found is not None:
                return found
            raise KeyError(f"draft {draft.id} no longer exists") from None
        self._draft_keys.pop(draft.id, None)
        ident = str(result["id"])
        head = self.fetch_message(
            MessageRef(ident, str(result["threadId"]), Folder.SENT), full=False
        )
        return SentRef(ident, str(result["threadId"]), head.message_id)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        message_id = self._message_id_for(outbox_key)
        query = f"in:sent rfc822msgid:{message_id.strip('<>')}"
        found = self._execute(
            "messages.list",
            lambda g: (
                g.users()
                .messages()
                .list(userId="me", q=query, maxResults=5, fields="messages(id,threadId)")
            ),
        )
        for item in found.get("messages", []):
            return SentRef(str(item["id"]), str(item["threadId"]), message_id)
        # Gmail may have replaced our Message-ID: read the marker of the latest sent mail.
        recent = self._execute(
            "messages.list",
            lambda g: (
                g.users()
                .messages()
                .list(
                    userId="me",
                    labelIds=["SENT"],
                    q="newer_than:7d",
                    maxResults=10,
                    fields="messages(id,threadId)",
                )
            ),
        )
        items = [(str(m["id"]), str(m["threadId"])) for m in recent.get("messages", [])]
        answers = self._batch("messages.get", ((i, self._meta_request(i)) for i, _ in items))
        for ident, thread in items:
            answer = answers.get(ident)
            if not isinstance(answer, dict):
                continue
            head = self._from_metadata(MessageRef(ident, thread, Folder.SENT), answer)
            if head.header(OUTBOX_HEADER) == outbox_key:
                return SentRef(ident, thread, head.message_id)
        return None
