"""A store reopened in place after a restore replaced a damaged database file: the same
repositories read the restored data, in the same mode."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.backup import backup, restore
from desktop.domain.model import Contact
from desktop.storage import Store
from desktop.storage.database import is_damage
from desktop.storage.store import DB_NAME
from tests.helpers.damage import damage_table


def _profile(tmp_path: Path) -> tuple[Path, Path]:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    store.contacts.add(Contact(None, "Ana Silva"))
    store.close()
    copy = backup(profile / DB_NAME, tmp_path / "good.sqlite3")
    return profile, copy


@pytest.mark.parametrize("read_only", [False, True])
def test_a_store_open_on_a_damaged_file_reads_the_restored_one_after_reopen(
    tmp_path: Path, read_only: bool
) -> None:
    profile, copy = _profile(tmp_path)
    damage_table(profile / DB_NAME)
    store = Store.open(profile, read_only=read_only)
    contacts = store.contacts
    with pytest.raises(sqlite3.DatabaseError) as raised:
        contacts.all()
    assert is_damage(raised.value)
    safety = restore(profile, copy)
    assert safety is not None and safety.exists()  # the damaged file, moved aside whole
    with pytest.raises(sqlite3.DatabaseError):  # still open on the file moved aside
        contacts.all()
    store.reopen()
    try:
        assert store.contacts is contacts
        assert [r.contact.name for r in contacts.all()] == ["Ana Silva"]
        assert store.read_only is read_only
        if read_only:
            with pytest.raises(sqlite3.OperationalError):
                store.contacts.add(Contact(None, "Bo"))
        else:
            store.contacts.add(Contact(None, "Bo"))
            assert store.contacts.count() == 2
    finally:
        store.close()


def test_damage_is_told_from_a_lock_a_full_disk_and_a_read_only_file() -> None:
    assert is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert is_damage(sqlite3.DatabaseError("file is not a database"))
    assert is_damage(sqlite3.OperationalError("database disk image is malformed"))
    for text in (
        "database is locked",
        "database or disk is full",
        "attempt to write a readonly database",
    ):
        assert not is_damage(sqlite3.OperationalError(text)), text
    assert not is_damage(ValueError("malformed"))
