"""Files private to the user: 0600 files, 0700 folders, whatever the process umask.

The profile holds a mailbox's worth of personal data; with the usual umask (022) every new file
would be readable by the other users of the machine. Folders are created private, files are
created private, and what an older version left readable is narrowed when it is next opened.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
#: The permission bits of the group and of the others: never set on what we write.
SHARED_BITS = 0o077


def narrow(path: Path) -> None:
    """Take away the group's and the others' access to ``path`` (the owner's bits are kept, so a
    folder the user made read-only stays so). Best effort: a file we do not own is left as is."""
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode & SHARED_BITS and not stat.S_ISLNK(os.lstat(path).st_mode):
            os.chmod(path, mode & ~SHARED_BITS)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only the user can enter; OSError as mkdir."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    narrow(path)
    return path


def narrow_tree(root: Path) -> None:
    """Narrow ``root`` and everything under it (symbolic links are not followed)."""
    root = Path(root)
    if not root.is_dir() or root.is_symlink():
        narrow(root)
        return
    narrow(root)
    for folder, dirs, names in os.walk(root):
        for name in (*dirs, *names):
            narrow(Path(folder) / name)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new or truncated file that only the user can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)  # an existing file keeps its mode through O_CREAT
        fh.write(data)


def create_private(path: Path) -> None:
    """Create ``path`` empty and private when it does not exist; narrow it when it does.

    SQLite gives a database's -wal, -shm and journal files the mode of the database file, so a
    database created private this way keeps all its files private."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    narrow(path)


@contextmanager
def private_umask() -> Iterator[None]:
    """New files and folders private while the block runs (for files a library creates itself).

    The umask is the whole process's: only for short blocks, where a file made by another
    thread meanwhile would merely be more private than it needed to be."""
    previous = os.umask(SHARED_BITS)
    try:
        yield
    finally:
        os.umask(previous)
