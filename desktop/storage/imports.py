"""Import batches: what each import added and what the contacts it merged into were before, so
that an import can be undone (``coffeechat import --undo``, the window's Undo import)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.model import Contact
from desktop.storage.codec import iso
from desktop.storage.contacts import ContactRepo
from desktop.storage.database import Database


@dataclass(frozen=True, slots=True)
class ImportBatch:
    id: int
    imported_at: datetime
    file_name: str
    added: tuple[int, ...]
    merged: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UndoneImport:
    batch: ImportBatch
    #: Added contacts deleted; merged contacts put back as they were.
    removed: int
    restored: int


def _fields(contact: Contact) -> str:
    return json.dumps(
        {
            "emails": list(contact.emails),
            "company": contact.company,
            "role": contact.role,
            "notes": contact.notes,
        }
    )


class ImportRepo:
    """The import_batches and import_items tables."""

    def __init__(self, database: Database, contacts: ContactRepo) -> None:
        self._database = database
        self._db = database.connection
        self._contacts = contacts

    def record(
        self,
        at: datetime,
        file_name: str,
        added: tuple[int, ...],
        merged_before: tuple[Contact, ...],
    ) -> int:
        """Record one import (inside its transaction): the ids it added, and the contacts it
        merged into as they were before it."""
        with self._database.transaction():
            cur = self._db.execute(
                "INSERT INTO import_batches (imported_at, file_name) VALUES (?, ?)",
                (iso(at), file_name),
            )
            batch = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO import_items (batch_id, contact_id, before) VALUES (?, ?, NULL)",
                [(batch, cid) for cid in added],
            )
            self._db.executemany(
                "INSERT INTO import_items (batch_id, contact_id, before) VALUES (?, ?, ?)",
                [(batch, c.id, _fields(c)) for c in merged_before],
            )
        return batch

    def last(self) -> ImportBatch | None:
        """The latest import not undone yet."""
        row = self._db.execute(
            "SELECT id, imported_at, file_name FROM import_batches WHERE undone_at IS NULL "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        items = self._db.execute(
            "SELECT contact_id, before IS NULL FROM import_items WHERE batch_id = ? "
            "ORDER BY contact_id",
            (row[0],),
        ).fetchall()
        return ImportBatch(
            int(row[0]),
            datetime.fromisoformat(str(row[1])),
            str(row[2]),
            tuple(int(c) for c, new in items if new),
            tuple(int(c) for c, new in items if not new),
        )

    def undo_last(self, now: datetime) -> UndoneImport | None:
        """Undo the latest import: delete the contacts it added (those still there), put the
        fields of those it merged into back as they were. None when there is none to undo."""
        with self._database.transaction():
            batch = self.last()
            if batch is None:
                return None
            removed = restored = 0
            for cid in batch.added:
                if self._db.execute("SELECT 1 FROM contacts WHERE id = ?", (cid,)).fetchone():
                    self._contacts.delete(cid)
                    removed += 1
            rows = self._db.execute(
                "SELECT contact_id, before FROM import_items WHERE batch_id = ? AND before IS "
                "NOT NULL",
                (batch.id,),
            ).fetchall()
            for cid, before in rows:
                try:
                    current = self._contacts.get(int(cid)).contact
                except KeyError:
                    continue
                was = json.loads(str(before))
                self._contacts.update(
                    Contact(
                        current.id,
                        current.name,
                        tuple(was["emails"]),
                        company=was["company"],
                        role=was["role"],
                        timezone=current.timezone,
                        source=current.source,
                        referrer_id=current.referrer_id,
                        notes=was["notes"],
                        objective_id=current.objective_id,
                        in_pipeline=current.in_pipeline,
                    )
                )
                restored += 1
            self._db.execute(
                "UPDATE import_batches SET undone_at = ? WHERE id = ?", (iso(now), batch.id)
            )
        return UndoneImport(batch, removed, restored)
