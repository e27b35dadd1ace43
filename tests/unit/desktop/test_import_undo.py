"""An import is a batch that can be undone: what it added goes, what it merged is restored."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop import importers
from desktop.cli import main
from desktop.domain.model import Contact
from desktop.storage import Store

FILES = Path(__file__).parent / "import_files"


def test_undoing_an_import_removes_what_it_added_and_restores_what_it_merged(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "p")
    try:
        ana = store.contacts.add(
            Contact(None, "Ana Silva", ("ana.silva@figma.example",), notes="Met at a meetup")
        )
        kept = store.contacts.add(Contact(None, "Kept Person", ("kept@x.example",)))
        result = importers.apply(
            store, importers.plan(store, importers.read_file(FILES / "Connections.csv"))
        )
        assert result.batch is not None and result.added and ana.id in result.merged
        merged = store.contacts.get(ana.id or 0).contact
        assert merged.company == "Figma" and merged.notes != "Met at a meetup"

        undone = store.imports.undo_last(datetime(2026, 3, 2, tzinfo=UTC))
        assert undone is not None and undone.removed == len(result.added)
        assert undone.restored == 1
        names = sorted(r.contact.name for r in store.contacts.all())
        assert names == ["Ana Silva", "Kept Person"]
        back = store.contacts.get(ana.id or 0).contact
        assert (back.company, back.notes, back.emails) == ("", "Met at a meetup", ana.emails)
        assert kept.id is not None
        assert store.imports.undo_last(datetime(2026, 3, 2, tzinfo=UTC)) is None  # once only
    finally:
        store.close()


def test_cli_import_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "p"
    source = tmp_path / "Connections.csv"
    shutil.copy(FILES / "Connections.csv", source)
    assert main(["--profile", str(profile), "import", "--undo"]) == 1  # no profile yet
    capsys.readouterr()
    assert main(["--profile", str(profile), "import", str(source)]) == 0
    assert Store.open(profile).contacts.count() == 4
    capsys.readouterr()
    assert main(["--profile", str(profile), "import", "--undo"]) == 0
    assert "4 contact(s) removed" in capsys.readouterr().out
    assert Store.open(profile).contacts.count() == 0
    assert main(["--profile", str(profile), "import", "--undo"]) == 0
    assert "No import to undo." in capsys.readouterr().out
    assert main(["--profile", str(profile), "import", str(source), "--undo"]) == 1
    assert "--undo takes no FILE" in capsys.readouterr().err
