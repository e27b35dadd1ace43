"""Tracked messages and their threads, the slots offered in requests, and the user's word
on what a sender's mail is."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from desktop.domain.slots import Offer
from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Repository
from desktop.storage.records import StoredMessage, message_key
from mail.provider import MailMessage

#: The kind of a message the sync kept but could not read.
UNREADABLE = "unreadable"


class MessageRepo(Repository):
    """The messages, offers and sender_kinds tables."""

    def save(
        self,
        account_id: int,
        msg: MailMessage,
        *,
        kind: str,
        evidence: str,
        contact_id: int | None,
    ) -> str:
        """Store a tracked message (idempotent on the provider id); returns its key."""
        self._insert(
            account_id,
            msg,
            kind,
            evidence,
            contact_id,
            on_conflict="DO UPDATE SET kind = excluded.kind, evidence = excluded.evidence, "
            "contact_id = excluded.contact_id",
        )
        self._db.execute(
            "DELETE FROM message_failures WHERE account_id = ? AND provider_id = ?",
            (account_id, msg.ref.id),
        )
        return message_key(account_id, msg.ref.id)

    def save_unreadable(
        self,
        account_id: int,
        msg: MailMessage,
        *,
        failure: str,
        contact_id: int | None,
        now: datetime,
    ) -> str:
        """Keep a message the sync could not read, with why, and count the attempt. A message
        read before keeps its reading; only the failure is recorded."""
        self._insert(
            account_id,
            msg,
            UNREADABLE,
            f"could not be read: {failure}",
            contact_id,
            on_conflict="DO NOTHING",
        )
        self._db.execute(
            "INSERT INTO message_failures (account_id, provider_id, failure, failed_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, provider_id) DO UPDATE SET "
            "failure = excluded.failure, failed_at = excluded.failed_at, "
            "attempts = attempts + 1",
            (account_id, msg.ref.id, failure, iso(now)),
        )
        return message_key(account_id, msg.ref.id)

    def _insert(
        self,
        account_id: int,
        msg: MailMessage,
        kind: str,
        evidence: str,
        contact_id: int | None,
        *,
        on_conflict: str,
    ) -> None:
        """One message row; ``on_conflict`` says what a row already there for the same
        provider id keeps (a fixed SQL clause from this module, never user text)."""
        self._db.execute(
            "INSERT INTO messages (account_id, provider_id, thread_id, folder, message_id, "
            "subject, sender, recipients, date, kind, evidence, contact_id, text, html, defects) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT (account_id, provider_id) {on_conflict}",
            (
                account_id,
                msg.ref.id,
                msg.ref.thread_id,
                msg.ref.folder.value,
                msg.message_id,
                msg.subject,
                msg.sender,
                json.dumps([*msg.to, *msg.cc]),
                iso(msg.date),
                kind,
                evidence,
                contact_id,
                msg.text,
                msg.html,
                json.dumps(list(msg.defects)),
            ),
        )

    def failed_attempts(self, account_id: int, provider_id: str) -> int:
        """How many passes failed to read this message (0: never failed)."""
        row = self._db.execute(
            "SELECT attempts FROM message_failures WHERE account_id = ? AND provider_id = ?",
            (account_id, provider_id),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def tracked_threads(self, account_id: int) -> set[str]:
        rows = self._db.execute(
            "SELECT DISTINCT thread_id FROM messages WHERE account_id = ? AND contact_id "
            "IS NOT NULL",
            (account_id,),
        )
        return {str(r[0]) for r in rows}

    def thread_contact(self, account_id: int, thread_id: str) -> int | None:
        row = self._db.execute(
            "SELECT contact_id FROM messages WHERE account_id = ? AND thread_id = ? AND "
            "contact_id IS NOT NULL ORDER BY date LIMIT 1",
            (account_id, thread_id),
        ).fetchone()
        return None if row is None else int(row[0])

    def contact_for_message_id(self, message_id: str) -> int | None:
        row = self._db.execute(
            "SELECT contact_id FROM messages WHERE message_id = ? AND contact_id IS NOT NULL",
            (message_id,),
        ).fetchone()
        return None if row is None else int(row[0])

    def for_contact(self, contact_id: int) -> list[StoredMessage]:
        rows = self._db.execute(
            "SELECT m.account_id, m.provider_id, m.thread_id, m.folder, m.subject, m.sender, "
            "m.recipients, m.date, m.kind, m.evidence, m.text, m.html, m.defects, m.message_id, "
            "f.failure FROM messages m LEFT JOIN message_failures f "
            "ON f.account_id = m.account_id AND f.provider_id = m.provider_id "
            "WHERE m.contact_id = ? "
            "ORDER BY m.date",
            (contact_id,),
        ).fetchall()
        out = []
        for r in rows:
            when = from_iso(r[7])
            assert when is not None
            out.append(
                StoredMessage(
                    key=message_key(int(r[0]), str(r[1])),
                    account_id=int(r[0]),
                    thread_id=str(r[2]),
                    folder=str(r[3]),
                    subject=str(r[4]),
                    sender=str(r[5]),
                    recipients=tuple(json.loads(r[6])),
                    date=when,
                    kind=str(r[8]),
                    evidence=str(r[9]),
                    text=str(r[10]),
                    html=str(r[11]),
                    defects=tuple(json.loads(r[12])),
                    message_id=str(r[13] or ""),
                    failure=str(r[14] or ""),
                )
            )
        return out

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM messages").fetchone()[0])

    # ----------------------------------------------------------------- offers
    def add_offers(
        self,
        contact_id: int,
        slots: list[tuple[datetime, datetime]],
        offered_at: datetime,
        outbox_key: str | None = None,
    ) -> None:
        """Record the slots proposed to a contact in a request."""
        with self._database.transaction():
            self._db.executemany(
                "INSERT INTO offers (contact_id, start, end, offered_at, outbox_key) "
                "VALUES (?, ?, ?, ?, ?)",
                [(contact_id, iso(a), iso(b), iso(offered_at), outbox_key) for a, b in slots],
            )

    def open_offers(self, *, except_contact: int | None = None) -> list[tuple[datetime, datetime]]:
        """Slots still on offer: proposed to a contact whose request is pending (requested or
        replied, not yet scheduled or closed) and not released."""
        rows = self._db.execute(
            "SELECT o.start, o.end FROM offers o JOIN contacts c ON c.id = o.contact_id "
            "WHERE o.released_at IS NULL AND c.stage IN ('requested', 'replied') "
            "AND o.contact_id IS NOT ?",
            (except_contact,),
        ).fetchall()
        out = []
        for r in rows:
            start, end = from_iso(r[0]), from_iso(r[1])
            assert start is not None and end is not None
            out.append((start, end))
        return out

    def pending_offers(self) -> list[Offer]:
        """Unreleased offers to contacts whose request is pending (requested or replied), with
        when they were made: ``desktop.domain.slots.holds`` says which still hold their time."""
        rows = self._db.execute(
            "SELECT o.contact_id, o.start, o.end, o.offered_at FROM offers o "
            "JOIN contacts c ON c.id = o.contact_id "
            "WHERE o.released_at IS NULL AND c.stage IN ('requested', 'replied') ORDER BY o.start"
        ).fetchall()
        out: list[Offer] = []
        for r in rows:
            start, end, at = from_iso(r[1]), from_iso(r[2]), from_iso(r[3])
            if start is not None and end is not None and at is not None:
                out.append(Offer(int(r[0]), start, end, at))
        return out

    def offers_for(
        self, contact_id: int, *, include_released: bool = False
    ) -> list[tuple[datetime, datetime]]:
        """The slots most recently proposed to this contact and not released, in time order;
        with ``include_released``, the last batch offered even once released (the reply card
        reads which of them was accepted after the meeting was set)."""
        if include_released:
            rows = self._db.execute(
                "SELECT start, end FROM offers WHERE contact_id = ? AND offered_at = "
                "(SELECT max(offered_at) FROM offers WHERE contact_id = ?) ORDER BY start",
                (contact_id, contact_id),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT start, end FROM offers WHERE contact_id = ? AND released_at IS NULL "
                "ORDER BY start",
                (contact_id,),
            ).fetchall()
        return [
            (a, b)
            for a, b in ((from_iso(r[0]), from_iso(r[1])) for r in rows)
            if a is not None and b is not None
        ]

    def release_offers(self, contact_id: int, now: datetime) -> None:
        """The contact has a meeting (or is closed): their other slots are free again."""
        with self._database.transaction():
            self._db.execute(
                "UPDATE offers SET released_at = ? WHERE contact_id = ? AND released_at IS NULL",
                (iso(now), contact_id),
            )

    # ------------------------------------------------------- intent corrections
    def correct_intent(
        self, key: str, contact_id: int, kind: str, slot: int | None, now: datetime
    ) -> None:
        """Keep the user's word on what the reply ``key`` says (it overrides the guess)."""
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO intent_corrections (message_key, contact_id, kind, slot, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_key) DO UPDATE SET "
                "kind = excluded.kind, slot = excluded.slot, set_at = excluded.set_at",
                (key, contact_id, kind, slot, iso(now)),
            )

    def intent_correction(self, key: str) -> tuple[str, int | None] | None:
        """(kind, slot index) the user gave for the reply ``key``, or None."""
        row = self._db.execute(
            "SELECT kind, slot FROM intent_corrections WHERE message_key = ?", (key,)
        ).fetchone()
        return None if row is None else (str(row[0]), None if row[1] is None else int(row[1]))

    # ------------------------------------------------- sender kinds, identity
    def set_sender_kind(self, address: str, kind: str, now: datetime) -> None:
        """Remember the user's word on what mail from this sender is."""
        self._db.execute(
            "INSERT INTO sender_kinds (address, kind, set_at) VALUES (?, ?, ?) "
            "ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, set_at = excluded.set_at",
            (address.lower(), kind, iso(now)),
        )

    def sender_kind(self, address: str) -> str | None:
        row = self._db.execute(
            "SELECT kind FROM sender_kinds WHERE address = ?", (address.lower(),)
        ).fetchone()
        return None if row is None else str(row[0])

    def identity(self, key: str) -> tuple[str, str] | None:
        """(RFC Message-ID, sender) of a stored message, by its key."""
        account, _, provider_id = key.partition(":")
        row = self._db.execute(
            "SELECT message_id, sender FROM messages WHERE account_id = ? AND provider_id = ?",
            (account, provider_id),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def latest_threads(self, contact_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """Each of these contacts' latest conversation: contact -> (account, thread), from the
        newest stored message that is neither a bounce nor bulk mail."""
        out: dict[int, tuple[int, str]] = {}
        for contact_id in set(contact_ids):
            row = self._db.execute(
                "SELECT account_id, thread_id FROM messages WHERE contact_id = ? AND kind NOT IN "
                "('bounce', 'bulk') ORDER BY date DESC, id DESC LIMIT 1",
                (contact_id,),
            ).fetchone()
            if row is not None:
                out[contact_id] = (int(row[0]), str(row[1]))
        return out
