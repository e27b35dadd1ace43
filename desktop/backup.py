"""One-click backup and a restore that checks the file before replacing anything. Qt-free.

Both go through SQLite's online backup API, so they are consistent while the app is running
(the write-ahead log included) and a restore lands inside SQLite's own locking: other open
connections simply see the restored data. Before a restore replaces the database, the current
one is itself backed up next to it, under a dated name that is never reused. A current database
SQLite cannot read is moved aside whole and the backup takes its place as a new file: restoring
is the way out of every kind of damage.

A backup checks its source first (a damaged database is refused, not copied) and is written in
rollback-journal mode, so it opens read-only from read-only media.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from desktop.storage.database import (
    BUSY_TIMEOUT_S,
    SIDE_FILES,
    disk_full,
    empty_file,
    header_version,
)
from desktop.storage.files import create_private, narrow, private_dir
from desktop.storage.migrations import LATEST
from desktop.storage.store import DB_NAME

#: Tables every Coffeechat database has had since the first schema.
CORE_TABLES = frozenset({"accounts", "contacts", "contact_emails", "events", "transitions"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the text says why. Nothing was replaced."""


def default_name(now: datetime) -> str:
    return f"coffeechat-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3"


def safety_name(profile: Path, now: datetime) -> Path:
    """A new file in ``profile`` for the copy kept before a restore: dated, never an existing
    one (two restores in one second get two names)."""
    stem = f"before-restore-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    candidate = Path(profile) / f"{stem}.db"
    number = 1
    while candidate.exists() or candidate.with_name(candidate.name + "-wal").exists():
        number += 1
        candidate = Path(profile) / f"{stem}-{number}.db"
    return candidate


def _check_source(database: Path) -> None:
    """Refuse to back up a damaged database: a copy of it would be no way back."""
    on_disk = header_version(database)
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            ok = str(db.execute("PRAGMA quick_check").fetchone()[0])
            if ok == "ok" and int(db.execute("PRAGMA user_version").fetchone()[0]) < on_disk:
                ok = "its write-ahead log belongs to another database"
        finally:
            db.close()
    except sqlite3.Error as exc:
        ok = str(exc)
    if empty_file(database):
        ok = "it is empty, 0 bytes"
    if "locked" in ok or "busy" in ok:
        raise BackupError(
            f"The database {database} is in use by another program; it was not backed up. "
            "Close it and try again."
        )
    if ok != "ok":
        raise BackupError(
            f"The database {database} is damaged ({ok}); it was not backed up (a copy of it "
            "would not get your data back). Restore it from an earlier backup."
        )


def backup(database: Path, destination: Path) -> Path:
    """Copy the live database into ``destination`` (a file, or a folder for a dated name)."""
    database = Path(database)
    if not database.exists():
        raise BackupError(f"There is no database to back up at {database}.")
    _check_source(database)
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
                # A backup in WAL mode cannot be opened from read-only media.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        if disk_full(exc):
            reason = "the disk is full; free some space and try again"
        raise BackupError(f"The backup to {destination} failed ({reason}).") from exc
    return destination


def validate(path: Path) -> int:
    """The schema version of a Coffeechat database file; BackupError when it is not one we can
    restore (not SQLite, not Coffeechat's, damaged, or from a newer version)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        with path.open("rb") as f:
            header = f.read(16)
    except OSError as exc:
        raise BackupError(
            f"{path.name} cannot be read ({exc.strerror or exc}). Nothing was changed."
        ) from exc
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


def restore(profile: Path, source: Path, now: datetime | None = None) -> Path | None:
    """Replace the profile's database with the backup ``source``, after checking it.

    Returns the copy kept of the database it replaced (None when there was none): a backup of
    it, or the file itself, moved aside, when SQLite cannot read it. An older schema is upgraded
    the next time the profile is opened. Connections open on a damaged database must be closed
    before (they would go on reading the file moved aside)."""
    validate(source)
    profile = Path(profile)
    database = profile / DB_NAME
    if database.is_dir():
        raise BackupError(
            f"{database} is a folder, not a database; move it aside, then restore. "
            "Nothing was changed."
        )
    stamp = now or datetime.now(UTC)
    safety: Path | None = None
    damaged = False
    if database.exists():
        try:
            validate(database)
        except BackupError:
            damaged = True
        else:
            safety = backup(database, safety_name(profile, stamp))
    try:
        private_dir(profile)
        if damaged:
            safety = _move_aside(database, safety_name(profile, stamp))
            _copy_into_new(source, database)
        else:
            _copy_into(source, database)
    except (OSError, sqlite3.Error) as exc:
        reason = "the disk is full" if disk_full(exc) else exc
        raise BackupError(
            f"Restoring {source.name} failed ({reason}); "
            + (f"your previous data is in {safety.name}." if safety else "nothing was replaced.")
        ) from exc
    return safety


def _copy_into(source: Path, database: Path) -> None:
    """The backup written into the live database, under SQLite's locking: open connections see
    the restored data from their next read."""
    create_private(database)  # new files SQLite makes beside it (-wal, -shm) take its mode
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S)
        try:
            # The backup API waits for ever on a lock; taking the write lock first waits only
            # as long as a command does, then says "database is locked".
            dst.execute("BEGIN IMMEDIATE")
            dst.execute("ROLLBACK")
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    for suffix in SIDE_FILES:
        narrow(database.with_name(database.name + suffix))


def _move_aside(database: Path, aside: Path) -> Path:
    """Move a database SQLite cannot read (and its log) to ``aside``, whole: whatever can still
    be saved from it is kept."""
    os.replace(database, aside)
    for suffix in SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if suffix == "-wal" and side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
        else:
            side.unlink(missing_ok=True)
    return aside


def _copy_into_new(source: Path, database: Path) -> None:
    """The backup written as a new file that then takes the database's place."""
    partial = database.with_name(database.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)
    try:
        _copy_into(source, partial)
        os.replace(partial, database)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
