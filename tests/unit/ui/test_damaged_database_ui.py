"""A damaged data page behind a good header, met by the window: said in one dialog that offers
a restore, never a traceback; and a restore from the window onto the damaged database reopens
the database worker's connection and the GUI's, so the window shows the restored data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.backup import backup
from desktop.domain.model import Contact
from desktop.paths import resolve
from desktop.storage import Store
from tests.helpers.damage import damage_table
from ui import damage
from ui.main_window import MainWindow
from ui.workspace import Workspace


def _names(records: object) -> list[str]:
    return sorted(r.contact.name for r in records)  # type: ignore[attr-defined]


def _choose(monkeypatch: pytest.MonkeyPatch, source: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))


def test_damage_met_while_the_window_is_open_offers_a_restore_that_reopens_both_connections(
    qtbot: QtBot,
    window: MainWindow,
    db: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooks = window.findChild(Workspace)
    notice = damage.install(window, window.ops, window.ctx.paths.database, hooks.restore_backup)
    names = _names(window.model.records())
    copy = backup(window.ctx.paths.database, tmp_path / "good.sqlite3")
    db.contacts.add(Contact(None, "After The Backup"))
    window.reload_all()
    assert window.ops.db_now(lambda store: store.contacts.count()) == len(names) + 1
    damage_table(window.ctx.paths.database)

    with pytest.raises(sqlite3.DatabaseError):  # the GUI's connection meets it too
        window.ctx.store.contacts.all()
    errors: list[str] = []
    window.ops.failed.connect(errors.append)
    for _ in range(3):  # reads on the database worker fail: one dialog, however many
        window.ops.db(lambda store: store.contacts.all())
    qtbot.wait_until(window.ops.idle)
    box = notice.box
    assert box is not None and box.isVisible() and not errors  # not "something went wrong"
    assert [w for w in window.findChildren(QMessageBox) if w.isVisible()] == [box]
    assert "is damaged (database disk image is malformed)" in box.text()
    assert "Restore from backup" in box.text()

    _choose(monkeypatch, copy)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    (restore_button,) = [b for b in box.buttons() if b.text() == "Restore from backup…"]
    restore_button.click()
    qtbot.wait_until(lambda: notice.box is None)
    qtbot.wait_until(window.ops.idle)

    assert _names(window.model.records()) == names  # the window shows the restored data
    assert _names(window.ctx.store.contacts.all()) == names  # the GUI's connection, reopened
    assert window.ops.db_now(lambda store: store.contacts.count()) == len(names)  # the worker's
    moved = list(window.ctx.paths.profile.glob("before-restore-*.db"))
    assert len(moved) == 1  # the damaged file, kept aside whole


def test_an_error_that_is_not_damage_takes_the_usual_path(qtbot: QtBot, window: MainWindow) -> None:
    hooks = window.findChild(Workspace)
    notice = damage.install(window, window.ops, window.ctx.paths.database, hooks.restore_backup)
    errors: list[str] = []
    window.ops.failed.connect(errors.append)

    def locked(_store: Store) -> None:
        raise sqlite3.OperationalError("database is locked")

    window.ops.db(locked)
    qtbot.wait_until(window.ops.idle)
    assert notice.box is None and errors == ["OperationalError: database is locked"]


def _damaged_profile(tmp_path: Path) -> tuple[Path, Path]:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    store.contacts.add(Contact(None, "Ana Silva"))
    store.close()
    copy = backup(profile / "coffeechat.sqlite3", tmp_path / "good.sqlite3")
    damage_table(profile / "coffeechat.sqlite3")
    return profile, copy


def _answer(monkeypatch: pytest.MonkeyPatch, answers: list[str], seen: list[str]) -> None:
    def click(box: QMessageBox) -> int:
        seen.append(box.text())
        wanted = answers.pop(0)
        (button,) = [b for b in box.buttons() if b.text() == wanted]
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click)


def test_damage_at_start_is_said_before_the_window_and_a_restore_opens_the_data(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile, copy = _damaged_profile(tmp_path)
    seen: list[str] = []
    _answer(monkeypatch, ["Restore from backup…"], seen)
    _choose(monkeypatch, copy)
    store = damage.open_for_window(resolve(profile))
    assert store is not None
    try:
        assert store.read_only
        assert [r.contact.name for r in store.contacts.all()] == ["Ana Silva"]
    finally:
        store.close()
    assert len(seen) == 1 and "is damaged" in seen[0] and "Restore from backup" in seen[0]


def test_quitting_at_the_damage_dialog_says_it_in_one_line_and_changes_nothing(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile, _copy = _damaged_profile(tmp_path)
    before = (profile / "coffeechat.sqlite3").read_bytes()
    seen: list[str] = []
    _answer(monkeypatch, ["Quit"], seen)
    assert damage.open_for_window(resolve(profile)) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("coffeechat: ") and "damaged" in err[0]
    assert (profile / "coffeechat.sqlite3").read_bytes() == before
    assert len(seen) == 1


def test_a_file_that_is_not_a_backup_is_said_and_the_choice_offered_again(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile, copy = _damaged_profile(tmp_path)
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("not a database")
    seen: list[str] = []
    _answer(monkeypatch, ["Restore from backup…", "Restore from backup…"], seen)
    sources = [notes, copy]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(sources.pop(0)), ""))
    store = damage.open_for_window(resolve(profile))
    assert store is not None
    store.close()
    assert "not a Coffeechat backup" in seen[1] and "is damaged" in seen[1]


def _steps_of_first_read(profile: Path, contacts: int) -> int:
    """SQLite virtual-machine steps (in units of 100) that ``first_read`` takes on a profile
    with ``contacts`` contacts."""
    store = Store.open(profile)
    with store.transaction():
        for n in range(store.contacts.count(), contacts):
            store.contacts.add(Contact(None, f"Person {n}", (f"p{n}@example.org",)))
    store.close()
    store = Store.open(profile, read_only=True)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    try:
        store.database.connection.set_progress_handler(count, 100)
        assert damage.first_read(store) is None
    finally:
        store.close()
    return steps[0]


def test_the_check_before_the_window_costs_the_same_for_a_small_and_a_large_profile(
    tmp_path: Path,
) -> None:
    # Before the window is built, only the first rows are read: ten times the contacts do not
    # make the start slower (damage deeper in is offered once the window has read it).
    small = _steps_of_first_read(tmp_path / "p", 300)
    large = _steps_of_first_read(tmp_path / "p", 3000)
    assert small > 0
    assert large <= small * 1.2, (small, large)
