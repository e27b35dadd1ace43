"""The demo and an import on a really full disk (a small tmpfs): one line says so, what was
done before is kept, no partial file is left, and with space freed the same command works."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.cli.registry import main
from desktop.storage import Store
from desktop.storage.store import DB_NAME

Disk = Callable[[int], Path]
#: What a write cut short may leave behind.
PARTIAL = ("*.partial", "*.tmp", ".*.tmp", "*-journal")


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    """``make(kb)``: a folder on a tmpfs of that size (mounting needs root or CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def make(kb: int) -> Path:
        folder = tmp_path / f"disk-{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kb}k,mode=0700", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("COFFEECHAT_PROFILE", raising=False)
    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _grow(folder: Path, kb: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={kb}k", str(folder)], check=True)


def _one_line_full(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coffeechat: "), err
    assert "disk is full" in lines[0] and "Traceback" not in err, err


def _no_partial_files(folder: Path) -> None:
    left = [p.name for pattern in PARTIAL for p in folder.rglob(pattern)]
    assert not left, left


def _people(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "Email", "Company", "Notes"])
        for i in range(start, start + count):
            writer.writerow([f"Person {i}", f"p{i}@x.example", "Lumen " * 5, "note " * 40])
    return path


def _names(profile: Path) -> set[str]:
    store = Store.open(profile)
    try:
        assert store.database.connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return {r.contact.name for r in store.contacts.all()}
    finally:
        store.close()


def test_an_import_on_a_full_disk_keeps_the_earlier_one_and_leaves_nothing_partial(
    small_disk: Disk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = small_disk(400)
    profile = disk / "profile"
    first = _people(tmp_path / "first.csv", 5)
    assert main(["import", str(first), "--profile", str(profile)]) == 0
    capsys.readouterr()
    big = _people(tmp_path / "big.csv", 3_000, start=100)

    assert main(["import", str(big), "--profile", str(profile)]) == 1
    _one_line_full(capsys.readouterr().err)
    _no_partial_files(disk)
    _grow(disk, 8_000)
    assert _names(profile) == {f"Person {i}" for i in range(5)}  # one transaction: all or none
    assert main(["import", str(big), "--profile", str(profile)]) == 0
    assert len(_names(profile)) == 3_005


#: Disk sizes that fill up at different points: seeding the contacts, syncing, writing the demo
#: mailbox and the log.
@pytest.mark.parametrize("kb", [120, 300, 800])
def test_the_demo_on_a_full_disk_says_so_and_its_profile_still_opens(
    small_disk: Disk, capsys: pytest.CaptureFixture[str], kb: int
) -> None:
    disk = small_disk(kb)
    profile = disk / "demo"
    demo = ["demo", "--headless", "--days", "3", "--start", "2025-03-03T10:00:00"]

    assert main([*demo, "--profile", str(profile)]) == 1
    _one_line_full(capsys.readouterr().err)
    _no_partial_files(disk)
    _grow(disk, 16_000)
    _names(profile)  # consistent, opens
    assert main([*demo, "--keep", "--profile", str(profile)]) == 0, capsys.readouterr().err
    assert main(["status", "--profile", str(profile)]) == 0
    con = sqlite3.connect(profile / DB_NAME)
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    finally:
        con.close()
