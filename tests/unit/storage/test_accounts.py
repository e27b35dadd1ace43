"""Removing an account: what goes with it and what stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.model import Contact, ContactState, Stage
from desktop.storage import Store
from mail.provider import AccountKind, Folder, MailMessage, MessageRef


def _count(store: Store, table: str, account_id: int) -> int:
    row = store.database.connection.execute(
        f"SELECT count(*) FROM {table} WHERE account_id = ?", (account_id,)
    ).fetchone()
    return int(row[0])


def test_removing_an_account_drops_its_mail_copy_and_keeps_the_contacts(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "profile")
    try:
        gone = store.accounts.add(AccountKind.IMAP, "me@old.example", "Me")
        kept = store.accounts.add(AccountKind.GMAIL, "me@new.example", "Me")
        at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        contact = store.contacts.add(
            Contact(None, "Ana Silva", ("ana@example.org",)),
            ContactState(stage=Stage.REPLIED, requested_at=at, replied_at=at),
        )
        assert contact.id is not None
        for account in (gone, kept):
            message = MailMessage(
                ref=MessageRef(f"m{account.id}", "t1", Folder.INBOX),
                message_id=f"<m{account.id}@example.org>",
                subject="Re: a short chat",
                sender="ana@example.org",
                sender_name="Ana Silva",
                to=(account.address,),
                cc=(),
                date=at,
                headers=(),
                text="Happy to talk.",
            )
            store.messages.save(
                account.id, message, kind="human", evidence="test", contact_id=contact.id
            )
        store.accounts.set_settings(gone.id, '{"host": "imap.old.example"}')
        store.accounts.set_cursor(gone.id, "42", at)

        assert store.accounts.remove(gone.id) is True

        assert store.accounts.all() == [kept]
        assert store.accounts.settings(gone.id) is None
        assert store.accounts.cursor(gone.id) is None
        assert _count(store, "messages", gone.id) == 0
        assert _count(store, "messages", kept.id) == 1  # the other account's copy stays
        record = store.contacts.get(contact.id)
        assert record.contact.name == "Ana Silva" and record.state.stage is Stage.REPLIED
        assert store.accounts.remove(gone.id) is False  # already gone: said, nothing else
    finally:
        store.close()
