"""A damaged data page behind a good header: the database opens, and the first read of the
damaged table raises sqlite3.DatabaseError. Every command says so in one line that names the
way out (a restore), never a traceback; ``restore`` itself gets the user back."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage import Store
from desktop.storage.store import DB_NAME
from tests.helpers.damage import damage_table
from tests.unit.desktop.test_cli_corruption import COMMANDS, _one_line, _profile, _run

#: Commands that never read the table (sync, with no account, reads only the accounts): they
#: do their work.
NEVER_READ = {("sync", "contacts"), ("status", "accounts"), ("import", "accounts")}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("table", ["contacts", "accounts"])
def test_a_damaged_page_is_said_in_one_line_that_offers_a_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, command: str
) -> None:
    profile = _profile(tmp_path, command)
    damage_table(profile / DB_NAME, table)
    Store.open(profile).close()  # the header and the schema read fine: it opens
    capsys.readouterr()
    code = _run(tmp_path, profile, command)
    out, err = capsys.readouterr()
    if command == "restore":
        assert code == 0, err
        assert "Restored" in out
        store = Store.open(profile)
        try:
            assert [r.contact.name for r in store.contacts.all()] == ["Ana Silva"]
            store.accounts.all()
        finally:
            store.close()
        return
    if (command, table) in NEVER_READ:
        assert code == 0 and not err.strip(), err
        return
    assert code == 1, out
    _one_line(err)
    assert "damaged" in err and "restore" in err.lower(), err
