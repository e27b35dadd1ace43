"""Real-shaped messages and the ways a fuzz case breaks them.

The seeds are the classification corpus (replies, out-of-office, bounces of many MTAs, bulk
mail, calendar answers, in several languages) plus generated shapes the corpus is thin on:
RFC 2047 headers in several charsets, RFC 2231 parameters, nested multiparts, HTML newsletters.
A case is a seed and a list of mutations, each either at byte level or structural (on the
header fields, the boundaries, the charsets and encodings). Everything is seeded: one case
number is one message, on every machine.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from mail.classify import KINDS, classify
from mail.mime import parse_message
from mail.provider import MailMessage, MessageRef
from tests.unit.mail import corpus_builder

REF = MessageRef("fuzz", "fuzz-thread")
NOW = datetime(2026, 3, 12, 9, 5, tzinfo=UTC)


def _mime(headers: str, body: str) -> bytes:
    return (headers.replace("\n", "\r\n") + "\r\n" + body.replace("\n", "\r\n")).encode(
        "utf-8", "surrogateescape"
    )


_HEAD = (
    "From: {sender}\nTo: Sam Rivera <sam.rivera@demo.example>\nSubject: {subject}\n"
    "Date: Thu, 12 Mar 2026 09:05:00 +0100\nMessage-ID: <{mid}@fuzz.example>\n"
    "In-Reply-To: <req-1@demo.example>\nMIME-Version: 1.0\n"
)


def _b(text: str, charset: str) -> str:
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode()}?="


def _generated() -> dict[str, bytes]:
    """Shapes the corpus has few of, each real-looking."""
    out: dict[str, bytes] = {}
    for charset, name, line in (
        ("iso-2022-jp", "山田 太郎", "木曜日の午後はいかがでしょうか。"),
        ("koi8-r", "Иван Петров", "Да, давайте созвонимся в четверг."),
        ("gb2312", "王芳", "星期四下午可以吗？"),  # noqa: RUF001
        ("iso-8859-7", "Νίκος", "Ναι, την Πέμπτη μπορώ."),  # noqa: RUF001
        ("windows-1255", "דנה", "כן, יום חמישי מתאים."),
        ("iso-8859-2", "Zoë Łukasz", "Tak, czwartek mi pasuje."),
        ("shift_jis", "佐藤", "はい、大丈夫です。"),
    ):
        body = base64.encodebytes(f"{line}\n\n> On Tue, Sam wrote:\n> Coffee?\n".encode(charset))
        out[f"reply {charset}"] = _mime(
            _HEAD.format(sender=f"{_b(name, charset)} <p@fuzz.example>",
                         subject=_b("Re: コーヒー / Coffee?", "utf-8"), mid=charset)
            + f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: base64\n",
            "\n" + body.decode(),
        )  # fmt: skip
    boundary = "==alt=="
    out["newsletter html multipart"] = _mime(
        _HEAD.format(sender="Lumen Weekly <news@lumen.example>", subject="This week", mid="nl")
        + "List-Unsubscribe: <mailto:unsub@lumen.example>\nPrecedence: bulk\n"
        + f'Content-Type: multipart/alternative; boundary="{boundary}"\n',
        f"\n--{boundary}\nContent-Type: text/plain; charset=utf-8\n\nOur picks.\n"
        f"--{boundary}\nContent-Type: text/html; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "<html><body><table><tr><td><p>Our picks=20this week</p><a href=3D'x'>More</a>"
        "<style>p{color:red}</style><script>x()</script></td></tr></table></body></html>\n"
        f"--{boundary}--\n",
    )
    out["reply with rfc2231 attachment"] = _mime(
        _HEAD.format(sender="Lena <lena@fjord.example>", subject="Re: Coffee?", mid="att")
        + 'Content-Type: multipart/mixed; boundary="m"\n',
        "\n--m\nContent-Type: text/plain; charset=utf-8\n\nThursday at 11:00 works.\n"
        "--m\nContent-Type: application/pdf;\n name*0*=utf-8''CV%20L%C3%A9na;\n name*1=.pdf\n"
        "Content-Disposition: attachment;\n filename*=iso-8859-1'fr'r%E9sum%E9.pdf\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--m--\n",
    )
    out["nested multipart reply"] = _mime(
        _HEAD.format(sender="Raj <raj@x.example>", subject=_b("Re: Café?", "iso-8859-1"),
                     mid="nest")
        + 'Content-Type: multipart/mixed; boundary="o"\n',
        '\n--o\nContent-Type: multipart/alternative; boundary="i"\n\n'
        "--i\nContent-Type: text/plain; charset=utf-8\n\nSure, next week!\n"
        "--i\nContent-Type: text/html; charset=utf-8\n\n<div>Sure, next week!</div>\n--i--\n"
        "--o\nContent-Type: message/rfc822\n\nFrom: a@b\nSubject: fwd\n\nforwarded\n--o--\n",
    )  # fmt: skip
    return out


@cache
def seeds() -> tuple[tuple[str, bytes], ...]:
    """(shape, bytes): every corpus message and the generated shapes."""
    found = [(p.stem, p.read_bytes()) for p in sorted(corpus_builder.CORPUS_DIR.glob("*.eml"))]
    return tuple(found + sorted(_generated().items()))


# --- mutations --------------------------------------------------------------------------------

_TOKENS = (
    b"\n", b"\r\n", b"\r", b":", b";", b"=?", b"?=", b"=?utf-8?b?", b"=?utf-8?q?", b"=?x-bogus?b?",
    b"<", b">", b"--", b'charset="', b"charset=utf-7", b"boundary=", b"\n\t", b"@", b"\xff",
    b"\x00", b"\xed\xa0\x80", b"\\ud800", b"&#xd800;", b"&#99999999;", b"METHOD:", b"<br ",
    b"<div ", b"Content-Type: text/calendar\n", b"Action: failed\n", b"until ", b"> ",
    b"Auto-Submitted: auto-replied\n", b"Content-Transfer-Encoding: base64\n",
    b"Content-Type: multipart/report; report-type=delivery-status\n", b"*0*=", b"''",
    b"Date: Fri, 31 Dec 9999 23:59:59 -1200\n", b"Date: Mon, 1 Jan 0001 00:00:00 +2400\n",
)  # fmt: skip

_CHARSETS = (
    b"utf-8", b"utf-16", b"utf-7", b"unicode_escape", b"iso-2022-jp", b"gb18030", b"koi8-r",
    b"x-unknown", b"", b"ascii", b"latin-1", b"cp1252", b"punycode", b"idna", b"rot13",
)  # fmt: skip

_ENCODINGS = (b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"binary", b"bogus")


def _split(data: bytes) -> tuple[list[bytes], bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        head, found, body = data.partition(sep)
        if found:
            return head.splitlines(keepends=True), body
    return data.splitlines(keepends=True), b""


def _join(lines: list[bytes], body: bytes) -> bytes:
    return b"".join(lines) + b"\r\n" + body


def flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_token(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randint(0, len(data))
    return data[:pos] + rng.choice(_TOKENS) * rng.choice((1, 1, 1, 3, 200)) + data[pos:]


def delete(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randint(0, len(data))
    return data[:pos] + data[pos + rng.randint(1, 400) :]


def duplicate(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randint(0, len(data))
    chunk = data[pos : pos + rng.randint(1, 3000)]
    return data[:pos] + chunk * rng.randint(1, 20) + data[pos:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randint(0, len(data))
    return data[:pos] + rng.randbytes(rng.randint(1, 64)) + data[pos:]


def shuffle_headers(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    rng.shuffle(lines)
    return _join(lines, body)


def drop_header(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    if lines:
        del lines[rng.randrange(len(lines))]
    return _join(lines, body)


def repeat_header(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    if lines:
        line = rng.choice(lines)
        lines[rng.randrange(len(lines)) :] = [line] * rng.choice((2, 50, 2000))
    return _join(lines, body)


def fold_header(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    if lines:
        i = rng.randrange(len(lines))
        lines[i] = lines[i].rstrip(b"\r\n") + b"\r\n" + b" \t" * rng.randint(1, 40) + b"x\r\n"
    return _join(lines, body)


def swap_charset(data: bytes, rng: random.Random) -> bytes:
    for old in (b"utf-8", b"UTF-8", b"iso-8859-1", b"us-ascii", b"windows-1252", b"ISO-8859-1"):
        if old in data:
            return data.replace(old, rng.choice(_CHARSETS), rng.randint(1, 3))
    return data.replace(b"Content-Type: text/plain", b"Content-Type: text/plain; charset=utf-16")


def swap_encoding(data: bytes, rng: random.Random) -> bytes:
    for old in (b"7bit", b"8bit", b"quoted-printable", b"base64"):
        if old in data:
            return data.replace(old, rng.choice(_ENCODINGS), 1)
    lines, body = _split(data)
    return _join([*lines, b"Content-Transfer-Encoding: " + rng.choice(_ENCODINGS) + b"\r\n"], body)


def break_boundary(data: bytes, rng: random.Random) -> bytes:
    start = data.find(b"boundary=")
    if start < 0:
        return data
    end = data.find(b"\n", start)
    value = data[start + 9 : end if end > 0 else len(data)].strip(b'"\r ; ')
    if not value:
        return data
    choice = rng.randrange(4)
    if choice == 0:  # the closing delimiter is gone
        return data.replace(b"--" + value + b"--", b"")
    if choice == 1:  # the boundary is empty
        return data.replace(value, b"", 1)
    if choice == 2:  # the parts use another boundary than the header says
        return data.replace(b"boundary=", b"boundary=x", 1)
    return data.replace(b"--" + value, (b"--" + value + b"\r\n") * 300, 1)


def nest(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    depth = rng.choice((1, 5, 60))
    kept = [line for line in lines if not line.lower().startswith(b"content-")]
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="n%d"\r\n\r\n--n%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"\r\n--n%d--\r\n" % i for i in reversed(range(depth)))
    inner = b"".join(line for line in lines if line.lower().startswith(b"content-"))
    return b"".join(kept) + opening + inner + b"\r\n" + body + closing


def encode_words(data: bytes, rng: random.Random) -> bytes:
    lines, body = _split(data)
    charset = rng.choice(("utf-8", "iso-8859-1", "koi8-r", "x-bogus", "utf-16"))
    for i, line in enumerate(lines):
        name, colon, value = line.partition(b":")
        if colon and name.lower() in (b"subject", b"from", b"to") and rng.random() < 0.7:
            payload = base64.b64encode(value.strip()).decode()
            lines[i] = (
                name + f": =?{charset}?b?{payload}?= =?utf-8?q?=C3=A9_=ED=A0=80?=\r\n".encode()
            )
    return _join(lines, body)


Mutation = Callable[[bytes, random.Random], bytes]

MUTATIONS: tuple[Mutation, ...] = (
    flip, insert_token, delete, duplicate, truncate, random_bytes,  # bytes
    shuffle_headers, drop_header, repeat_header, fold_header, swap_charset, swap_encoding,
    break_boundary, nest, encode_words,  # structure
)  # fmt: skip


#: The largest message a case makes: providers refuse larger mail (Gmail's limit is 25 MB), and
#: the hostile shapes of many megabytes are measured one by one in bench/hostile_mail.py.
MAX_CASE_BYTES = 2_000_000


def mutate(data: bytes, ops: list[tuple[int, int]]) -> bytes:
    """``data`` with each (mutation index, seed) applied in turn; a mutation that would make it
    larger than MAX_CASE_BYTES is skipped."""
    for index, seed in ops:
        mutated = MUTATIONS[index % len(MUTATIONS)](data, random.Random(seed))
        if len(mutated) <= MAX_CASE_BYTES:
            data = mutated
    return data


def case(number: int) -> tuple[str, bytes]:
    """Fuzz case ``number``: (shape, mutated bytes), the same on every machine."""
    rng = random.Random(number)
    shape, data = rng.choice(seeds())
    ops = [(rng.randrange(len(MUTATIONS)), rng.randrange(2**32)) for _ in range(rng.randint(1, 6))]
    return shape, mutate(data, ops)


# --- the properties ---------------------------------------------------------------------------


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_fields(msg: MailMessage) -> list[str]:
    fields = [msg.subject, msg.sender, msg.sender_name, msg.text, msg.html, msg.message_id]
    fields += [msg.in_reply_to, msg.content_type, *msg.to, *msg.cc, *msg.references]
    return fields + [*msg.defects] + [v for pair in msg.headers for v in pair]


#: Text out of a message is never much more than its bytes (a charset decodes one byte to at
#: most one character; markup and encodings only shrink).
def text_bound(raw: bytes) -> int:
    return 2 * len(raw) + 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    seconds: float
    kind: str


def check(raw: bytes) -> Outcome:
    """Parse and classify ``raw`` as the sync does, asserting the properties; raises whatever
    the app raises (a crash)."""
    started = time.perf_counter()
    msg = parse_message(raw, REF, default_date=NOW)
    verdict = classify(msg, now=NOW)
    seconds = time.perf_counter() - started
    assert verdict.kind in KINDS, verdict.kind
    bad = [f[:80] for f in text_fields(msg) if not _valid(f)]
    assert not bad, f"text that is not valid UTF-8: {bad}"
    assert _valid(verdict.new_text) and _valid(verdict.evidence)
    assert len(msg.text) <= text_bound(raw) and len(msg.html) <= text_bound(raw)
    assert len(verdict.new_text) <= len(msg.text) + len(msg.html) + 1024
    return Outcome(seconds, verdict.kind)
