"""What an incoming message is: bounce, auto-reply, bulk or human.

The order follows the provider notes: delivery reports first, then the auto-reply headers of
RFC 3834 and the big vendors, then list/bulk headers, and localised subject phrases only as the
last resort. Being in the thread is no evidence of a reply: auto-replies carry In-Reply-To too.

Classification is header-first and cheap; the raw message is re-parsed only for bounce
candidates, and dateparser is loaded only for auto-replies.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

from flufl.bounce import scan_message

from mail.provider import Classification, MailMessage

BOUNCE = "bounce"
AUTO_REPLY = "auto_reply"
BULK = "bulk"
HUMAN = "human"

_DAEMON_LOCALPARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})

#: Subject prefixes that only automatic replies use (checked case-insensitively, at the start).
AUTO_REPLY_PHRASES: tuple[str, ...] = (
    "Automatic reply",
    "Autoreply",
    "Auto reply",
    "Out of office",
    "Out of the office",
    "Abwesenheitsnotiz",
    "Automatische Antwort",
    "Réponse automatique",
    "Respuesta automática",
    "Risposta automatica",
    "AUTO:",
)
_PHRASE_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?P<phrase>"
    + "|".join(re.escape(p) for p in AUTO_REPLY_PHRASES)
    + r")",
    re.IGNORECASE,
)

_THANKS_RE = re.compile(
    r"\b(thank|grateful|appreciate|merci|danke|vielen dank|gracias|grazie|obrigad)",
    re.IGNORECASE,
)

# "until Thursday 12 March", "back on Monday", "returning 14/03", "bis zum 14.03.2026".
_AWAY_EN = re.compile(
    r"\b(?:until|till|through|back on|back in the office on|back in office on|"
    r"returning on|returning|return on|will return on|will return)\s+"
    r"(?P<rest>[^\n;()]{1,80})",
    re.IGNORECASE,
)
_AWAY_DE = re.compile(
    r"\b(?:bis(?:\s+einschlie(?:ß|ss)lich)?(?:\s+zum|\s+am)?|ab|wieder\s+am|zurück\s+am)\s+"
    r"(?P<rest>[^\n;()]{1,80})",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?:\s|$)|[!?]")
_TEXT_SCAN_CHARS = 3000
_EPOCH_YEAR = 1970  # parse_message's stand-in for a missing Date
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def classify(msg: MailMessage, *, now: datetime | None = None) -> Classification:
    """Classify ``msg``. ``now`` bounds a return date when the message has no usable Date."""
    bounce = _bounce(msg)
    if bounce is not None:
        return bounce

    marker = _auto_reply_header(msg)
    if marker is not None:
        return _auto_reply(msg, marker, now)

    bulk = _bulk_header(msg)
    phrase = _subject_phrase(msg.subject)
    if bulk is not None:
        # A vacation program that only sets "Precedence: bulk" is still an auto-reply.
        if phrase is not None and bulk.startswith("header Precedence"):
            return _auto_reply(msg, f"subject phrase {phrase!r}", now)
        return Classification(kind=BULK, evidence=bulk)

    if phrase is not None:
        return _auto_reply(msg, f"subject phrase {phrase!r}", now)
    return Classification(kind=HUMAN, evidence="no automatic-mail marker")


def is_thank_you(text: str, subject: str) -> bool:
    """Does this (sent) message say thank you? ``text`` should be the new text, quotes removed."""
    return bool(_THANKS_RE.search(subject) or _THANKS_RE.search(text))


# --- bounces --------------------------------------------------------------------------------


def _is_daemon(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return local in _DAEMON_LOCALPARTS


def _bounce(msg: MailMessage) -> Classification | None:
    content_type = msg.header("Content-Type").lower()
    is_dsn = msg.content_type == "multipart/report" and "delivery-status" in content_type
    daemon = _is_daemon(msg.sender)
    if not is_dsn and not daemon:
        return None
    evidence = (
        "header Content-Type: multipart/report; report-type=delivery-status"
        if is_dsn
        else f"sender {msg.sender}"
    )
    parsed = _reparse(msg.raw)
    addresses: list[str] = []
    permanent = False
    statuses: list[str] = []
    if parsed is not None:
        for rcpt, action, status in _delivery_status(parsed):
            if action in ("delivered", "relayed", "expanded"):
                continue
            if rcpt and rcpt not in addresses:
                addresses.append(rcpt)
            if status:
                statuses.append(status)
            if action == "failed" or status.startswith("5"):
                permanent = True
        # flufl.bounce only for what the standard report did not name (non-standard formats).
        for rcpt in [] if addresses else _flufl_failures(parsed):
            if rcpt not in addresses:
                addresses.append(rcpt)
            permanent = True
    extra = {"status": statuses[0]} if statuses else {}
    return Classification(
        kind=BOUNCE,
        evidence=evidence,
        bounced_addresses=tuple(addresses),
        permanent=permanent,
        extra=extra,
    )


def _reparse(raw: bytes) -> Message | None:
    if not raw:
        return None
    try:
        return BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception:
        return None


def _status_fields(block: Message) -> tuple[str, str, str]:
    def get(name: str) -> str:
        value = block.get(name)
        return str(value).strip() if value is not None else ""

    recipient = get("Final-Recipient") or get("Original-Recipient")
    # "rfc822; user@example.com" -> the address part.
    address = recipient.partition(";")[2] if ";" in recipient else recipient
    address = parseaddr(address.strip())[1].lower()
    action = get("Action").lower().split(" ", 1)[0]
    status = get("Status").split(" ", 1)[0]
    return address, action, status


def _delivery_status(parsed: Message) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    try:
        for part in parsed.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            payload = part.get_payload()
            if not isinstance(payload, list):
                continue
            # The first block is per-message fields; the others are per-recipient.
            for block in payload:
                if isinstance(block, Message) and (
                    block.get("Final-Recipient") or block.get("Original-Recipient")
                ):
                    found.append(_status_fields(block))
    except Exception:
        return found
    return found


def _flufl_failures(parsed: Message) -> list[str]:
    # flufl.bounce knows dozens of non-standard MTA formats; any detector failure is ignored.
    try:
        raw_addresses = scan_message(parsed)
    except Exception:
        return []
    addresses: list[str] = []
    for item in sorted(raw_addresses):
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        address = parseaddr(text.strip())[1].lower()
        if "@" in address:
            addresses.append(address)
    return addresses


# --- auto-replies ---------------------------------------------------------------------------


def _auto_reply_header(msg: MailMessage) -> str | None:
    auto_submitted = msg.header("Auto-Submitted").strip()
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"header Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        value = msg.header(name).strip()
        if value:
            return f"header {name}: {value}"
    precedence = msg.header("Precedence").strip()
    if precedence.lower() == "auto_reply":
        return f"header Precedence: {precedence}"
    loop = msg.header("X-MS-Exchange-Inbox-Rules-Loop").strip()
    suppress = msg.header("X-Auto-Response-Suppress").strip()
    if loop and suppress:
        return (
            f"headers X-MS-Exchange-Inbox-Rules-Loop: {loop} + X-Auto-Response-Suppress: {suppress}"
        )
    return None


def _bulk_header(msg: MailMessage) -> str | None:
    for name in ("List-Id", "List-Unsubscribe"):
        value = msg.header(name).strip()
        if value:
            return f"header {name}: {value[:80]}"
    precedence = msg.header("Precedence").strip()
    if precedence.lower() in _BULK_PRECEDENCE:
        return f"header Precedence: {precedence}"
    feedback = msg.header("Feedback-ID").strip()
    if feedback:
        return f"header Feedback-ID: {feedback[:80]}"
    return None


def _subject_phrase(subject: str) -> str | None:
    match = _PHRASE_RE.match(subject)
    return match.group("phrase") if match else None


def _auto_reply(msg: MailMessage, evidence: str, now: datetime | None) -> Classification:
    base = msg.date
    if base.year <= _EPOCH_YEAR and now is not None:
        base = now
    away = away_until(msg.subject + "\n" + msg.text, base)
    return Classification(kind=AUTO_REPLY, evidence=evidence, away_until=away)


def away_until(text: str, sent: datetime) -> datetime | None:
    """The return date an out-of-office text announces, as 00:00 UTC of that day, or None."""
    # dateparser takes long to import (and ships no types): loaded on the first auto-reply only.
    dateparser = importlib.import_module("dateparser")

    text = text[:_TEXT_SCAN_CHARS]
    base = sent.astimezone(UTC).replace(tzinfo=None)
    earliest = base.date() - timedelta(days=1)
    latest = base.date() + timedelta(days=400)
    for pattern, languages in ((_AWAY_EN, ["en"]), (_AWAY_DE, ["de", "en"])):
        for match in pattern.finditer(text):
            found = _parse_phrase(dateparser.parse, match.group("rest"), base, languages)
            if found is not None and earliest <= found <= latest:
                return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def _parse_phrase(
    parse: Callable[..., object], rest: str, base: datetime, languages: list[str]
) -> date | None:
    end = _SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start()]
    words = rest.replace(",", " , ").split()[:7]
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PARSERS": ["relative-time", "absolute-time"],
    }
    # Longest phrase first: "Monday, 16 March, with limited access" -> "Monday, 16 March".
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).replace(" , ", ", ").strip(" ,")
        if not candidate or not any(ch.isalnum() for ch in candidate):
            continue
        result = parse(candidate, languages=languages, settings=settings)
        if isinstance(result, datetime):
            return result.date()
    return None
