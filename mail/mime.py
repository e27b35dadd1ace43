"""Parsing incoming messages and building outgoing ones (RFC 5322 / MIME).

``parse_message`` must survive anything a mailbox can hand us: it never raises, and everything
it had to guess or drop is listed in ``MailMessage.defects``. Message ids keep their angle
brackets (``<abc@host>``) in ``message_id``, ``in_reply_to`` and ``references`` alike, so they
compare as they appear on the wire.
"""

from __future__ import annotations

import codecs
import html as html_lib
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime

import nh3

from mail.dates import EARLIEST, LATEST, clamp
from mail.mime_limits import (
    MAX_PARAM_HEADER_CHARS,
    MAX_PARAMS,
    params_cut,
    parse_bytes,
    parts,
)
from mail.provider import Attachment, MailMessage, MessageRef, OutgoingMessage

#: Bodies (plain or html) longer than this many characters are cut, with a defect noted.
MAX_BODY_CHARS = 1_000_000
#: Header values longer than this are cut: no honest header is that long.
MAX_HEADER_CHARS = 64_000
#: Header fields read at most (a long trace of Received lines has a few dozen).
MAX_HEADER_FIELDS = 1_000
OUTBOX_HEADER = "X-Coffeechat-Outbox"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# "[^<>]*", not "[^>]*": in a run of unclosed tags ("<br <br <br ...") each attempt stops at the
# next "<" instead of scanning to the end of the body, which made this quadratic.
_BREAK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^<>]*>", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_WS = re.compile(r"\s+")
_MSGID = re.compile(r"<[^<>\s]+>")
_SURROGATE_ESCAPE = re.compile("[\udc80-\udcff]")


def parse_message(
    raw: bytes,
    ref: MessageRef,
    *,
    full: bool = True,
    default_date: datetime | None = None,
) -> MailMessage:
    """Parse ``raw`` into a MailMessage. Never raises: problems end up in ``defects``.

    ``default_date`` is used when the Date header is missing or unreadable (else the epoch).
    With ``full=False`` only the headers are read and the result is marked incomplete.
    """
    fallback_date = clamp(_aware(default_date)) if default_date is not None else EPOCH
    try:
        return _parse(raw, ref, full=full, fallback_date=fallback_date)
    except Exception as exc:  # the promise is "never raises": the caller gets a stub
        return MailMessage.unreadable(
            ref, fallback_date, f"unparsable message ({type(exc).__name__})", raw
        )


