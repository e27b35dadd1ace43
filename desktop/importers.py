"""Importing contacts: LinkedIn's ``Connections.csv``, any CSV with a column mapping, vCard 3/4.

Three steps, all Qt-free: :func:`read_file` parses a file into people and rejected rows (with
the reason for each); :func:`plan` matches them against the contacts already stored (merging
duplicates by e-mail address, then by name); :func:`apply` writes the plan in ONE transaction,
so an import either happens whole or not at all. The window's Import dialog and
``coffeechat import`` both show the plan before anything is written.
"""

from __future__ import annotations

import csv
import io
import quopri
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from desktop.domain.model import Contact
from desktop.domain.workspace import ContactSource, SourceKind
from desktop.storage import ContactRecord, StorageError, Store

#: The header of LinkedIn's "Connections.csv" export (Settings > Data privacy > Get a copy).
LINKEDIN_HEADER = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
#: Fields a generic CSV column can be mapped to.
FIELDS = ("name", "first_name", "last_name", "email", "company", "role", "url", "notes")
#: Header words recognised for each field when no mapping is given (compared case-folded).
GUESSES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "display name", "contact"),
    "first_name": ("first name", "given name", "first", "firstname", "prénom"),
    "last_name": ("last name", "family name", "surname", "last", "lastname", "nom"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "e-mail 1 - value"),
    "company": ("company", "organization", "organisation", "employer", "organization 1 - name"),
    "role": ("title", "job title", "position", "role", "organization 1 - title"),
    "url": ("url", "linkedin", "profile", "website", "web page"),
    "notes": ("notes", "note", "comments"),
}
MAX_BYTES = 20 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


class ImportError_(Exception):
    """The file cannot be imported at all; the text says why. Nothing was written."""


class Format(StrEnum):
    LINKEDIN = "linkedin"
    CSV = "csv"
    VCARD = "vcard"


