"""Every command against every kind of damaged profile: one line on stderr, never a traceback."""

from __future__ import annotations

import gc
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.backup import backup
from desktop.cli.registry import main
from desktop.domain.model import Contact
from desktop.storage import Store
from desktop.storage.store import DB_NAME
from tests.helpers.xvfb import require

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT = Path(__file__).resolve().parents[3]
#: The capabilities that let root read and write any file: without them a process running as
#: root meets file permissions as their owner does (an unreadable or read-only profile).
_POWERS = "-dac_override,-dac_read_search,-fowner"


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _zeroed_header(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(b"\0" * 100 + data[100:])


def _random_pages(db: Path) -> None:
    data = db.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    noise = random.Random(20).randbytes(len(data) - page)
    db.write_bytes(data[:page] + noise)


def _foreign_wal(db: Path) -> None:
    other = db.with_name("other.sqlite3")
    con = sqlite3.connect(other)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE t (x BLOB)")
    for _ in range(20):
        con.execute("INSERT INTO t VALUES (randomblob(3000))")
    con.commit()
    shutil.copyfile(other.with_name(other.name + "-wal"), db.with_name(db.name + "-wal"))
    con.close()
    other.unlink()


def _garbage(db: Path) -> None:
    db.write_bytes(random.Random(6).randbytes(8192))


def _directory(db: Path) -> None:
    db.unlink()
    db.mkdir()


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _unreadable(db: Path) -> None:
    db.chmod(0)


#: Kinds of damage after which no command may succeed on the profile.
DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncated,
    "zeroed-header": _zeroed_header,
    "random-pages": _random_pages,
    "foreign-wal": _foreign_wal,
    "garbage": _garbage,
    "directory": _directory,
    "empty": _empty,
    "unreadable": _unreadable,
}


def _read_only(db: Path) -> None:
    db.chmod(0o400)


def _locked(db: Path) -> None:
    """Another connection holds the write lock (and, by rollback journal, the read lock too)."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("BEGIN EXCLUSIVE")
    _held.append(con)


_held: list[sqlite3.Connection] = []

#: Conditions in which a command may work or refuse, but only in one line.
HINDRANCES: dict[str, Callable[[Path], None]] = {"read-only": _read_only, "locked": _locked}

COMMANDS: dict[str, list[str]] = {
    "status": ["status"],
    "sync": ["sync"],
    "import": ["import", "{tmp}/people.csv"],
    "export": ["export", "--format", "json", "--to", "{tmp}/out.json"],
    "backup": ["backup", "--to", "{tmp}/copy.sqlite3"],
    "restore": ["restore", "{tmp}/good.sqlite3"],
    "draft": ["draft", "Ana", "--template", "request_referral", "--now", "2025-03-03T10:00:00"],
    "demo": ["demo", "--headless", "--keep", "--days", "1", "--start", "2025-03-03T10:00:00"],
}


@pytest.fixture(autouse=True)
def _release_locks() -> object:
    yield
    while _held:
        _held.pop().close()


@pytest.fixture(autouse=True)
def _short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("desktop.storage.database.BUSY_TIMEOUT_S", 0.2)


def _profile(tmp_path: Path, command: str) -> Path:
    profile = tmp_path / "profile"
    if command == "demo":
        main(["demo", "--headless", "--days", "1", "--profile", str(profile)])
        gc.collect()  # the story's own store is left to the end of the process
        con = sqlite3.connect(profile / DB_NAME)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the damage reaches the file itself
        con.close()
    else:
        store = Store.open(profile)
        store.contacts.add(Contact(None, "Ana Silva", ("ana@figma.example",)))
        store.close()
    backup(profile / DB_NAME, tmp_path / "good.sqlite3")
    (tmp_path / "people.csv").write_text("Name,Email\nBo Chen,bo@x.example\n")
    return profile


def _run(tmp_path: Path, profile: Path, command: str) -> int:
    words = [w.replace("{tmp}", str(tmp_path)) for w in COMMANDS[command]]
    return main([*words, "--profile", str(profile)])


def _run_as_owner(
    tmp_path: Path, profile: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> int:
    """``_run``, in its own process and without root's power over file permissions (Linux
    capabilities dropped by setpriv), when the tests run as root: the command meets an
    unreadable or read-only file as its owner would. Its output goes to ``capsys``'s streams."""
    if not AS_ROOT:
        return _run(tmp_path, profile, command)
    setpriv = require("setpriv")  # util-linux
    words = [w.replace("{tmp}", str(tmp_path)) for w in COMMANDS[command]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    env.pop("COFFEECHAT_PROFILE", None)
    done = subprocess.run(
        [setpriv, f"--bounding-set={_POWERS}", sys.executable, "-m", "desktop.cli", *words,
         "--profile", str(profile)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    capsys.readouterr()
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


def _one_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coffeechat: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_profile_gives_one_line_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    profile = _profile(tmp_path, command)
    DAMAGE[kind](profile / DB_NAME)
    capsys.readouterr()
    if kind == "unreadable":
        code = _run_as_owner(tmp_path, profile, command, capsys)
    else:
        code = _run(tmp_path, profile, command)
    out, err = capsys.readouterr()
    if command == "restore":  # restoring is the way out of every kind of damage but a folder
        if kind == "directory":
            assert code == 1
            _one_line(err)
        else:
            assert code == 0, err
            assert "Restored" in out
            Store.open(profile).close()
        return
    assert code == 1, out
    _one_line(err)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", HINDRANCES)
def test_a_read_only_or_locked_profile_gives_one_line_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    profile = _profile(tmp_path, command)
    HINDRANCES[kind](profile / DB_NAME)
    capsys.readouterr()
    if kind == "read-only":
        code = _run_as_owner(tmp_path, profile, command, capsys)
    else:
        code = _run(tmp_path, profile, command)
    err = capsys.readouterr().err
    assert code in (0, 1)
    if code:
        _one_line(err)
