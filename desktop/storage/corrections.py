"""The user's corrections of a verdict ("this was a real reply", "an automatic reply", "bulk
mail"): each one kept with the message it was about, what Coffeechat had read and when; the
latest word on a sender (but "bulk mail") is what the next classification of their mail
weighs; so does a sender's history (``replies_from``: the genuine replies they wrote before)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Database

#: What a correction may say a message is.
KINDS = ("human", "auto_reply", "bulk")


@dataclass(frozen=True, slots=True)
class Correction:
    message_key: str
    sender: str
    was: str
    kind: str
    at: datetime


class CorrectionRepo:
    """The verdict_corrections table."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._db = database.connection

    def record(self, message_key: str, sender: str, was: str, kind: str, at: datetime) -> None:
        """Keep the user's word on one message (``was``: what it had been read as)."""
        if kind not in KINDS:
            raise ValueError(f"cannot correct a message to {kind!r}")
        self._db.execute(
            "INSERT INTO verdict_corrections (message_key, sender, was, kind, corrected_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (message_key, sender.strip().lower(), was, kind, iso(at)),
        )

    def for_sender(self, sender: str) -> str | None:
        """The latest thing the user said a message from ``sender`` is, or None. "Bulk mail"
        corrects one message only: remembered for the sender, it would file every later real
        reply of theirs as bulk."""
        row = self._db.execute(
            "SELECT kind FROM verdict_corrections WHERE sender = ? AND kind != 'bulk' "
            "ORDER BY corrected_at DESC, id DESC LIMIT 1",
            (sender.strip().lower(),),
        ).fetchone()
        return None if row is None else str(row[0])

    def replies_from(
        self, sender: str, contacts: Sequence[int], *, besides: tuple[int, str] | None = None
    ) -> int:
        """How many messages from ``sender`` to these contacts' conversations are kept as genuine
        replies (kind "human"), ``besides`` one message (account id, provider id: the message
        being read again is no history of its own). Read through the contacts' index; a sender
        of no contact has no history."""
        if not sender.strip() or not contacts:
            return 0
        account, provider_id = besides if besides is not None else (-1, "")
        marks = ",".join("?" * len(contacts))
        row = self._db.execute(
            f"SELECT COUNT(*) FROM messages WHERE contact_id IN ({marks}) AND sender = ? "
            "AND kind = 'human' AND NOT (account_id = ? AND provider_id = ?)",
            (*contacts, sender.strip().lower(), account, provider_id),
        ).fetchone()
        return int(row[0]) if row else 0

    def all(self) -> list[Correction]:
        """Every correction, oldest first."""
        rows = self._db.execute(
            "SELECT message_key, sender, was, kind, corrected_at FROM verdict_corrections "
            "ORDER BY corrected_at, id"
        ).fetchall()
        out = []
        for key, sender, was, kind, at in rows:
            when = from_iso(at)
            if when is not None:
                out.append(Correction(str(key), str(sender), str(was), str(kind), when))
        return out
