"""A local Microsoft Graph + Microsoft identity platform, over HTTPS on 127.0.0.1, for tests.

The authority serves the OpenID configuration, device code and token endpoints that the real msal
uses (unsigned id tokens, client_info). Graph serves per-folder message delta with expiring
links, messages by id, drafts (``POST /me/messages``, ``createReply``, ``PATCH``, ``send``),
``getSchedule``, ``calendarView`` and events. It is strict where Graph's documentation is: delta
pages at 10 (or ``Prefer: odata.maxpagesize``) and reports other clients' reads, flags and
categories as updates unless ``changeType=created``; ids are mutable (changing on a move) without
``Prefer: IdType="ImmutableId"``; ``+`` in a query string is a space; listings page at 10 with
``@odata.nextLink``; PATCH refuses internet headers, attachments and a sent message's content;
a sent message's Sent Items copy can show late (``sent_delay``); more than 4 concurrent requests
get 429 with Retry-After. JSON batching (``POST /v1.0/$batch``) as Graph documents it: at
most 20 requests with unique ids and relative URLs (else 400), each answered with its own id,
status, headers and body, in no promised order (here: reversed); Graph hands at most four of
them to the mailbox at once, so a batch sent while the mailbox is busy gets 429 (with
Retry-After) for its requests, and ``throttle_batched`` makes single requests inside answer
429. Faults can be injected (a status with Retry-After, dropped connections,
expired tokens); requests are counted, in-flight requests measured, and a request sent before a
Retry-After has passed is recorded as a violation.

The certificate is made by ``make_certificate`` (openssl) in a directory the test chooses.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.helpers import graph_search
from tests.helpers.graph_identity import (
    CLIENT_ID,
    TENANT_ID,
    IdentityPlatform,
    fake_browser,
    make_certificate,
)
from tests.helpers.graph_messages import IMPLIES, Msg, permission

__all__ = [
    "CLIENT_ID", "IMPLIES", "TENANT_ID", "Fault", "GraphEmulator", "Msg", "fake_browser",
    "make_certificate",
]  # fmt: skip


_OVER_CONCURRENCY = "Application is over its MailboxConcurrency limit."


@dataclass
class Fault:
    status: int
    retry_after: float | None = None
    drop: bool = False
    #: the request is carried out, and only then does this status replace the answer (as when
    #: a gateway times out after the mailbox did the work)
    after: bool = False


class GraphEmulator(IdentityPlatform):
    def __init__(
        self,
        address: str,
        cert: Path,
        key: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.address = address
        self.clock = clock
        self.wall = wall
        self.messages: dict[str, Msg] = {}
        self.events: list[dict[str, Any]] = []
        self.busy: list[tuple[datetime, datetime]] = []
        self.personal = False
        #: address -> automatic reply message (getMailTips)
        self.away: dict[str, str] = {}
        #: True: the mailbox has no calendar (POST /me/events answers 403 ErrorAccessDenied)
        self.calendar_denied = False
        #: Not 200: getMailTips answers with this status (a tenant that turns mail tips off)
        self.mail_tips_status = 200
        self.seq = 0
        #: delta tokens below this are expired
        self.min_token = 0
        #: seconds (wall) before a sent message's copy shows in Sent Items (it is in transit,
        #: unreadable by id, until then)
        self.sent_delay = 0.0
        #: Graph throttles an app past this many concurrent requests per mailbox (429)
        self.max_concurrent = 4
        self.throttled_concurrency = 0
        #: requests asked for a message by id (GET /me/messages/{id}): "message fetches"
        self.message_gets = 0
        #: PATCH/POST bodies Graph refused (field, reason), for tests to show what was refused
        self.refused: list[str] = []
        #: the scopes asked for at sign-in, and the least permission each request needed
        self.scopes_requested: set[str] = set()
        self.permissions_used: set[str] = set()
        #: requests carried inside $batch calls, and how many of them answered 429
        self.batched = 0
        self.batched_throttled = 0
        self._batch_faults: list[float] = []
        #: whether the request being answered asked for immutable ids (under the lock)
        self._immutable = True
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        #: hold Graph requests until this many are in flight at once (then let all go)
        self.hold_until = 0
        self.hold_for = 0.3
        self._gate = threading.Condition(threading.RLock())
        self.not_before = 0.0
        self.violations: list[float] = []
        self.issued_secrets: list[str] = []
        self.revoked = False
        #: the device code is not entered yet: the token endpoint answers authorization_pending
        self.device_pending = False
        self.expired_tokens: set[str] = set()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._cert, self._key = cert, key
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> GraphEmulator:
        emu = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                emu._dispatch(self, "GET")

            def do_POST(self) -> None:
                emu._dispatch(self, "POST")

            def do_PATCH(self) -> None:
                emu._dispatch(self, "PATCH")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._cert, self._key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def authority(self) -> str:
        return f"{self.base}/common"

    @property
    def graph(self) -> str:
        return f"{self.base}/v1.0"

    # ------------------------------------------------------------ test API
    def count(self, fragment: str = "/v1.0/") -> int:
        with self._lock:
            return sum(1 for _, path in self.requests if fragment in path)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    def fail_next(self, status: int, retry_after: float | None = None, times: int = 1) -> None:
        with self._lock:
            self.faults.extend(Fault(status, retry_after) for _ in range(times))

    def fail_after_next(self, status: int, times: int = 1) -> None:
        """The next requests are carried out, but answered with ``status``."""
        with self._lock:
            self.faults.extend(Fault(status, after=True) for _ in range(times))

    def throttle_batched(self, times: int = 1, retry_after: float = 1) -> None:
        """The next ``times`` requests inside $batch calls answer 429 with Retry-After (the
        batch itself succeeds: the status is per request)."""
        with self._lock:
            self._batch_faults.extend([retry_after] * times)

    def drop_next(self, times: int = 1) -> None:
        with self._lock:
            self.faults.extend(Fault(0, drop=True) for _ in range(times))

    def expire_delta_links(self) -> None:
        """Every link handed out so far expires; links of the next rounds are good."""
        with self._lock:
            self.seq += 1
            self.min_token = self.seq

    def flag_state(self) -> dict[str, str]:
        """Every message's follow-up flag, as the user sees it in Outlook."""
        with self._lock:
            return {m.id: m.flag_status for m in self.messages.values()}

    def other_client(
        self,
        ident: str,
        *,
        read: bool | None = None,
        flag: str | None = None,
        categories: list[str] | None = None,
    ) -> None:
        """Another client (Outlook on the phone, the web) reads, flags or categorises a
        message: Graph reports it as *updated* in the folder's delta."""
        with self._lock:
            msg = self.messages[ident]
            if read is not None:
                msg.is_read = read
            if flag is not None:
                msg.flag_status = flag
            if categories is not None:
                msg.categories = list(categories)
            self._bump(msg)

    def _arrive(self) -> None:
        """Sent messages whose Sent Items copy is due appear there (moved: a new mutable id)."""
        now = self.wall()
        for msg in self.messages.values():
            if msg.folder == "outbox" and msg.visible_at is not None and msg.visible_at <= now:
                msg.folder, msg.visible_at = "sentitems", None
                msg.moves += 1
                self._bump(msg)
                msg.entered = msg.seq

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.expired_tokens.update(s for s in self.issued_secrets if s.startswith("at-"))

    def _bump(self, msg: Msg) -> None:
        self.seq += 1
        msg.seq = self.seq

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def deliver(
        self,
        sender: str,
        subject: str,
        text: str,
        *,
        when: datetime,
        message_id: str,
        in_reply_to: str = "",
        name: str = "",
        extra: dict[str, str] | None = None,
    ) -> Msg:
        """Mail arriving in the inbox; threaded by In-Reply-To as Exchange does."""
        with self._lock:
            conversation = next(
                (m.conversation_id for m in self.messages.values()
                 if in_reply_to and m.internet_message_id == in_reply_to),
                None,
            ) or self._new_id("conv-")  # fmt: skip
            headers = [
                ("From", f"{name} <{sender}>"), ("To", self.address), ("Subject", subject),
                ("Message-ID", message_id),
                ("Date", when.strftime("%a, %d %b %Y %H:%M:%S +0000")),
            ]  # fmt: skip
            if in_reply_to:
                headers += [("In-Reply-To", in_reply_to), ("References", in_reply_to)]
            headers += list((extra or {}).items())
            msg = Msg(
                self._new_id("AAkALg-"), "inbox", conversation, message_id, subject, sender,
                name, [self.address], [], when, text, headers,
            )  # fmt: skip
            self.messages[msg.id] = msg
            self._bump(msg)
            msg.entered = msg.seq
            return msg

    # ------------------------------------------------------------ HTTP
    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        parsed = urllib.parse.urlsplit(h.path)
        # As any server decodes a query string: "%XX" escapes, and "+" is a space (so an
        # unencoded "+" in a $filter value no longer matches what the client meant).
        query = dict(urllib.parse.parse_qsl(parsed.query))
        path = parsed.path
        with self._lock:
            self.requests.append((method, h.path))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            now = self.clock()
            if path.startswith("/v1.0/") and now < self.not_before:
                self.violations.append(self.not_before - now)
            fault = self.faults.pop(0) if self.faults and path.startswith("/v1.0/") else None
            crowded = path.startswith("/v1.0/") and self.in_flight > self.max_concurrent
            if crowded and fault is None:
                # "ApplicationThrottled / MailboxConcurrency": more than 4 requests at once
                self.throttled_concurrency += 1
                fault = Fault(429, retry_after=1)
        if self.hold_until and path.startswith("/v1.0/"):
            with self._gate:
                if self.in_flight >= self.hold_until:
                    self.hold_until = 0
                    self._gate.notify_all()
                elif not self._gate.wait_for(lambda: not self.hold_until, timeout=self.hold_for):
                    self.hold_until = 0  # fewer arrived than asked: let everyone go
                    self._gate.notify_all()
        try:
            if fault is not None and fault.drop:
                h.close_connection = True
                h.connection.close()
                return
            if fault is not None and not fault.after:
                extra = {}
                if fault.retry_after is not None:
                    extra["Retry-After"] = str(int(fault.retry_after))
                    with self._lock:
                        self.not_before = max(self.not_before, now + fault.retry_after)
                self._send(h, fault.status, {"error": {"code": "TooManyRequests"}}, extra)
                return
            if path.startswith("/common/"):
                status, body = self._identity(path, method, raw)
            else:
                status, body = self._graph(h, method, path, query, raw)
            if fault is not None:
                status, body = fault.status, {"error": {"code": "ServiceUnavailable"}}
            self._send(h, status, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: Any, extra: dict[str, str] | None = None
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    # ------------------------------------------------------------ graph
    def _graph(
        self, h: BaseHTTPRequestHandler, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any]:
        auth = h.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        with self._lock:
            if token not in self.issued_secrets or token in self.expired_tokens:
                return 401, {"error": {"code": "InvalidAuthenticationToken"}}
            body = json.loads(raw) if raw else {}
            self._immutable = 'idtype="immutableid"' in h.headers.get("Prefer", "").lower()
            self.permissions_used.add(permission(method, path))
            self._arrive()
            if path == "/v1.0/$batch" and method == "POST":
                return self._batch(h, body)
            parts = path.removeprefix("/v1.0/me/").split("/")
            if parts[:1] == ["mailFolders"] and parts[2:] == ["messages", "delta"]:
                prefer = h.headers.get("Prefer", "")
                size = re.search(r"odata\.maxpagesize=(\d+)", prefer)
                return self._delta(parts[1], query, int(size.group(1)) if size else 10)
            if parts[:1] == ["mailFolders"] and parts[2:] == ["messages"] and (
                "$search" in query or " or " in query.get("$filter", "")
                or "Recipients" in query.get("$filter", "")
            ):  # fmt: skip
                return self._search_folder(path, query, parts[1])
            if parts[:1] == ["mailFolders"] and parts[2:] == ["messages"]:
                return 200, self._page(path, query, self._filter(query, parts[1]))
            if parts == ["messages"] and method == "GET":
                return 200, self._page(path, query, self._filter(query, None))
            if parts == ["messages"] and method == "POST":
                return 201, self._json(self._draft(body, None))
            if parts[0] == "messages" and len(parts) >= 2:
                msg = self._find(parts[1])
                if msg is None:
                    return 404, {"error": {"code": "ErrorItemNotFound"}}
                if len(parts) == 2 and method == "GET":
                    self.message_gets += 1
                    full = "internetMessageHeaders" in query.get("$select", "")
                    return 200, msg.json(full, immutable=self._immutable)
                if len(parts) == 2 and method == "PATCH":
                    refused = self._refuse_patch(msg, body)
                    if refused:
                        self.refused.append(refused)
                        return 400, {"error": {"code": "ErrorInvalidPropertyRequest",
                                               "message": refused}}  # fmt: skip
                    self._edit(msg, body)
                    self._bump(msg)  # any change is an update in the folder's delta
                    return 200, self._json(msg)
                if parts[2:] == ["attachments"] and method == "POST":
                    if msg.folder != "drafts":
                        return 400, {"error": {"code": "ErrorInvalidRequest"}}
                    self._edit(msg, {"attachments": [body]})
                    return 201, {"id": f"att-{len(msg.attachments)}", "name": body.get("name")}
                if parts[2:] == ["createReply"]:
                    # createReply takes "message" (writeable properties, set at creation) or
                    # "comment", not both with a body
                    message = body.get("message") or {}
                    if "comment" in body and "body" in message:
                        return 400, {"error": {"code": "ErrorInvalidRequest"}}
                    return 201, self._json(self._draft(message, msg))
                if parts[2:] == ["send"] and msg.folder == "drafts":
                    msg.when = self.wall()
                    if self.sent_delay > 0:
                        # in transit: the Sent Items copy comes later
                        msg.folder = "outbox"
                        msg.visible_at = msg.when + timedelta(seconds=self.sent_delay)
                    else:
                        msg.folder = "sentitems"
                        msg.moves += 1
                        self._bump(msg)
                        msg.entered = msg.seq
                    return 202, None
            if parts == ["calendar", "getSchedule"]:
                if self.personal:
                    return 400, {"error": {"code": "ErrorInvalidRequest"}}
                items = [{"status": "busy", "start": {"dateTime": a.isoformat(), "timeZone": "UTC"},
                          "end": {"dateTime": b.isoformat(), "timeZone": "UTC"}}
                         for a, b in self.busy]  # fmt: skip
                return 200, {"value": [{"scheduleId": self.address, "scheduleItems": items}]}
            if parts == ["calendarView"]:
                return 200, {"value": [
                    {"showAs": "busy", "start": {"dateTime": a.isoformat(), "timeZone": "UTC"},
                     "end": {"dateTime": b.isoformat(), "timeZone": "UTC"}} for a, b in self.busy
                ]}  # fmt: skip
            if parts == ["getMailTips"] and self.mail_tips_status != 200:
                return self.mail_tips_status, {"error": {"code": "ErrorAccessDenied"}}
            if parts == ["getMailTips"]:
                return 200, {"value": [
                    {"emailAddress": {"address": a},
                     "automaticReplies": {"message": self.away.get(a, "")}}
                    for a in body.get("EmailAddresses", [])
                ]}  # fmt: skip
            if parts == ["events"] and method == "POST" and self.calendar_denied:
                return 403, {"error": {"code": "ErrorAccessDenied", "message": "no calendar"}}
            if parts == ["events"] and method == "POST":
                # transactionId: "a custom identifier specified by a client app for the server
                # to avoid redundant POST operations in case of client retries" (Graph's event
                # resource): a second POST with it gives the event the first one created.
                txn = body.get("transactionId")
                for known in self.events:
                    if txn and known.get("transactionId") == txn:
                        return 201, known
                event = {**body, "id": self._new_id("ev-")}
                self.events.append(event)
                return 201, event
        return 404, {"error": {"code": "NotFound", "message": path}}

    def _batch(self, h: BaseHTTPRequestHandler, body: Any) -> tuple[int, Any]:
        """JSON batching: each request carried out on its own (under the lock already held)."""
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, {"error": {"code": "BadRequest", "message": "no requests"}}
        if len(requests) > 20:
            return 400, {"error": {"code": "BadRequest", "message": "more than 20 requests"}}
        ids = [str(r.get("id", "")) if isinstance(r, dict) else "" for r in requests]
        if "" in ids or len(set(ids)) != len(ids):
            return 400, {"error": {"code": "BadRequest", "message": "ids must be unique"}}
        urls = [str(r.get("url", "")) for r in requests]
        if any(u.startswith(("http:", "https:", "/v1.0", "v1.0")) for u in urls):
            return 400, {"error": {"code": "BadRequest", "message": "urls must be relative"}}
        # Graph dispatches up to four requests of a batch to the mailbox at once: with other
        # requests of the app in flight there, the batch's requests are over the limit.
        busy = self.in_flight - 1 >= self.max_concurrent
        responses: list[dict[str, Any]] = []
        for ident, url, request in zip(ids, urls, requests, strict=True):
            self.batched += 1
            fault = self._batch_faults.pop(0) if self._batch_faults else None
            if busy or fault is not None:
                wait = fault if fault is not None else 1
                self.batched_throttled += 1
                self.not_before = max(self.not_before, self.clock() + wait)
                error = {"code": "ApplicationThrottled", "message": _OVER_CONCURRENCY}
                headers = {"Retry-After": str(int(wait))}
                responses.append(
                    {"id": ident, "status": 429, "headers": headers, "body": {"error": error}}
                )
                continue
            inner = Message()
            inner["Authorization"] = h.headers.get("Authorization", "")
            for name, value in (request.get("headers") or {}).items():
                inner[str(name)] = str(value)
            split = urllib.parse.urlsplit("/v1.0/" + url.lstrip("/"))
            query = dict(urllib.parse.parse_qsl(split.query))
            raw = json.dumps(request["body"]).encode() if "body" in request else b""
            shim = SimpleNamespace(headers=inner)
            status, answer = self._graph(
                shim,  # type: ignore[arg-type]
                str(request.get("method", "GET")).upper(),
                split.path,
                query,
                raw,
            )
            headers = {"Content-Type": "application/json"}
            responses.append({"id": ident, "status": status, "headers": headers, "body": answer})
        return 200, {"responses": responses[::-1]}

    def _json(self, msg: Msg, expand: str = "") -> dict[str, Any]:
        return msg.json(False, expand, immutable=self._immutable)

    def _find(self, ident: str) -> Msg | None:
        """A message by immutable id, or by the mutable id of where it is now. A message in
        transit (sent, its Sent Items copy not there yet) cannot be read."""
        base, _, moves = ident.rpartition("-m")
        msg = self.messages.get(ident)
        if msg is None and base and moves.isdecimal():
            msg = self.messages.get(base)
            if msg is not None and msg.moves != int(moves):
                msg = None  # an id from before a move: Graph no longer knows it
        if msg is None or msg.folder == "outbox":
            return None
        return msg

    def _refuse_patch(self, msg: Msg, body: dict[str, Any]) -> str:
        """What Graph will not PATCH: internet headers and attachments after creation
        (attachments go through POST .../attachments), the Message-ID of a sent message, and
        the content of a message that is not a draft."""
        if "internetMessageHeaders" in body:
            return "internetMessageHeaders can only be set when the message is created"
        if "attachments" in body:
            return "attachments cannot be PATCHed; POST them to the attachments collection"
        content = {"subject", "body", "toRecipients", "ccRecipients", "internetMessageId"}
        if msg.folder != "drafts" and content & body.keys():
            return "only a draft can change " + ", ".join(sorted(content & body.keys()))
        return ""

    def _search_folder(self, path: str, query: dict[str, str], folder: str) -> tuple[int, Any]:
        """``$search`` (KQL, tests/helpers/graph_search.py) or a ``$filter`` of several
        ``conversationId eq`` joined by ``or``; what Graph refuses is refused."""
        invalid = {
            "error": {
                "code": "ErrorInvalidUrlQueryFilter",
                "message": "The query filter contains one or more invalid nodes.",
            }
        }
        text = query.get("$filter", "")
        if "Recipients" in text:
            return 400, invalid
        if "$search" in query and text:
            return 400, {
                "error": {
                    "code": "ErrorInvalidUrlQuery",
                    "message": "$search cannot be combined with $filter",
                }
            }
        if "$search" in query:
            try:
                tree = graph_search.parse(query["$search"])
            except (graph_search.SearchError, ValueError):
                return 400, {"error": {"code": "BadRequest", "message": "Invalid KQL"}}
            found = [
                m
                for m in self.messages.values()
                if m.folder == folder
                and graph_search.matches(
                    tree, m.sender, m.to, m.cc, m.when, m.subject + " " + m.text
                )
            ]
        else:
            clauses = [c.strip() for c in text.split(" or ")]
            if not all(c.startswith("conversationId eq '") and c.endswith("'") for c in clauses):
                return 400, invalid
            wanted = {c[len("conversationId eq '") : -1].replace("''", "'") for c in clauses}
            found = [
                m
                for m in self.messages.values()
                if m.folder == folder and m.conversation_id in wanted
            ]
        found.sort(key=lambda m: m.when, reverse=True)
        return 200, self._page(path, query, [self._json(m) for m in found])  # fmt: skip

    def deliver_raw(self, raw: bytes, folder: str = "inbox") -> Msg:
        """A whole message from the past (``folder`` inbox or sentitems): headers, the text of
        its body in any charset, dated by its Date header; threaded as Exchange threads (a
        reply joins the conversation of the message it names)."""
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        body = parsed.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        links = " ".join(str(parsed.get(h, "")) for h in ("In-Reply-To", "References")).split()
        sender = getaddresses([str(parsed.get("From", ""))])[0][1].lower()
        with self._lock:
            conversation = next(
                (m.conversation_id for m in self.messages.values()
                 if m.internet_message_id in links), None,
            ) or self._new_id("conv-")  # fmt: skip
            msg = Msg(
                self._new_id("AAkALg-"), folder, conversation, str(parsed["Message-ID"]),
                str(parsed.get("Subject", "")), sender, "",
                [a.lower() for _, a in getaddresses(parsed.get_all("To", []))],
                [a.lower() for _, a in getaddresses(parsed.get_all("Cc", []))],
                parsedate_to_datetime(str(parsed["Date"])).astimezone(UTC), text,
                # the body's own MIME headers stay out: Graph hands the body decoded
                [(k, str(v)) for k, v in parsed.items()
                 if not k.lower().startswith(("content-", "mime-"))],
            )  # fmt: skip
            self.messages[msg.id] = msg
            self._bump(msg)
            msg.entered = msg.seq
            return msg

    def _delta(self, folder: str, query: dict[str, str], page_size: int = 10) -> tuple[int, Any]:
        """A folder's delta as Graph pages it: ``page_size`` items a page (10 unless
        ``Prefer: odata.maxpagesize``) behind ``@odata.nextLink``, then an
        ``@odata.deltaLink``. The first round lists the folder (``$filter=receivedDateTime ge``
        narrows it); later rounds list what was added, deleted or *updated* (another client's
        read, flag or category too) since the token, or only what was added with the custom
        option ``changeType=created``. Options are carried in the links."""
        if "$select" not in query and "$deltatoken" not in query and "$skiptoken" not in query:
            return 400, {"error": {"code": "SelectRequired"}}
        state = dict(query)
        if "$skiptoken" in state:  # the round's options and position, as Graph encodes them
            state = json.loads(base64.urlsafe_b64decode(state.pop("$skiptoken")))
        since = int(state.get("$deltatoken", "-1"))
        if "$deltatoken" in state and since < self.min_token:
            return 410, {"error": {"code": "SyncStateNotFound"}}
        edge = None
        text = state.get("$filter", "")
        if text:
            field_name, op, value = [*text.split(" ", 2), "", ""][:3]
            if field_name != "receivedDateTime" or op not in ("ge", "gt"):
                return 400, {"error": {"code": "ErrorInvalidUrlQueryFilter", "message": text}}
            edge = datetime.fromisoformat(value.replace("Z", "+00:00"))
        created_only = state.get("changeType", "") == "created" and since >= 0
        upto = int(state.get("upto", str(self.seq)))
        changed = [
            m for m in sorted(self.messages.values(), key=lambda m: m.seq)
            if m.folder == folder and m.seq <= upto
            and (m.entered if created_only else m.seq) > since
            and (edge is None or m.when >= edge)
        ]  # fmt: skip
        offset = int(state.get("offset", "0"))
        page = changed[offset : offset + page_size]
        out: dict[str, Any] = {"value": [self._json(m) for m in page]}
        base = f"{self.graph}/me/mailFolders/{folder}/messages/delta"
        keep = {k: v for k, v in state.items() if k not in ("offset", "upto", "$deltatoken")}
        if offset + page_size < len(changed):
            token = {**keep, "$deltatoken": str(since), "upto": str(upto),
                     "offset": str(offset + page_size)}  # fmt: skip
            if since < 0:
                token.pop("$deltatoken")
            skip = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
            out["@odata.nextLink"] = f"{base}?{urllib.parse.urlencode({'$skiptoken': skip})}"
        else:
            link = urllib.parse.urlencode({**keep, "$deltatoken": str(upto)})
            out["@odata.deltaLink"] = f"{base}?{link}"
        return 200, out

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> dict[str, Any]:
        """A message listing pages as Graph's does: 10 items unless ``$top`` says otherwise,
        and an ``@odata.nextLink`` (the same query with ``$skip``) while more are left."""
        top = int(query.get("$top", "10"))
        skip = int(query.get("$skip", "0"))
        page: dict[str, Any] = {"value": items[skip : skip + top]}
        if skip + top < len(items):
            rest = urllib.parse.urlencode({**query, "$skip": str(skip + top)})
            page["@odata.nextLink"] = f"{self.base}{path}?{rest}"
        return page

    def _filter(self, query: dict[str, str], folder: str | None) -> list[dict[str, Any]]:
        text = query.get("$filter", "")
        wanted = text.partition("eq '")[2].removesuffix("'").replace("''", "'")
        # internetMessageId (find_sent) or conversationId (the naive strategy of the benchmark)
        by_conversation = text.strip().startswith("conversationId")
        return [
            self._json(m, query.get("$expand", "")) for m in self.messages.values()
            if (m.conversation_id if by_conversation else m.internet_message_id) == wanted
            and (folder is None or m.folder == folder) and m.folder != "outbox"
        ]  # fmt: skip

    def _edit(self, msg: Msg, body: dict[str, Any]) -> None:
        def addresses(key: str) -> list[str]:
            return [r["emailAddress"]["address"].lower() for r in body.get(key, [])]

        if "subject" in body:
            msg.subject = body["subject"]
        if body.get("internetMessageId"):
            msg.internet_message_id = str(body["internetMessageId"])
        if "body" in body:
            msg.text = body["body"].get("content", "")
        if "toRecipients" in body:
            msg.to = addresses("toRecipients")
        if "ccRecipients" in body:
            msg.cc = addresses("ccRecipients")
        for header in body.get("internetMessageHeaders", []):
            assert header["name"].lower().startswith("x-"), "Graph accepts only x- headers"
            msg.headers.append((header["name"], header["value"]))
        for prop in body.get("singleValueExtendedProperties", []):
            msg.properties[str(prop["id"])] = str(prop["value"])
        if "flag" in body:
            status = body["flag"]["flagStatus"]
            assert status in ("notFlagged", "flagged", "complete"), status
            if status != msg.flag_status:
                msg.flag_status = status
                self._bump(msg)  # a changed flag shows up in the folder's delta, as in Graph
        for attachment in body.get("attachments", []):
            assert attachment["@odata.type"] == "#microsoft.graph.fileAttachment"
            base64.b64decode(attachment["contentBytes"], validate=True)
            msg.attachments.append(attachment)

    def _draft(self, body: dict[str, Any], reply_to: Msg | None) -> Msg:
        ident = self._new_id("AAkALg-")
        msg = Msg(
            ident, "drafts",
            reply_to.conversation_id if reply_to else self._new_id("conv-"),
            body.get("internetMessageId") or f"<{ident}@outlook.test>",
            f"RE: {reply_to.subject}" if reply_to else "",
            self.address, "Sam Rivera", [reply_to.sender] if reply_to else [], [],
            self.wall(), "",
        )  # fmt: skip
        if reply_to is not None:
            # createReply: the draft answers that message, as Exchange threads it
            refs = reply_to.internet_message_id
            msg.headers += [("In-Reply-To", refs), ("References", refs)]
        self._edit(msg, body)
        self.messages[ident] = msg
        self._bump(msg)
        msg.entered = msg.seq
        return msg
