"""Importing contacts from real-format files into a real SQLite profile."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import importers
from desktop.domain.model import Contact
from desktop.domain.workspace import SourceKind
from desktop.importers import Format, ImportError_
from desktop.storage import StorageError, Store

FILES = Path(__file__).parent / "import_files"


def _by_name(store: Store) -> dict[str, Contact]:
    return {r.contact.name: r.contact for r in store.contacts.all()}


def test_linkedin_export_with_preamble_quoted_commas_and_missing_emails(tmp_path: Path) -> None:
    parsed = importers.read_file(FILES / "Connections.csv")
    assert parsed.format is Format.LINKEDIN
    assert [p.name for p in parsed.people] == [
        "Ana Silva",
        "Raj Patel",
        "José Núñez",
        "芳 王",
        "Jose Nunez",
    ]
    ana, raj, jose = parsed.people[0], parsed.people[1], parsed.people[2]
    assert ana.emails == ("ana.silva@figma.example",)
    assert ana.role == "Product Manager, Growth"
    assert raj.emails == ()  # LinkedIn leaves out the addresses people keep private
    assert (jose.company, jose.role) == ("Acme, Inc.", "Director, Data & Analytics")
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (9, "no name"),
        (10, "'chloe at example' is not an e-mail address"),
        (11, "5 columns where the header has 7"),
    ]


def test_linkedin_import_merges_known_people_and_folds_duplicate_rows(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    known = store.contacts.add(Contact(None, "Ana S.", ("ana.silva@figma.example",), company=""))
    store.contacts.add(Contact(None, "Raj Patel"))  # typed in by hand, no address yet
    the_plan = importers.plan(store, importers.read_file(FILES / "Connections.csv"))
    # "Jose Nunez" without an address is the same person as "José Núñez" two rows above.
    assert the_plan.duplicates_in_file == 1
    assert sorted(p.name for p in the_plan.new) == ["José Núñez", "芳 王"]
    assert sorted((m.name, m.by) for m in the_plan.merges) == [
        ("Ana S.", "e-mail address"),
        ("Raj Patel", "name"),
    ]
    result = importers.apply(store, the_plan)
    assert (len(result.added), len(result.merged), result.rejected) == (2, 2, 3)
    people = _by_name(store)
    assert set(people) == {"Ana S.", "Raj Patel", "José Núñez", "芳 王"}
    assert people["Ana S."].company == "Figma"  # filled, the name the user typed is kept
    assert people["Raj Patel"].company == "Stripe"
    assert people["José Núñez"].emails == ("jose@acme.example",)
    assert "linkedin.example/in/josenunez" in people["José Núñez"].notes
    assert store.workspace.source(people["芳 王"].id or 0) is not None
    assert store.workspace.sources()[people["José Núñez"].id or 0].kind is SourceKind.LINKEDIN
    assert known.id in result.merged
    # Importing the same file again adds nobody.
    again = importers.plan(store, importers.read_file(FILES / "Connections.csv"))
    assert again.new == ()


def test_phone_export_vcards(tmp_path: Path) -> None:
    parsed = importers.read_file(FILES / "phone_export.vcf")
    assert parsed.format is Format.VCARD
    by = {p.name: p for p in parsed.people}
    assert set(by) == {"Chinedu Okafor", "Jürgen Müller (Siemens)", "Ana Silva", "Plumber"}
    chinedu = by["Chinedu Okafor"]
    assert chinedu.emails == ("chinedu@shopify.example", "chinedu.home@mail.example")  # pref first
    assert (chinedu.company, chinedu.role) == ("Shopify", "Engineering Manager")
    assert chinedu.notes == "Met at the Toronto product meetup, asked about payments teams"
    assert by["Jürgen Müller (Siemens)"].emails == ("juergen@example.de",)
    assert by["Ana Silva"].emails == ("ana.silva@figma.example", "ana@home.example")
    assert [r.reason for r in parsed.rejected] == ["a card without a name (no FN or N)"]

    store = Store.open(tmp_path)
    store.contacts.add(Contact(None, "Ana Silva", ("ana.silva@figma.example",)))
    result = importers.apply(store, importers.plan(store, parsed))
    assert len(result.added) == 3
    assert _by_name(store)["Ana Silva"].emails == ("ana.silva@figma.example", "ana@home.example")
    assert "+1 (416) 555-0101" in _by_name(store)["Chinedu Okafor"].notes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"", "is empty"),
        (b"id;when;amount\n1;2026-01-01;3\n", "no column holds the name"),
        (b"\xff\xfe\x81\x8d\x8f\x90\x9d", "not in a text encoding"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=message):
        importers.read_file(path)


def test_a_truncated_vcard_rejects_the_open_card_only(tmp_path: Path) -> None:
    parsed = importers.read_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Kept Person\nEMAIL:kept@x.example\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nEMAIL:cut@x.example\n"
    )
    assert [p.name for p in parsed.people] == ["Kept Person"]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (6, "the file ends inside a card (no END:VCARD)")
    ]


def test_generic_csv_with_a_column_mapping(tmp_path: Path) -> None:
    text = "Nom;Courriel;Société\nÉlodie Marchand;elodie@example.fr;Qonto\n;x@example.fr;Nope\n"
    guessed = importers.read_text(text, mapping={"name": "Nom", "email": "Courriel"})
    assert guessed.format is Format.CSV
    assert [(p.name, p.emails, p.company) for p in guessed.people] == [
        ("Élodie Marchand", ("elodie@example.fr",), "")
    ]
    assert [r.reason for r in guessed.rejected] == ["no name"]
    mapped = importers.read_text(
        text, mapping={"name": "Nom", "email": "Courriel", "company": "Société"}
    )
    assert mapped.people[0].company == "Qonto"
    with pytest.raises(ImportError_, match="no column named 'Email'"):
        importers.read_text(text, mapping={"name": "Nom", "email": "Email"})


def test_nothing_is_imported_half_way(tmp_path: Path) -> None:
    """The plan is made, then another contact takes one of its addresses before it is written:
    the write fails in the middle, and the contacts added before the failure are gone too."""
    store = Store.open(tmp_path)
    the_plan = importers.plan(store, importers.read_file(FILES / "Connections.csv"))
    store.contacts.add(Contact(None, "Someone Else", ("jose@acme.example",)))
    before = store.contacts.count()
    with pytest.raises(ImportError_, match=r"Nothing was imported.*jose@acme\.example"):
        importers.apply(store, the_plan)
    assert store.contacts.count() == before
    assert set(_by_name(store)) == {"Someone Else"}
    assert store.workspace.sources() == {}
    with pytest.raises(StorageError):  # the store is still usable, and still strict
        store.contacts.add(Contact(None, "Dup", ("jose@acme.example",)))


def _cli(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.app", "--profile", str(profile), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_import_dry_run_then_for_real(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    Store.open(profile).close()
    source = tmp_path / "Connections.csv"
    shutil.copy(FILES / "Connections.csv", source)
    dry = _cli("import", str(source), "--dry-run", "--json", profile=profile)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["new"], report["merged"], report["written"]) == (4, 0, False)
    assert [r["line"] for r in report["rejected"]] == [9, 10, 11]
    assert Store.open(profile).contacts.count() == 0
    real = _cli("import", str(source), profile=profile)
    assert real.returncode == 0, real.stderr
    assert "4 new contacts" in real.stdout and "line 10: 'chloe at example' is not" in real.stdout
    assert Store.open(profile).contacts.count() == 4
    bad = _cli("import", str(tmp_path / "missing.csv"), profile=profile)
    assert bad.returncode == 1 and "Cannot read" in bad.stderr


def test_an_import_is_a_new_users_first_command_it_makes_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli import main

    profile = tmp_path / "new"
    source = tmp_path / "Connections.csv"
    shutil.copy(FILES / "Connections.csv", source)
    assert main(["--profile", str(profile), "import", str(source), "--dry-run"]) == 1
    assert "no Coffeechat profile" in capsys.readouterr().err  # a dry run writes nothing
    assert not profile.exists()
    assert main(["--profile", str(profile), "import", str(source)]) == 0
    assert "4 new contacts" in capsys.readouterr().out
    assert Store.open(profile).contacts.count() == 4
    assert main(["--profile", str(profile), "status"]) == 0
    assert "Ana Silva" in capsys.readouterr().out  # the new profile reads like any other


def test_google_contacts_export_keeps_every_address_of_every_column_and_cell(
    tmp_path: Path,
) -> None:
    parsed = importers.read_file(FILES / "google_contacts.csv")
    assert parsed.format is Format.CSV
    people = {p.name: p for p in parsed.people}
    # " ::: " between the values of one cell, and a second E-mail column
    assert people["Priya Nair"].emails == (
        "priya@brightpath.example",
        "p.nair@brightpath.example",
        "priya.nair@home.example",
    )
    assert (people["Priya Nair"].company, people["Priya Nair"].role) == (
        "Brightpath",
        "Staff Engineer",
    )
    assert people["Tomás Ortega"].emails == ("tomas@solara.example",)
    assert people["Lin Wu"].emails == ()
    store = Store.open(tmp_path / "profile")
    importers.apply(store, importers.plan(store, parsed))
    index = store.contacts.address_index()
    assert len({index[a] for a in people["Priya Nair"].emails}) == 1  # one person, 3 addresses
    store.close()


def test_outlook_export_keeps_its_three_address_columns_and_the_job_title(
    tmp_path: Path,
) -> None:
    parsed = importers.read_file(FILES / "outlook_contacts.csv")
    people = {p.name: p for p in parsed.people}
    hannah = people["Hannah Becker"]
    assert hannah.emails == (
        "hannah.becker@nordwind.example",
        "hb@becker-family.example",
        "h.becker@alumni.example",
    )
    assert (hannah.company, hannah.role) == ("Nordwind", "Head of Research")  # not "Dr."
    assert people["Omar Haddad"].emails == ("omar@tidal.example",)
    assert not parsed.rejected


def test_a_vcard_with_several_email_lines_keeps_them_all(tmp_path: Path) -> None:
    parsed = importers.read_file(FILES / "several_emails.vcf")
    (sofia,) = parsed.people
    assert set(sofia.emails) == {
        "sofia.rossi@aurora.example",
        "sofia@rossi-home.example",
        "s.rossi@alumni.example",
    }


def test_map_can_name_several_email_columns(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "Who,Work mail,Private mail\nAda Byron,ada@work.example,ada@home.example\n",
        encoding="utf-8",
    )
    profile = tmp_path / "profile"
    from desktop.cli.registry import main

    code = main([
        "import", str(source), "--profile", str(profile), "--map", "name=Who",
        "--map", "email=Work mail", "--map", "email=Private mail",
    ])  # fmt: skip
    assert code == 0
    store = Store.open(profile)
    (ada,) = store.contacts.all()
    assert ada.contact.emails == ("ada@work.example", "ada@home.example")
    store.close()
