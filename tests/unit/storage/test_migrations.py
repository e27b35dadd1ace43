"""Each migration has a test: the schema it creates, and that data from before it survives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.storage import Store
from desktop.storage.migrations import LATEST, MIGRATIONS
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


def test_v2_adds_action_marks_and_keeps_v1_data(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, 1)
    db.execute(
        "INSERT INTO contacts (name, state, created_at, updated_at) VALUES "
        "('Ada', '{\"stage\": \"target\"}', '2026-01-01T00:00:00+00:00', "
        "'2026-01-01T00:00:00+00:00')"
    )
    db.close()
    store = Store.open(tmp_path)
    assert store.schema_version == LATEST
    assert "action_marks" in _tables(store._db)
    assert [r.contact.name for r in store.contacts()] == ["Ada"]
    assert (tmp_path / f"{DB_NAME}.before-v{LATEST}.bak").exists()  # a backup before upgrading


def test_v3_adds_offers_and_keeps_v2_data(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, 2)
    db.execute(
        "INSERT INTO contacts (name, state, created_at, updated_at) VALUES "
        "('Ada', '{\"stage\": \"requested\"}', '2026-01-01T00:00:00+00:00', "
        "'2026-01-01T00:00:00+00:00')"
    )
    db.close()
    store = Store.open(tmp_path)
    assert store.schema_version >= 3
    assert "offers" in _tables(store._db)
    assert [r.contact.name for r in store.contacts()] == ["Ada"]


def test_fresh_database_is_at_latest(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    assert store.schema_version == LATEST
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    fks = store._db.execute("PRAGMA foreign_keys").fetchone()[0]
    assert (mode, fks) == ("wal", 1)


def test_v4_adds_notified_and_reminder_state_and_keeps_v3_data(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, 3)
    db.execute(
        "INSERT INTO contacts (id, name, state, created_at, updated_at) VALUES "
        "(1, 'Ada', '{\"stage\": \"replied\"}', '2026-01-01T00:00:00+00:00', "
        "'2026-01-01T00:00:00+00:00')"
    )
    db.execute(
        "INSERT INTO action_marks (contact_id, kind, due_at, dismissed) VALUES "
        "(1, 'reply_received', '2026-01-02T00:00:00+00:00', 1)"
    )
    db.close()
    store = Store.open(tmp_path)
    assert store.schema_version >= 4
    assert {"notified", "reminder_state"} <= _tables(store._db)
    assert [m.dismissed for m in store.action_marks().values()] == [True]
    assert store.notified_actions() == {}


def test_v5_adds_sender_kinds_and_keeps_v4_data(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = _upgrade_to(path, 4)
    db.execute(
        "INSERT INTO contacts (name, state, created_at, updated_at) VALUES "
        "('Ada', '{\"stage\": \"requested\"}', '2026-01-01T00:00:00+00:00', "
        "'2026-01-01T00:00:00+00:00')"
    )
    db.close()
    store = Store.open(tmp_path)
    assert store.schema_version >= 5
    assert "sender_kinds" in _tables(store._db)
    assert [r.contact.name for r in store.contacts()] == ["Ada"]
