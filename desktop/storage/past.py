"""The history pass's progress: per account, where the pass stands (contacts done / total,
messages read, the summary of what it found); per account and contact, whether their past was
read. Written in the same transaction as the events of a batch, so a pass that stops (crash,
cancel, kill) resumes at the first batch that did not land."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Database


@dataclass(frozen=True, slots=True)
class PastRun:
    """Where the history pass of one account stands."""

    account_id: int
    since: datetime
    #: pending (to run or to resume), running, cancelled or done.
    state: str
    contacts_done: int
    contacts_total: int
    messages_read: int
    summary: dict[str, int] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class PastRepo:
    """The history_runs and history_contacts tables."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._db = database.connection

    def run(self, account_id: int) -> PastRun | None:
        row = self._db.execute(
            "SELECT account_id, since, state, contacts_done, contacts_total, messages_read, "
            "summary, started_at, finished_at FROM history_runs WHERE account_id = ?",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        since = from_iso(row[1])
        assert since is not None
        try:
            summary = {str(k): int(v) for k, v in json.loads(row[6]).items()}
        except (ValueError, TypeError, AttributeError):
            summary = {}
        return PastRun(
            int(row[0]),
            since,
            str(row[2]),
            int(row[3]),
            int(row[4]),
            int(row[5]),
            summary,
            from_iso(row[7]),
            from_iso(row[8]),
        )

    def runs(self) -> list[PastRun]:
        ids = [int(r[0]) for r in self._db.execute("SELECT account_id FROM history_runs")]
        return [run for run in (self.run(i) for i in sorted(ids)) if run is not None]

    def start(self, account_id: int, since: datetime, total: int, now: datetime) -> PastRun:
        """Begin a pass, or go on with the one that did not finish (its ``since`` is kept: the
        window does not slide while a pass is resumed)."""
        with self._database.transaction():
            old = self.run(account_id)
            if old is None or old.state == "done":
                self._db.execute(
                    "INSERT OR REPLACE INTO history_runs (account_id, since, state, "
                    "contacts_done, contacts_total, messages_read, summary, started_at) "
                    "VALUES (?, ?, 'running', 0, ?, 0, '{}', ?)",
                    (account_id, iso(since), total, iso(now)),
                )
            else:
                self._db.execute(
                    "UPDATE history_runs SET state = 'running', contacts_total = "
                    "contacts_done + ?, finished_at = NULL WHERE account_id = ?",
                    (total, account_id),
                )
        run = self.run(account_id)
        assert run is not None
        return run

    def record_batch(
        self,
        account_id: int,
        contact_ids: list[int],
        messages: int,
        found: dict[str, int],
        now: datetime,
    ) -> None:
        """A batch landed: its contacts are read, its messages and findings counted (call it
        inside the batch's transaction)."""
        with self._database.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO history_contacts (account_id, contact_id, read_at) "
                "VALUES (?, ?, ?)",
                [(account_id, c, iso(now)) for c in contact_ids],
            )
            run = self.run(account_id)
            summary = dict(run.summary) if run else {}
            for key, n in found.items():
                summary[key] = summary.get(key, 0) + n
            self._db.execute(
                "UPDATE history_runs SET contacts_done = contacts_done + ?, "
                "messages_read = messages_read + ?, summary = ? WHERE account_id = ?",
                (len(contact_ids), messages, json.dumps(summary, sort_keys=True), account_id),
            )

    def finish(self, account_id: int, state: str, now: datetime) -> None:
        """``state``: done, or cancelled (a cancelled pass is resumed by the next run)."""
        self._db.execute(
            "UPDATE history_runs SET state = ?, finished_at = ? WHERE account_id = ?",
            (state, iso(now), account_id),
        )

    def request_cancel(self) -> int:
        """Ask every running pass to stop after its current batch (the command line's
        ``--cancel``, from another process); returns how many were asked."""
        cur = self._db.execute(
            "UPDATE history_runs SET state = 'cancelling' WHERE state = 'running'"
        )
        return cur.rowcount

    def cancel_requested(self, account_id: int) -> bool:
        row = self._db.execute(
            "SELECT state FROM history_runs WHERE account_id = ?", (account_id,)
        ).fetchone()
        return row is not None and row[0] == "cancelling"

    def unread_contacts(self, account_id: int) -> list[int]:
        """The contacts whose past was not read for this account yet (added or imported after
        it was connected, or not reached by an unfinished pass), oldest first."""
        rows = self._db.execute(
            "SELECT c.id FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM history_contacts h "
            "WHERE h.account_id = ? AND h.contact_id = c.id) ORDER BY c.id",
            (account_id,),
        ).fetchall()
        return [int(r[0]) for r in rows]
