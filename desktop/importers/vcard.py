"""vCard 3 and 4 files (RFC 6350): folded lines, escapes, preferred addresses."""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

from desktop.importers.people import (
    EMAIL,
    Format,
    ImportError_,
    Parsed,
    Person,
    Rejected,
    clean,
    invalid_byte,
    not_utf8,
    printable,
    strip_unsafe,
)


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with their first physical line number: RFC 6350 folding (a line starting
    with a space or tab continues the previous one) and vCard 2.1 quoted-printable soft breaks.

    Linear in the file: the pieces of a logical line are gathered and joined once (adding each
    piece to a growing string made a long folded value quadratic)."""
    lines: list[_Logical] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        last = lines[-1] if lines else None
        if raw[:1] in (" ", "\t") and last is not None:
            last.add(raw[1:])
        elif last is not None and last.soft_break():
            last.add("\n")  # "=" + newline: a soft break
            last.add(raw)
        elif raw.strip():
            lines.append(_Logical(number, raw))
    return [(line.number, "".join(line.parts)) for line in lines]


class _Logical:
    """One logical line being gathered from its physical lines."""

    __slots__ = ("number", "parts", "quoted_printable", "tail")

    def __init__(self, number: int, first: str) -> None:
        self.number = number
        self.parts = [first]
        self.quoted_printable = "QUOTED-PRINTABLE" in first.upper()
        self.tail = first  # the last non-empty piece: what the line ends with

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        if piece:
            self.tail = piece
        if not self.quoted_printable and "QUOTED-PRINTABLE" in piece.upper():
            self.quoted_printable = True

    def soft_break(self) -> bool:
        return self.quoted_printable and self.tail.endswith("=")


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split_unescaped(value: str, sep: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [_unescape(p) for p in parts]


@dataclass
class _Card:
    line: int
    props: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    #: The first byte of the card that is not UTF-8 ("0xE9"): the card is rejected.
    invalid: str | None = None

    def first(self, name: str) -> str:
        return next((v for n, _p, v in self.props if n == name), "")

    def all(self, name: str) -> list[tuple[dict[str, str], str]]:
        return [(p, v) for n, p, v in self.props if n == name]


def _property(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise ValueError("a line without ':'")
    name, *params = head.split(";")
    name = name.rsplit(".", 1)[-1].strip().upper()  # "item1.EMAIL" -> "EMAIL"
    parsed: dict[str, str] = {}
    for param in params:
        key, eq, val = param.partition("=")
        if eq:
            parsed[key.strip().upper()] = val.strip().strip('"')
        else:  # vCard 2.1 bare types: "EMAIL;INTERNET;HOME:"
            parsed.setdefault("TYPE", "")
            parsed["TYPE"] = ",".join(t for t in (parsed["TYPE"], key.strip()) if t)
    if parsed.get("ENCODING", "").upper() in ("QUOTED-PRINTABLE", "QP"):
        charset = parsed.get("CHARSET", "utf-8")
        try:
            value = quopri.decodestring(value.encode("ascii", "replace")).decode(charset, "replace")
            value = strip_unsafe(value)  # "=1B" decodes to an escape
        except LookupError:
            raise ValueError(f"unknown character set {charset!r}") from None
    return name, parsed, value


def read_vcards(text: str, name: str = "the file") -> Parsed:
    people: list[Person] = []
    rejected: list[Rejected] = []
    card: _Card | None = None
    for number, line in _unfold(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                rejected.append(Rejected(card.line, "a card without END:VCARD"))
            card = _Card(number)
            continue
        if upper == "END:VCARD":
            if card is None:
                rejected.append(Rejected(number, "END:VCARD without BEGIN:VCARD"))
                continue
            result = (
                _person(card)
                if card.invalid is None
                else Rejected(card.line, not_utf8(card.invalid))
            )
            if isinstance(result, Rejected):
                rejected.append(result)
            else:
                people.append(result)
            card = None
            continue
        if card is None:
            rejected.append(Rejected(number, "text outside a card", printable(line[:80])))
            continue
        bad_byte = invalid_byte(line)
        if bad_byte is not None:
            card.invalid = card.invalid or bad_byte
            continue
        try:
            card.props.append(_property(line))
        except ValueError as exc:
            rejected.append(Rejected(number, f"unreadable line ({exc})", line[:80]))
    if card is not None:
        rejected.append(Rejected(card.line, "the file ends inside a card (no END:VCARD)"))
    if not people and not rejected:
        raise ImportError_(f"{name} holds no vCard.")
    return Parsed(Format.VCARD, tuple(people), tuple(rejected))


def _pref(params: dict[str, str]) -> int:
    types = params.get("TYPE", "").lower()
    if "pref" in types.split(","):
        return 0
    try:
        return int(params.get("PREF", "50"))
    except ValueError:
        return 50


def _person(card: _Card) -> Person | Rejected:
    version = card.first("VERSION").strip()
    if version and version not in ("2.1", "3.0", "4.0"):
        return Rejected(card.line, f"vCard version {version} is not supported")
    full = _unescape(card.first("FN")).strip()
    if not full:
        parts = _split_unescaped(card.first("N"), ";") + [""] * 5
        family, given, additional, prefix, suffix = parts[:5]
        full = clean(" ".join(p for p in (prefix, given, additional, family, suffix) if p))
    emails_raw = sorted(card.all("EMAIL"), key=lambda pv: _pref(pv[0]))
    emails = tuple(dict.fromkeys(v.strip().lower() for _p, v in emails_raw if v.strip()))
    wrong = [e for e in emails if not EMAIL.match(e.removeprefix("mailto:"))]
    if wrong:
        return Rejected(card.line, f"{wrong[0]!r} is not an e-mail address")
    emails = tuple(e.removeprefix("mailto:") for e in emails)
    org = _split_unescaped(card.first("ORG"), ";")[0].strip()
    if not full:
        return Rejected(card.line, "a card without a name (no FN or N)")
    phones = tuple(v.strip() for _p, v in card.all("TEL") if v.strip())
    return Person(
        card.line,
        clean(full),
        emails,
        org,
        clean(_unescape(card.first("TITLE"))),
        _unescape(card.first("URL")).strip(),
        _unescape(card.first("NOTE")).strip(),
        phones,
    )
