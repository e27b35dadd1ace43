"""Contacts, their addresses (good and bad) and notes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from desktop.domain.model import Contact, ContactState
from desktop.domain.workspace import ContactSource, SourceKind
from desktop.storage.codec import iso, state_from_json, state_to_json
from desktop.storage.database import Database, Repository, StorageError
from desktop.storage.records import ContactRecord, utc_now
from desktop.storage.sources import source_from_text, source_text


def _source(row: Sequence[object] | None) -> ContactSource | None:
    """(kind, article title, detail) as stored, or None when there is no recorded source."""
    if row is None or row[0] is None:
        return None
    return ContactSource(SourceKind(str(row[0])), article_title=str(row[1]), detail=str(row[2]))


class ContactRepo(Repository):
    """The contacts table and contact_emails."""

    def add(self, contact: Contact, state: ContactState | None = None) -> Contact:
        state = state or ContactState()
        now = iso(utc_now())
        with self._database.transaction():
            cur = self._db.execute(
                "INSERT INTO contacts (name, company, role, timezone, source, referrer_id, "
                "objective_id, notes, stage, state, created_at, updated_at, in_pipeline) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact.name,
                    contact.company,
                    contact.role,
                    contact.timezone,
                    "",  # the source lives in contact_sources (sources.py)
                    contact.referrer_id,
                    contact.objective_id,
                    contact.notes,
                    state.stage.value,
                    state_to_json(state),
                    now,
                    now,
                    int(contact.in_pipeline),
                ),
            )
            contact_id = int(cur.lastrowid or 0)
            self._set_emails(contact_id, contact.emails)
            if contact.source.strip():
                self._write_source(contact_id, source_from_text(contact.source))
        return replace(contact, id=contact_id)

    def update(self, contact: Contact) -> None:
        if contact.id is None:
            raise ValueError("update_contact needs a stored contact")
        with self._database.transaction():
            self._db.execute(
                "UPDATE contacts SET name = ?, company = ?, role = ?, timezone = ?, source = ?, "
                "referrer_id = ?, objective_id = ?, notes = ?, updated_at = ?, in_pipeline = ? "
                "WHERE id = ?",
                (
                    contact.name,
                    contact.company,
                    contact.role,
                    contact.timezone,
                    "",
                    contact.referrer_id,
                    contact.objective_id,
                    contact.notes,
                    iso(utc_now()),
                    int(contact.in_pipeline),
                    contact.id,
                ),
            )
            self._set_emails(contact.id, contact.emails)
            self._update_source(contact.id, contact.source)

    def _update_source(self, contact_id: int, text: str) -> None:
        """The source said in words changed: record it (unchanged words keep the recorded
        kind, article and detail as they are)."""
        row = self._db.execute(self._SOURCE_SQL, (contact_id,)).fetchone()
        old = _source(row)
        if " ".join(text.split()) == source_text(old):
            return
        if not text.strip():
            self._db.execute("DELETE FROM contact_sources WHERE contact_id = ?", (contact_id,))
            return
        self._write_source(contact_id, source_from_text(text))

    def _write_source(self, contact_id: int, source: ContactSource) -> None:
        self._db.execute(
            "INSERT INTO contact_sources (contact_id, kind, detail) VALUES (?, ?, ?) "
            "ON CONFLICT (contact_id) DO UPDATE SET kind = excluded.kind, detail = excluded.detail",
            (contact_id, source.kind.value, source.detail),
        )

    _SOURCE_SQL = "SELECT kind, article_title, detail FROM contact_sources WHERE contact_id = ?"

    def _set_emails(self, contact_id: int, emails: tuple[str, ...]) -> None:
        cleaned = [e.strip().lower() for e in emails if e.strip()]
        for address in cleaned:
            owner = self._db.execute(
                "SELECT contact_id FROM contact_emails WHERE address = ?", (address,)
            ).fetchone()
            if owner is not None and owner[0] != contact_id:
                raise StorageError(f"The address {address} already belongs to another contact.")
        self._db.execute("DELETE FROM contact_emails WHERE contact_id = ?", (contact_id,))
        self._db.executemany(
            "INSERT INTO contact_emails (address, contact_id, position) VALUES (?, ?, ?)",
            [(a, contact_id, i) for i, a in enumerate(dict.fromkeys(cleaned))],
        )

    def delete(self, contact_id: int) -> None:
        with self._database.transaction():
            self._db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))

    def delete_keeping_undo(self, contact_id: int) -> DeletedContact:
        """Delete the contact and all that was theirs; the answer puts it back (``restore``)."""
        return delete_contact(self._database, contact_id)

    def restore(self, deleted: DeletedContact) -> None:
        restore_contact(self._database, deleted)

    _CONTACT_SQL = (
        "SELECT c.id, c.name, c.company, c.role, c.timezone, c.source, c.referrer_id, "
        "c.objective_id, c.notes, c.state, "
        "(SELECT group_concat(address, char(10)) FROM "
        " (SELECT address FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position)), "
        "s.kind, s.article_title, s.detail, c.in_pipeline "
        "FROM contacts c LEFT JOIN contact_sources s ON s.contact_id = c.id"
    )

    @staticmethod
    def _record(row: sqlite3.Row | tuple[object, ...]) -> ContactRecord:
        emails = tuple(str(row[10]).split("\n")) if row[10] else ()
        contact = Contact(
            id=int(str(row[0])),
            name=str(row[1]),
            emails=emails,
            company=str(row[2]),
            role=str(row[3]),
            timezone=str(row[4]),
            source=source_text(_source(row[11:14])) or str(row[5]),
            referrer_id=None if row[6] is None else int(str(row[6])),
            objective_id=None if row[7] is None else int(str(row[7])),
            notes=str(row[8]),
            in_pipeline=bool(row[14]),
        )
        return ContactRecord(contact, state_from_json(str(row[9])))

    def all(self) -> list[ContactRecord]:
        rows = self._db.execute(self._CONTACT_SQL + " ORDER BY c.name COLLATE NOCASE").fetchall()
        return [self._record(r) for r in rows]

    def get(self, contact_id: int) -> ContactRecord:
        row = self._db.execute(self._CONTACT_SQL + " WHERE c.id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        return self._record(row)

    def names(self) -> dict[int, str]:
        return {int(i): str(n) for i, n in self._db.execute("SELECT id, name FROM contacts")}

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM contacts").fetchone()[0])

    def address_index(self) -> dict[str, int]:
        """Every known address (lower-case) and its contact: the sync's relevance filter."""
        return {
            str(a): int(c)
            for a, c in self._db.execute("SELECT address, contact_id FROM contact_emails")
        }

    def mark_address_bad(self, address: str) -> None:
        self._db.execute("UPDATE contact_emails SET bad = 1 WHERE address = ?", (address.lower(),))

    def bad_addresses(self, contact_id: int) -> set[str]:
        rows = self._db.execute(
            "SELECT address FROM contact_emails WHERE contact_id = ? AND bad = 1", (contact_id,)
        )
        return {str(r[0]) for r in rows}

    def add_to_targets(self, contact_ids: Sequence[int]) -> list[int]:
        """Pick people into the pipeline as targets; the ids that were in People."""
        with self._database.transaction():
            picked = [
                int(r[0])
                for cid in contact_ids
                for r in self._db.execute(
                    "SELECT id FROM contacts WHERE id = ? AND in_pipeline = 0", (cid,)
                )
            ]
            self._db.executemany(
                "UPDATE contacts SET in_pipeline = 1, updated_at = ? WHERE id = ?",
                [(iso(utc_now()), cid) for cid in picked],
            )
        return picked

    def set_notes(self, contact_id: int, notes: str) -> None:
        with self._database.transaction():
            self._db.execute(
                "UPDATE contacts SET notes = ?, updated_at = ? WHERE id = ?",
                (notes, iso(utc_now()), contact_id),
            )


