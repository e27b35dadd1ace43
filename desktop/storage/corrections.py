"""The user's corrections of a verdict ("this was a real reply", "an automatic reply", "bulk
mail"): each one kept with the message it was about, what Coffeechat had read and when; the
latest word on a sender (but "bulk mail") is what the next classification of their mail
weighs."""

from __future__ import annotations

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
