"""The outbox: a row written before the provider call and completed after it."""

from __future__ import annotations

from datetime import datetime

from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Repository


class OutboxRepo(Repository):
    """The outbox table."""

    def add(
        self,
        key: str,
        account_id: int,
        contact_id: int | None,
        purpose: str,
        payload: str,
        created_at: datetime,
    ) -> None:
        with self._database.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, account_id, contact_id, purpose, payload, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, account_id, contact_id, purpose, payload, iso(created_at)),
            )

    def pending(self, account_id: int) -> list[tuple[str, int | None, str, str]]:
        rows = self._db.execute(
            "SELECT key, contact_id, purpose, payload FROM outbox WHERE account_id = ? AND "
            "state = 'pending' ORDER BY id",
            (account_id,),
        )
        return [(str(r[0]), r[1], str(r[2]), str(r[3])) for r in rows]

    def state(self, key: str) -> str | None:
        """The row's state (pending, sent, failed), or None when there is no row."""
        row = self._db.execute("SELECT state FROM outbox WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def sending(self, key: str, draft_id: str) -> None:
        """The provider is about to be asked to send draft ``draft_id`` for this row: from now
        on the message may have gone out. The row stays pending until its sent copy is found;
        only that draft is ever sent for it again (desktop.outbox)."""
        with self._database.transaction():
            self._db.execute(
                "UPDATE outbox SET sent_id = ? WHERE key = ? AND state = 'pending'",
                (draft_id, key),
            )

    def sending_draft(self, key: str) -> tuple[str, datetime] | None:
        """(the draft, when the row was written) of a pending row whose send began, or None."""
        row = self._db.execute(
            "SELECT sent_id, created_at FROM outbox WHERE key = ? AND state = 'pending' "
            "AND sent_id IS NOT NULL",
            (key,),
        ).fetchone()
        if row is None:
            return None
        created = from_iso(str(row[1]))
        assert created is not None
        return str(row[0]), created

    def done(self, key: str, sent_id: str) -> None:
        with self._database.transaction():
            self._db.execute(
                "UPDATE outbox SET state = 'sent', sent_id = ? WHERE key = ?", (sent_id, key)
            )

    def failed(self, key: str, error: str) -> None:
        with self._database.transaction():
            self._db.execute(
                "UPDATE outbox SET state = 'failed', error = ? WHERE key = ?", (error, key)
            )
