"""Each migration has a test: the schema it creates, and that data from before it survives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.storage import Store
from desktop.storage.migrations import (
    LATEST,
    MIGRATIONS,
    _import_batches,
    _one_source_field,
    _people_list,
    _reply_intent_corrections,
    _verdict_corrections,
    history_pass,
)
from desktop.storage.store import DB_NAME


def _upgrade_to(path: Path, version: int) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for number in range(1, version + 1):
        MIGRATIONS[number - 1](db)
        db.execute(f"PRAGMA user_version = {number}")
    return db


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_v1_creates_the_core_tables(tmp_path: Path) -> None:
    db = _upgrade_to(tmp_path / "x.db", 1)
    assert {
        "accounts",
        "contacts",
        "contact_emails",
        "messages",
        "events",
        "transitions",
        "outbox",
    } <= _tables(db)


def test_fresh_database_is_at_latest(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    assert store.schema_version == LATEST
    mode = store.database.connection.execute("PRAGMA journal_mode").fetchone()[0]
    fks = store.database.connection.execute("PRAGMA foreign_keys").fetchone()[0]
    assert (mode, fks) == ("wal", 1)


#: The table each migration adds, by the schema version it brings.
ADDED = {
    2: "action_marks",
    3: "offers",
    4: "notified",
    5: "sender_kinds",
    6: "account_settings",
    7: "mailbox_flags",
    8: "interviews",
    9: "message_failures",
    MIGRATIONS.index(_verdict_corrections) + 1: "verdict_corrections",
    MIGRATIONS.index(_reply_intent_corrections) + 1: "intent_corrections",
    MIGRATIONS.index(history_pass) + 1: "history_runs",
    MIGRATIONS.index(_import_batches) + 1: "import_batches",
}


@pytest.mark.parametrize("version", sorted(ADDED))
def test_each_migration_adds_its_table_and_keeps_older_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, version - 1)
    db.execute(
        "INSERT INTO contacts (name, state, created_at, updated_at) VALUES "
        "('Ada', '{\"stage\": \"requested\"}', '2026-01-01T00:00:00+00:00', "
        "'2026-01-01T00:00:00+00:00')"
    )
    db.close()
    store = Store.open(tmp_path)
    assert store.schema_version == LATEST
    assert ADDED[version] in _tables(store.database.connection)
    assert [(r.contact.name, r.state.stage.value) for r in store.contacts.all()] == [
        ("Ada", "requested")
    ]
    assert (tmp_path / f"{DB_NAME}.before-v{LATEST}.bak").exists()  # a backup before upgrading


#: Migrations that change data, not tables, each with its own test below.
REWRITES = {"_one_source_field", "_people_list"}


def test_every_migration_is_covered() -> None:
    rewrites = {i + 1 for i, m in enumerate(MIGRATIONS) if m.__name__ in REWRITES}
    assert set(ADDED) | {1} | rewrites == set(range(1, len(MIGRATIONS) + 1))


def test_verdict_corrections_keep_each_correction_and_the_latest_per_sender(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    store = Store.open(tmp_path)
    first = datetime(2026, 3, 10, 9, tzinfo=UTC)
    store.corrections.record("1:a", "Ada@Example.org", "auto_reply", "human", first)
    store.corrections.record("1:b", "ada@example.org", "human", "bulk", first.replace(hour=10))
    assert store.corrections.for_sender("ADA@example.org ") == "human"  # bulk: this one only
    store.corrections.record(
        "1:c", "ada@example.org", "human", "auto_reply", first.replace(hour=11)
    )
    assert store.corrections.for_sender("ada@example.org") == "auto_reply"
    assert store.corrections.for_sender("bob@example.org") is None
    assert [(c.message_key, c.was, c.kind) for c in store.corrections.all()] == [
        ("1:a", "auto_reply", "human"),
        ("1:b", "human", "bulk"),
        ("1:c", "human", "auto_reply"),
    ]
    with pytest.raises(ValueError, match="cannot correct"):
        store.corrections.record("1:d", "ada@example.org", "human", "bounce", first)


def test_history_pass_migration_adds_progress_per_account_and_contact(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, MIGRATIONS.index(history_pass))
    assert "history_contacts" not in _tables(db)
    db.close()
    store = Store.open(tmp_path)
    assert {"history_runs", "history_contacts"} <= _tables(store.database.connection)
    assert store.schema_version == len(MIGRATIONS)


def test_one_source_field_moves_the_words_into_the_recorded_source(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, MIGRATIONS.index(_one_source_field))
    stamp = "'2026-01-01T00:00:00+00:00'"
    for name, source in (("Ada", "LinkedIn"), ("Alan", "Article in IEEE Spectrum"), ("Bo", "")):
        db.execute(
            "INSERT INTO contacts (name, source, state, created_at, updated_at) VALUES "
            f"(?, ?, '{{}}', {stamp}, {stamp})",
            (name, source),
        )
    db.execute("INSERT INTO contacts (name, source, state, created_at, updated_at) VALUES "
               f"('Cy', 'a friend', '{{}}', {stamp}, {stamp})")  # fmt: skip
    cy = db.execute("SELECT id FROM contacts WHERE name = 'Cy'").fetchone()[0]
    db.execute(
        "INSERT INTO contact_sources (contact_id, kind, detail) VALUES (?, 'alumni', 'MIT')", (cy,)
    )
    db.close()
    store = Store.open(tmp_path)
    ids = {r.contact.name: r.id for r in store.contacts.all()}
    sources = store.workspace.sources()
    assert (sources[ids["Ada"]].kind.value, sources[ids["Ada"]].detail) == ("linkedin", "")
    assert sources[ids["Alan"]].kind.value == "article"
    assert sources[ids["Alan"]].detail == "Article in IEEE Spectrum"
    assert ids["Bo"] not in sources
    assert (sources[cy].kind.value, sources[cy].detail) == ("alumni", "MIT")  # kept as recorded
    said = {r.contact.name: r.contact.source for r in store.contacts.all()}
    assert said == {"Ada": "LinkedIn", "Alan": "Article in IEEE Spectrum", "Bo": "", "Cy": "MIT"}
    column = store.database.connection.execute("SELECT DISTINCT source FROM contacts").fetchall()
    assert column == [("",)]


def test_people_list_moves_untouched_linkedin_targets_to_people(tmp_path: Path) -> None:
    db = _upgrade_to(tmp_path / DB_NAME, MIGRATIONS.index(_people_list))
    stamp = "'2026-01-01T00:00:00+00:00'"
    ids = {}
    for name, stage in (("Link", "target"), ("Asked", "requested"), ("Own", "target"),
                        ("Link2", "target")):  # fmt: skip
        cur = db.execute(
            "INSERT INTO contacts (name, stage, state, created_at, updated_at) VALUES "
            f"(?, ?, '{{}}', {stamp}, {stamp})",
            (name, stage),
        )
        ids[name] = cur.lastrowid
    for name in ("Link", "Asked", "Link2"):
        db.execute(
            "INSERT INTO contact_sources (contact_id, kind) VALUES (?, 'linkedin')", (ids[name],)
        )
    db.execute(
        "INSERT INTO events (contact_id, key, kind, at, summary, recorded_at) VALUES "
        f"(?, 'k', 'override', {stamp}, 'moved', {stamp})",
        (ids["Link2"],),
    )
    db.close()
    store = Store.open(tmp_path)
    people = {r.contact.name: r.contact.in_pipeline for r in store.contacts.all()}
    assert people == {"Link": False, "Asked": True, "Own": True, "Link2": True}
