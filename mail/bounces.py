"""Recognising delivery reports (bounces) by the weight of their evidence: the RFC 3464
structure, a mail system's sender (MAILER-DAEMON, postmaster, "Mail Delivery System" and the
like, or the empty sender), X-Failed-Recipients, the localised subject and body phrases of
``mail/phrases``; then which addresses failed (RFC 3464 fields, else the many text formats
flufl.bounce knows) and whether for good or for now (a delay notice)."""

from __future__ import annotations

import logging
import re
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

from flufl.bounce import all_failures

from mail.phrasebook import phrasebook
from mail.provider import Classification, MailMessage
from mail.relevance import is_daemon

# flufl.bounce logs every detector that trips over a malformed message with a traceback, then
# re-raises (we catch it and fall back): on hostile input that is expected, not news.
_FLUFL_LOG = logging.getLogger("flufl.bounce")
_FLUFL_LOG.addHandler(logging.NullHandler())
_FLUFL_LOG.propagate = False

BOUNCE = "bounce"
#: How much of a body the text scans read.
TEXT_SCAN_CHARS = 3000
#: How much of a raw message is re-parsed.
RAW_SCAN = 2_000_000
#: How much of a raw message is searched for report parts (bounded work on huge bounces).
RAW_HEAD = 200_000
#: At most this many failed addresses are kept from one report.
MAX_ADDRESSES = 100
#: The weight of evidence that makes a delivery report.
THRESHOLD = 5

#: Local parts and display names of mail systems' own senders beyond MAILER-DAEMON/postmaster.
_SYSTEM_LOCAL = re.compile(
    r"^(?:mail[-._]?delivery[-._]?(?:system|subsystem|service)|mail[-._]?system|mailer|"
    r"mail[-._]?administrator|mdaemon|post[-._]?office|mailadmin|mail[-._]?gateway|"
    r"smtp[-._]?gateway|bounces?|returns?|nobody|daemon|mailer[-._]?daemons?|smtp|mta|"
    r"mail[-._]?server|mail[-._]?relay|mail[-._]?router|ndr|dsn)$",
    re.IGNORECASE,
)
_SYSTEM_NAME = re.compile(
    r"mailer[- ]?daemon|mail delivery (?:subsystem|system|service)|mail administrator|"
    r"post ?office|postmaster|mail system|internet mail delivery|mail gateway|"
    r"delivery status notification|mail (?:server|relay|router)|smtp (?:server|gateway)",
    re.IGNORECASE,
)
#: RFC 6522: a report returns the original's headers as text/rfc822-headers.
_RETURNED_HEADERS = re.compile(rb"content-type:\s*text/rfc822-headers", re.IGNORECASE)
#: A mailing list's administrative addresses (the list manager's own mail: rejections, loop
#: alerts), by the conventions of Majordomo, Mailman, ezmlm and fml: owner-LIST, LIST-owner,
#: LIST-request, LIST-admin, LIST-ctl, LIST-bounces.
_LIST_ADMIN_LOCAL = re.compile(
    r"^(?:owner-[\w.-]+|[\w.-]+-(?:owner|request|admin|ctl|bounces?))$", re.IGNORECASE
)
#: A copy of a message's trace fields in the text: what a text-format report returns.
_TRACE_COPY = re.compile(
    r"^[ \t>]*(?:Received: (?:from|by) \S|Return-Path: <|Delivered-To: \S|X-Original-To: \S)",
    re.MULTILINE,
)
#: How much of a body is searched for a returned message's trace fields.
TRACE_SCAN_CHARS = 8000
_AUTOMATIC_LOCAL = re.compile(r"^(?:no-?reply|do-?not-?reply|donotreply|auto|system|admin)", re.I)
_SMTP_CODE = re.compile(r"\b[45]\d\d[- ][45]\.\d{1,3}\.\d{1,3}\b|\b[45]\.\d\.\d{1,3}\b")
_TEMPORARY_STATUS = re.compile(r"^4\.\d")
_PERMANENT = re.compile(r"permanent|fatal|returning message|returned mail|retry time(?:out)?", re.I)
_DSN_PART = re.compile(rb"content-type:\s*message/(?:global-)?delivery-status[^\n]*\n", re.I)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_ORIGINAL_MARK = re.compile(
    r"^(?:-{2,}.*(?:original message|copy of the message|below this line)|"
    r"------ This is a copy)",
    re.IGNORECASE | re.MULTILINE,
)


