"""A local emulator of the Gmail + Calendar REST subset Coffeechat uses, on 127.0.0.1.

The real google-api-python-client talks to it (``client_options={"api_endpoint": emulator.url}``,
batches via ``BatchHttpRequest(batch_uri=emulator.url + "/batch/gmail/v1")``). It keeps a mailbox
with history ids, threads (threaded the way Gmail does: referenced message AND same subject),
labels and drafts; it serves the OAuth endpoints (``/auth`` consents at once and redirects to the
loopback, ``/token`` checks PKCE and refresh tokens) and counts every API call and its quota units.

Faults: a fraction of responses (outer HTTP responses and batch parts alike) can fail with 429 +
Retry-After, 403 rate-limit, 500, 503 or a dropped connection; single faults can be queued; history
older than ``expire_history()`` answers 404; a revoked grant answers ``invalid_grant``. The per-user
quota (units per trailing minute, on the injected clock) is enforced: going over it is recorded in
``quota_rejections`` - a correct client never triggers it.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
import re
import secrets
import socket
import struct
import threading
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mail.auth.tokens import GoogleGrant
from mail.gmail import GoogleEndpoints
from mail.gmail.ratelimit import QUOTA_PER_USER_MINUTE
from mail.gmail.ratelimit import UNITS as PRICES
from tests.helpers import gmail_search

#: Quota units per call: the client's own table (mail/gmail/ratelimit.py), so a price changed
#: there is what the emulator charges too. Calendar calls are not charged against Gmail.
UNITS: dict[str, int] = {f"gmail.users.{k}": v for k, v in PRICES.items() if k != "calendar"}
#: The per-API batch endpoints Google serves (the global ``/batch`` was turned off in 2020).
BATCH_PATHS = frozenset({"/batch/gmail/v1", "/batch/calendar/v3"})
FAULT_KINDS = ("429", "403", "500", "503", "reset")  # also "lost" (done, answer dropped)
_RESET = object()


class SimClock:
    """Monotonic seconds that move only when someone sleeps: share it between the emulator's
    quota window and the client's limiter/backoff so tests never wait."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self._now += max(0.0, seconds)


@dataclass
class _Message:
    id: str
    thread_id: str
    labels: list[str]
    raw: bytes
    history_id: int
    internal_date: int
    message_id: str
    subject: str
    refs: tuple[str, ...]


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


_SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "STARRED", "IMPORTANT", "UNREAD", "SPAM", "TRASH")


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> _Response:
    hdrs = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return _Response(status, json.dumps(data).encode(), hdrs)


def _error(
    status: int, message: str, reason: str, headers: dict[str, str] | None = None
) -> _Response:
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"reason": reason, "message": message}],
        }
    }
    return _json(status, body, headers)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr)\s*:\s*)+", re.IGNORECASE)


def _norm_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).split()).lower()


# --- partial responses ("fields") ------------------------------------------------------------


