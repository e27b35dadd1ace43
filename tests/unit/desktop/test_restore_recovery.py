"""Restore always gets the user back; backup refuses what it cannot copy faithfully."""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest

from desktop.backup import BackupError, backup, restore
from desktop.domain.model import Contact
from desktop.export import ExportFormat, export
from desktop.storage import StorageError, Store
from desktop.storage.store import DB_NAME

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def _profile(tmp_path: Path, *names: str) -> Path:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    for name in names:
        store.contacts.add(Contact(None, name))
    store.close()
    return profile


def _names(profile: Path) -> list[str]:
    store = Store.open(profile)
    try:
        return [r.contact.name for r in store.contacts.all()]
    finally:
        store.close()


def test_two_restores_in_one_second_keep_two_dated_safety_copies(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    copy = backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    Store.open(profile).contacts.add(Contact(None, "Latest"))
    first = restore(profile, copy, NOW)
    second = restore(profile, copy, NOW)
    assert first is not None and second is not None and first != second
    assert first.name == "before-restore-20250303-100000.db"
    assert second.name.startswith("before-restore-20250303-100000")
    store = sqlite3.connect(first)
    assert ("Latest",) in store.execute("SELECT name FROM contacts").fetchall()


def test_restore_replaces_a_database_sqlite_cannot_read(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    copy = backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    (profile / DB_NAME).write_bytes(b"\0" * 4096)
    aside = restore(profile, copy, NOW)
    assert aside is not None and aside.read_bytes() == b"\0" * 4096  # kept, whole
    assert _names(profile) == ["Ana"]


def test_restore_onto_a_missing_database(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    copy = backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    (profile / DB_NAME).unlink()
    assert restore(profile, copy) is None
    assert _names(profile) == ["Ana"]


def test_invalid_utf8_in_a_row_does_not_stop_a_restore(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    con = sqlite3.connect(profile / DB_NAME)
    con.execute("UPDATE contacts SET name = CAST(x'41ff6e61' AS TEXT)")
    con.commit()
    con.close()
    copy = backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    assert restore(profile, copy, NOW) is not None


def test_a_backup_is_in_rollback_journal_mode_and_opens_read_only(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    copy = backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    assert copy.read_bytes()[18:20] == b"\x01\x01"  # not WAL (2, 2)
    con = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
    assert con.execute("SELECT name FROM contacts").fetchall() == [("Ana",)]
    con.close()


def test_a_damaged_database_is_not_backed_up(tmp_path: Path) -> None:
    profile = _profile(tmp_path, *[f"Person {i}" for i in range(300)])
    data = bytearray((profile / DB_NAME).read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2 : page * 4] = b"\xa5" * (page * 2)
    (profile / DB_NAME).write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged"):
        backup(profile / DB_NAME, tmp_path / "b.sqlite3")
    assert not (tmp_path / "b.sqlite3").exists()


def test_an_empty_file_is_not_a_profile(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / DB_NAME).write_bytes(b"")
    with pytest.raises(StorageError, match=r"empty.*restore"):
        Store.open(profile)
    assert (profile / DB_NAME).stat().st_size == 0


def test_disk_full_on_commit_is_said_not_hidden_by_cannot_rollback(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    store = Store.open(profile)
    store.database.connection.execute("PRAGMA max_page_count = 1")  # below its size: full
    with pytest.raises(sqlite3.Error, match="full"), store.transaction():
        for i in range(50):
            store.contacts.add(Contact(None, f"Someone {i}" * 200))
    store.close()
    assert _names(profile) == ["Ana"]  # what was saved before is kept


def test_export_on_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "Ana")
    store = Store.open(profile)

    def half_written(path: Path, data: bytes) -> None:
        path.write_bytes(data[:3])
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        mock.patch("desktop.export.write_private", autospec=True, side_effect=half_written),
        pytest.raises(OSError),
    ):
        export(store, ExportFormat.CSV, tmp_path / "out.csv", NOW)
    store.close()
    assert list(tmp_path.glob("out.csv*")) == []