@dataclass(frozen=True, slots=True)
class Person:
    """One person read from the file (``line`` is where their row or card starts)."""

    line: int
    name: str
    emails: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    url: str = ""
    notes: str = ""
    phones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Parsed:
    format: Format
    people: tuple[Person, ...]
    rejected: tuple[Rejected, ...]
    #: The CSV header (for the dialog's column mapping); empty for vCard.
    columns: tuple[str, ...] = ()
    mapping: Mapping[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------- reading
def _text(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise ImportError_(f"{name} is not a text file (it looks like binary data).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{name} is not in a text encoding Coffeechat can read (UTF-8).")


def read_file(path: Path, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Parse ``path`` by its content (vCard, LinkedIn export or another CSV).

    Raises ImportError_ when nothing in it can be read (unreadable, binary, no header, an empty
    file); rows that are wrong on their own are returned as rejected, with the reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportError_(f"{path.name} is too large to be a contact list ({size} bytes).")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return read_text(_text(data, path.name), path.name, mapping)


def read_text(
    text: str, name: str = "the file", mapping: Mapping[str, str] | None = None
) -> Parsed:
    if not text.strip():
        raise ImportError_(f"{name} is empty.")
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return read_vcards(text, name)
    return read_csv(text, name, mapping)


# ----------------------------------------------------------------------------------- CSV
def _clean(value: str) -> str:
    return " ".join(value.split())


def _header_index(rows: Sequence[Sequence[str]]) -> int | None:
    """The row that is LinkedIn's header, after its "Notes:" preamble (None when absent)."""
    wanted = [h.casefold() for h in LINKEDIN_HEADER]
    for i, row in enumerate(rows[:20]):
        if [c.strip().casefold() for c in row] == wanted:
            return i
    return None


def guess_mapping(columns: Sequence[str]) -> dict[str, str]:
    """Field -> column, from the header words (each column used once)."""
    folded = {c.strip().casefold(): c for c in columns}
    out: dict[str, str] = {}
    for fname, words in GUESSES.items():
        for w in words:
            column = folded.get(w)
            if column is not None and column not in out.values():
                out[fname] = column
                break
    return out


def read_csv(text: str, name: str = "the file", mapping: Mapping[str, str] | None = None) -> Parsed:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportError_(f"{name} is not a readable CSV file ({exc}).") from exc
    # Line numbers in the file (a quoted field may span lines): counted from the raw text.
    numbers = _row_lines(text, dialect)
    header_at = _header_index(rows)
    fmt = Format.LINKEDIN
    if header_at is None:
        fmt = Format.CSV
        header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
        if header_at is None:
            raise ImportError_(f"{name} has no rows.")
    columns = tuple(c.strip() for c in rows[header_at])
    if fmt is Format.LINKEDIN:
        used: Mapping[str, str] = {
            "first_name": "First Name",
            "last_name": "Last Name",
            "url": "URL",
            "email": "Email Address",
            "company": "Company",
            "role": "Position",
        }
    else:
        used = dict(mapping) if mapping else guess_mapping(columns)
        unknown = [c for c in used.values() if c not in columns]
        if unknown:
            raise ImportError_(f"{name} has no column named {unknown[0]!r}.")
        bad = [f for f in used if f not in FIELDS]
        if bad:
            raise ImportError_(f"{bad[0]!r} is not a contact field ({', '.join(FIELDS)}).")
        if not ({"name", "first_name", "last_name"} & set(used)):
            raise ImportError_(
                f"{name}: no column holds the name (the header is "
                f"{', '.join(columns) or 'empty'}); map a column to the name."
            )
    index = {c: i for i, c in enumerate(columns)}
    people: list[Person] = []
    rejected: list[Rejected] = []
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        line = numbers[i] if i < len(numbers) else i + 1
        if not any(c.strip() for c in row):
            continue
        raw = dialect.delimiter.join(row) if isinstance(dialect.delimiter, str) else ""
        if len(row) != len(columns):
            rejected.append(
                Rejected(line, f"{len(row)} columns where the header has {len(columns)}", raw)
            )
            continue

        def get(fname: str, row: Sequence[str] = row) -> str:
            column = used.get(fname)
            return _clean(row[index[column]]) if column is not None else ""

        person_name = get("name") or _clean(f"{get('first_name')} {get('last_name')}")
        if not person_name:
            rejected.append(Rejected(line, "no name", raw))
            continue
        emails = tuple(e for e in (x.strip() for x in re.split(r"[;,]", get("email"))) if e)
        wrong = [e for e in emails if not _EMAIL.match(e)]
        if wrong:
            rejected.append(Rejected(line, f"{wrong[0]!r} is not an e-mail address", raw))
            continue
        people.append(
            Person(
                line,
                person_name,
                tuple(e.lower() for e in emails),
                get("company"),
                get("role"),
                get("url"),
                get("notes"),
            )
        )
    return Parsed(fmt, tuple(people), tuple(rejected), columns, dict(used))


def _row_lines(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> list[int]:
    """The 1-based line on which each CSV row starts."""
    out: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    line = 1
    while True:
        out.append(line)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            break
        line = reader.line_num + 1
    return out


# --------------------------------------------------------------------------------- vCard
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
        full = _clean(" ".join(p for p in (prefix, given, additional, family, suffix) if p))
    emails_raw = sorted(card.all("EMAIL"), key=lambda pv: _pref(pv[0]))
    emails = tuple(dict.fromkeys(v.strip().lower() for _p, v in emails_raw if v.strip()))
    wrong = [e for e in emails if not _EMAIL.match(e.removeprefix("mailto:"))]
    if wrong:
        return Rejected(card.line, f"{wrong[0]!r} is not an e-mail address")
    emails = tuple(e.removeprefix("mailto:") for e in emails)
    org = _split_unescaped(card.first("ORG"), ";")[0].strip()
    if not full:
        return Rejected(card.line, "a card without a name (no FN or N)")
    phones = tuple(v.strip() for _p, v in card.all("TEL") if v.strip())
    return Person(
        card.line,
        _clean(full),
        emails,
        org,
        _clean(_unescape(card.first("TITLE"))),
        _unescape(card.first("URL")).strip(),
        _unescape(card.first("NOTE")).strip(),
        phones,
    )


# ---------------------------------------------------------------------------------- plan
def name_key(name: str) -> str:
    """Names compared without case, accents or extra spaces ("José  Núñez" = "jose nunez")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True, slots=True)
class Merge:
    """A person who is already a contact: what the import adds to them."""

    contact_id: int
    name: str
    new_emails: tuple[str, ...]
    company: str
    role: str
    notes: str
    lines: tuple[int, ...]
    by: str  # "e-mail address" or "name"


@dataclass(frozen=True, slots=True)
class Plan:
    format: Format
    new: tuple[Person, ...]
    merges: tuple[Merge, ...]
    rejected: tuple[Rejected, ...]
    #: Rows folded into another row of the same file (same address or same name).
    duplicates_in_file: int
    source: SourceKind | None

    @property
    def unchanged(self) -> int:
        return sum(1 for m in self.merges if not (m.new_emails or m.company or m.role or m.notes))


def _combine(a: Person, b: Person) -> Person:
    return replace(
        a,
        emails=tuple(dict.fromkeys((*a.emails, *b.emails))),
        company=a.company or b.company,
        role=a.role or b.role,
        url=a.url or b.url,
        notes="\n".join(n for n in (a.notes, b.notes) if n),
        phones=tuple(dict.fromkeys((*a.phones, *b.phones))),
    )


def _same_person_by_name(emails_a: Iterable[str], emails_b: Iterable[str]) -> bool:
    """Same name merges when at most one side has addresses; two different addresses under
    one name are two people (there are many John Smiths)."""
    return not (set(emails_a) and set(emails_b))


def plan(store: Store, parsed: Parsed) -> Plan:
    """Match the file's people with each other and with the stored contacts."""
    # 1. Inside the file: fold rows that share an address, then rows that share a name.
    folded: list[Person] = []
    lines: list[list[int]] = []
    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    duplicates = 0
    for person in parsed.people:
        at = next((by_email[e] for e in person.emails if e in by_email), None)
        if at is None:
            candidate = by_name.get(name_key(person.name))
            if candidate is not None and _same_person_by_name(
                folded[candidate].emails, person.emails
            ):
                at = candidate
        if at is None:
            folded.append(person)
            lines.append([person.line])
            at = len(folded) - 1
        else:
            duplicates += 1
            folded[at] = _combine(folded[at], person)
            lines[at].append(person.line)
        for e in folded[at].emails:
            by_email[e] = at
        by_name.setdefault(name_key(person.name), at)

    # 2. Against the store: an address already known, else a unique name.
    addresses = store.contacts.address_index()
    records = store.contacts.all()
    by_id: dict[int, ContactRecord] = {r.id: r for r in records}
    names: dict[str, list[ContactRecord]] = {}
    for r in records:
        names.setdefault(name_key(r.contact.name), []).append(r)
    new: list[Person] = []
    merges: dict[int, Merge] = {}
    rejected = list(parsed.rejected)
    for person, person_lines in zip(folded, lines, strict=True):
        owners = {addresses[e] for e in person.emails if e in addresses}
        if len(owners) > 1:
            rejected.append(
                Rejected(
                    person_lines[0],
                    f"its addresses belong to {len(owners)} different contacts: "
                    + ", ".join(sorted(by_id[o].contact.name for o in owners)),
                )
            )
            continue
        match, by = (next(iter(owners)), "e-mail address") if owners else (None, "")
        if match is None:
            same = names.get(name_key(person.name), [])
            if len(same) == 1 and _same_person_by_name(same[0].contact.emails, person.emails):
                match, by = same[0].id, "name"
        if match is None:
            new.append(person)
            continue
        existing = by_id[match].contact
        previous = merges.get(match)
        known = set(existing.emails) | set(previous.new_emails if previous else ())
        add = tuple(e for e in person.emails if e not in known)
        merges[match] = Merge(
            match,
            existing.name,
            (*(previous.new_emails if previous else ()), *add),
            (previous.company if previous else "") or ("" if existing.company else person.company),
            (previous.role if previous else "") or ("" if existing.role else person.role),
            _notes_addition(existing.notes, person),
            tuple(person_lines) + (previous.lines if previous else ()),
            by,
        )
    source = SourceKind.LINKEDIN if parsed.format is Format.LINKEDIN else None
    return Plan(
        parsed.format,
        tuple(new),
        tuple(merges.values()),
        tuple(sorted(rejected, key=lambda r: r.line)),
        duplicates,
        source,
    )


def _notes_addition(existing: str, person: Person) -> str:
    extra = [x for x in (person.url, person.notes) if x and x not in existing]
    return "\n".join(extra)


def _notes(person: Person) -> str:
    parts = [person.notes]
    if person.url:
        parts.append(person.url)
    if person.phones:
        parts.append("Phone: " + ", ".join(person.phones))
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Result:
    added: tuple[int, ...]
    merged: tuple[int, ...]
    rejected: int


def apply(store: Store, the_plan: Plan) -> Result:
    """Write the plan in one transaction: on any failure nothing of it is kept."""
    added: list[int] = []
    merged: list[int] = []
    try:
        with store.transaction():
            for person in the_plan.new:
                contact = store.contacts.add(
                    Contact(
                        None,
                        person.name,
                        person.emails,
                        company=person.company,
                        role=person.role,
                        source=the_plan.source.value if the_plan.source else "",
                        notes=_notes(person),
                    )
                )
                assert contact.id is not None
                if the_plan.source is not None:
                    detail = person.url
                    store.workspace.set_source(
                        contact.id, ContactSource(the_plan.source, detail=detail)
                    )
                added.append(contact.id)
            for m in the_plan.merges:
                current = store.contacts.get(m.contact_id).contact
                if not (m.new_emails or m.company or m.role or m.notes):
                    continue
                store.contacts.update(
                    replace(
                        current,
                        emails=(*current.emails, *m.new_emails),
                        company=current.company or m.company,
                        role=current.role or m.role,
                        notes="\n".join(n for n in (current.notes, m.notes) if n),
                    )
                )
                merged.append(m.contact_id)
    except StorageError as exc:
        raise ImportError_(f"Nothing was imported: {exc}") from exc
    return Result(tuple(added), tuple(merged), len(the_plan.rejected))


def describe(the_plan: Plan) -> str:
    """The plan in a few lines, for the command line and the dialog's summary."""
    lines = [
        f"{len(the_plan.new)} new contact{'s' if len(the_plan.new) != 1 else ''}, "
        f"{len(the_plan.merges)} already known (merged), {len(the_plan.rejected)} rejected"
        + (
            f", {the_plan.duplicates_in_file} duplicate row(s) folded"
            if the_plan.duplicates_in_file
            else ""
        )
    ]
    for r in the_plan.rejected:
        lines.append(f"  line {r.line}: {r.reason}")
    return "\n".join(lines)
