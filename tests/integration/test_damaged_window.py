"""The real composition root (desktop.app.run_gui, offscreen, in its own process) on a profile
whose data page is damaged behind a good header: one dialog offers a restore, never a
traceback; restored, the window opens on the backup's data; declined, one line and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.backup import backup
from desktop.storage import Store
from desktop.storage.store import DB_NAME
from tests.helpers.damage import damage_table
from tests.unit.ui import uiseed

ROOT = Path(__file__).resolve().parents[2]

#: Run in the child: the dialogs answered as a user would (QMessageBox.exec clicks the button
#: named on the command line; the file dialog picks the backup), then the app itself.
DRIVER = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QFileDialog, QMessageBox
profile, backup_file, *answers = sys.argv[1:]
seen = []
def click(box):
    seen.append(box.text())
    if answers:  # a dialog no answer was given for is left unanswered, and counted
        wanted = answers.pop(0)
        (button,) = [b for b in box.buttons() if b.text() == wanted]
        button.click()
    return 0
QMessageBox.exec = click
_show = QMessageBox.show
def show(box):  # a non-modal box (damage met once the window is up) is answered the same way
    _show(box)
    if not box.isModal():
        click(box)
QMessageBox.show = show
QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (backup_file, ""))
from desktop.app import run_gui
from desktop.paths import resolve
code = run_gui(resolve(Path(profile)), quit_after=1.0)
print("DIALOGS", len(seen))
for text in seen:
    print("DIALOG", text.replace(chr(10), " "))
raise SystemExit(code)
"""


def _profile(tmp_path: Path, table: str) -> tuple[Path, Path, list[str]]:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    uiseed.seed(store)
    names = sorted(r.contact.name for r in store.contacts.all())
    store.close()
    copy = backup(profile / DB_NAME, tmp_path / "good.sqlite3")
    damage_table(profile / DB_NAME, table)
    return profile, copy, names


def _run(
    tmp_path: Path, profile: Path, copy: Path, *answers: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    env.pop("COFFEECHAT_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-c", DRIVER, str(profile), str(copy), *answers],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


#: contacts and accounts: met by the first read, before the window; action_marks: met while the
#: window is built (Today's due actions).
@pytest.mark.parametrize("table", ["contacts", "accounts", "action_marks"])
def test_the_app_on_a_damaged_page_offers_a_restore_and_opens_on_the_backup(
    tmp_path: Path, table: str
) -> None:
    profile, copy, names = _profile(tmp_path, table)
    done = _run(tmp_path, profile, copy, "Restore from backup…")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "DIALOGS 1" in done.stdout, done.stdout
    assert "is damaged (database disk image is malformed)" in done.stdout
    assert "Restore from backup" in done.stdout
    store = Store.open(profile)
    try:
        assert sorted(r.contact.name for r in store.contacts.all()) == names
    finally:
        store.close()
    assert len(list(profile.glob("before-restore-*.db"))) == 1  # the damaged file, kept aside


def test_declining_the_restore_says_it_in_one_line_and_leaves_the_file(tmp_path: Path) -> None:
    profile, copy, _ = _profile(tmp_path, "contacts")
    before = (profile / DB_NAME).read_bytes()
    done = _run(tmp_path, profile, copy, "Quit")
    assert done.returncode == 1
    assert "DIALOGS 1" in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("coffeechat: ") and "damaged" in lines[0]
    assert (profile / DB_NAME).read_bytes() == before