@dataclass(frozen=True, slots=True)
class DeletedContact:
    """Everything a deleted contact took with it, to put back exactly (Undo).

    ``rows``: (table, columns, rows) of the contact itself and of every row that referred to it
    and was deleted with it (addresses, events, transitions, notes, sources, questions…), in the
    order the tables were created, so that a row is put back after what it refers to.
    ``unlinked``: (table, column, rowids) of rows that kept living without it (messages, the
    outbox, contacts it introduced), to link them again."""

    contact_id: int
    name: str
    rows: tuple[tuple[str, tuple[str, ...], tuple[tuple[object, ...], ...]], ...]
    unlinked: tuple[tuple[str, str, tuple[int, ...]], ...]


def _references(db: sqlite3.Connection) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    """The tables in creation order, and (table, column, referred table, on delete) of every
    foreign key."""
    tables = [
        str(r[0])
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
    ]
    refs = []
    for table in tables:
        for fk in db.execute(f"PRAGMA foreign_key_list({table})").fetchall():
            refs.append((table, str(fk[3]), str(fk[2]), str(fk[6]).upper()))
    return tables, refs


def delete_contact(database: Database, contact_id: int) -> DeletedContact:
    """Delete a contact, keeping what is needed to undo it (``restore_contact``)."""
    db = database.connection
    with database.transaction():
        row = db.execute("SELECT name FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        tables, refs = _references(db)
        saved = []
        for table in tables:  # creation order: a row comes after what it refers to
            cols = [c for t, c, to, act in refs if t == table and to == "contacts"]
            if table == "contacts":
                cols = ["id"]
            elif not any(
                t == table and to == "contacts" and act == "CASCADE" for t, _c, to, act in refs
            ):
                continue
            where = " OR ".join(f"{c} = ?" for c in cols)
            cur = db.execute(f"SELECT * FROM {table} WHERE {where}", [contact_id] * len(cols))
            columns = tuple(d[0] for d in cur.description)
            saved.append((table, columns, tuple(tuple(r) for r in cur.fetchall())))
        unlinked = []
        for table, column, to, action in refs:
            if to == "contacts" and action == "SET NULL":
                found = db.execute(f"SELECT rowid FROM {table} WHERE {column} = ?", (contact_id,))
                ids = tuple(int(r[0]) for r in found)
                if ids:
                    unlinked.append((table, column, ids))
        db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
    return DeletedContact(contact_id, str(row[0]), tuple(saved), tuple(unlinked))


def restore_contact(database: Database, deleted: DeletedContact) -> None:
    """Put a deleted contact back as it was: the same id, rows and links."""
    db = database.connection
    with database.transaction():
        for table, columns, rows in deleted.rows:
            if rows:
                marks = ", ".join("?" for _ in columns)
                db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        for table, column, ids in deleted.unlinked:
            db.executemany(
                f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                [(deleted.contact_id, i) for i in ids],
            )
