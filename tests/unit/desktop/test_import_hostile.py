"""Imports of files that are hostile or merely odd: two imports at once, a locked database,
byte-order marks, invalid bytes, control and bidi-override characters."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from desktop import importers
from desktop.cli import main
from desktop.importers import ImportError_
from desktop.storage import Store, database

PEOPLE = "Name,Email\nAna Silva,ana@x.example\nRaj Patel,raj@x.example\nMia Chen,mia@x.example\n"


def test_two_imports_planned_at_once_merge_instead_of_duplicating(tmp_path: Path) -> None:
    # Both plans are made before either is written: the second must see the first's contacts.
    Store.open(tmp_path).close()
    first, second = Store.open(tmp_path), Store.open(tmp_path)
    parsed = importers.read_text(PEOPLE, "people.csv")
    plans = importers.plan(first, parsed), importers.plan(second, parsed)
    importers.apply(first, plans[0])
    result = importers.apply(second, plans[1])
    assert first.contacts.count() == 3
    assert (len(result.added), len(result.merged)) == (0, 0)
    first.close()
    second.close()


def test_two_imports_on_two_threads_merge(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    parsed = importers.read_text(PEOPLE * 200, "people.csv")  # the same three, many times over
    planned = threading.Barrier(2)
    errors: list[BaseException] = []

    def one_import() -> None:
        store = Store.open(tmp_path)
        try:
            the_plan = importers.plan(store, parsed)
            planned.wait(timeout=10)
            importers.apply(store, the_plan)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=one_import) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    store = Store.open(tmp_path)
    assert store.contacts.count() == 3
    store.close()


def test_an_import_waiting_too_long_for_the_lock_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(tmp_path).close()
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(tmp_path / database.DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another import, or the app, is writing
    try:
        store = Store.open(tmp_path)
        the_plan = importers.plan(store, importers.read_file(source))
        with pytest.raises(ImportError_, match="busy"):
            importers.apply(store, the_plan)
        store.close()
        status = main(["--profile", str(tmp_path), "import", str(source)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "busy" in err and "Nothing was imported" in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "people.csv"
    text = "Name,Email\nJosé Núñez,jose@x.example\n芳 王,fang@x.example\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + text.encode(encoding))
    parsed = importers.read_file(path)
    assert [(p.name, p.emails) for p in parsed.people] == [
        ("José Núñez", ("jose@x.example",)),
        ("芳 王", ("fang@x.example",)),
    ]


def test_an_invalid_byte_rejects_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(
        "Name,Email\nJosé Núñez,jose@x.example\n".encode()
        + b"Bad \xe9 Byte,bad@x.example\n"
        + "Zoë Ng,zoe@x.example\n".encode()
    )
    parsed = importers.read_file(path)
    assert [p.name for p in parsed.people] == ["José Núñez", "Zoë Ng"]  # no mojibake
    [rejected] = parsed.rejected
    assert rejected.line == 3 and "not valid UTF-8" in rejected.reason
    assert "\\xe9" in rejected.text and rejected.text.isprintable()


def test_an_invalid_byte_in_a_vcard_rejects_its_card(tmp_path: Path) -> None:
    path = tmp_path / "people.vcf"
    path.write_bytes(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Kept Zoë\nEND:VCARD\n".encode()  # UTF-8 elsewhere
        + b"BEGIN:VCARD\nVERSION:3.0\nFN:Bro\xffken\nEND:VCARD\n"
    )
    parsed = importers.read_file(path)
    assert [p.name for p in parsed.people] == ["Kept Zoë"]
    assert [(r.line, "not valid UTF-8" in r.reason) for r in parsed.rejected] == [(5, True)]


def test_a_file_wholly_in_windows_1252_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(
        "Name,Email\nJosé Müller,jose@x.example\nRenée “Ren”,ren@x.example\n".encode("cp1252")
    )
    parsed = importers.read_file(path)
    assert [p.name for p in parsed.people] == ["José Müller", "Renée “Ren”"]


def test_control_and_bidi_override_characters_are_not_stored_or_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ana \x1b[31mSilva\u202egnp.exe\nEMAIL:ana@x.example\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:bell=07 and =1B[2J clear\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Raj\nEMAIL:\x1b]0;owned\x07@x.example\nEND:VCARD\n"
        "\x1b[2Jstray\u2066text\n",
        encoding="utf-8",
    )
    parsed = importers.read_file(path)
    [ana] = parsed.people
    assert ana.name == "Ana [31mSilvagnp.exe"
    assert ana.notes == "bell and [2J clear"
    Store.open(tmp_path / "p").close()
    assert main(["--profile", str(tmp_path / "p"), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\u2066" not in out and "\x07" not in out
    store = Store.open(tmp_path / "p")
    [record] = store.contacts.all()
    assert record.contact.name == "Ana [31mSilvagnp.exe" and "\x07" not in record.contact.notes
    store.close()


def test_folded_lines_and_quoted_printable_soft_breaks_are_joined() -> None:
    parsed = importers.read_text(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ren\r\n  ée Long\r\n"
        "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=A9t=\r\n=C3=A9 =\r\nfin\r\n"
        "TITLE;CHARSET=UTF-8;\r\n ENCODING=QUOTED-PRINTABLE:Dir=\r\necteur\r\nEND:VCARD\r\n"
    )
    [person] = parsed.people
    assert (person.name, person.notes, person.role) == ("Ren ée Long", "été fin", "Directeur")