def system_sender(msg: MailMessage) -> str | None:
    """Why the sender is a mail system (not a person), or None."""
    address = msg.sender.strip().lower()
    local = address.partition("@")[0]
    if address and (is_daemon(address) or _SYSTEM_LOCAL.match(local)):
        return f"sender {msg.sender}"
    if not address or address == "<>":
        from_field = msg.header("From").strip()
        if from_field and ("<>" in from_field or _SYSTEM_NAME.search(from_field)):
            return f"empty sender {from_field}"
    if msg.sender_name and _SYSTEM_NAME.search(msg.sender_name):
        return f"sender name {msg.sender_name!r}"
    return None


def bounce_evidence(msg: MailMessage, text: str) -> list[tuple[int, str]]:
    """(weight, reason) for each sign that ``msg`` is a delivery report; ``text`` is the body to
    read (empty when only the headers are known)."""
    found: list[tuple[int, str]] = []
    content_type = msg.header("Content-Type").lower().replace('"', "")
    if msg.content_type == "multipart/report" and "report-type=delivery-status" in content_type:
        found.append((8, "header Content-Type: multipart/report; report-type=delivery-status"))
    elif msg.complete and _DSN_PART.search(msg.raw[:RAW_HEAD]):
        found.append((4, "a message/delivery-status part"))
    elif (
        msg.complete
        and "disposition-notification" not in content_type  # a read receipt has them too
        and _RETURNED_HEADERS.search(msg.raw[:RAW_HEAD])
    ):
        found.append((3, "a text/rfc822-headers part (a returned message's headers)"))
    system = system_sender(msg)
    if system:
        found.append((5, system))
    elif _LIST_ADMIN_LOCAL.match(msg.sender.partition("@")[0]):
        found.append((3, f"a mailing list's administrative sender {msg.sender}"))
    failed = msg.header("X-Failed-Recipients").strip()
    if failed:
        found.append((6, f"header X-Failed-Recipients: {failed[:80]}"))
    book = phrasebook()
    subject = book.bounce_subject.match(msg.subject)
    if subject:
        found.append((4, f"subject {subject.group(0).strip(' *')!r}"))
    if text:
        head = text[:TEXT_SCAN_CHARS]
        body = book.bounce_body.search(head)
        if body:
            found.append((3, f"phrase {body.group(0)!r}"))
            if not system and _AUTOMATIC_LOCAL.search(msg.sender.partition("@")[0]):
                found.append((2, f"automatic sender {msg.sender}"))
        if _SMTP_CODE.search(head):
            found.append((2, "an SMTP status code in the text"))
        if len(_TRACE_COPY.findall(text[:TRACE_SCAN_CHARS])) >= 2:
            found.append((3, "a returned message's trace fields (Received:) in the text"))
    if found and msg.header("Return-Path").strip() == "<>":
        found.append((1, "header Return-Path: <>"))
    return found


def bounce(msg: MailMessage, evidence: str = "") -> Classification:
    """The delivery report ``msg``: which addresses failed, and whether for good. Called once
    the evidence says it is one (``evidence`` names it)."""
    failed_header = msg.header("X-Failed-Recipients").strip()
    fields = _status_blocks(msg.raw) if msg.complete else None
    parsed = reparse(msg.raw, RAW_HEAD) if msg.complete and fields is None else None
    addresses: list[str] = []
    statuses: list[str] = []
    actions: list[str] = []
    hint: bool | None = None
    if fields is None and parsed is not None:
        fields = _delivery_status(parsed)
    if fields:
        for rcpt, action, status in fields:
            if action in ("delivered", "relayed", "expanded"):
                continue
            actions.append(action)
            if rcpt and rcpt not in addresses:
                addresses.append(rcpt)
            if status:
                statuses.append(status)
    if not addresses and msg.complete:
        # flufl.bounce knows dozens of non-standard MTA formats.
        parsed = parsed or reparse(msg.raw, RAW_HEAD)
        if parsed is not None:
            temporary, failed = _flufl_failures(parsed)
            addresses.extend(a for a in failed if a not in addresses)
            addresses.extend(a for a in temporary if a not in addresses)
            hint = True if failed else (False if temporary else None)
    if not addresses and failed_header:
        addresses.extend(_addresses_in(failed_header, msg))
    if not addresses and msg.complete:
        addresses.extend(_addresses_in(_notification_text(msg.text), msg))
    del addresses[MAX_ADDRESSES:]
    permanent = _permanent(msg, actions, statuses, hint)
    extra = {"status": statuses[0]} if statuses else {}
    return Classification(
        kind=BOUNCE,
        evidence=evidence,
        bounced_addresses=tuple(addresses),
        permanent=permanent,
        extra=extra,
        new_text=_notification_text(msg.text)[:2000].strip(),
    )


