"""Matching the people read against the contacts stored, and writing the plan in one
transaction."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from desktop.domain.model import Contact
from desktop.domain.workspace import ContactSource, SourceKind
from desktop.importers.people import Format, ImportError_, Parsed, Person, Rejected
from desktop.storage import ContactRecord, StorageError, Store
from desktop.storage.records import utc_now


def name_key(name: str) -> str:
    """Names compared without case, accents or extra spaces ("José  Núñez" = "jose nunez")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True, slots=True)
class Merge:
    """A person who is already a contact: what the import adds to them."""

    contact_id: int
    name: str
    new_emails: tuple[str, ...]
    company: str
    role: str
    notes: str
    lines: tuple[int, ...]
    by: str  # "e-mail address" or "name"


@dataclass(frozen=True, slots=True)
class Plan:
    format: Format
    new: tuple[Person, ...]
    merges: tuple[Merge, ...]
    rejected: tuple[Rejected, ...]
    #: Rows folded into another row of the same file (same address or same name).
    duplicates_in_file: int
    source: SourceKind | None
    #: What the plan was made from: :func:`apply` plans it again inside its write transaction.
    parsed: Parsed | None = field(default=None, compare=False, repr=False)

    @property
    def unchanged(self) -> int:
        return sum(1 for m in self.merges if not (m.new_emails or m.company or m.role or m.notes))


def _combine(a: Person, b: Person) -> Person:
    return replace(
        a,
        emails=tuple(dict.fromkeys((*a.emails, *b.emails))),
        company=a.company or b.company,
        role=a.role or b.role,
        url=a.url or b.url,
        notes="\n".join(n for n in (a.notes, b.notes) if n),
        phones=tuple(dict.fromkeys((*a.phones, *b.phones))),
    )


def _same_person_by_name(emails_a: Iterable[str], emails_b: Iterable[str]) -> bool:
    """Same name merges when at most one side has addresses; two different addresses under
    one name are two people (there are many John Smiths)."""
    return not (set(emails_a) and set(emails_b))


def plan(store: Store, parsed: Parsed) -> Plan:
    """Match the file's people with each other and with the stored contacts."""
    # 1. Inside the file: fold rows that share an address, then rows that share a name.
    folded: list[Person] = []
    lines: list[list[int]] = []
    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    duplicates = 0
    for person in parsed.people:
        at = next((by_email[e] for e in person.emails if e in by_email), None)
        if at is None:
            candidate = by_name.get(name_key(person.name))
            if candidate is not None and _same_person_by_name(
                folded[candidate].emails, person.emails
            ):
                at = candidate
        if at is None:
            folded.append(person)
            lines.append([person.line])
            at = len(folded) - 1
        else:
            duplicates += 1
            folded[at] = _combine(folded[at], person)
            lines[at].append(person.line)
        for e in folded[at].emails:
            by_email[e] = at
        by_name.setdefault(name_key(person.name), at)

    # 2. Against the store: an address already known, else a unique name.
    addresses = store.contacts.address_index()
    records = store.contacts.all()
    by_id: dict[int, ContactRecord] = {r.id: r for r in records}
    names: dict[str, list[ContactRecord]] = {}
    for r in records:
        names.setdefault(name_key(r.contact.name), []).append(r)
    new: list[Person] = []
    merges: dict[int, Merge] = {}
    rejected = list(parsed.rejected)
    for person, person_lines in zip(folded, lines, strict=True):
        owners = {addresses[e] for e in person.emails if e in addresses}
        if len(owners) > 1:
            rejected.append(
                Rejected(
                    person_lines[0],
                    f"its addresses belong to {len(owners)} different contacts: "
                    + ", ".join(sorted(by_id[o].contact.name for o in owners)),
                )
            )
            continue
        match, by = (next(iter(owners)), "e-mail address") if owners else (None, "")
        if match is None:
            same = names.get(name_key(person.name), [])
            if len(same) == 1 and _same_person_by_name(same[0].contact.emails, person.emails):
                match, by = same[0].id, "name"
        if match is None:
            new.append(person)
            continue
        existing = by_id[match].contact
        previous = merges.get(match)
        known = set(existing.emails) | set(previous.new_emails if previous else ())
        add = tuple(e for e in person.emails if e not in known)
        merges[match] = Merge(
            match,
            existing.name,
            (*(previous.new_emails if previous else ()), *add),
            (previous.company if previous else "") or ("" if existing.company else person.company),
            (previous.role if previous else "") or ("" if existing.role else person.role),
            _notes_addition(existing.notes, person),
            tuple(person_lines) + (previous.lines if previous else ()),
            by,
        )
    source = SourceKind.LINKEDIN if parsed.format is Format.LINKEDIN else None
    return Plan(
        parsed.format,
        tuple(new),
        tuple(merges.values()),
        tuple(sorted(rejected, key=lambda r: r.line)),
        duplicates,
        source,
        parsed,
    )


def _notes_addition(existing: str, person: Person) -> str:
    extra = [x for x in (person.url, person.notes) if x and x not in existing]
    return "\n".join(extra)


