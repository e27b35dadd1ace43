"""The database: one SQLite connection, opened, checked and upgraded; transactions over it.

A sync pass writes its messages, events, transitions and the account cursor in ONE transaction
(``with store.transaction():``), so a crash or a dropped network mid-pass loses nothing and
duplicates nothing: the next pass repeats the work from the old cursor, and event keys are unique.
The repositories all hold the same :class:`Database` and join its transactions.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.storage.files import create_private, narrow, private_dir
from desktop.storage.migrations import LATEST, MIGRATIONS

log = logging.getLogger(__name__)

DB_NAME = "coffeechat.sqlite3"
#: The files SQLite keeps beside the database in WAL mode.
SIDE_FILES = ("-wal", "-shm", "-journal")
#: How long a connection waits for another's write lock before "database is locked".
BUSY_TIMEOUT_S = 30.0


class StorageError(Exception):
    """A storage problem the user must hear about in plain words; nothing was changed."""


#: What the user can do about a damaged database, said wherever one is found.
RESTORE_HINT = (
    "restore it from a backup ('coffeechat restore FILE', or File → Restore from backup), "
    "or move it aside to start a new profile"
)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (an OSError or an SQLite error) says the disk is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.Error) and "disk is full" in str(exc)


def explain(exc: BaseException, path: Path) -> StorageError:
    """The plain words for an SQLite or file-system error met while working on ``path``."""
    if isinstance(exc, StorageError):
        return exc
    # One line whatever the error quotes (a damaged page's text may hold line breaks).
    text = " ".join(str(exc).split())
    if disk_full(exc):
        return StorageError(
            f"The disk is full: {path} could not be written. What was saved before is kept; "
            "free some disk space and try again."
        )
    if isinstance(exc, OSError):
        return StorageError(f"Cannot use {path}: {exc.strerror or exc}.")
    if "locked" in text or "busy" in text:
        return StorageError(
            f"The database {path} is in use by another program (another Coffeechat?). "
            "Close it and try again."
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(
            f"The database {path} is read-only: Coffeechat cannot save to it. Make it writable "
            "or choose another profile with --profile."
        )
    if "unable to open" in text:
        return StorageError(f"Cannot open the database {path} ({text}).")
    return StorageError(
        f"The database {path} is damaged ({text}). It was left untouched: {RESTORE_HINT}."
    )


def is_damage(exc: BaseException) -> bool:
    """An SQLite error that says the database file itself is damaged ("database disk image is
    malformed", "file is not a database"), not a lock, a full disk or a read-only file: the way
    out is a restore."""
    if not isinstance(exc, sqlite3.DatabaseError) or disk_full(exc):
        return False
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return "malformed" in text or "not a database" in text
    return not any(w in text for w in ("locked", "busy", "readonly", "read-only", "unable to"))


def rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already undone it (it does after "disk is
    full"): the error that caused the rollback is the one to report, never "cannot rollback"."""
    with contextlib.suppress(sqlite3.Error):
        if not connection.in_transaction:
            return
        connection.execute("ROLLBACK")


def header_version(path: Path) -> int:
    """The schema version written in the database file's own header (0 when there is none)."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError:
        return 0
    return int.from_bytes(header[60:64], "big") if len(header) == 100 else 0


def empty_file(path: Path) -> bool:
    """A database file of 0 bytes with no write-ahead log holding its pages: not a profile (a
    new profile's file is made empty, but SQLite writes its first page before the file is
    left)."""
    try:
        if not path.is_file() or path.stat().st_size:
            return False
        wal = path.with_name(path.name + "-wal")
        return not (wal.is_file() and wal.stat().st_size)
    except OSError:
        return False


class Database:
    """One connection and its transaction depth. Not shared between threads: open one per thread."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, *, read_only: bool = False
    ) -> None:
        self.connection = connection
        self.path = path
        #: Opened for reading only: any write through this connection raises.
        self.read_only = read_only
        self._depth = 0

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, profile_dir: Path, *, migrate: bool = True, read_only: bool = False) -> Database:
        """Open (creating if needed) the profile's database, upgrading its schema.

        ``read_only``: once opened (and upgraded), the connection refuses every write
        (``PRAGMA query_only``): a write through it raises ``sqlite3.OperationalError``. The GUI
        reads through such a connection and writes on the database worker.

        Raises StorageError with a message for the user when the folder cannot be used, the file
        is damaged or not ours, or it was written by a newer Coffeechat. The file is never touched
        in those cases.
        """
        profile_dir = Path(profile_dir)
        if profile_dir.exists() and not profile_dir.is_dir():
            raise StorageError(
                f"Cannot use the profile folder {profile_dir}: it is a file, not a folder. "
                "Choose another profile with --profile."
            )
        try:
            private_dir(profile_dir)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the profile folder {profile_dir}: {exc.strerror or exc}."
            ) from exc
        if not os.access(profile_dir, os.R_OK | os.W_OK | os.X_OK):
            raise StorageError(
                f"Cannot use the profile folder {profile_dir}: it is not readable and writable "
                "by you. Fix its permissions or choose another profile with --profile."
            )
        path = profile_dir / DB_NAME
        if empty_file(path):
            raise StorageError(
                f"The database {path} is empty (0 bytes): it is not a Coffeechat profile. It "
                f"was left untouched: {RESTORE_HINT}."
            )
        on_disk = header_version(path)
        try:
            # Created private before SQLite creates it: its -wal and -shm take its mode.
            create_private(path)
        except OSError as exc:
            raise StorageError(f"Cannot open the database {path}: {exc.strerror or exc}.") from exc
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the database {path}: {exc}.") from exc
        try:
            version = cls._check(db, path)
            if version < on_disk:  # versions only go up: its log belongs to another database
                raise StorageError(
                    f"The database {path} is damaged (its write-ahead log {path.name}-wal does "
                    f"not belong to it). It was left untouched: {RESTORE_HINT}."
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            if migrate and version < LATEST:
                cls._migrate(db, path, version)
            if read_only:
                db.execute("PRAGMA query_only=ON")
        except sqlite3.Error as exc:
            db.close()
            raise explain(exc, path) from exc
        except BaseException:
            db.close()
            raise
        for suffix in SIDE_FILES:  # left readable by a version before files were private
            narrow(path.with_name(path.name + suffix))
        return cls(db, path, read_only=read_only)

    @staticmethod
    def _check(db: sqlite3.Connection, path: Path) -> int:
        try:
            # Reading the header and the schema finds a file that is not a database, or whose
            # first pages are damaged. A full quick_check reads every page (over a second for a
            # large profile), so it runs only before an upgrade (see _migrate).
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # bytes flipped in the schema
            raise StorageError(
                f"The database {path} is damaged or is not a Coffeechat database ({exc}). "
                f"It was left untouched: {RESTORE_HINT}."
            ) from exc
        if version > LATEST:
            raise StorageError(
                f"The database {path} was written by a newer version of Coffeechat (schema "
                f"{version}; this version knows up to {LATEST}). It was left untouched: update "
                "Coffeechat to open it."
            )
        return version

    @staticmethod
    def _migrate(db: sqlite3.Connection, path: Path, version: int) -> None:
        if version > 0:
            try:
                ok = db.execute("PRAGMA quick_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                ok = str(exc)
            if ok != "ok":
                raise StorageError(
                    f"The database {path} is damaged ({ok}). It was left untouched: {RESTORE_HINT}."
                )
            backup = path.with_name(f"{path.name}.before-v{LATEST}.bak")
            try:
                create_private(backup)
                shutil.copyfile(path, backup)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    backup.unlink()
                raise StorageError(
                    f"Cannot back up {path} before upgrading it ({exc.strerror or exc}); "
                    "nothing was changed. Free some disk space and try again."
                ) from exc
        try:
            db.execute("BEGIN IMMEDIATE")
            for number in range(version + 1, LATEST + 1):
                log.info("migrating database to schema %d", number)
                MIGRATIONS[number - 1](db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            rollback(db)
            if disk_full(exc):
                raise explain(exc, path) from exc
            raise StorageError(
                f"Upgrading the database {path} failed ({exc}); it was left as it was."
            ) from exc

    def close(self) -> None:
        self.connection.close()

    def reopen(self) -> None:
        """Open the database file again in place of this connection, in the same mode: after a
        restore put a new file where a damaged one was, a connection still open would go on
        reading the damaged file, moved aside. Every repository over this database uses the new
        connection from its next call. On the thread that uses this connection; raises
        StorageError as ``open`` does (the old connection is then kept)."""
        fresh = Database.open(self.path.parent, read_only=self.read_only)
        old, self.connection, self._depth = self.connection, fresh.connection, 0
        old.close()

    @property
    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    # ----------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested uses join the outer transaction. On a read-only
        connection it is a consistent read (a deferred transaction, which takes no write lock)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.connection.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            rollback(self.connection)
            raise
        self._depth = 0
        try:
            self.connection.execute("COMMIT")
        except sqlite3.Error:
            rollback(self.connection)
            raise

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit inside a transaction: undone alone if it fails."""
        self.connection.execute("SAVEPOINT unit")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK TO unit")
            self.connection.execute("RELEASE unit")
            raise
        self.connection.execute("RELEASE unit")


class Repository:
    """A repository over a Database: it reaches the connection at each call, so a database
    reopened after a restore is the one used."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @property
    def _db(self) -> sqlite3.Connection:
        return self._database.connection
