"""Damaged copies of a real profile's database, opened as the app and the command line open
them: the only failure allowed is a ``StorageError`` (exit status 1 and one line from the
command line), never another exception."""

from __future__ import annotations

import itertools
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from desktop.storage import Store
from desktop.storage.database import DB_NAME
from desktop.sync import run_once
from tests.helpers.demo_profile import open_demo

PAGE = 4096
#: Beside the real profile's database: the WAL of another database (kept for ``foreign_wal``).
FOREIGN_WAL = "fuzz-foreign-wal"


def real_profile(root: Path) -> Path:
    """A demo profile after a sync pass (contacts, messages, events), closed, in ``root``;
    the WAL of another database in it, as FOREIGN_WAL."""
    ids = itertools.count()

    def msgid(idstring: str | None = None, domain: str | None = None) -> str:
        return f"<fuzz-{next(ids)}@{domain or 'fuzz.example'}>"

    # The same bytes on every machine, so a damaged page is the same page: the demo's
    # Message-IDs are otherwise made of the time, the process id and a random number.
    with (
        mock.patch("mail.demo.mailbox.make_msgid", msgid),
        mock.patch("mail.demo.messages.make_msgid", msgid),
    ):
        demo, clock, paths = open_demo(root / "real")
        run_once(demo.store, demo.mailbox, clock)
        demo.store.close()
    other = Store.open(root / "other")
    other.database.connection.execute("PRAGMA wal_autocheckpoint=0")
    with other.transaction():
        other.database.connection.execute("CREATE TABLE fuzz_other (x)")
        other.database.connection.executemany(
            "INSERT INTO fuzz_other VALUES (?)", [(b"x" * 500,) for _ in range(50)]
        )
    shutil.copyfile(root / "other" / f"{DB_NAME}-wal", paths.profile / FOREIGN_WAL)
    other.close()
    return paths.profile


def _pages(db: Path) -> int:
    return max(db.stat().st_size // PAGE, 1)


def truncate(db: Path, rng: random.Random) -> None:
    data = db.read_bytes()
    cut = rng.choice((rng.randint(1, 100), rng.randint(100, PAGE), rng.randint(PAGE, len(data))))
    db.write_bytes(data[:cut])


def zero_header(db: Path, rng: random.Random) -> None:
    data = bytearray(db.read_bytes())
    data[: rng.choice((16, 100, PAGE))] = bytes(rng.choice((16, 100, PAGE)))
    db.write_bytes(bytes(data[: len(data)]))


def flip_page_bytes(db: Path, rng: random.Random) -> None:
    data = bytearray(db.read_bytes())
    page = rng.randrange(_pages(db))
    for _ in range(rng.randint(1, 64)):
        data[page * PAGE + rng.randrange(PAGE)] = rng.randrange(256)
    db.write_bytes(bytes(data))


def flip_header_bytes(db: Path, rng: random.Random) -> None:
    data = bytearray(db.read_bytes())
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(16, 100)] = rng.randrange(256)
    db.write_bytes(bytes(data))


def garbage(db: Path, rng: random.Random) -> None:
    db.write_bytes(rng.randbytes(rng.choice((1, 99, PAGE, 10 * PAGE))))


def empty_file(db: Path, rng: random.Random) -> None:
    db.write_bytes(b"")


def directory(db: Path, rng: random.Random) -> None:
    db.unlink()
    db.mkdir()


def foreign_wal(db: Path, rng: random.Random) -> None:
    shutil.copyfile(db.parent / FOREIGN_WAL, db.with_name(f"{DB_NAME}-wal"))


def garbage_wal(db: Path, rng: random.Random) -> None:
    db.with_name(f"{DB_NAME}-wal").write_bytes(rng.randbytes(rng.choice((32, PAGE * 3))))


def garbage_shm(db: Path, rng: random.Random) -> None:
    db.with_name(f"{DB_NAME}-shm").write_bytes(rng.randbytes(rng.choice((8, 32768))))


Corruption = Callable[[Path, random.Random], None]

KINDS: dict[str, Corruption] = {
    f.__name__: f
    for f in (
        truncate, zero_header, flip_page_bytes, flip_header_bytes, garbage, empty_file,
        directory, foreign_wal, garbage_wal, garbage_shm,
    )
}  # fmt: skip


def damaged_copy(real: Path, into: Path, kind: str, seed: int) -> Path:
    """A copy of the profile ``real`` in ``into``, its database damaged by ``kind``."""
    shutil.copytree(real, into, ignore=shutil.ignore_patterns("*.lock"))
    KINDS[kind](into / DB_NAME, random.Random(seed))
    return into


def open_and_read(profile: Path) -> str:
    """Open the profile as the app does and read what the window first shows; "opened",
    "refused" (a StorageError) or "damaged on read" (an sqlite3 DatabaseError on the first read
    of a damaged page); any other exception propagates (a crash)."""
    from desktop.storage import StorageError

    try:
        store = Store.open(profile, read_only=True)
    except StorageError as exc:
        assert str(exc).strip()
        return "refused"
    try:
        store.contacts.all()
        store.accounts.all()
    except sqlite3.DatabaseError:
        return "damaged on read"
    finally:
        store.close()
    return "opened"