def _notes(person: Person) -> str:
    parts = [person.notes]
    if person.url:
        parts.append(person.url)
    if person.phones:
        parts.append("Phone: " + ", ".join(person.phones))
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Result:
    added: tuple[int, ...]
    merged: tuple[int, ...]
    rejected: int
    #: The import batch recorded (None when nothing was written): ``store.imports.undo_last``.
    batch: int | None = None


def apply(store: Store, the_plan: Plan) -> Result:
    """Write the plan in one transaction: on any failure nothing of it is kept.

    The plan shown to the user was made before this write transaction, and another import (in
    another window or process) may have written since: inside the transaction, which holds the
    database's write lock, the people are matched against the store again, so two imports of one
    file merge instead of adding everyone twice. A lock held longer than the database's timeout
    is an ImportError_ ("busy"), not an sqlite3 error.

    What the new plan writes must be what the user was shown, or less: a person shown as new who
    is now stored under the same name (another import added them) is merged, which adds nothing
    twice; a person now matched to someone else (an address another contact took), or rejected,
    refuses the whole import with the line."""
    try:
        with store.transaction():
            if the_plan.parsed is None:
                return _write(store, the_plan)
            fresh = plan(store, the_plan.parsed)
            changed = _changed_since(store, the_plan, fresh)
            if changed:
                raise ImportError_(
                    f"Nothing was imported: since the plan was made, {changed}. "
                    "Look at the import again."
                )
            return _write(store, fresh)
    except StorageError as exc:
        raise ImportError_(f"Nothing was imported: {exc}") from exc
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        raise ImportError_(
            "Nothing was imported: the database is busy (another import, or Coffeechat, kept "
            "it locked too long). Try again in a moment."
        ) from exc


def _targets(the_plan: Plan) -> dict[int, int | str | None]:
    """Each line of the plan: the contact it merges into, None for new, "rejected"."""
    out: dict[int, int | str | None] = {r.line: "rejected" for r in the_plan.rejected}
    out.update((p.line, None) for p in the_plan.new)
    out.update((line, m.contact_id) for m in the_plan.merges for line in m.lines)
    return out


def _changed_since(store: Store, shown: Plan, fresh: Plan) -> str:
    """Why ``fresh`` would write something ``shown`` did not say ("" when it would not).

    Lines are compared where both plans name them: the first line of every group of rows folded
    together is in both (a group shown as new is listed by its first line only)."""
    before, after = _targets(shown), _targets(fresh)
    new = {p.line: p for p in shown.new}
    reasons = {r.line: r.reason for r in fresh.rejected}
    for line in sorted(before.keys() & after.keys()):
        was, now = before[line], after[line]
        if was == now:
            continue
        if now == "rejected":
            return f"line {line} is rejected: {reasons[line]}"
        if was is None and isinstance(now, int):
            person = new[line]
            existing = store.contacts.get(now).contact
            if name_key(existing.name) == name_key(person.name):
                continue  # the same person, stored meanwhile: merged, nothing added twice
            shared = [e for e in person.emails if e in existing.emails]
            return (
                f"the address {shared[0] if shared else ''} of line {line} ({person.name}) "
                f"belongs to {existing.name}"
            )
        return f"the contact line {line} matched has changed"
    return ""


def _write(store: Store, the_plan: Plan) -> Result:
    added: list[int] = []
    merged: list[int] = []
    before: list[Contact] = []
    for person in the_plan.new:
        contact = store.contacts.add(
            Contact(
                None,
                person.name,
                person.emails,
                company=person.company,
                role=person.role,
                source=the_plan.source.value if the_plan.source else "",
                notes=_notes(person),
                in_pipeline=False,  # in People until the user picks them as a target
            )
        )
        assert contact.id is not None
        if the_plan.source is not None:
            detail = person.url
            store.workspace.set_source(contact.id, ContactSource(the_plan.source, detail=detail))
        added.append(contact.id)
    for m in the_plan.merges:
        current = store.contacts.get(m.contact_id).contact
        if not (m.new_emails or m.company or m.role or m.notes):
            continue
        before.append(current)
        store.contacts.update(
            replace(
                current,
                emails=(*current.emails, *m.new_emails),
                company=current.company or m.company,
                role=current.role or m.role,
                notes="\n".join(n for n in (current.notes, m.notes) if n),
            )
        )
        merged.append(m.contact_id)
    batch = None
    if added or merged:
        batch = store.imports.record(utc_now(), the_plan.format.value, tuple(added), tuple(before))
    return Result(tuple(added), tuple(merged), len(the_plan.rejected), batch)


def describe(the_plan: Plan) -> str:
    """The plan in a few lines, for the command line and the dialog's summary."""
    lines = [
        f"{len(the_plan.new)} new contact{'s' if len(the_plan.new) != 1 else ''}, "
        f"{len(the_plan.merges)} already known (merged), {len(the_plan.rejected)} rejected"
        + (
            f", {the_plan.duplicates_in_file} duplicate row(s) folded"
            if the_plan.duplicates_in_file
            else ""
        )
    ]
    for r in the_plan.rejected:
        lines.append(f"  line {r.line}: {r.reason}")
    return "\n".join(lines)
