"""Deleting a contact from the window (menu, context menu, Delete key, edit dialog) and bringing
them back with Undo (the notice's button or Ctrl+Z), history and notes included."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.storage import Store
from ui.dialogs import ContactDialog
from ui.main_window import MainWindow
from ui.models.contacts import Column

FILES = Path(__file__).parent.parent / "desktop" / "import_files"


def _wait_gone(qtbot: QtBot, window: MainWindow, ctx: AppContext, cid: int) -> None:
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(lambda: window.model.record(cid) is None)
    with pytest.raises(KeyError):
        ctx.store.contacts.get(cid)


def _wait_back(qtbot: QtBot, window: MainWindow, cid: int) -> None:
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(lambda: window.model.record(cid) is not None)


def test_the_delete_key_deletes_and_ctrl_z_brings_everything_back(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Store, seeded: dict[str, int]
) -> None:
    ada = seeded["ada"]
    db.contacts.set_notes(ada, "Ask about the Engine")
    window.reload_all()
    history = [(h.from_stage, h.to_stage) for h in ctx.store.pipeline.history(ada)]
    assert history
    window.select_contact(ada)
    window.show_view("contacts")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    _wait_gone(qtbot, window, ctx, ada)
    assert window.banner.isVisible() and "Ada Lovelace" in window.banner.text.text()
    assert window.banner.action_button.isVisible()
    assert "Ada Lovelace" in window.selection.actions.undo_action.text()

    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _wait_back(qtbot, window, ada)
    back = ctx.store.contacts.get(ada)
    assert back.contact.notes == "Ask about the Engine"
    assert [(h.from_stage, h.to_stage) for h in ctx.store.pipeline.history(ada)] == history
    assert window.current_id == ada


def test_the_notice_undo_the_context_menu_and_the_edit_dialog_delete(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    seeded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alan = seeded["alan"]
    window.select_contact(alan)
    menu = window.selection.contact_context_menu()
    assert window.selection.actions.delete_action in menu.actions()
    assert window.selection.actions.delete_action in window.ui.contact_menu.actions()
    window.selection.actions.delete_action.trigger()
    _wait_gone(qtbot, window, ctx, alan)
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    _wait_back(qtbot, window, alan)

    def delete_in_dialog(dialog: object) -> bool:
        assert isinstance(dialog, ContactDialog) and dialog.delete_button is not None
        dialog.delete_button.click()
        return bool(dialog.result())

    monkeypatch.setattr(window, "exec_dialog", delete_in_dialog)
    window.edit_current()
    _wait_gone(qtbot, window, ctx, alan)


def test_undo_last_import_from_the_window(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    db: Store,
    seeded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop import importers

    before = ctx.store.contacts.count()
    result = importers.apply(db, importers.plan(db, importers.read_file(FILES / "Connections.csv")))
    window.reload_all()
    assert ctx.store.contacts.count() == before + len(result.added) > before

    def confirm(box: object) -> bool:
        assert isinstance(box, QMessageBox)
        [undo] = [b for b in box.buttons() if "Undo import" in b.text()]
        undo.click()
        return True

    monkeypatch.setattr(window, "exec_dialog", confirm)
    window.selection.actions.undo_import_action.trigger()
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(lambda: window.model.rowCount() == before)
    assert ctx.store.contacts.count() == before
    assert "Import undone" in window.banner.text.text()


def test_imported_people_stay_off_the_board_until_added_to_targets(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Store, seeded: dict[str, int]
) -> None:
    from desktop import importers
    from desktop.domain.model import Stage

    result = importers.apply(db, importers.plan(db, importers.read_file(FILES / "Connections.csv")))
    window.reload_all()
    added = list(result.added)
    assert added
    for cid in added:
        assert not ctx.store.contacts.get(cid).contact.in_pipeline
        assert window.board.column_of(cid) is None  # People, not Target
    targets_before = window.board.columns[Stage.TARGET].proxy.rowCount()
    window.show_view("contacts")
    model, proxy, table = window.model, window.proxy, window.table
    rows = [proxy.mapFromSource(model.index(model.row_of(c) or 0, 0)).row() for c in added[:2]]
    table.selectRow(rows[0])
    table.scrollTo(proxy.index(rows[1], 0))
    second = table.visualRect(proxy.index(rows[1], 0)).center()
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, second
    )  # Ctrl+click: a second row
    stage_cell = model.index(model.row_of(added[0]) or 0, Column.STAGE)
    assert model.data(stage_cell) == "People"
    assert len(table.selectionModel().selectedRows()) == 2
    qtbot.keyClick(table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(
        lambda: window.board.columns[Stage.TARGET].proxy.rowCount() == targets_before + 2
    )
    for cid in added[:2]:
        assert ctx.store.contacts.get(cid).contact.in_pipeline
        assert window.board.column_of(cid) is Stage.TARGET
    menu = window.selection.contact_context_menu()
    assert window.selection.actions.targets_action in menu.actions()
