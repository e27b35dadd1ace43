"""Exports: contacts as CSV and vCard, everything as JSON, meetings as iCalendar. Qt-free."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from desktop.domain.model import EventKind
from desktop.storage import ContactRecord, Store
from desktop.storage.files import write_private

CSV_COLUMNS = (
    "Name",
    "Email Addresses",
    "Company",
    "Role",
    "Stage",
    "Source",
    "Referrer",
    "Objectives",
    "Notes",
)


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): = + - @ at the
#: start, and tab, carriage return or line feed before them; NUL as well (OWASP ASVS 5, 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def spreadsheet_safe(cell: str) -> str:
    """The cell as text a spreadsheet shows and never runs: a leading single quote when it
    could start a formula (imported data may hold ``=HYPERLINK(...)``)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class ExportFormat(StrEnum):
    CSV = "csv"
    VCARD = "vcard"
    JSON = "json"
    ICS = "ics"

    @property
    def suffix(self) -> str:
        return {"csv": ".csv", "vcard": ".vcf", "json": ".json", "ics": ".ics"}[self.value]


def contacts_csv(store: Store) -> str:
    records = store.contacts.all()
    names = {r.id: r.contact.name for r in records}
    sources = store.workspace.sources()
    objectives = {o.id: o.title for o in store.workspace.objectives()}
    members = store.workspace.objective_members()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        c = r.contact
        source = sources.get(r.id)
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                c.name,
                "; ".join(c.emails),
                c.company,
                c.role,
                r.state.stage.label,
                source.kind.label if source else c.source,
                names.get(c.referrer_id, "") if c.referrer_id is not None else "",
                "; ".join(objectives[o] for o, who in members.items() if r.id in who),
                c.notes,
            )
        )
    return out.getvalue()


def _vescape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 6350 folding: lines of at most 75 octets, continued with a leading space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _vcard(record: ContactRecord) -> str:
    c = record.contact
    words = c.name.split()
    family = words[-1] if len(words) > 1 else ""
    given = " ".join(words[:-1]) if len(words) > 1 else c.name
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vescape(c.name)}"]
    lines.append(f"N:{_vescape(family)};{_vescape(given)};;;")
    for i, address in enumerate(c.emails):
        lines.append(f"EMAIL;TYPE=INTERNET{',PREF' if i == 0 else ''}:{address}")
    if c.company:
        lines.append(f"ORG:{_vescape(c.company)}")
    if c.role:
        lines.append(f"TITLE:{_vescape(c.role)}")
    if c.notes:
        lines.append(f"NOTE:{_vescape(c.notes)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def contacts_vcard(store: Store) -> str:
    return "".join(_vcard(r) for r in store.contacts.all())


def everything_json(store: Store, now: datetime) -> str:
    """Every table, row by row: the whole profile in a form any tool can read."""
    db: sqlite3.Connection = store.database.connection
    tables = [
        str(r[0])
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    data: dict[str, list[dict[str, object]]] = {}
    for table in tables:
        cur = db.execute(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in cur.description]
        rows = []
        for row in cur:
            item: dict[str, object] = {}
            for k, v in zip(columns, row, strict=True):
                if k in ("state", "payload", "recipients", "titles", "companies", "industries"):
                    with contextlib.suppress(TypeError, ValueError):
                        v = json.loads(v)
                item[k] = v
            rows.append(item)
        data[table] = rows
    doc = {
        "format": "coffeechat-export",
        "schema_version": store.schema_version,
        "exported_at": now.astimezone(UTC).isoformat(),
        "tables": data,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def meetings_ics(store: Store, now: datetime) -> bytes:
    """Every meeting set with a contact (past and planned), one event each."""
    import icalendar

    names = {r.id: r for r in store.contacts.all()}
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Coffeechat//Meetings//EN")
    cal.add("version", "2.0")
    seen: set[tuple[int, str]] = set()
    for contact_id, event in store.pipeline.all_events():
        if event.kind is not EventKind.MEETING_SET and not (
            event.kind is EventKind.OVERRIDE and event.meeting_start
        ):
            continue
        if event.meeting_start is None or event.meeting_end is None:
            continue
        key = (contact_id, event.meeting_start.isoformat())
        if key in seen or contact_id not in names:
            continue
        seen.add(key)
        c = names[contact_id].contact
        ev = icalendar.Event()
        ev.add("uid", f"meeting-{contact_id}-{event.meeting_start:%Y%m%dT%H%M%SZ}@coffeechat")
        ev.add("dtstamp", now.astimezone(UTC))
        ev.add("dtstart", event.meeting_start.astimezone(UTC))
        ev.add("dtend", event.meeting_end.astimezone(UTC))
        ev.add("summary", f"Informational interview with {c.name}")
        about = ", ".join(x for x in (c.role, c.company) if x)
        if about:
            ev.add("description", about)
        for address in c.emails[:1]:
            attendee = icalendar.vCalAddress(f"mailto:{address}")
            attendee.params["cn"] = icalendar.vText(c.name)
            ev.add("attendee", attendee)
        cal.add_component(ev)
    return bytes(cal.to_ical())


def export(store: Store, fmt: ExportFormat, destination: Path, now: datetime) -> Path:
    """Write one export to ``destination`` (atomically: a failed export leaves no half file)."""
    destination = Path(destination)
    if fmt is ExportFormat.CSV:
        data = contacts_csv(store).encode("utf-8-sig")  # Excel reads UTF-8 with the BOM
    elif fmt is ExportFormat.VCARD:
        data = contacts_vcard(store).encode("utf-8")
    elif fmt is ExportFormat.JSON:
        data = everything_json(store, now).encode("utf-8")
    else:
        data = meetings_ics(store, now)
    partial = destination.with_name(destination.name + ".partial")
    try:
        write_private(partial, data)  # contacts and notes: for the user's eyes only
        partial.replace(destination)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()  # a full disk leaves no half file behind
        raise
    return destination


def formats() -> Sequence[ExportFormat]:
    return tuple(ExportFormat)
