"""The Outlook account through Microsoft Graph: per-folder delta sync, drafts and sends, calendar.

Sync reads ``/me/mailFolders/{inbox,sentitems}/messages/delta`` with ``$select`` and the custom
option ``changeType=created``: messages other clients read, flag or categorise (and our own
follow-up flags) are updates, not new mail, and never come back (ids already handed out are also
remembered, a bounded set, should an update slip through). A round starts with
``$filter=receivedDateTime ge ...``: the first at the present (a baseline, not a walk through the
whole folder), a new round after an expired link (410 or a sync-state error) at the last good
pass; it hands back only the messages that may concern a contact (event keys make seeing them
again harmless). The cursor is a JSON of both folders' delta links and that time, so an idle pass
is one request per folder. Heads come from the delta answer itself; full messages (headers and
body) are fetched only for the relevant ones.

Drafts: a new message is created whole (``POST /me/messages``); a reply with ``createReply``, its
``X-Coffeechat-Outbox`` header given at creation (Graph does not PATCH internet headers), then a
PATCH of what a draft may change, its findable Message-ID included, and attachments posted one by
one. After ``/send`` nothing is read back: the Sent Items copy appears later on the real service.
A draft this run did not make (the outbox resuming a send after a restart) is read first: one
that is gone (sent and in transit, or deleted) raises KeyError and one no longer a draft is taken
as sent, so ``/send`` is never asked twice for the same message.

Every request carries ``Prefer: IdType="ImmutableId"`` (a draft's id is its sent copy's id). At
most four requests are in flight; a 429 pauses all requests until Retry-After (or an exponential
back-off up to two minutes) and, after a few tries, becomes ThrottledError.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import requests

from mail.auth.tokens import TokenStore
from mail.heads import MessageCache, message_id_for, stub
from mail.http_retry import RetryPolicy
from mail.mime import OUTBOX_HEADER, parse_message
from mail.outlook import history
from mail.outlook.calendar import OutlookCalendar
from mail.outlook.transport import GRAPH, DeltaExpiredError, KeyringAuth, TokenSource, parse_when
from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    Folder,
    MailMessage,
    MessageRef,
    OutgoingMessage,
    ProviderError,
    SentRef,
)
from mail.relevance import Relevance

_FOLDERS = {Folder.INBOX: "inbox", Folder.SENT: "sentitems"}
_SELECT = (
    "id,conversationId,internetMessageId,subject,from,toRecipients,ccRecipients,"
    "receivedDateTime,sentDateTime,isDraft"
)
_FULL_SELECT = _SELECT + ",internetMessageHeaders,body"
#: A new round after an expired link starts this long before the last good pass (a first round,
#: this long before now).
RESYNC_MARGIN = timedelta(minutes=10)
#: ... or this long ago, when the cursor does not say when that was.
RESYNC_DAYS = timedelta(days=8)
#: Bounds of what the provider remembers: message ids already handed out, drafts it made, and
#: messages read outside a pass.
SEEN_MAX = 20_000
DRAFTS_MAX = 200
CACHE_MAX = 1_000
#: A named MAPI property (invisible in Outlook) on the messages Coffeechat flagged: which of its
#: flags it set there, one name a line.
FLAG_PROPERTY = "String {6f3c2a51-9b7d-4e0a-8c1f-c0ffee5e7f1a} Name CoffeechatFlags"


def _address(entry: Any) -> tuple[str, str]:
    email = entry.get("emailAddress", {}) if isinstance(entry, dict) else {}
    return str(email.get("address", "")).lower(), str(email.get("name", ""))


def _equals(field: str, value: str) -> str:
    """An OData ``$filter`` that ``field`` equals ``value``, ready for a URL query: the value
    quoted for OData (``'`` doubled) and percent-encoded, since Message-IDs and conversation ids
    hold ``+`` (a space once the server decodes the query), ``=``, ``/``, ``&`` and ``#``."""
    return f"{field} eq '{urllib.parse.quote(value.replace(chr(39), chr(39) * 2), safe='')}'"


def _recipients(addresses: Iterable[str]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": a}} for a in addresses]


class OutlookProvider(OutlookCalendar):
    """``auth`` yields access tokens; ``base_url``/``session`` point at Graph (or an emulator);
    the ``Relevance`` passed to ``fetch_changes`` narrows a recovery round (without one,
    ``tracked_threads``/``known_addresses`` do, and without those nothing is left out);
    ``clock``/``sleep`` are
    monotonic time (tests share a simulated one with the emulator); ``now`` is wall time."""

    def __init__(
        self,
        account: Account,
        auth: TokenSource,
        *,
        base_url: str = GRAPH,
        session: requests.Session | None = None,
        tracked_threads: Callable[[], Iterable[str]] | None = None,
        known_addresses: Callable[[], Iterable[str]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        retry: RetryPolicy | None = None,
        personal: bool | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(
            account,
            auth,
            base_url=base_url,
            session=session,
            clock=clock,
            sleep=sleep,
            now=now,
            retry=retry,
            timeout=timeout,
        )
        self._tracked = tracked_threads
        self._known = known_addresses
        self.personal = personal
        self._cache = MessageCache()
        #: drafts made here (outbox key, Message-ID, conversation), the newest DRAFTS_MAX
        self._drafts: OrderedDict[str, dict[str, Any]] = OrderedDict()
        #: message ids already handed out by fetch_changes (updates are not new mail)
        self._seen: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_keyring(
        cls, account: Account, tokens: TokenStore, *, auth_options: dict[str, Any] | None = None,
        **options: Any,
    ) -> OutlookProvider:  # fmt: skip
        """The keyring is read at the first request: a missing sign-in or keyring is *needs
        sign-in* at the first pass, not a failure while the app starts (offline, too)."""
        return cls(account, KeyringAuth(account.address, tokens, auth_options or {}), **options)

    # ---------------------------------------------------------------- sync
    def _delta(self, start: str, folder: Folder) -> tuple[list[dict[str, Any]], str]:
        items: list[dict[str, Any]] = []
        url = start
        while True:
            page = self._get(url)
            items.extend(v for v in page.get("value", []) if isinstance(v, dict))
            if "@odata.nextLink" in page:
                url = str(page["@odata.nextLink"])
                continue
            return items, str(page.get("@odata.deltaLink", ""))

    def _first(self, folder: Folder, since: datetime) -> str:
        """A new delta round: only messages received since ``since``, and in later rounds
        only messages added (``changeType`` is carried in the links)."""
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = urllib.parse.urlencode(
            {"changeType": "created", "$select": _SELECT,
             "$filter": f"receivedDateTime ge {stamp}"},
            quote_via=urllib.parse.quote, safe="$,",
        )  # fmt: skip
        return f"/me/mailFolders/{_FOLDERS[folder]}/messages/delta?{query}"

    def _remember(self, ident: str) -> bool:
        """True the first time ``ident`` is handed out (a bounded memory)."""
        if ident in self._seen:
            self._seen.move_to_end(ident)
            return False
        self._seen[ident] = None
        while len(self._seen) > SEEN_MAX:
            self._seen.popitem(last=False)
        return True

    def _head(self, item: dict[str, Any], folder: Folder) -> MailMessage:
        sender, name = _address(item.get("from"))
        ref = MessageRef(str(item["id"]), str(item.get("conversationId", "")), folder)
        return MailMessage(
            ref=ref,
            message_id=str(item.get("internetMessageId", "")),
            subject=str(item.get("subject", "")),
            sender=sender,
            sender_name=name,
            to=tuple(_address(r)[0] for r in item.get("toRecipients") or []),
            cc=tuple(_address(r)[0] for r in item.get("ccRecipients") or []),
            date=parse_when(item.get("receivedDateTime") or item.get("sentDateTime"))
            or self._now(),
            headers=(),
            complete=False,
        )

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self._cache.clear()
        links: dict[str, str] = {}
        last: datetime | None = None
        if cursor:
            try:
                parsed = json.loads(cursor)
                links = (
                    {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
                )
            except ValueError:
                links = {}
            try:
                last = datetime.fromisoformat(links.pop("at", ""))
            except ValueError:
                last = None
        now = self._now()
        refs: list[MessageRef] = []
        new_links: dict[str, str] = {}
        reset = False
        for folder in (Folder.INBOX, Folder.SENT):
            link = links.get(folder.value)
            baseline = link is None
            recovered = False
            try:
                # A margin even for the baseline: the filter stays in every later link, and
                # this machine's clock may run ahead of the server's.
                first = self._first(folder, now - RESYNC_MARGIN)
                items, new_link = self._delta(link or first, folder)
            except DeltaExpiredError:
                since = last - RESYNC_MARGIN if last is not None else now - RESYNC_DAYS
                items, new_link = self._delta(self._first(folder, since), folder)
                recovered = reset = True
            if link and not recovered and "changeType=created" not in link:
                # A link from an older version reports every update: read it this once, then
                # move to a round of new mail only, from now on.
                fresh, new_link = self._delta(first, folder)
                for item in fresh:
                    self._remember(str(item.get("id", "")))
            new_links[folder.value] = new_link
            for item in items:
                if "@removed" in item or item.get("isDraft") or not item.get("id"):
                    continue
                if not self._remember(str(item["id"])) or baseline:
                    continue  # seen (an update); the first round is the baseline: history
                head = self._head(item, folder)
                if recovered:
                    relevance = relevance or Relevance.from_views(self._tracked, self._known)
                    if not relevance.concerns(head):
                        continue
                self._cache.heads[head.ref.id] = head
                refs.append(head.ref)
        new_links["at"] = now.isoformat()
        return ChangeSet(tuple(dict.fromkeys(refs)), json.dumps(new_links, sort_keys=True), reset)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        cached = self._cache.get(ref.id, full=full)
        if cached is not None:
            return cached
        item = self._request(
            "GET",
            f"/me/messages/{ref.id}?$select={_FULL_SELECT if full else _SELECT}",
            ok_missing=True,
        )
        if item is None:
            return stub(ref, self._now())
        if len(self._cache.heads) + len(self._cache.full) >= CACHE_MAX:
            self._cache.clear()  # read outside a pass (which empties it): keep it bounded
        if not full:
            head = self._head(item, ref.folder)
            self._cache.heads[ref.id] = head
            return head
        message = self._parse_full(ref, item)
        self._cache.full[ref.id] = message
        return message

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        """See the port; one $search per folder and batch (mail.outlook.history)."""
        return history.search(self, _SELECT, _FULL_SELECT, addresses, since, threads, relevance)

    def _parse_full(self, ref: MessageRef, item: dict[str, Any]) -> MailMessage:
        head = self._head(item, ref.folder)
        lines: list[str] = []
        names: set[str] = set()
        for h in item.get("internetMessageHeaders") or []:
            name, value = str(h.get("name", "")), str(h.get("value", ""))
            if name and name.lower() != "content-type":
                names.add(name.lower())
                lines.append(f"{name}: {value}".replace("\r", " ").replace("\n", " "))
        # Mail from Sent Items has no internet headers in Graph: build the basic ones.
        if "from" not in names:
            lines.append(f"From: {head.sender_name} <{head.sender}>")
        if "to" not in names and head.to:
            lines.append("To: " + ", ".join(head.to))
        if "subject" not in names:
            lines.append(f"Subject: {head.subject}")
        if "message-id" not in names and head.message_id:
            lines.append(f"Message-ID: {head.message_id}")
        if "date" not in names:
            lines.append(f"Date: {format_datetime(head.date)}")
        body = item.get("body") or {}
        html = str(body.get("contentType", "text")).lower() == "html"
        lines.append(f"Content-Type: text/{'html' if html else 'plain'}; charset=utf-8")
        lines.append("Content-Transfer-Encoding: 8bit")
        raw = ("\r\n".join(lines) + "\r\n\r\n" + str(body.get("content", ""))).encode("utf-8")
        return parse_message(raw, ref, full=True, default_date=head.date)

    # ---------------------------------------------------------------- sending
    def _message_id_for(self, outbox_key: str) -> str:
        return message_id_for(self.account.address, outbox_key)

    def _reply_target(self, msg: OutgoingMessage) -> str | None:
        if not msg.in_reply_to:
            return None
        found = self._get(
            f"/me/messages?$filter={_equals('internetMessageId', msg.in_reply_to)}&$select=id"
        )
        for item in found.get("value", []):
            return str(item["id"])
        return None

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        fields: dict[str, Any] = {
            "subject": msg.subject,
            "body": {"contentType": "text", "content": msg.text},
            "toRecipients": _recipients(msg.to),
            "ccRecipients": _recipients(msg.cc),
        }
        if msg.outbox_key:
            # The Message-ID that find_sent looks for: Graph lets a draft's be set or PATCHed.
            fields["internetMessageId"] = self._message_id_for(msg.outbox_key)
        created: dict[str, Any] = {}
        if msg.outbox_key:  # internet headers only when the message is created
            created["internetMessageHeaders"] = [{"name": OUTBOX_HEADER, "value": msg.outbox_key}]
        attachments = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": a.filename,
                # Graph has no way to mark a part as an invitation (method=REQUEST): the
                # .ics goes as a file, which Outlook and the others open as an event.
                "contentType": a.content_type,
                "contentBytes": base64.b64encode(a.data).decode("ascii"),
            }
            for a in msg.attachments
        ]
        target = self._reply_target(msg)
        if target is not None:
            draft = self._post(f"/me/messages/{target}/createReply", {"message": created})
            draft = self._request("PATCH", f"/me/messages/{draft['id']}", fields) or draft
            for attachment in attachments:
                self._post(f"/me/messages/{draft['id']}/attachments", attachment)
        else:
            body = {**fields, **created}
            if attachments:
                body["attachments"] = attachments
            draft = self._post("/me/messages", body)
        ident = str(draft["id"])
        self._drafts[ident] = {
            "outbox_key": msg.outbox_key,
            "conversationId": draft.get("conversationId", ""),
            "internetMessageId": draft.get("internetMessageId", ""),
        }
        while len(self._drafts) > DRAFTS_MAX:
            self._drafts.popitem(last=False)
        return DraftRef(ident, str(draft.get("conversationId") or "") or None)

    def send_draft(self, draft: DraftRef) -> SentRef:
        known: dict[str, Any] = self._drafts.pop(draft.id, {})
        if not known.get("internetMessageId"):
            # Not made by this run (a restart, the outbox resuming a send): read it BEFORE
            # sending it, as its Sent Items copy is not there at once.
            item = self._request(
                "GET", f"/me/messages/{draft.id}?$select={_SELECT}", ok_missing=True
            )
            if item is None:
                # Sent by an attempt before a restart and still in transit (unreadable until
                # its copy is in Sent Items), or deleted: it is not asked to send again.
                raise KeyError(f"draft {draft.id} no longer exists")
            known = {**known, **item}
            if item.get("isDraft") is False:  # sent already: in the Outbox or Sent Items
                return SentRef(
                    draft.id,
                    str(known.get("conversationId", "")),
                    str(known.get("internetMessageId", "")),
                )
        if self._request("POST", f"/me/messages/{draft.id}/send", ok_missing=True) is None:
            key = str(known.get("outbox_key", ""))
            found = self.find_sent(key) if key else None
            if found is not None:
                return found
            raise KeyError(f"draft {draft.id} no longer exists")
        # With immutable ids the draft's id is its sent copy's.
        return SentRef(
            draft.id, str(known.get("conversationId", "")), str(known.get("internetMessageId", ""))
        )

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        wanted = _equals("internetMessageId", self._message_id_for(outbox_key))
        found = self._get(f"/me/mailFolders/sentitems/messages?$filter={wanted}&$select={_SELECT}")
        for item in found.get("value", []):
            return SentRef(
                str(item["id"]),
                str(item.get("conversationId", "")),
                str(item.get("internetMessageId", "")),
            )
        return None

    def away(self, addresses: Iterable[str]) -> dict[str, str]:
        """The automatic replies (out-of-office) of these recipients, before sending to them:
        address -> the away message (only those who are away)."""
        wanted = list(dict.fromkeys(a.lower() for a in addresses))
        if not wanted:
            return {}
        body = {"EmailAddresses": wanted, "MailTipsOptions": "automaticReplies"}
        answer = self._post("/me/getMailTips", body)
        away: dict[str, str] = {}
        for tip in answer.get("value", []):
            address, _ = _address(tip)
            message = str((tip.get("automaticReplies") or {}).get("message") or "")
            if address and message:
                away[address] = message
        return away

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        """The Outlook follow-up flag on the conversation's newest message.

        Which flags are ours is kept on the message itself, in a hidden extended property
        (``FLAG_PROPERTY``: the names of Coffeechat's flags on it), so clearing removes only a
        flag we set, even after a restart. If the user has flagged that message already, it is
        theirs: it is left as it is and never cleared by us."""
        listing = self._all(
            f"/me/messages?$filter={_equals('conversationId', thread_id)}"
            "&$select=id,flag,receivedDateTime,isDraft"
            f"&$expand=singleValueExtendedProperties($filter=id eq '{FLAG_PROPERTY}')"
        )
        items = [i for i in listing if not i.get("isDraft")]
        ours = {str(i["id"]): _our_flags(i) for i in items if _our_flags(i)}
        if on:
            if any(flag in names for names in ours.values()):
                return  # set already
            if not items:
                raise ProviderError(f"Outlook has no message in conversation {thread_id}")
            newest = max(items, key=lambda i: str(i.get("receivedDateTime", "")))
            ident = str(newest["id"])
            if ident in ours:  # flagged by us for another reason: add this name
                self._mark(ident, [*ours[ident], flag], None)
            elif _flag_status(newest) == "flagged":
                return  # the user's own flag: the thread is flagged; nothing of ours to add
            else:
                self._mark(ident, [flag], "flagged")
            return
        for ident, names in ours.items():
            if flag not in names:
                continue
            rest = [n for n in names if n != flag]
            item = next(i for i in items if str(i["id"]) == ident)
            still_flagged = _flag_status(item) == "flagged"
            # Once the user completed or cleared the flag it is theirs to keep as it is.
            self._mark(ident, rest, "notFlagged" if not rest and still_flagged else None)

    def _all(self, path: str) -> list[dict[str, Any]]:
        """Every item of a listing: Graph pages them (10 by default) behind @odata.nextLink."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        while url:
            page = self._get(url)
            items.extend(v for v in page.get("value", []) if isinstance(v, dict))
            url = str(page["@odata.nextLink"]) if page.get("@odata.nextLink") else None
        return items

    def _mark(self, ident: str, names: list[str], status: str | None) -> None:
        body: dict[str, Any] = {
            "singleValueExtendedProperties": [{"id": FLAG_PROPERTY, "value": "\n".join(names)}]
        }
        if status is not None:
            body["flag"] = {"flagStatus": status}
        self._request("PATCH", f"/me/messages/{ident}", body)


def _flag_status(item: dict[str, Any]) -> str:
    flag = item.get("flag")
    return str(flag.get("flagStatus", "notFlagged")) if isinstance(flag, dict) else "notFlagged"


def _our_flags(item: dict[str, Any]) -> list[str]:
    for prop in item.get("singleValueExtendedProperties") or []:
        if isinstance(prop, dict) and str(prop.get("id", "")).lower() == FLAG_PROPERTY.lower():
            return [n for n in str(prop.get("value") or "").split("\n") if n]
    return []