def _parse(raw: bytes, ref: MessageRef, *, full: bool, fallback_date: datetime) -> MailMessage:
    defects: list[str] = []
    msg = parse_bytes(raw, full=full, defects=defects)
    for defect in msg.defects:
        defects.append(_describe_defect(defect))
    if any(params_cut(part) for part in parts(msg)):
        defects.append(
            f"a Content-Type or Content-Disposition of more than {MAX_PARAMS} parameters or "
            f"{MAX_PARAM_HEADER_CHARS} characters; the rest not read"
        )

    items = list(itertools.islice(_raw_items(msg), MAX_HEADER_FIELDS + 1))
    if len(items) > MAX_HEADER_FIELDS:
        del items[MAX_HEADER_FIELDS:]
        defects.append(f"more than {MAX_HEADER_FIELDS} header fields; the rest not read")
    headers = tuple(
        (valid_text(name), valid_text(_decode_header_value(value, defects)))
        for name, value in items
    )

    def first(name: str) -> str:
        lowered = name.lower()
        for key, value in headers:
            if key.lower() == lowered:
                return value
        return ""

    def all_of(name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in headers if key.lower() == lowered]

    from_pairs = _addresses(all_of("From"))
    sender_name, sender = from_pairs[0] if from_pairs else ("", "")
    if not from_pairs:
        defects.append("no From address")
    to = tuple(addr for _, addr in _addresses(all_of("To")))
    cc = tuple(addr for _, addr in _addresses(all_of("Cc")))

    date = _parse_date(first("Date"), defects)
    if date is None:
        date = fallback_date

    try:
        content_type = msg.get_content_type()
    except Exception:
        content_type = "text/plain"
        defects.append("unreadable Content-Type")

    text = html = ""
    if full:
        text, html = _bodies(msg, defects)

    return MailMessage(
        ref=ref,
        message_id=_first_msgid(first("Message-ID")),
        subject=first("Subject"),
        sender=sender,
        sender_name=sender_name,
        to=to,
        cc=cc,
        date=date,
        headers=headers,
        in_reply_to=_first_msgid(first("In-Reply-To")),
        references=tuple(first("References").split()),
        text=valid_text(text),
        html=valid_text(html),
        content_type=content_type,
        raw=raw,
        defects=tuple(valid_text(d) for d in defects),
        complete=full,
    )


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: a lone surrogate (a body in ``unicode_escape``, a raw byte in
    a defect's description) becomes U+FFFD, so the text can be stored, printed and encoded as
    UTF-8 anywhere. A surrogate pair that forms a character becomes that character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _raw_items(msg: Message) -> Iterator[tuple[str, str]]:
    # raw_items() gives the header source without running the policy's header factory, which
    # can raise on hostile input; each value is decoded defensively below.
    for name, value in msg.raw_items():
        yield str(name), str(value)


def _decode_header_value(value: str, defects: list[str]) -> str:
    if len(value) > MAX_HEADER_CHARS:
        value = value[:MAX_HEADER_CHARS]
        defects.append("header value truncated")
    # Surrogate escapes stand for raw 8-bit bytes in a header: read them as UTF-8.
    if _SURROGATE_ESCAPE.search(value):
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    unfolded = _WS.sub(" ", value).strip()
    if "=?" not in unfolded:
        return unfolded
    try:
        return _WS.sub(" ", str(make_header(decode_header(unfolded)))).strip()
    except Exception:
        pass
    # An unknown charset or broken encoded word: decode each chunk as best we can.
    try:
        parts: list[str] = []
        for chunk, charset in decode_header(unfolded):
            if isinstance(chunk, str):
                parts.append(chunk)
            else:
                parts.append(_decode_bytes(chunk, charset, defects, "header"))
        return _WS.sub(" ", "".join(parts)).strip()
    except Exception:
        defects.append("undecodable header")
        return unfolded


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    if not values:
        return []
    result: list[tuple[str, str]] = []
    try:
        pairs = getaddresses(values)
    except Exception:
        return result
    for name, raw_addr in pairs:
        addr = raw_addr.strip().lower()
        if "@" in addr and not any(ch.isspace() for ch in addr):
            result.append((name.strip(), addr))
    return result


def _parse_date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        defects.append("no Date header")
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        defects.append(f"unreadable Date header: {value[:60]!r}")
        return None
    if not EARLIEST.year <= parsed.year < LATEST.year:
        # "9999" or "0001": no real message was sent then, and date arithmetic on such a value
        # overflows later. The server's date (or the epoch) stands in, as for an unreadable one.
        defects.append(f"Date header out of range: {value[:60]!r}")
        return None
    return clamp(_aware(parsed))


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return when.replace(tzinfo=UTC)


def _first_msgid(value: str) -> str:
    match = _MSGID.search(value)
    if match:
        return match.group(0)
    return value.strip()


def _describe_defect(defect: object) -> str:
    name = type(defect).__name__
    detail = str(defect)
    return f"{name}: {detail}" if detail and detail != name else name


def _body_parts(msg: Message) -> Iterator[Message]:
    """Leaf parts of the message itself, not descending into attached messages."""
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop()
        if part is not msg and part.get_content_maintype() == "message":
            continue  # an attached or reported message: not our body
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
            continue
        yield part


def _bodies(msg: Message, defects: list[str]) -> tuple[str, str]:
    plain: str | None = None
    html: str | None = None
    for part in _body_parts(msg):
        try:
            ctype = part.get_content_type()
            disposition = (part.get_content_disposition() or "").lower()
        except Exception:
            defects.append("unreadable part headers")
            continue
        if disposition == "attachment" or ctype not in ("text/plain", "text/html"):
            continue
        if ctype == "text/plain" and plain is None:
            plain = _part_text(part, defects)
        elif ctype == "text/html" and html is None:
            html = _part_text(part, defects)
        if plain is not None and html is not None:
            break
    text = plain
    if text is None and html is not None:
        text = html_to_text(html)
    return text or "", html or ""


def _part_text(part: Message, defects: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    if len(payload) > MAX_BODY_CHARS * 4:
        payload = payload[: MAX_BODY_CHARS * 4]
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
        defects.append("unreadable charset")
    text = _decode_bytes(payload, charset, defects, "body")
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS]
        defects.append(f"body truncated to {MAX_BODY_CHARS} characters")
    return valid_text(text.replace("\r\n", "\n"))


def _decode_bytes(data: bytes, charset: str | None, defects: list[str], where: str) -> str:
    name = (charset or "utf-8").strip().strip('"').lower() or "utf-8"
    if name in ("unknown-8bit", "x-unknown", "us-ascii", "ascii"):
        name = "utf-8"
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True):
            raise LookupError(name)
    except Exception:  # LookupError, or ValueError for names like "utf\0-8"
        defects.append(f"unknown charset {name[:40]!r} in {where}; guessed")
        try:
            return data.decode("utf-8", "strict")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode(info.name, "strict")
    except UnicodeDecodeError:
        defects.append(f"{where} not valid {info.name}; undecodable bytes replaced")
        try:
            return data.decode(info.name, "replace")
        except Exception:
            return data.decode("utf-8", "replace")
    except Exception:
        defects.append(f"{where} could not be decoded as {info.name}; read as UTF-8")
        return data.decode("utf-8", "replace")