def _permanent(
    msg: MailMessage, actions: list[str], statuses: list[str], hint: bool | None = None
) -> bool:
    """A report is a delay notice (not permanent) when RFC 3464 says every recipient is
    delayed; without the fields, when flufl.bounce found only temporary failures or its words
    say delay and none say failure."""
    if actions:
        if any(a == "failed" for a in actions):
            return True
        if all(a == "delayed" for a in actions):
            return False
    if statuses:
        if any(s.startswith("5") for s in statuses):
            return True
        if all(_TEMPORARY_STATUS.match(s) for s in statuses) and actions:
            return False
    if hint is False:
        return False
    words = msg.subject + "\n" + msg.text[:TEXT_SCAN_CHARS]
    delay = phrasebook().delay_words.search(msg.subject) or (
        phrasebook().delay_words.search(words) and not _PERMANENT.search(words)
    )
    return not delay


def _notification_text(text: str) -> str:
    head = text[:TEXT_SCAN_CHARS]
    mark = _ORIGINAL_MARK.search(head)
    return head[: mark.start()] if mark else head


def _addresses_in(text: str, msg: MailMessage) -> list[str]:
    skip = {msg.sender, *msg.to, *msg.cc}
    found: list[str] = []
    for m in _ADDRESS.finditer(text):
        address = m.group(0).lower().strip(".'")
        if address in skip or is_daemon(address) or address in found:
            continue
        found.append(address)
    return found[:10]


_FIELD = re.compile(
    rb"^(final-recipient|original-recipient|action|status)\s*:\s*([^\r\n]*)", re.I | re.M
)


def _status_blocks(raw: bytes) -> list[tuple[str, str, str]] | None:
    """The per-recipient fields of an RFC 3464 report, read straight from the raw bytes (the
    part is plain text; a report encoded otherwise, or none, gives None and the full parse
    decides)."""
    head = raw[:RAW_HEAD]
    match = _DSN_PART.search(head)
    if match is None:
        return None
    part_end = head.find(b"\n--", match.end())
    part = head[match.end() : part_end if part_end >= 0 else len(head)]
    part_headers, _, body = part.replace(b"\r\n", b"\n").partition(b"\n\n")
    if b"base64" in part_headers.lower() or b"quoted-printable" in part_headers.lower():
        return None
    found: list[tuple[str, str, str]] = []
    for block in body.split(b"\n\n"):
        fields = {k.lower(): v.decode("latin-1").strip() for k, v in _FIELD.findall(block)}
        recipient = fields.get(b"final-recipient") or fields.get(b"original-recipient")
        if not recipient:
            continue
        address = recipient.partition(";")[2] if ";" in recipient else recipient
        found.append(
            (
                parseaddr(address.strip())[1].lower(),
                fields.get(b"action", "").lower().split(" ", 1)[0],
                fields.get(b"status", "").split(" ", 1)[0],
            )
        )
    return found or None


def reparse(raw: bytes, limit: int = RAW_SCAN) -> Message | None:
    if not raw:
        return None
    try:
        return BytesParser(policy=policy.compat32).parsebytes(raw[:limit])
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


def _flufl_failures(parsed: Message) -> tuple[list[str], list[str]]:
    """(temporary, permanent) failed addresses; any detector failure is ignored."""
    try:
        temporary, permanent = all_failures(parsed)
    except Exception:
        return [], []
    return _clean(temporary), _clean(permanent)


def _clean(items: object) -> list[str]:
    out: list[str] = []
    if not isinstance(items, (set, frozenset, list, tuple)):
        return out
    for item in sorted(items, key=str):
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        address = parseaddr(text.strip())[1].lower()
        if "@" in address and address not in out:
            out.append(address)
    return out
