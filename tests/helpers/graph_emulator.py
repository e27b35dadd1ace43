"""A local Microsoft Graph + Microsoft identity platform, over HTTPS on 127.0.0.1, for tests.

The authority serves the OpenID configuration, device code and token endpoints that the real msal
uses (unsigned id tokens, client_info). Graph serves per-folder message delta with expiring
links, messages by id, drafts (``POST /me/messages``, ``createReply``, ``PATCH``, ``send``),
``getSchedule``, ``calendarView`` and events. Faults can be injected (a status with Retry-After,
dropped connections, expired tokens); requests are counted, in-flight requests measured, and a
request sent before a Retry-After has passed is recorded as a violation.

The certificate is made by ``make_certificate`` (openssl) in a directory the test chooses.
"""

from __future__ import annotations

import base64
import itertools
import json
import ssl
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.helpers import graph_search

CLIENT_ID = "00000000-0000-0000-0000-00000000c0ff"
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def fake_browser(auth_uri: str) -> None:
    """Answer an authorization request as a user who consents: post a code (carrying the nonce,
    which the token endpoint echoes) and the state to the loopback redirect, as msal expects."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(auth_uri).query))
    redirect = query["redirect_uri"].replace("localhost", "127.0.0.1")
    form = {"code": "code-" + query.get("nonce", ""), "state": query["state"]}

    def post() -> None:
        data = urllib.parse.urlencode(form).encode()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(urllib.request.Request(redirect, data=data), timeout=10) as answer:
            answer.read()

    threading.Thread(target=post, name="fake-browser", daemon=True).start()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class Msg:
    id: str
    folder: str  # inbox, sentitems, drafts
    conversation_id: str
    internet_message_id: str
    subject: str
    sender: str
    sender_name: str
    to: list[str]
    cc: list[str]
    when: datetime
    text: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    seq: int = 0
    #: The follow-up flag: notFlagged, flagged or complete.
    flag_status: str = "notFlagged"
    #: Single-value extended properties: id -> value.
    properties: dict[str, str] = field(default_factory=dict)
    #: fileAttachment resources as posted (name, contentType, contentBytes in base64)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def json(self, full: bool, expand: str = "") -> dict[str, Any]:
        def rcpt(addresses: list[str]) -> list[dict[str, Any]]:
            return [{"emailAddress": {"address": a, "name": ""}} for a in addresses]

        stamp = self.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data: dict[str, Any] = {
            "id": self.id,
            "conversationId": self.conversation_id,
            "internetMessageId": self.internet_message_id,
            "subject": self.subject,
            "from": {"emailAddress": {"address": self.sender, "name": self.sender_name}},
            "toRecipients": rcpt(self.to),
            "ccRecipients": rcpt(self.cc),
            "receivedDateTime": stamp,
            "sentDateTime": stamp,
            "isDraft": self.folder == "drafts",
            "flag": {"flagStatus": self.flag_status},
        }
        # $expand=singleValueExtendedProperties($filter=id eq '...'): only that property, and
        # only when the message has it (as Graph does).
        if expand.startswith("singleValueExtendedProperties"):
            wanted = expand.partition("eq '")[2].rpartition("'")[0].lower()
            found = [
                {"id": k, "value": v} for k, v in self.properties.items() if k.lower() == wanted
            ]
            if found:
                data["singleValueExtendedProperties"] = found
        if full:
            data["body"] = {"contentType": "text", "content": self.text}
            if self.folder == "inbox":
                data["internetMessageHeaders"] = [{"name": n, "value": v} for n, v in self.headers]
        return data


@dataclass
class Fault:
    status: int
    retry_after: float | None = None
    drop: bool = False
    #: the request is carried out, and only then does this status replace the answer (as when
    #: a gateway times out after the mailbox did the work)
    after: bool = False


class GraphEmulator:
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

    def drop_next(self, times: int = 1) -> None:
        with self._lock:
            self.faults.extend(Fault(0, drop=True) for _ in range(times))

    def expire_delta_links(self) -> None:
        with self._lock:
            self.min_token = self.seq + 1

    def flag_state(self) -> dict[str, str]:
        """Every message's follow-up flag, as the user sees it in Outlook."""
        with self._lock:
            return {m.id: m.flag_status for m in self.messages.values()}

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

    # ------------------------------------------------------------ identity
    def _identity(self, path: str, method: str, raw: bytes) -> tuple[int, Any]:
        base = self.authority
        if path.endswith("/.well-known/openid-configuration"):
            return 200, {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.base}/{TENANT_ID}/v2.0",
            }
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        if path.endswith("/devicecode"):
            return 200, {
                "device_code": "dc-1", "user_code": "COFFEE42",
                "verification_uri": f"{self.base}/devicelogin", "expires_in": 900,
                "interval": 1, "message": f"Go to {self.base}/devicelogin, enter COFFEE42",
            }  # fmt: skip
        if path.endswith("/token"):
            grant = form.get("grant_type", "")
            if "device_code" in grant and self.device_pending:
                return 400, {"error": "authorization_pending",
                             "error_description": "the user has not signed in yet"}  # fmt: skip
            if grant == "refresh_token" and (
                self.revoked or form.get("refresh_token") not in self.issued_secrets
            ):
                return 400, {"error": "invalid_grant", "error_description": "revoked",
                             "suberror": "bad_token"}  # fmt: skip
            nonce = {}
            if grant == "authorization_code":
                nonce = {"nonce": form.get("code", "").removeprefix("code-")}
            n = next(self._ids)
            access, refresh = f"at-{n:06d}-graph", f"rt-{n:06d}-refresh"
            self.issued_secrets += [access, refresh]
            id_token = ".".join([
                _b64({"alg": "none", "typ": "JWT"}),
                _b64({"aud": CLIENT_ID, "iss": f"{self.base}/{TENANT_ID}/v2.0",
                      "tid": TENANT_ID, "oid": "user-oid", "sub": "sub",
                      "preferred_username": self.address, "name": "Sam Rivera",
                      "iat": 1, "exp": 4102444800, **nonce}),
                "",
            ])  # fmt: skip
            return 200, {
                "token_type": "Bearer", "scope": form.get("scope", ""), "expires_in": 3600,
                "access_token": access, "refresh_token": refresh, "id_token": id_token,
                "client_info": _b64({"uid": "user-oid", "utid": TENANT_ID}),
            }  # fmt: skip
        return 404, {"error": "not_found"}

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
            parts = path.removeprefix("/v1.0/me/").split("/")
            if parts[:1] == ["mailFolders"] and parts[2:] == ["messages", "delta"]:
                return self._delta(parts[1], query)
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
                return 201, self._draft(body, None).json(False)
            if parts[0] == "messages" and len(parts) >= 2:
                msg = self.messages.get(parts[1])
                if msg is None:
                    return 404, {"error": {"code": "ErrorItemNotFound"}}
                if len(parts) == 2 and method == "GET":
                    return 200, msg.json("internetMessageHeaders" in query.get("$select", ""))
                if len(parts) == 2 and method == "PATCH":
                    self._edit(msg, body)
                    return 200, msg.json(False)
                if parts[2:] == ["createReply"]:
                    return 201, self._draft({}, msg).json(False)
                if parts[2:] == ["send"] and msg.folder == "drafts":
                    msg.folder, msg.when = "sentitems", self.wall()
                    self._bump(msg)
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
        return 200, self._page(path, query, [m.json(False) for m in found])  # fmt: skip

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
            return msg

    def _delta(self, folder: str, query: dict[str, str]) -> tuple[int, Any]:
        if "$select" not in query and "$deltatoken" not in query:
            return 400, {"error": {"code": "SelectRequired"}}
        since = int(query.get("$deltatoken", "0"))
        if "$deltatoken" in query and since < self.min_token:
            return 410, {"error": {"code": "SyncStateNotFound"}}
        changed = [m for m in self.messages.values() if m.folder == folder and m.seq > since]
        link = f"{self.graph}/me/mailFolders/{folder}/messages/delta?$deltatoken={self.seq}"
        return 200, {"value": [m.json(False) for m in changed], "@odata.deltaLink": link}

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
            m.json(False, query.get("$expand", "")) for m in self.messages.values()
            if (m.conversation_id if by_conversation else m.internet_message_id) == wanted
            and (folder is None or m.folder == folder)
        ]  # fmt: skip

    def _edit(self, msg: Msg, body: dict[str, Any]) -> None:
        def addresses(key: str) -> list[str]:
            return [r["emailAddress"]["address"].lower() for r in body.get(key, [])]

        if "subject" in body:
            msg.subject = body["subject"]
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
        return msg
