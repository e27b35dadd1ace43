"""Every file the app writes is private to the user (0600 files, 0700 folders), even under the
usual permissive umask, and a profile written before that is made private when it is opened."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop import logs, paths, settings
from desktop.backup import backup, restore
from desktop.domain.model import Contact
from desktop.export import ExportFormat, export
from desktop.storage import Store
from desktop.storage.store import DB_NAME
from tests.helpers.demo_profile import open_demo

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """The usual umask: without care, new files are 0644 and new folders 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
        logs.shutdown()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _shared(root: Path) -> list[str]:
    """Everything under ``root`` (itself included) that someone else could read or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink() and _mode(path) & 0o077:
            found.append(f"{path.relative_to(root.parent)} {_mode(path):o}")
    return found


def _store_with_a_contact(profile: Path) -> Store:
    store = Store.open(profile)
    store.contacts.add(Contact(None, "Ana Silva", ("ana@x.example",)))
    return store


def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    store = _store_with_a_contact(profile)
    try:
        assert (profile / f"{DB_NAME}-wal").exists() and (profile / f"{DB_NAME}-shm").exists()
        assert _shared(profile) == []
    finally:
        store.close()


def test_an_existing_shared_profile_is_made_private_on_open(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    _store_with_a_contact(profile).close()
    db = sqlite3.connect(profile / DB_NAME)  # an older Coffeechat left the WAL behind, 0644
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE scratch (x)")
    for path in [profile, *profile.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    store = Store.open(profile)
    try:
        assert _shared(profile) == []
    finally:
        db.close()
        store.close()


def test_the_whole_profile_is_made_private_when_the_app_opens_it(tmp_path: Path) -> None:
    _demo, _clock, where = open_demo(tmp_path / "p")
    (where.profile / "backups").mkdir(mode=0o755)
    (where.profile / "backups" / "old.sqlite3").write_bytes(b"x")
    for path in [where.profile, *where.profile.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    paths.make_private(where)
    assert _shared(where.profile) == []


def test_the_demo_mailbox_and_settings_are_private(tmp_path: Path) -> None:
    _demo, _clock, where = open_demo(tmp_path / "p")
    settings.save(where.settings, settings.Settings())
    assert where.demo_mailbox.is_dir()
    assert _shared(where.profile) == []


def test_logs_and_their_rotations_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    (folder / "coffeechat.log.1").write_text("old\n")  # written by an older version, 0644
    log_file = logs.setup(folder)
    assert log_file is not None
    logging.getLogger("test").warning("hello")
    assert _shared(folder) == []
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_coffeechat", False))
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    handler.doRollover()
    logging.getLogger("test").warning("after the rollover")
    assert _shared(folder) == []


def test_backups_the_before_restore_copy_and_the_restored_database_are_private(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "p"
    _store_with_a_contact(profile).close()
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    made = backup(profile / DB_NAME, folder)
    named = backup(profile / DB_NAME, tmp_path / "named.sqlite3")
    assert (_mode(made), _mode(named)) == (0o600, 0o600)
    safety = restore(profile, made)
    assert safety is not None and _mode(safety) == 0o600
    fresh = tmp_path / "fresh"
    restore(fresh, named)
    assert _shared(fresh) == []
    assert _shared(profile) == []


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_exports_are_private(tmp_path: Path, fmt: ExportFormat) -> None:
    store = _store_with_a_contact(tmp_path / "p")
    try:
        written = export(store, fmt, tmp_path / f"out{fmt.suffix}", NOW)
    finally:
        store.close()
    assert _mode(written) == 0o600
