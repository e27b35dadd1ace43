"""Microsoft Graph's ``$search`` on messages, for the Graph emulator, as the Graph docs
("Use the $search query parameter", KQL) describe it: a quoted KQL string with property
restrictions ``from:``, ``to:``, ``cc:`` (an address, or its start: KQL matches by prefix),
``received>=`` / ``received<`` (a date), bare words (subject or body), ``OR``/``AND`` and
parentheses. ``$search`` cannot be combined with ``$filter`` on messages (400), and a
``$filter`` that reaches into ``toRecipients`` is refused as Graph refuses it ("The query
filter contains one or more invalid nodes"): clients search recipients instead."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_TOKENS = re.compile(r"\(|\)|[^\s()]+")


class SearchError(ValueError):
    pass


def parse(text: str) -> Any:
    if not (text.startswith('"') and text.endswith('"')):
        raise SearchError("a $search value is a quoted string")
    tokens = _TOKENS.findall(text[1:-1])
    at = 0

    def peek() -> str | None:
        return tokens[at] if at < len(tokens) else None

    def take() -> str:
        nonlocal at
        at += 1
        return str(tokens[at - 1])

    def either() -> Any:
        terms = [both()]
        while peek() == "OR":
            take()
            terms.append(both())
        return ("or", terms)

    def both() -> Any:
        terms = [term()]
        while peek() not in (None, ")", "OR"):
            if peek() == "AND":
                take()
            terms.append(term())
        return ("and", terms)

    def term() -> Any:
        token = take()
        if token == "(":
            inner = either()
            if take() != ")":
                raise SearchError("unclosed (")
            return inner
        for op in (">=", "<"):
            if token.lower().startswith("received" + op):
                day = datetime.strptime(token[len("received" + op) :], "%Y-%m-%d")
                return ("received" + op, day.replace(tzinfo=UTC))
        key, sep, value = token.partition(":")
        if sep and key.lower() in ("from", "to", "cc"):
            return (key.lower(), value.lower())
        if sep:
            raise SearchError(f"property not emulated: {token!r}")
        return ("word", token.lower())

    tree = either()
    if peek() is not None:
        raise SearchError(f"unexpected {peek()!r}")
    return tree


def matches(tree: Any, sender: str, to: list[str], cc: list[str], when: datetime,
            text: str) -> bool:  # fmt: skip
    def prefix(value: str, addresses: list[str]) -> bool:
        return any(a.lower().startswith(value) for a in addresses)

    def check(node: Any) -> bool:
        kind, value = node
        if kind == "or":
            return any(check(n) for n in value)
        if kind == "and":
            return all(check(n) for n in value)
        if kind == "from":
            return prefix(value, [sender])
        if kind == "to":
            return prefix(value, to)
        if kind == "cc":
            return prefix(value, cc)
        if kind == "received>=":
            return bool(when >= value)
        if kind == "received<":
            return bool(when < value)
        return str(value) in text.lower()

    return check(tree)