def parse_fields(text: str) -> dict[str, Any]:
    """``a,b/c,d(e,f)`` -> {"a": None, "b": {"c": None}, "d": {"e": None, "f": None}}."""
    pos = 0

    def parse_list() -> dict[str, Any]:
        nonlocal pos
        tree: dict[str, Any] = {}
        while pos < len(text):
            match = re.match(r"[A-Za-z0-9_*]+", text[pos:])
            if not match:
                raise ValueError(f"bad fields at {pos}: {text!r}")
            name = match.group(0)
            pos += len(name)
            sub: dict[str, Any] | None = None
            if pos < len(text) and text[pos] == "/":
                pos += 1
                sub = parse_path()
            elif pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list()
                if pos >= len(text) or text[pos] != ")":
                    raise ValueError(f"unclosed ( in fields: {text!r}")
                pos += 1
            _merge(tree, name, sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        return tree

    def parse_path() -> dict[str, Any]:
        nonlocal pos
        match = re.match(r"[A-Za-z0-9_*]+", text[pos:])
        if not match:
            raise ValueError(f"bad fields path: {text!r}")
        name = match.group(0)
        pos += len(name)
        sub: dict[str, Any] | None = None
        if pos < len(text) and text[pos] == "/":
            pos += 1
            sub = parse_path()
        elif pos < len(text) and text[pos] == "(":
            pos += 1
            sub = parse_list()
            pos += 1
        return {name: sub}

    tree = parse_list()
    if pos != len(text):
        raise ValueError(f"trailing text in fields: {text!r}")
    return tree


def _parse_query(q: str) -> list[list[str]]:
    """Gmail search text as AND-ed groups of alternatives: ``a OR b``, ``{a b}``."""
    tokens = re.findall(r'[{}]|[^\s{}"]*"[^"]*"|[^\s{}]+', q)
    groups: list[list[str]] = []
    pending_or = False
    inside: list[str] | None = None
    for token in tokens:
        if token == "{":
            inside = []
        elif token == "}":
            if inside is None:
                raise ValueError(f"unbalanced braces in {q!r}")
            groups.append(inside)
            inside = None
        elif inside is not None:
            inside.append(token)
        elif token == "OR":
            pending_or = True
        elif pending_or and groups:
            groups[-1].append(token)
            pending_or = False
        else:
            groups.append([token])
    if inside is not None or pending_or:
        raise ValueError(f"unbalanced search {q!r}")
    return groups


def _merge(tree: dict[str, Any], name: str, sub: dict[str, Any] | None) -> None:
    if name in tree and tree[name] is not None and sub is not None:
        for key, value in sub.items():
            _merge(tree[name], key, value)
    elif name not in tree or sub is None:
        tree[name] = sub


def apply_fields(data: Any, tree: dict[str, Any] | None) -> Any:
    if tree is None or "*" in tree:
        return data
    if isinstance(data, list):
        return [apply_fields(item, tree) for item in data]
    if isinstance(data, dict):
        return {k: apply_fields(data[k], sub) for k, sub in tree.items() if k in data}
    return data


# --- the emulator ----------------------------------------------------------------------------


class GmailEmulator:
    """See the module docstring. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        address: str = "me@example.test",
        *,
        clock: Callable[[], float] = time.monotonic,
        quota_per_minute: int = QUOTA_PER_USER_MINUTE,
        seed: int = 7,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        self.address = address
        self.clock = clock
        #: wall time of arrival (internalDate, what ``after:`` compares); without it, the
        #: message's own Date header, as for mail imported into Gmail
        self.wall = wall
        self.quota_per_minute = quota_per_minute
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._ids = itertools.count(0x18A0_0000_0000)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # mailbox
        self.history_id = 5000
        self.oldest_history_id = 5000
        self.messages: dict[str, _Message] = {}
        self.order: list[str] = []
        self.history: list[dict[str, Any]] = []
        self.drafts: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # id -> name (user labels)
        #: user labels Gmail shows nested under their parent (the parent existed when they were
        #: made); one named "A/B" made without "A" is a flat label of that name
        self.nested_labels: set[str] = set()
        self._label_ids = itertools.count(1)
        self.busy: list[tuple[str, str]] = []
        self.events: list[dict[str, Any]] = []
        #: calendar id -> the reason freebusy.query gives for not reading it (per-calendar
        #: ``errors``, e.g. "notFound"); the call itself still answers 200
        self.freebusy_errors: dict[str, str] = {}
        #: not 0: events.insert answers with this status (with ``event_error_reason``)
        self.event_error_status = 0
        self.event_error_reason = "badRequest"
        self.rewrite_message_id = False
        # OAuth
        self.clients: dict[str, str] = {}
        self.grants: dict[str, dict[str, Any]] = {}  # refresh token -> grant
        self.access_tokens: dict[str, str] = {}  # access token -> refresh token
        self.codes: dict[str, dict[str, Any]] = {}
        self.consent = "grant"  # or "deny", or "partial"
        self.issued_secrets: list[str] = []
        # accounting
        self.calls: Counter[str] = Counter()
        self.units: Counter[str] = Counter()
        self.http_requests = 0
        self.token_requests = 0
        self.batch_sizes: list[int] = []
        self.quota_log: deque[tuple[float, int]] = deque()
        self.quota_charges: list[tuple[float, int]] = []
        self.quota_rejections = 0
        self.requests_seen: list[tuple[str, str]] = []  # (method name, full path+query)
        # faults
        self.fault_rate = 0.0
        self.fault_kinds: tuple[str, ...] = FAULT_KINDS
        self.fault_retry_after = 2
        self.faults_injected: Counter[str] = Counter()
        self._forced: deque[tuple[str, float | None]] = deque()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> GmailEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="gmail-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GmailEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "emulator not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def gmail_endpoint(self) -> str:
        return self.url + "/"

    @property
    def calendar_endpoint(self) -> str:
        return self.url + "/calendar/v3/"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    @property
    def auth_uri(self) -> str:
        return self.url + "/auth"

    # ------------------------------------------------------------------ labels (test API)
    def label_id(self, name: str) -> str | None:
        with self._lock:
            return next((i for i, n in self.labels.items() if n == name), None)

    def is_nested(self, name: str) -> bool:
        """Whether the user label ``name`` shows under its parent in Gmail."""
        with self._lock:
            ident = self.label_id(name)
            return ident is not None and ident in self.nested_labels

    def delete_label(self, ident: str) -> None:
        """The user deletes a label in Gmail: it leaves every message too."""
        with self._lock:
            del self.labels[ident]
            self.nested_labels.discard(ident)
            for msg in self.messages.values():
                msg.labels = [label for label in msg.labels if label != ident]

    # ------------------------------------------------------------------ OAuth set-up
    def register_client(self, client_id: str = "emu-client.apps.example", secret: str = "") -> str:
        secret = secret or "GOCSPX-" + secrets.token_urlsafe(12)
        with self._lock:
            self.clients[client_id] = secret
            self.issued_secrets.append(secret)
        return secret

    def client_file(
        self, client_id: str = "emu-client.apps.example", kind: str = "installed"
    ) -> dict[str, Any]:
        """A client_secret.json as Google Cloud hands it out, pointing at this emulator."""
        secret = self.register_client(client_id)
        return {
            kind: {
                "client_id": client_id,
                "project_id": "coffeechat-tests",
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "client_secret": secret,
                "redirect_uris": ["http://localhost"],
            }
        }

    def issue_grant(
        self, client_id: str = "emu-client.apps.example", scopes: Iterable[str] = ()
    ) -> tuple[str, str]:
        """A refresh token (and the client secret) as if the user had consented."""
        with self._lock:
            if client_id not in self.clients:
                self.register_client(client_id)
            token = "1//emu-refresh-" + secrets.token_urlsafe(24)
            self.grants[token] = {"client_id": client_id, "scopes": list(scopes), "revoked": False}
            self.issued_secrets.append(token)
            return token, self.clients[client_id]

    def revoke_grants(self) -> None:
        with self._lock:
            for grant in self.grants.values():
                grant["revoked"] = True
            self.access_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.access_tokens.clear()

    # ------------------------------------------------------------------ mailbox set-up
    def _new_id(self) -> str:
        return f"{next(self._ids):016x}"

    def _bump(self, record: dict[str, Any]) -> int:
        self.history_id += self._rng.choice((1, 1, 2, 3))
        record["id"] = str(self.history_id)
        self.history.append(record)
        return self.history_id

    def _thread_for(self, refs: tuple[str, ...], subject: str, wanted: str | None) -> str | None:
        """Gmail's rule: a referenced message in the thread AND the same subject."""
        norm = _norm_subject(subject)
        candidates = []
        for mid in reversed(self.order):
            msg = self.messages[mid]
            if msg.message_id and msg.message_id in refs and _norm_subject(msg.subject) == norm:
                candidates.append(msg.thread_id)
        if wanted is not None:
            return wanted if wanted in candidates else None
        return candidates[0] if candidates else None

    def _add(self, raw: bytes, labels: Iterable[str], thread_id: str | None = None) -> _Message:
        head = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        message_id = (head.get("Message-ID") or "").strip()
        refs = tuple((head.get("References") or "").split()) + tuple(
            (head.get("In-Reply-To") or "").split()
        )
        subject = str(head.get("Subject") or "")
        ident = self._new_id()
        thread = self._thread_for(refs, subject, thread_id) or ident
        msg = _Message(
            id=ident,
            thread_id=thread,
            labels=list(labels),
            raw=raw,
            history_id=0,
            internal_date=self._arrival(head),
            message_id=message_id,
            subject=subject,
            refs=refs,
        )
        self.messages[ident] = msg
        self.order.append(ident)
        msg.history_id = self._bump(
            {
                "messages": [{"id": ident, "threadId": thread}],
                "messagesAdded": [
                    {"message": {"id": ident, "threadId": thread, "labelIds": list(msg.labels)}}
                ],
            }
        )
        return msg

    def _arrival(self, head: Message) -> int:
        if self.wall is not None:
            return int(self.wall().timestamp() * 1000)
        try:
            return int(parsedate_to_datetime(str(head.get("Date"))).timestamp() * 1000)
        except (TypeError, ValueError):
            return int(self.clock() * 1000)

    def deliver(self, raw: bytes, labels: Iterable[str] = ("INBOX", "UNREAD")) -> tuple[str, str]:
        """Incoming mail (or, with labels=("SENT",), mail the user sent from Gmail itself)."""
        with self._lock:
            msg = self._add(raw, labels)
            return msg.id, msg.thread_id

    def mark_read(self, message_id: str) -> None:
        """Another client (the Gmail app) reads a message: UNREAD goes, the history moves."""
        with self._lock:
            msg = self.messages[message_id]
            if "UNREAD" in msg.labels:
                msg.labels.remove("UNREAD")
            ref = {"id": msg.id, "threadId": msg.thread_id}
            removed = {"message": ref, "labelIds": ["UNREAD"]}
            msg.history_id = self._bump({"messages": [ref], "labelsRemoved": [removed]})

    def expire_history(self) -> None:
        """History before now is no longer kept: older start ids answer 404."""
        with self._lock:
            self.history.clear()
            self.oldest_history_id = self.history_id

    def message_raw(self, message_id: str) -> bytes:
        return self.messages[message_id].raw

    def thread_of(self, message_id: str) -> str:
        return self.messages[message_id].thread_id

    def sent_messages(self) -> list[_Message]:
        return [self.messages[m] for m in self.order if "SENT" in self.messages[m].labels]

    # ------------------------------------------------------------------ faults and counters
    def fail_next(self, kind: str, count: int = 1, retry_after: float | None = None) -> None:
        with self._lock:
            for _ in range(count):
                self._forced.append((kind, retry_after))

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.units.clear()
            self.http_requests = 0
            self.token_requests = 0
            self.batch_sizes.clear()
            self.requests_seen.clear()

    @property
    def total_calls(self) -> int:
        return sum(v for k, v in self.calls.items() if k.startswith("gmail."))

    @property
    def total_units(self) -> int:
        return sum(v for k, v in self.units.items() if k.startswith("gmail."))

    def max_units_per_minute(self) -> int:
        """The most units charged in any 60 s window (on the emulator's clock)."""
        charges = sorted(self.quota_charges)
        best = 0
        start = 0
        total = 0
        for t, units in charges:
            total += units
            while charges[start][0] <= t - 60:
                total -= charges[start][1]
                start += 1
            best = max(best, total)
        return best

    def _pick_fault(self, allow_reset: bool) -> tuple[str, float | None] | None:
        with self._lock:
            if self._forced:
                kind, after = self._forced.popleft()
            elif self.fault_rate and self._rng.random() < self.fault_rate:
                kind, after = self._rng.choice(self.fault_kinds), None
            else:
                return None
            if kind in ("reset", "lost") and not allow_reset:
                kind = "503"
            self.faults_injected[kind] += 1
            return kind, after

    def _fault_response(self, kind: str, after: float | None) -> _Response | object:
        retry = str(int(after if after is not None else self.fault_retry_after))
        if kind == "reset":
            return _RESET
        if kind == "429":
            return _error(
                429,
                "Too many concurrent requests for user",
                "rateLimitExceeded",
                {"Retry-After": retry},
            )
        if kind == "403":
            return _error(
                403, "User-rate limit exceeded", "userRateLimitExceeded", {"Retry-After": retry}
            )
        if kind == "500":
            return _error(500, "Backend Error", "backendError")
        if kind == "disabled":  # the user's Cloud project has not enabled the API
            return _error(403, "Gmail API has not been used in project 1", "accessNotConfigured")
        return _error(
            503, "The service is currently unavailable.", "backendError", {"Retry-After": retry}
        )

    def _charge(self, method: str) -> _Response | None:
        """Enforce the per-user quota; None when the call may proceed (and is charged)."""
        cost = UNITS.get(method, 0)
        now = self.clock()
        with self._lock:
            while self.quota_log and self.quota_log[0][0] <= now - 60:
                self.quota_log.popleft()
            used = sum(u for _, u in self.quota_log)
            if cost and used + cost > self.quota_per_minute:
                self.quota_rejections += 1
                return _error(
                    429, "User-rate limit exceeded", "rateLimitExceeded", {"Retry-After": "30"}
                )
            if cost:
                self.quota_log.append((now, cost))
                self.quota_charges.append((now, cost))
            self.calls[method] += 1
            self.units[method] += cost
        return None

    # ------------------------------------------------------------------ dispatch
    def handle_http(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> _Response | object:
        parsed = urllib.parse.urlsplit(target)
        path = parsed.path
        if path == "/token":
            with self._lock:
                self.token_requests += 1
            return self._token(body, headers)
        if path == "/auth":
            return self._auth(urllib.parse.parse_qs(parsed.query))
        with self._lock:
            self.http_requests += 1
        fault = self._pick_fault(allow_reset=True)
        if fault is not None and fault[0] == "lost":
            # The request is carried out, but its answer never arrives.
            self._api(method, target, headers, body)
            return _RESET
        if fault is not None:
            return self._fault_response(*fault)
        if path.startswith("/batch/"):
            if path not in BATCH_PATHS:  # Google refuses the retired global /batch endpoint
                return _error(404, f"no batch endpoint {path}", "notFound")
            return self._batch(headers, body)
        return self._api(method, target, headers, body)

    def _authorised(self, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        token = value[7:] if value.lower().startswith("bearer ") else ""
        with self._lock:
            return token in self.access_tokens

    def _api(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Response:
        override = {k.lower(): v for k, v in headers.items()}.get("x-http-method-override")
        if method == "POST" and override:
            # A GET too long for a URL goes as a POST with its query as a form body and
            # "X-HTTP-Method-Override: GET" (Google's APIs accept it; the client does it past
            # 2048 characters).
            method = override.upper()
            target = f"{urllib.parse.urlsplit(target).path}?{body.decode('ascii')}"
            body = b""
        parsed = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(parsed.query)
        route = self._route(method, parsed.path)
        if route is None:
            return _error(404, f"no such endpoint {method} {parsed.path}", "notFound")
        name, handler, args = route
        if not self._authorised(headers):
            return _error(401, "Request had invalid authentication credentials.", "authError")
        with self._lock:
            self.requests_seen.append((name, target))
        refused = self._charge(name)
        if refused is not None:
            return refused
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return _error(400, "Invalid JSON payload", "parseError")
        with self._lock:
            result = handler(query, data, *args)
        if isinstance(result, _Response):
            return result
        fields = query.get("fields", [None])[0]
        if fields:
            result = apply_fields(result, parse_fields(fields))
        return _json(200, result)

    def _route(
        self, method: str, path: str
    ) -> tuple[str, Callable[..., Any], tuple[str, ...]] | None:
        gmail = "/gmail/v1/users/me/"
        if path.startswith(gmail):
            rest = path[len(gmail) :]
            parts = rest.split("/")
            table: list[tuple[str, str, str, Callable[..., Any]]] = [
                ("GET", "profile", "gmail.users.getProfile", self._profile),
                ("GET", "history", "gmail.users.history.list", self._history),
                ("GET", "messages", "gmail.users.messages.list", self._messages_list),
                ("GET", "messages/*", "gmail.users.messages.get", self._message_get),
                ("GET", "threads/*", "gmail.users.threads.get", self._thread_get),
                ("POST", "threads/*/modify", "gmail.users.threads.modify", self._thread_modify),
                ("GET", "labels", "gmail.users.labels.list", self._labels_list),
                ("POST", "labels", "gmail.users.labels.create", self._labels_create),
                ("POST", "drafts", "gmail.users.drafts.create", self._draft_create),
                ("POST", "drafts/send", "gmail.users.drafts.send", self._draft_send),
            ]
            for verb, pattern, name, handler in table:
                pat = pattern.split("/")
                if verb != method or len(pat) != len(parts):
                    continue
                args = []
                for p, actual in zip(pat, parts, strict=True):
                    if p == "*":
                        args.append(urllib.parse.unquote(actual))
                    elif p != actual:
                        break
                else:
                    return name, handler, tuple(args)
            return None
        if method == "POST" and path == "/calendar/v3/freeBusy":
            return "calendar.freebusy.query", self._freebusy, ()
        match = re.fullmatch(r"/calendar/v3/calendars/([^/]+)/events", path)
        if method == "POST" and match:
            return (
                "calendar.events.insert",
                self._event_insert,
                (urllib.parse.unquote(match.group(1)),),
            )
        return None

    # ------------------------------------------------------------------ Gmail methods
    def _profile(self, query: dict[str, list[str]], data: Any) -> Any:
        threads = {m.thread_id for m in self.messages.values()}
        return {
            "emailAddress": self.address,
            "messagesTotal": len(self.messages),
            "threadsTotal": len(threads),
            "historyId": str(self.history_id),
        }

    def _history(self, query: dict[str, list[str]], data: Any) -> Any:
        start = int(query.get("startHistoryId", ["0"])[0])
        if start < self.oldest_history_id:
            return _error(404, "Requested entity was not found.", "notFound")
        types = set(query.get("historyTypes", []))
        limit = min(int(query.get("maxResults", ["100"])[0]), 500)
        offset = int(query.get("pageToken", ["0"])[0])
        records = []
        for record in self.history:
            if int(record["id"]) <= start:
                continue
            if types:
                wanted = {
                    "messageAdded": "messagesAdded",
                    "messageDeleted": "messagesDeleted",
                    "labelAdded": "labelsAdded",
                    "labelRemoved": "labelsRemoved",
                }
                if not any(wanted[t] in record for t in types if t in wanted):
                    continue
            records.append(record)
        page = records[offset : offset + limit]
        result: dict[str, Any] = {"historyId": str(self.history_id)}
        if page:
            result["history"] = page
        if offset + limit < len(records):
            result["nextPageToken"] = str(offset + limit)
        return result

    def _format(self, msg: _Message, fmt: str, headers: list[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": msg.id,
            "threadId": msg.thread_id,
            "labelIds": list(msg.labels),
            "snippet": "",
            "historyId": str(msg.history_id),
            "internalDate": str(msg.internal_date),
            "sizeEstimate": len(msg.raw),
        }
        if fmt == "raw":
            data["raw"] = _b64url(msg.raw)
        elif fmt in ("metadata", "full"):
            head = BytesParser(policy=policy.compat32).parsebytes(msg.raw, headersonly=True)
            wanted = {h.lower() for h in headers}
            data["payload"] = {
                "mimeType": head.get_content_type(),
                "headers": [
                    {"name": k, "value": " ".join(str(v).split())}
                    for k, v in head.items()
                    if fmt == "full" or not wanted or k.lower() in wanted
                ],
            }
        return data

    def _messages_list(self, query: dict[str, list[str]], data: Any) -> Any:
        labels = set(query.get("labelIds", []))
        limit = min(int(query.get("maxResults", ["100"])[0]), 500)
        offset = int(query.get("pageToken", ["0"])[0] or 0)
        q = query.get("q", [""])[0]
        if "(" in q:  # parenthesised groups: from:(a OR b) (the history pass)
            return self._messages_search(query, q, labels, limit)
        spam = query.get("includeSpamTrash", ["false"])[0] == "true"
        found = []
        for mid in reversed(self.order):
            msg = self.messages[mid]
            if labels and not labels <= set(msg.labels):
                continue
            if not spam and {"SPAM", "TRASH"} & set(msg.labels):
                continue
            if not self._matches(msg, q):
                continue
            found.append({"id": msg.id, "threadId": msg.thread_id})
        result: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if found[offset : offset + limit]:
            result["messages"] = found[offset : offset + limit]
        if offset + limit < len(found):
            result["nextPageToken"] = str(offset + limit)
        return result

    def _messages_search(
        self, query: dict[str, list[str]], q: str, labels: set[str], limit: int
    ) -> Any:
        """A search with Gmail's operators (tests/helpers/gmail_search.py), newest first, paged
        by ``pageToken``/``nextPageToken`` as Gmail pages; spam and trash are left out."""
        try:
            tree = gmail_search.parse(q)
        except gmail_search.SearchError as exc:
            return _error(400, f"Invalid search query: {exc}", "invalidArgument")
        found = []
        for mid in reversed(self.order):
            msg = self.messages[mid]
            if labels and not labels <= set(msg.labels):
                continue
            if {"SPAM", "TRASH"} & set(msg.labels):
                continue
            if gmail_search.matches(tree, msg.raw, msg.internal_date):
                found.append({"id": msg.id, "threadId": msg.thread_id})
        start = int(query.get("pageToken", ["0"])[0] or 0)
        result: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if found[start : start + limit]:
            result["messages"] = found[start : start + limit]
        if start + limit < len(found):
            result["nextPageToken"] = str(start + limit)
        return result

    def deliver_dated(self, raw: bytes, labels: Iterable[str] = ("INBOX",)) -> tuple[str, str]:
        """Mail that arrived (or was sent) in the past: its internal date is its Date header,
        as for mail imported into Gmail or received before the test began."""
        head = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        when = parsedate_to_datetime(str(head["Date"]))
        with self._lock:
            msg = self._add(raw, labels)
            msg.internal_date = int(when.timestamp() * 1000)
            return msg.id, msg.thread_id

    def _matches(self, msg: _Message, q: str) -> bool:
        """Gmail search, the part the client uses: terms are ANDed; ``OR`` between two terms
        and ``{a b}`` make an alternative; ``-term`` negates; ``rfc822msgid:``, ``in:``,
        ``label:``, ``from:``, ``to:``, ``cc:``, ``after:``/``before:`` (epoch seconds or
        YYYY/MM/DD, on internalDate) and ``newer_than:Nd|m|y``. Anything else is refused, so a
        query the emulator cannot answer never passes silently."""
        return all(any(self._term(msg, t) for t in group) for group in _parse_query(q))

    def _term(self, msg: _Message, term: str) -> bool:
        if term.startswith("-"):
            return not self._term(msg, term[1:])
        key, _, value = term.partition(":")
        key, value = key.lower(), value.strip('"')
        if key == "rfc822msgid":
            return msg.message_id.strip("<>") == value.strip("<>")
        if key in ("in", "label"):
            wanted = {"drafts": "DRAFT", "draft": "DRAFT", "chats": "CHAT"}.get(
                value.lower(), value.upper()
            )
            names = {n.upper() for n in msg.labels} | {
                self.labels.get(n, "").upper() for n in msg.labels
            }
            return value.lower() == "anywhere" or wanted in names
        if key in ("from", "to", "cc"):
            head = BytesParser(policy=policy.compat32).parsebytes(msg.raw, headersonly=True)
            fields = [key.capitalize()]
            found = getaddresses([str(v) for f in fields for v in head.get_all(f, [])])
            return any(value.lower() in a.lower() for _, a in found)
        if key in ("after", "before"):
            if value.isdecimal():
                edge = int(value)
            else:
                edge = int(datetime.strptime(value, "%Y/%m/%d").replace(tzinfo=UTC).timestamp())
            seconds = msg.internal_date // 1000
            return seconds > edge if key == "after" else seconds < edge
        if key == "newer_than":
            span = {"d": 86400, "m": 31 * 86400, "y": 366 * 86400}[value[-1].lower()]
            now = self.wall().timestamp() if self.wall is not None else time.time()
            return msg.internal_date / 1000 > now - int(value[:-1]) * span
        raise ValueError(f"search term not emulated: {term!r}")

    def _message_get(self, query: dict[str, list[str]], data: Any, ident: str) -> Any:
        msg = self.messages.get(ident)
        if msg is None:
            return _error(404, "Requested entity was not found.", "notFound")
        return self._format(msg, query.get("format", ["full"])[0], query.get("metadataHeaders", []))

    def _thread_get(self, query: dict[str, list[str]], data: Any, ident: str) -> Any:
        members = [self.messages[m] for m in self.order if self.messages[m].thread_id == ident]
        if not members:
            return _error(404, "Requested entity was not found.", "notFound")
        fmt = query.get("format", ["full"])[0]
        headers = query.get("metadataHeaders", [])
        return {
            "id": ident,
            "historyId": str(max(m.history_id for m in members)),
            "messages": [self._format(m, fmt, headers) for m in members],
        }

    def _thread_modify(self, query: dict[str, list[str]], data: Any, ident: str) -> Any:
        members = [self.messages[m] for m in self.order if self.messages[m].thread_id == ident]
        if not members:
            return _error(404, "Requested entity was not found.", "notFound")
        add = list(data.get("addLabelIds", []))
        remove = set(data.get("removeLabelIds", []))
        for label in [*add, *remove]:
            if label not in _SYSTEM_LABELS and label not in self.labels:
                return _error(404, "Requested entity was not found.", "notFound")
        for msg in members:
            msg.labels = [label for label in msg.labels if label not in remove]
            msg.labels += [label for label in add if label not in msg.labels]
            msg.history_id = self._bump(
                {
                    "messages": [{"id": msg.id, "threadId": ident}],
                    "labelsAdded": [
                        {"message": {"id": msg.id, "threadId": ident}, "labelIds": add}
                    ],
                }
            )
        return {"id": ident}

    def _labels_list(self, query: dict[str, list[str]], data: Any) -> Any:
        labels = [{"id": s, "name": s, "type": "system"} for s in _SYSTEM_LABELS]
        labels += [{"id": i, "name": n, "type": "user"} for i, n in self.labels.items()]
        return {"labels": labels}

    def _labels_create(self, query: dict[str, list[str]], data: Any) -> Any:
        # Label names are unique regardless of case (system labels' too); a name with "/"
        # nests under its parent only when the parent exists already.
        name = str(data.get("name", ""))
        taken = {n.lower() for n in [*self.labels.values(), *_SYSTEM_LABELS]}
        if name.lower() in taken:
            return _error(409, "Label name exists or conflicts", "duplicate")
        ident = f"Label_{next(self._label_ids)}"
        while ident in self.labels:
            ident = f"Label_{next(self._label_ids)}"
        parent = name.rpartition("/")[0]
        if parent and parent.lower() in {n.lower() for n in self.labels.values()}:
            self.nested_labels.add(ident)
        self.labels[ident] = name
        return {"id": ident, "name": name, "type": "user"}

    def _draft_create(self, query: dict[str, list[str]], data: Any) -> Any:
        message = data.get("message") or {}
        raw = _unb64url(str(message.get("raw", "")))
        if not raw:
            return _error(400, "Missing draft message", "invalidArgument")
        msg = self._add(raw, ["DRAFT"], message.get("threadId"))
        ident = f"r{self._new_id()[-12:]}"
        self.drafts[ident] = msg.id
        return {
            "id": ident,
            "message": {"id": msg.id, "threadId": msg.thread_id, "labelIds": ["DRAFT"]},
        }

    def _draft_send(self, query: dict[str, list[str]], data: Any) -> Any:
        ident = str(data.get("id", ""))
        draft_msg = self.drafts.pop(ident, None)
        if draft_msg is None:
            return _error(404, "Requested entity was not found.", "notFound")
        old = self.messages.pop(draft_msg)
        self.order.remove(draft_msg)
        self._bump(
            {
                "messages": [{"id": old.id, "threadId": old.thread_id}],
                "messagesDeleted": [{"message": {"id": old.id, "threadId": old.thread_id}}],
            }
        )
        raw = old.raw
        if self.rewrite_message_id:
            raw = re.sub(
                rb"(?im)^Message-ID:[^\r\n]*",
                b"Message-ID: <gmail-" + secrets.token_hex(6).encode() + b"@mail.gmail.com>",
                raw,
                count=1,
            )
        sent = self._add(raw, ["SENT"], old.thread_id if old.thread_id != old.id else None)
        return {"id": sent.id, "threadId": sent.thread_id, "labelIds": ["SENT"]}

    # ------------------------------------------------------------------ Calendar methods
    def _freebusy(self, query: dict[str, list[str]], data: Any) -> Any:
        t0 = datetime.fromisoformat(str(data["timeMin"]).replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(str(data["timeMax"]).replace("Z", "+00:00"))
        blocks = list(self.busy) + [
            (e["start"]["dateTime"], e["end"]["dateTime"]) for e in self.events
        ]
        busy = []
        for start, end in blocks:
            s = datetime.fromisoformat(start.replace("Z", "+00:00"))
            e = datetime.fromisoformat(end.replace("Z", "+00:00"))
            if e > t0 and s < t1:
                busy.append({"start": start, "end": end})
        cals = {
            item["id"]: (
                {"errors": [{"domain": "global", "reason": self.freebusy_errors[item["id"]]}],
                 "busy": []}
                if item["id"] in self.freebusy_errors
                else {"busy": busy}
            )
            for item in data.get("items", [])
        }  # fmt: skip
        return {
            "kind": "calendar#freeBusy",
            "timeMin": data["timeMin"],
            "timeMax": data["timeMax"],
            "calendars": cals,
        }

    def _event_insert(self, query: dict[str, list[str]], data: Any, calendar: str) -> Any:
        if self.event_error_status:
            return _error(self.event_error_status, "The request was refused.",
                          self.event_error_reason)  # fmt: skip
        event = dict(data)
        if event.get("id") and any(e["id"] == event["id"] for e in self.events):
            return _error(409, "The requested identifier already exists.", "duplicate")
        event["id"] = event.get("id") or f"evt{len(self.events) + 1:04d}"
        event["sendUpdates"] = query.get("sendUpdates", ["none"])[0]
        event["calendarId"] = calendar
        self.events.append(event)
        return {"id": event["id"], "status": "confirmed", "summary": event.get("summary", "")}

    # ------------------------------------------------------------------ batch
    def _batch(self, headers: dict[str, str], body: bytes) -> _Response:
        ctype = headers.get("content-type", "")
        envelope = BytesParser(policy=policy.compat32).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + body
        )
        if not envelope.is_multipart():
            return _error(400, "batch body is not multipart/mixed", "invalidArgument")
        parts = envelope.get_payload()
        assert isinstance(parts, list)
        if len(parts) > 100:
            return _error(400, "Too many requests in a batch (max 100)", "invalidArgument")
        with self._lock:
            self.batch_sizes.append(len(parts))
        boundary = "batch_" + secrets.token_hex(8)
        out: list[bytes] = []
        for part in parts:
            if not isinstance(part, Message):
                continue
            content_id = str(part.get("Content-ID", "<x + 0>"))
            payload = part.get_payload()
            if isinstance(payload, list):  # a nested multipart is not a request
                continue
            text = payload if isinstance(payload, str) else str(payload)
            request_line, _, rest = text.replace("\r\n", "\n").partition("\n")
            head_text, _, inner_body = rest.partition("\n\n")
            verb, inner_target, _ = request_line.split(" ", 2)
            inner_headers = {}
            for line in head_text.split("\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    inner_headers[k.strip().lower()] = v.strip()
            fault = self._pick_fault(allow_reset=False)
            if fault is not None:
                response = self._fault_response(*fault)
                assert isinstance(response, _Response)
            else:
                response = self._api(verb, inner_target, inner_headers, inner_body.encode())
            reason = {
                200: "OK",
                404: "Not Found",
                401: "Unauthorized",
                429: "Too Many Requests",
            }.get(response.status, "Error")
            lines = [f"HTTP/1.1 {response.status} {reason}"]
            lines += [f"{k}: {v}" for k, v in response.headers.items()]
            inner = ("\r\n".join(lines) + "\r\n\r\n").encode() + response.body
            response_id = "<response-" + content_id.strip("<>") + ">"
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n".encode()
                + f"Content-ID: {response_id}\r\n\r\n".encode()
                + inner
                + b"\r\n"
            )
        out.append(f"--{boundary}--\r\n".encode())
        return _Response(
            200, b"".join(out), {"Content-Type": f"multipart/mixed; boundary={boundary}"}
        )

    # ------------------------------------------------------------------ OAuth endpoints
    def _auth(self, query: dict[str, list[str]]) -> _Response:
        def one(name: str) -> str:
            return query.get(name, [""])[0]

        client_id, redirect = one("client_id"), one("redirect_uri")
        if client_id not in self.clients:
            return _Response(400, b"invalid_client", {"Content-Type": "text/plain"})
        host = urllib.parse.urlsplit(redirect).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            return _Response(
                400, b"redirect_uri must be a loopback address", {"Content-Type": "text/plain"}
            )
        if one("code_challenge_method") != "S256" or not one("code_challenge"):
            return _Response(400, b"PKCE S256 required", {"Content-Type": "text/plain"})
        params = {"state": one("state")}
        if self.consent == "deny":
            params["error"] = "access_denied"
        else:
            scopes = one("scope").split()
            if self.consent == "partial":
                scopes = scopes[:1]
            code = "4/emu-code-" + secrets.token_urlsafe(16)
            with self._lock:
                self.codes[code] = {
                    "client_id": client_id,
                    "redirect_uri": redirect,
                    "challenge": one("code_challenge"),
                    "scopes": scopes,
                }
            params["code"] = code
            params["scope"] = " ".join(scopes)
        location = redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(params)
        return _Response(302, b"", {"Location": location})

    def _token(self, body: bytes, headers: dict[str, str]) -> _Response:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):  # client credentials as HTTP Basic (RFC 6749 2.3.1)
            user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
            form.setdefault("client_id", urllib.parse.unquote(user))
            form.setdefault("client_secret", urllib.parse.unquote(password))
        client_id = form.get("client_id", "")
        with self._lock:
            if not client_id or self.clients.get(client_id) != form.get("client_secret"):
                return _json(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "The OAuth client was not found.",
                    },
                )
            grant_type = form.get("grant_type")
            if grant_type == "refresh_token":
                grant = self.grants.get(form.get("refresh_token", ""))
                if grant is None or grant["revoked"] or grant["client_id"] != client_id:
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "Token has been expired or revoked.",
                        },
                    )
                access = "ya29.emu-" + secrets.token_urlsafe(24)
                self.access_tokens[access] = form["refresh_token"]
                self.issued_secrets.append(access)
                return _json(
                    200,
                    {
                        "access_token": access,
                        "expires_in": 3599,
                        "token_type": "Bearer",
                        "scope": " ".join(grant["scopes"]),
                    },
                )
            if grant_type == "authorization_code":
                code = self.codes.pop(form.get("code", ""), None)
                if (
                    code is None
                    or code["client_id"] != client_id
                    or code["redirect_uri"] != form.get("redirect_uri")
                ):
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "Bad code or redirect_uri.",
                        },
                    )
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                if _b64url(digest) != code["challenge"]:
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "PKCE verification failed.",
                        },
                    )
                refresh = "1//emu-refresh-" + secrets.token_urlsafe(24)
                access = "ya29.emu-" + secrets.token_urlsafe(24)
                self.grants[refresh] = {
                    "client_id": client_id,
                    "scopes": code["scopes"],
                    "revoked": False,
                }
                self.access_tokens[access] = refresh
                self.issued_secrets += [refresh, access]
                return _json(
                    200,
                    {
                        "access_token": access,
                        "refresh_token": refresh,
                        "expires_in": 3599,
                        "token_type": "Bearer",
                        "scope": " ".join(code["scopes"]),
                    },
                )
        return _json(400, {"error": "unsupported_grant_type"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator: GmailEmulator

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            response = self.emulator.handle_http(self.command, self.path, headers, body)
        except Exception as exc:  # an emulator bug must show as a 500, not a hang
            response = _error(500, f"emulator error: {type(exc).__name__}: {exc}", "backendError")
        if response is _RESET:
            # RST instead of a response: the client sees a reset connection.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        assert isinstance(response, _Response)
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = _serve
    do_POST = _serve


# --- wiring helpers for tests ------------------------------------------------------------------


def endpoints_for(emulator: GmailEmulator) -> GoogleEndpoints:
    return GoogleEndpoints(emulator.gmail_endpoint, emulator.calendar_endpoint, emulator.token_uri)


def grant_for(emulator: GmailEmulator, client_id: str = "emu-client.apps.example") -> GoogleGrant:
    refresh, secret = emulator.issue_grant(client_id)
    return GoogleGrant(emulator.address, refresh, client_id, secret, emulator.token_uri, ())


def mail(
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str,
    when: datetime,
    in_reply_to: str = "",
    extra: dict[str, str] | None = None,
) -> bytes:
    """A small RFC 5322 message as a contact's mail server would deliver it."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {message_id}",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()
