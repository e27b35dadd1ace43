"""How much of a message the parser reads: a bound on parts, on parameters and on the length
of the headers the parser itself reads again and again (Content-Type, Content-Disposition).

The standard library's parser is written for honest mail. Left alone it spends quadratic time
on tens of thousands of RFC 2231 parameters, half a millisecond on each MIME part, and parses a
Content-Type anew each time anyone asks for it (the feed parser asks a dozen times per part):
an 80 KB Content-Type cost two seconds. Everything here stops reading at a limit no honest
message reaches, and says so, so the work per message is linear in its size.

The parser runs with the ``compat32`` policy: ``mail.mime`` reads every header from its raw
source and decodes it itself, so the default policy's structured header objects (built each
time a header is fetched, the parser's own Content-Type lookups included) were pure cost, about
two thirds of a full parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32, Policy
from typing import Any

#: MIME parts (nested ones included) read at most: a real reply has a handful, and the standard
#: library spends about half a millisecond on each.
MAX_PARTS = 200
#: Parameters of a Content-Type or Content-Disposition read at most. RFC 2231 lets a sender
#: split a value into any number of them, and the standard library parses them in quadratic
#: time (50,000 took minutes).
MAX_PARAMS = 100
#: Characters of a Content-Type or Content-Disposition read at most. An honest one, even with
#: a long file name split into RFC 2231 sections, is a few hundred characters.
MAX_PARAM_HEADER_CHARS = 4_000
PARAM_HEADERS = ("content-type", "content-disposition")
#: Bytes fed to the parser at a time; the count of parts is checked in between.
_FEED_CHUNK = 4096


def bounded_params(value: str) -> str:
    """A Content-Type or Content-Disposition value cut to MAX_PARAMS parameters and
    MAX_PARAM_HEADER_CHARS characters (at a parameter's start when there is one to cut at)."""
    if len(value) > MAX_PARAM_HEADER_CHARS:
        head = value[:MAX_PARAM_HEADER_CHARS]
        value = head.rpartition(";")[0] or head
    if value.count(";") > MAX_PARAMS:
        value = ";".join(value.split(";", MAX_PARAMS + 1)[: MAX_PARAMS + 1])
    return value


def params_cut(part: Message) -> bool:
    """Whether a Content-Type or Content-Disposition of ``part`` is read only in part."""
    for name, value in part.raw_items():
        if str(name).lower() in PARAM_HEADERS and bounded_params(str(value)) != str(value):
            return True
    return False


class BoundedPolicy(Compat32):
    """The compat32 policy, reading a bounded Content-Type or Content-Disposition (every time
    the header is fetched, which the parser itself does many times per part)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if isinstance(value, str) and name.lower() in PARAM_HEADERS:
            value = bounded_params(value)
        return super().header_fetch_parse(name, value)


POLICY = BoundedPolicy()


class _CountedParts:
    """The parser's message factory, counting the parts it makes."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self, policy: Policy = POLICY) -> Message:
        self.made += 1
        return Message(policy=policy)


def parse_bytes(raw: bytes, *, full: bool, defects: list[str]) -> Message:
    """The parsed message, reading at most about MAX_PARTS parts: the parser is fed in chunks
    and stopped when it has made more; what it has so far is the message."""
    if not full:
        return BytesParser(policy=POLICY).parsebytes(raw, headersonly=True)
    factory = _CountedParts()
    feeder = BytesFeedParser(_factory=factory, policy=POLICY)
    factory.made = 0  # the parser makes one to try the factory
    for start in range(0, len(raw), _FEED_CHUNK):
        feeder.feed(raw[start : start + _FEED_CHUNK])
        if factory.made > MAX_PARTS:
            defects.append(f"more than {MAX_PARTS} MIME parts; the rest not read")
            break
    return feeder.close()


def parts(msg: Message) -> Iterator[Message]:
    """Every part, the message itself first, without recursion (nesting may be deep)."""
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop()
        yield part
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
