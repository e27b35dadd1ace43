"""Mail accounts: their addresses, settings and sync cursors."""

from __future__ import annotations

from datetime import datetime

from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Repository
from mail.provider import Account, AccountKind


class AccountRepo(Repository):
    """The accounts table and each account's settings."""

    def add(self, kind: AccountKind, address: str, display_name: str = "") -> Account:
        with self._database.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO accounts (kind, address, display_name) VALUES (?, ?, ?)",
                (kind.value, address.lower(), display_name),
            )
            row = self._db.execute(
                "SELECT id FROM accounts WHERE kind = ? AND address = ?",
                (kind.value, address.lower()),
            ).fetchone()
        return Account(int(row[0]), kind, address.lower(), display_name)

    def all(self) -> list[Account]:
        rows = self._db.execute(
            "SELECT id, kind, address, display_name FROM accounts ORDER BY id"
        ).fetchall()
        return [Account(int(r[0]), AccountKind(r[1]), r[2], r[3]) for r in rows]

    def set_settings(self, account_id: int, data: str) -> None:
        """An account's non-secret settings (JSON text, e.g. an IMAP account's servers)."""
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO account_settings (account_id, data) VALUES (?, ?) "
                "ON CONFLICT (account_id) DO UPDATE SET data = excluded.data",
                (account_id, data),
            )

    def settings(self, account_id: int) -> str | None:
        row = self._db.execute(
            "SELECT data FROM account_settings WHERE account_id = ?", (account_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def cursor(self, account_id: int) -> str | None:
        row = self._db.execute("SELECT cursor FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return None if row is None else row[0]

    def set_cursor(self, account_id: int, cursor: str, synced_at: datetime) -> None:
        self._db.execute(
            "UPDATE accounts SET cursor = ?, last_sync_at = ? WHERE id = ?",
            (cursor, iso(synced_at), account_id),
        )

    def last_sync_at(self, account_id: int) -> datetime | None:
        row = self._db.execute(
            "SELECT last_sync_at FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        return None if row is None else from_iso(row[0])

    def remove(self, account_id: int) -> bool:
        """Forget an account: its row and, with it (ON DELETE CASCADE), Coffeechat's copy of
        its messages, its outbox, settings, mailbox flags, read failures and history-pass
        progress. Contacts, their stages and events stay. False when there was no such
        account."""
        with self._database.transaction():
            gone = self._db.execute("DELETE FROM accounts WHERE id = ?", (account_id,)).rowcount
        return bool(gone)
