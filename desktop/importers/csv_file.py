"""CSV files: LinkedIn's ``Connections.csv`` and any other CSV, by a column mapping."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

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
)

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
    "company": (
        "company",
        "organization",
        "organisation",
        "employer",
        "organization 1 - name",
        "organization name",
    ),
    # "Job title" before "title": Outlook's "Title" is the name's prefix (Mr., Dr.).
    "role": (
        "job title",
        "title",
        "position",
        "role",
        "organization 1 - title",
        "organization title",
    ),
    "url": ("url", "linkedin", "profile", "website", "web page"),
    "notes": ("notes", "note", "comments"),
}


def _header_index(rows: Sequence[Sequence[str]]) -> int | None:
    """The row that is LinkedIn's header, after its "Notes:" preamble (None when absent)."""
    wanted = [h.casefold() for h in LINKEDIN_HEADER]
    for i, row in enumerate(rows[:20]):
        if [c.strip().casefold() for c in row] == wanted:
            return i
    return None


#: More e-mail columns of the usual exports: Google Contacts' "E-mail 2 - Value", Outlook's
#: "E-mail 2 Address", "Email 3", "Work email" ... (compared case-folded).
_MORE_EMAILS = re.compile(
    r"^(?:(?:work|home|other|personal|business|private)\s+)?e-?mail(?:\s+address)?"
    r"(?:\s*\d+)?(?:\s+address|\s+-\s+value)?$"
)
#: A field named again for another e-mail column: "email_2", "email_3" ... ("--map email=A
#: --map email=B" names two).
_EXTRA_EMAIL = re.compile(r"^email_\d+$")
#: How exports put several values in one cell: Google Contacts writes " ::: " between them.
_SEPARATORS = re.compile(r"\s*:::\s*|[;,]")


def guess_mapping(columns: Sequence[str]) -> dict[str, str]:
    """Field -> column, from the header words (each column used once). Every e-mail column
    is taken: the first as ``email``, the others as ``email_2``, ``email_3`` ..."""
    folded = {c.strip().casefold(): c for c in columns}
    out: dict[str, str] = {}
    for fname, words in GUESSES.items():
        for w in words:
            column = folded.get(w)
            if column is not None and column not in out.values():
                out[fname] = column
                break
    for column in columns:
        if column in out.values() or not _MORE_EMAILS.match(column.strip().casefold()):
            continue
        key = "email" if "email" not in out else f"email_{_count_emails(out) + 1}"
        out[key] = column
    return out


def _count_emails(used: Mapping[str, str]) -> int:
    return sum(1 for f in used if f == "email" or _EXTRA_EMAIL.match(f))


def email_columns(used: Mapping[str, str]) -> list[str]:
    """The columns holding e-mail addresses, in the order the mapping names them."""
    return [c for f, c in used.items() if f == "email" or _EXTRA_EMAIL.match(f)]


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
    bad_byte = invalid_byte("".join(columns))
    if bad_byte is not None:
        at = numbers[header_at] if header_at < len(numbers) else header_at + 1
        raise ImportError_(f"{name}: line {at}, the header, is {not_utf8(bad_byte)}.")
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
        bad = [f for f in used if f not in FIELDS and not _EXTRA_EMAIL.match(f)]
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
        bad_byte = invalid_byte(raw)
        raw = printable(raw)
        if bad_byte is not None:
            rejected.append(Rejected(line, not_utf8(bad_byte), raw))
            continue
        if len(row) != len(columns):
            rejected.append(
                Rejected(line, f"{len(row)} columns where the header has {len(columns)}", raw)
            )
            continue

        def get(fname: str, row: Sequence[str] = row) -> str:
            column = used.get(fname)
            return clean(row[index[column]]) if column is not None else ""

        person_name = get("name") or clean(f"{get('first_name')} {get('last_name')}")
        if not person_name:
            rejected.append(Rejected(line, "no name", raw))
            continue
        cells = [clean(row[index[c]]) for c in email_columns(used)]
        found = (x.strip() for cell in cells for x in _SEPARATORS.split(cell))
        emails = tuple(dict.fromkeys(e.lower() for e in found if e))
        wrong = [e for e in emails if not EMAIL.match(e)]
        if wrong:
            rejected.append(Rejected(line, f"{wrong[0]!r} is not an e-mail address", raw))
            continue
        people.append(
            Person(
                line,
                person_name,
                emails,
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
