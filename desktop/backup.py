"""One-click backup and a restore that checks the file before replacing anything. Qt-free.

Both go through SQLite's online backup API, so they are consistent while the app is running
(the write-ahead log included) and a restore lands inside SQLite's own locking: other open
connections simply see the restored data. Before a restore replaces the database, the current
one is itself backed up next to it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from desktop.storage.files import create_private, narrow, private_dir
from desktop.storage.migrations import LATEST
from desktop.storage.store import DB_NAME

#: Tables every Coffeechat database has had since the first schema.
CORE_TABLES = frozenset({"accounts", "contacts", "contact_emails", "events", "transitions"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the text says why. Nothing was replaced."""


def default_name(now: datetime) -> str:
    return f"coffeechat-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3"


def backup(database: Path, destination: Path) -> Path:
    """Copy the live database into ``destination`` (a file, or a folder for a dated name)."""
    database = Path(database)
    if not database.exists():
        raise BackupError(f"There is no database to back up at {database}.")
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / default_name(datetime.now(UTC))
    partial = destination.with_name(destination.name + ".partial")
    try:
        if not destination.parent.is_dir():
            private_dir(destination.parent)
        partial.unlink(missing_ok=True)  # a stale one may be shared, and SQLite keeps its mode
        create_private(partial)
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise BackupError(f"The backup to {destination} failed ({reason}).") from exc
    return destination


def validate(path: Path) -> int:
    """The schema version of a Coffeechat database file; BackupError when it is not one we can
    restore (not SQLite, not Coffeechat's, damaged, or from a newer version)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as f:
        header = f.read(16)
    if header != b"SQLite format 3\x00":
        raise BackupError(
            f"{path.name} is not a Coffeechat backup (it is not an SQLite database). "
            "Nothing was changed."
        )
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name} cannot be opened ({exc}). Nothing was changed.") from exc
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {
            str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        ok = str(db.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is damaged ({exc}). Nothing was changed.") from exc
    finally:
        db.close()
    if version < 1 or not tables >= CORE_TABLES:
        raise BackupError(
            f"{path.name} is an SQLite database, but not a Coffeechat one (it lacks "
            f"{', '.join(sorted(CORE_TABLES - tables)) or 'a schema version'}). "
            "Nothing was changed."
        )
    if version > LATEST:
        raise BackupError(
            f"{path.name} was made by a newer Coffeechat (schema {version}; this version knows "
            f"up to {LATEST}). Update Coffeechat to restore it. Nothing was changed."
        )
    if ok != "ok":
        raise BackupError(f"{path.name} is damaged ({ok}). Nothing was changed.")
    return version


def restore(profile: Path, source: Path) -> Path | None:
    """Replace the profile's database with the backup ``source``, after checking it.

    Returns the safety copy made of the database it replaced (None when there was none). An
    older schema is upgraded the next time the profile is opened."""
    validate(source)
    database = Path(profile) / DB_NAME
    safety: Path | None = None
    if database.exists():
        try:
            validate(database)
        except BackupError:
            safety = None  # a damaged current database: nothing worth a safety copy
        else:
            safety = backup(database, database.with_name(f"{DB_NAME}.before-restore.bak"))
    try:
        private_dir(Path(profile))
        create_private(database)  # new files SQLite makes beside it (-wal, -shm) take its mode
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(database, timeout=30.0)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        for suffix in ("-wal", "-shm", "-journal"):
            narrow(database.with_name(database.name + suffix))
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(
            f"Restoring {source.name} failed ({exc}); "
            + (f"your previous data is in {safety.name}." if safety else "nothing was replaced.")
        ) from exc
    return safety
