"""Gmail's search operators, as the Gmail help ("Refine searches in Gmail") documents them, for
the emulator's ``messages.list?q=``: ``from:``, ``to:``, ``cc:`` with a word or a group
``(a OR b)``, ``OR`` between terms (upper case; a space is AND), parentheses to group terms,
``after:``/``before:`` with ``YYYY/MM/DD`` (or seconds since the epoch), and bare words (in the
headers or the text). A term that is not one of these is refused, so a client cannot rely on
search syntax the emulator does not model. Matching is by words of the header, as Gmail's: an
address or a part of it (``mailer-daemon`` matches ``MAILER-DAEMON@mx.example``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any

_TOKENS = re.compile(r'\(|\)|"[^"]*"|[^\s()]+:\(|[^\s()]+')
_FIELDS = {"from", "to", "cc"}
#: Operators this module answers; ``is_search`` tells the emulator to use it.
OPERATORS = ("from:", "to:", "cc:", "after:", "before:", " OR ")


def is_search(q: str) -> bool:
    return any(op in q for op in OPERATORS)


class SearchError(ValueError):
    pass


def _date(value: str) -> float:
    if value.isdecimal():
        return float(value)
    try:
        day = datetime.strptime(value, "%Y/%m/%d").replace(tzinfo=UTC)
    except ValueError:
        raise SearchError(f"bad date {value!r}") from None
    return day.timestamp()


class _Parser:
    def __init__(self, q: str) -> None:
        self.tokens = _TOKENS.findall(q)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = str(self.tokens[self.at])
        self.at += 1
        return token

    def parse(self) -> Any:
        tree = self.either()
        if self.peek() is not None:
            raise SearchError(f"unexpected {self.peek()!r}")
        return tree

    def either(self) -> Any:
        terms = [self.both()]
        while self.peek() == "OR":
            self.take()
            terms.append(self.both())
        return ("or", terms) if len(terms) > 1 else terms[0]

    def both(self) -> Any:
        terms = []
        while self.peek() not in (None, ")", "OR"):
            terms.append(self.term())
        if not terms:
            raise SearchError("empty group")
        return ("and", terms) if len(terms) > 1 else terms[0]

    def term(self) -> Any:
        token = self.take()
        if token == "(":
            inner = self.either()
            if self.peek() != ")":
                raise SearchError("unclosed (")
            self.take()
            return inner
        if token.endswith(":("):
            field = token[:-2].lower()
            if field not in _FIELDS:
                raise SearchError(f"search term not emulated: {token!r}")
            words = [self.take()]
            while self.peek() == "OR":
                self.take()
                words.append(self.take())
            if self.peek() != ")":
                raise SearchError("unclosed (")
            self.take()
            return ("or", [(field, w.lower()) for w in words])
        key, sep, value = token.partition(":")
        if sep and key.lower() in _FIELDS:
            return (key.lower(), value.lower())
        if sep and key.lower() in ("after", "before"):
            return (key.lower(), _date(value))
        if sep:
            raise SearchError(f"search term not emulated: {token!r}")
        return ("word", token.strip('"').lower())


def parse(q: str) -> Any:
    return _Parser(q).parse()


def matches(tree: Any, raw: bytes, internal_date_ms: int) -> bool:
    head = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    fields = {f: " ".join(str(v) for v in head.get_all(f, [])).lower() for f in _FIELDS}
    seconds = internal_date_ms / 1000

    def words(text: str) -> set[str]:
        found = set(re.findall(r"[\w.+-]+@[\w.-]+|[\w.+-]+", text))
        return found | {w.split("@")[0] for w in found if "@" in w}

    def check(node: Any) -> bool:
        kind, value = node
        if kind == "or":
            return any(check(n) for n in value)
        if kind == "and":
            return all(check(n) for n in value)
        if kind in _FIELDS:
            return value in words(fields[kind])
        if kind == "after":
            return seconds >= float(value)
        if kind == "before":
            return seconds < float(value)
        return value in raw.decode("utf-8", "replace").lower()

    return check(tree)
