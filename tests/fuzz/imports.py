"""Real-shaped contact files (LinkedIn, Google and Outlook CSV exports, vCard 2.1/3/4), mutated,
through the import's own steps: read the file, plan, apply. The only failure allowed is an
``ImportError_`` with a message (or rows rejected with their reason), and an import is written
whole or not at all."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from desktop import importers
from desktop.importers import ImportError_
from desktop.storage import Store
from tests.fuzz.messages import MUTATIONS

_PEOPLE = (
    ("Ana", "Silva", "ana.silva@x.example", "Lumen", "Staff Engineer"),
    ("José", "Núñez", "jose@y.example", "Solara, Inc.", "VP \"Data\""),
    ("芳", "王", "fang@z.example", "北京科技", "工程师"),
    ("Zoë", "O'Neil", "", "Fjord", "Designer; UX"),
    ("Raj", "Patel", "raj@x.example", "", ""),
    ("Иван", "Петров", "ivan@r.example", "Яндекс", "Разработчик"),
    ("Dana", "Levi", "dana@il.example", "", "מהנדסת"),
)  # fmt: skip


def _csv(rows: list[list[str]]) -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n;') else v

    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows)


def linkedin() -> str:
    notes = 'Notes:\r\n"When exporting your connection data, you may notice..."\r\n\r\n'
    header = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
              "Connected On"]  # fmt: skip
    rows = [[f, la, f"https://linkedin.example/in/{f.lower()}", e, c, p, "12 Mar 2024"]
            for f, la, e, c, p in _PEOPLE]  # fmt: skip
    return notes + _csv([header, *rows])


def google() -> str:
    header = ["Name", "Given Name", "Family Name", "Notes", "E-mail 1 - Type", "E-mail 1 - Value",
              "Phone 1 - Value", "Organization 1 - Name", "Organization 1 - Title"]  # fmt: skip
    rows = [[f"{f} {la}", f, la, "met at a meetup\nsecond line", "* Work", e, "+1 555 0100", c, p]
            for f, la, e, c, p in _PEOPLE]  # fmt: skip
    return _csv([header, *rows])


def outlook() -> str:
    header = ["First Name", "Middle Name", "Last Name", "Title", "Company", "Job Title",
              "E-mail Address", "E-mail 2 Address", "Notes"]  # fmt: skip
    rows = [[f, "", la, "", c, p, e, f"{f.lower()}@home.example", ""]
            for f, la, e, c, p in _PEOPLE]  # fmt: skip
    return _csv([header, *rows])


def vcards() -> str:
    out = []
    for i, (f, la, e, c, p) in enumerate(_PEOPLE):
        version = ("2.1", "3.0", "4.0")[i % 3]
        lines = ["BEGIN:VCARD", f"VERSION:{version}", f"N:{la};{f};;;", f"FN:{f} {la}",
                 f"ORG:{c}", f"TITLE:{p}", f"EMAIL;TYPE=INTERNET,pref:{e}",
                 "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:caf=C3=A9 =\r\n  folded",
                 f"TEL;TYPE=cell:+44 20 7946 000{i}", "END:VCARD"]  # fmt: skip
        out.append("\r\n".join(lines) + "\r\n")
    return "".join(out)


SHAPES = {"linkedin.csv": linkedin, "google.csv": google, "outlook.csv": outlook,
          "contacts.vcf": vcards}  # fmt: skip
_ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "utf-32")


def case(number: int) -> tuple[str, bytes]:
    """Import case ``number``: (file name, mutated bytes), the same on every machine."""
    rng = random.Random(number)
    name = rng.choice(sorted(SHAPES))
    text = SHAPES[name]()
    if rng.random() < 0.3:  # several exports pasted together, or a long file
        text = text * rng.randint(2, 40)
    data = text.encode(rng.choice(_ENCODINGS), "replace")
    for _ in range(rng.randint(0, 5)):
        data = rng.choice(MUTATIONS)(data, random.Random(rng.randrange(2**32)))
    return name, data


@dataclass(frozen=True, slots=True)
class Outcome:
    #: "refused" (an ImportError_ before or during the write), or "imported".
    result: str
    added: int
    rejected: int


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check(store: Store, path: Path) -> Outcome:
    """Import ``path`` into ``store`` as the Import dialog does, asserting the properties; any
    exception but ImportError_ propagates (a crash)."""
    before = store.contacts.count()
    try:
        parsed = importers.read_file(path)
        for person in parsed.people:
            fields = [person.name, person.company, person.role, person.url, person.notes]
            assert all(_valid(f) for f in [*fields, *person.emails, *person.phones]), person
        assert all(r.reason and _valid(r.text) for r in parsed.rejected)
        the_plan = importers.plan(store, parsed)
        importers.describe(the_plan)
    except ImportError_ as exc:
        assert str(exc).strip(), "an ImportError_ without a message"
        assert store.contacts.count() == before
        return Outcome("refused", 0, 0)
    try:
        result = importers.apply(store, the_plan)
    except ImportError_ as exc:
        assert str(exc).strip(), "an ImportError_ without a message"
        assert store.contacts.count() == before, "a refused import wrote some of its people"
        return Outcome("refused", 0, len(the_plan.rejected))
    assert store.contacts.count() == before + len(result.added), "an import wrote part of itself"
    return Outcome("imported", len(result.added), result.rejected)
