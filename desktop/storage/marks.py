"""Reminders and marks: the user's snoozes and dismissals of due actions, what the user was
already told about, the reminders' own bookkeeping, and the flags Coffeechat set in mailboxes."""

from __future__ import annotations

from datetime import datetime

from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Repository
from desktop.storage.records import ActionKey, ActionMark, MailboxFlagKey


class MarkRepo(Repository):
    """The action_marks, notified, reminder_state and mailbox_flags tables."""

    # ----------------------------------------------------------- action marks
    # Snoozes and dismissals (action_marks, schema v2), what the user was already told about
    # (notified, v4) and the reminders' own bookkeeping (reminder_state, v4).
    def actions(self) -> dict[ActionKey, ActionMark]:
        rows = self._db.execute(
            "SELECT contact_id, kind, due_at, snoozed_until, dismissed FROM action_marks"
        ).fetchall()
        out: dict[ActionKey, ActionMark] = {}
        for r in rows:
            due_at = from_iso(str(r[2]))
            assert due_at is not None
            mark = ActionMark(int(r[0]), str(r[1]), due_at, from_iso(r[3]), bool(r[4]))
            out[(mark.contact_id, mark.kind, mark.due_at)] = mark
        return out

    def snooze(self, key: ActionKey, until: datetime) -> None:
        contact_id, kind, due_at = key
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO action_marks (contact_id, kind, due_at, snoozed_until) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "snoozed_until = excluded.snoozed_until, dismissed = 0",
                (contact_id, kind, iso(due_at), iso(until)),
            )

    def dismiss(self, key: ActionKey) -> None:
        contact_id, kind, due_at = key
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO action_marks (contact_id, kind, due_at, dismissed) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "dismissed = 1, snoozed_until = NULL",
                (contact_id, kind, iso(due_at)),
            )

    def clear(self, key: ActionKey) -> None:
        """Undo a snooze or a dismissal."""
        contact_id, kind, due_at = key
        with self._database.transaction():
            self._db.execute(
                "DELETE FROM action_marks WHERE contact_id = ? AND kind = ? AND due_at = ?",
                (contact_id, kind, iso(due_at)),
            )

    def notified(self) -> dict[ActionKey, datetime]:
        """Every due action the user was told about, and when."""
        rows = self._db.execute("SELECT contact_id, kind, due_at, notified_at FROM notified")
        out: dict[ActionKey, datetime] = {}
        for r in rows:
            due_at, at = from_iso(str(r[2])), from_iso(str(r[3]))
            assert due_at is not None and at is not None
            out[(int(r[0]), str(r[1]), due_at)] = at
        return out

    def mark_notified(self, keys: list[ActionKey], at: datetime) -> None:
        with self._database.transaction():
            self._db.executemany(
                "INSERT INTO notified (contact_id, kind, due_at, notified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "notified_at = excluded.notified_at",
                [(c, k, iso(d), iso(at)) for c, k, d in keys],
            )

    def forget_notified(self, keep: set[ActionKey]) -> None:
        """Drop the records of actions no longer due (done or gone), so the table stays small."""
        with self._database.transaction():
            for key in set(self.notified()) - keep:
                self._db.execute(
                    "DELETE FROM notified WHERE contact_id = ? AND kind = ? AND due_at = ?",
                    (key[0], key[1], iso(key[2])),
                )

    def reminder_value(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM reminder_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_reminder_value(self, key: str, value: str) -> None:
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO reminder_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---------------------------------------------------------- mailbox flags
    # The flags and labels Coffeechat set in the user's mailbox (mailbox_flags, schema v6): a row
    # is a flag we set and have not cleared yet; nothing else in the mailbox is ours to clear.
    def mailbox_flags(self) -> dict[MailboxFlagKey, int | None]:
        """(account, thread, flag) -> the contact it was set for."""
        rows = self._db.execute(
            "SELECT account_id, thread_id, flag, contact_id FROM mailbox_flags"
        ).fetchall()
        return {
            (int(r[0]), str(r[1]), str(r[2])): None if r[3] is None else int(r[3]) for r in rows
        }

    def mailbox_flag_set(self, key: MailboxFlagKey, contact_id: int | None, at: datetime) -> None:
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO mailbox_flags (account_id, thread_id, flag, contact_id, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, thread_id, flag) DO NOTHING",
                (key[0], key[1], key[2], contact_id, iso(at)),
            )

    def mailbox_flag_cleared(self, key: MailboxFlagKey) -> None:
        with self._database.transaction():
            self._db.execute(
                "DELETE FROM mailbox_flags WHERE account_id = ? AND thread_id = ? AND flag = ?",
                key,
            )
