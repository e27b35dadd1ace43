"""The import dialog reads a file's header as the import reads the file: a UTF-16 or UTF-32
export (with its byte-order mark) offers its real column names to map, not mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_the_columns_to_map_are_read_in_the_files_encoding(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, encoding: str
) -> None:
    from ui.import_dialog import ImportDialog

    odd = tmp_path / "odd.csv"
    text = "Wer,Mail\r\nJürgen Weiß,jw@example.de\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # the mark the plain codec leaves out
    odd.write_bytes(data)
    dialog = ImportDialog(window.ctx.store, window.ops, odd, window)
    qtbot.add_widget(dialog)
    assert "Cannot import" in dialog.summary.text() and dialog.mapping_box.isVisibleTo(dialog)
    combo = dialog.mapping_combos["name"]
    offered = [combo.itemText(i) for i in range(1, combo.count())]
    assert offered == ["Wer", "Mail"]
    combo.setCurrentIndex(combo.findData("Wer"))
    email = dialog.mapping_combos["email"]
    email.setCurrentIndex(email.findData("Mail"))
    assert dialog.plan is not None and [p.name for p in dialog.plan.new] == ["Jürgen Weiß"]


def test_an_unreadable_file_offers_no_columns(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from ui.import_dialog import ImportDialog

    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    dialog = ImportDialog(window.ctx.store, window.ops, binary, window)
    qtbot.add_widget(dialog)
    assert "not a text file" in dialog.summary.text()
    assert dialog.mapping_combos["name"].count() <= 1
