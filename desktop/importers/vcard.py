"""vCard 3 and 4 files (RFC 6350): folded lines, escapes, preferred addresses."""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

from desktop.importers.people import EMAIL, Format, ImportError_, Parsed, Person, Rejected, clean


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with their first physical line number: RFC 6350 folding (a line starting
    with a space or tab continues the previous one) and vCard 2.1 quoted-printable soft breaks."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if raw[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif out and out[-1][1].endswith("=") and "QUOTED-PRINTABLE" in out[-1][1].upper():
            out[-1] = (out[-1][0], out[-1][1] + "\n" + raw)  # "=" + newline: a soft break
        elif raw.strip():
            out.append((number, raw))
    return out


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
            result = _person(card)
            if isinstance(result, Rejected):
                rejected.append(result)
            else:
                people.append(result)
            card = None
            continue
        if card is None:
            rejected.append(Rejected(number, "text outside a card", line[:80]))
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