def html_to_text(html: str) -> str:
    """Readable text from an html body: tags stripped (nh3), entities unescaped."""
    if len(html) > MAX_BODY_CHARS:
        html = html[:MAX_BODY_CHARS]
    html = valid_text(html)
    marked = _BREAK_TAGS.sub(lambda m: m.group(0) + "\n", html)
    stripped = nh3.clean(marked, tags=set(), attributes={}, strip_comments=True)
    text = html_lib.unescape(stripped)
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


# --- building -------------------------------------------------------------------------------


def _no_newlines(label: str, value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValueError(f"{label} must not contain line breaks")
    return value


def _address(label: str, value: str, name: str = "") -> Address:
    _no_newlines(label, value)
    _no_newlines(label, name)
    addr = value.strip()
    if addr.count("@") != 1 or any(ch.isspace() or ch in '<>,;"()' for ch in addr):
        raise ValueError(f"{label}: not a plain e-mail address: {value!r}")
    local, domain = addr.split("@")
    if not local or not domain:
        raise ValueError(f"{label}: not a plain e-mail address: {value!r}")
    return Address(display_name=name, username=local, domain=domain)


def build_message(
    out: OutgoingMessage,
    sender: str,
    sender_name: str,
    when: datetime,
    message_id: str | None = None,
) -> EmailMessage:
    """An RFC 5322 message for ``out``: text/plain UTF-8, with its attachments in a
    multipart/mixed when it has any. Line breaks in headers: ValueError."""
    if when.tzinfo is None:
        raise ValueError("naive datetime for the Date header")
    if not out.to:
        raise ValueError("a message needs at least one recipient")
    from_addr = _address("From", sender, sender_name)
    to = [_address("To", a) for a in out.to]
    cc = [_address("Cc", a) for a in out.cc]
    subject = _no_newlines("Subject", out.subject)
    outbox_key = _no_newlines("outbox key", out.outbox_key)
    in_reply_to = _no_newlines("In-Reply-To", out.in_reply_to).strip()
    references = [_no_newlines("References", r).strip() for r in out.references]
    if message_id is None:
        message_id = make_msgid(domain=from_addr.domain)
    _no_newlines("Message-ID", message_id)

    msg = EmailMessage(policy=policy.default)
    msg["From"] = from_addr
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = [r for r in references if r]
    if refs:
        msg["References"] = " ".join(refs)
    if outbox_key:
        msg[OUTBOX_HEADER] = outbox_key
    msg.set_content(out.text, charset="utf-8")
    # Invitations first: an alternative part can only join the text before any file is added.
    for attachment in sorted(out.attachments, key=lambda a: not _is_invitation(a)):
        _attach(msg, attachment)
    return msg


_TOKEN = re.compile(r"\A[A-Za-z0-9!#$&^_.+-]+\Z")


def _is_invitation(attachment: Attachment) -> bool:
    return attachment.content_type.lower() == "text/calendar" and bool(attachment.method.strip())


def _attach(msg: EmailMessage, attachment: Attachment) -> None:
    """Add one attachment. An invitation (text/calendar with a method) goes in twice, as mail
    clients expect: as an alternative to the text (the part Gmail, Outlook and Apple Mail turn
    into Accept / Decline buttons) and as an ``.ics`` file for the others to open."""
    filename = _no_newlines("attachment name", attachment.filename).strip() or "attachment"
    maintype, _, subtype = attachment.content_type.partition("/")
    if not _TOKEN.match(maintype) or not _TOKEN.match(subtype):
        raise ValueError(f"not a content type: {attachment.content_type!r}")
    method = attachment.method.strip().upper()
    if method and not _TOKEN.match(method):
        raise ValueError(f"not a calendar method: {attachment.method!r}")
    if _is_invitation(attachment):
        # base64 keeps the calendar's CRLF line ends exactly as RFC 5545 writes them.
        msg.add_alternative(
            attachment.data,
            maintype="text",
            subtype="calendar",
            params={"method": method, "charset": "utf-8"},
        )
        msg.add_attachment(
            attachment.data, maintype="application", subtype="ics", filename=filename
        )
        return
    msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=filename)
