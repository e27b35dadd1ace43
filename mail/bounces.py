"""Recognising delivery reports (bounces): RFC 3464 reports, MAILER-DAEMON senders and the many
text formats flufl.bounce knows, and which addresses failed, for good or for now."""

from __future__ import annotations

import logging
import re
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

from flufl.bounce import all_failures

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
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|undeliverable mail|delivery status notification|"
    r"delivery failure|delivery failed|failure notice|mail delivery failed|returned mail|"
    r"delivery has failed|mail system error|warning: could not send|delayed mail|"
    r"unzustellbar|nicht zustellbar|non remis|non distribuable|no se puede entregar|"
    r"no entregado|non recapitabile|onbestelbaar|não é possível entregar|não entregue|"
    r"niedostarczalne|nie można dostarczyć)",
    re.IGNORECASE,
)
_BOUNCE_BODY = re.compile(
    r"could not be delivered|couldn't be delivered|wasn't delivered|was not delivered|"
    r"delivery has failed|permanent error|user unknown|address not found|"
    r"konnte nicht zugestellt|n'a pas pu être remis|no se pudo entregar|impossibile recapitare|"
    r"kan niet worden bezorgd|não foi possível entregar|nie można dostarczyć",
    re.IGNORECASE,
)
_TEMPORARY = re.compile(
    r"warning|delayed|not yet been delivered|will be retried|still being retried|will retry|"
    r"will keep trying|temporary|deferred|do not need to resend|not delivered yet",
    re.IGNORECASE,
)
_PERMANENT = re.compile(r"permanent|fatal", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_ORIGINAL_MARK = re.compile(
    r"^(?:-{2,}.*(?:original message|copy of the message|below this line)|"
    r"------ This is a copy)",
    re.IGNORECASE | re.MULTILINE,
)


def bounce(msg: MailMessage) -> Classification | None:
    content_type = msg.header("Content-Type").lower()
    is_dsn = msg.content_type == "multipart/report" and "delivery-status" in content_type
    daemon = is_daemon(msg.sender)
    failed_header = msg.header("X-Failed-Recipients").strip()
    evidence = ""
    if is_dsn:
        evidence = "header Content-Type: multipart/report; report-type=delivery-status"
    elif daemon:
        evidence = f"sender {msg.sender}"
    elif failed_header:
        evidence = f"header X-Failed-Recipients: {failed_header[:80]}"
    else:
        subject = _BOUNCE_SUBJECT.match(msg.subject)
        if subject is None:
            return None
        body = _BOUNCE_BODY.search(msg.text[:TEXT_SCAN_CHARS])
        null_path = msg.header("Return-Path").strip() == "<>"
        if body is None and not null_path:
            return None
        evidence = f"subject {subject.group(0).strip()!r} + " + (
            f"phrase {body.group(0)!r}" if body else "header Return-Path: <>"
        )

    parsed = reparse(msg.raw)
    addresses: list[str] = []
    statuses: list[str] = []
    permanent: bool | None = None
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
            elif permanent is None and (action == "delayed" or status.startswith("4")):
                permanent = False
        if not addresses:
            # flufl.bounce knows dozens of non-standard MTA formats.
            temporary, failed = _flufl_failures(parsed)
            addresses.extend(a for a in failed if a not in addresses)
            addresses.extend(a for a in temporary if a not in addresses)
            if failed:
                permanent = True
            elif temporary:
                permanent = False
    if not addresses and failed_header:
        addresses.extend(_addresses_in(failed_header, msg))
    if not addresses:
        addresses.extend(_addresses_in(_notification_text(msg.text), msg))
    if permanent is None or (permanent and not statuses):
        # No standard status: the words decide ("This is a permanent error", "delayed").
        words = msg.subject + "\n" + msg.text[:TEXT_SCAN_CHARS]
        permanent = _PERMANENT.search(words) is not None or _TEMPORARY.search(words) is None
    extra = {"status": statuses[0]} if statuses else {}
    return Classification(
        kind=BOUNCE,
        evidence=evidence,
        bounced_addresses=tuple(addresses),
        permanent=permanent,
        extra=extra,
        new_text=_notification_text(msg.text)[:2000].strip(),
    )


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


def reparse(raw: bytes) -> Message | None:
    if not raw:
        return None
    try:
        return BytesParser(policy=policy.compat32).parsebytes(raw[:RAW_SCAN])
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
