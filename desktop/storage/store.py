"""The store: one SQLite connection per thread, repositories as methods, explicit transactions.

A sync pass writes its messages, events, transitions and the account cursor in ONE transaction
(``with store.transaction():``), so a crash or a dropped network mid-pass loses nothing and
duplicates nothing: the next pass repeats the work from the old cursor, and event keys are unique.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.domain.model import (
    Contact,
    ContactState,
    Event,
    EventKind,
    Evidence,
    Stage,
    Transition,
)
from desktop.domain.pipeline import Step, apply
from desktop.storage.codec import from_iso, iso, state_from_json, state_to_json
from desktop.storage.migrations import LATEST, MIGRATIONS
from desktop.storage.workspace import WorkspaceRepo
from mail.provider import Account, AccountKind, MailMessage

log = logging.getLogger(__name__)

DB_NAME = "coffeechat.sqlite3"


class StorageError(Exception):
    """A storage problem the user must hear about in plain words; nothing was changed."""


@dataclass(frozen=True, slots=True)
class ContactRecord:
    contact: Contact
    state: ContactState

    @property
    def id(self) -> int:
        assert self.contact.id is not None
        return self.contact.id


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a contact's history: an event, and the stage change it caused if any."""

    event_id: int
    kind: EventKind
    at: datetime
    evidence: Evidence
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    transition_id: int | None = None
    undone: bool = False


@dataclass(frozen=True, slots=True)
class StoredMessage:
    key: str
    account_id: int
    thread_id: str
    folder: str
    subject: str
    sender: str
    recipients: tuple[str, ...]
    date: datetime
    kind: str
    evidence: str
    text: str
    html: str
    defects: tuple[str, ...]
    #: The RFC 5322 Message-ID (with angle brackets), "" when the message had none.
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class ActionMark:
    """The user's choice about one due action (contact, kind, due_at): snoozed or dismissed."""

    contact_id: int
    kind: str
    due_at: datetime
    snoozed_until: datetime | None = None
    dismissed: bool = False


#: One due action, as stored: (contact id, kind, due at in UTC).
ActionKey = tuple[int, str, datetime]
#: A flag Coffeechat set in a mailbox: (account id, provider thread id, flag name).
MailboxFlagKey = tuple[int, str, str]


def _event_from_row(r: tuple[object, ...]) -> Event:
    payload = json.loads(str(r[6]))
    at = from_iso(str(r[1]))
    assert at is not None
    away = payload.get("away_until")
    target = payload.get("target_stage")
    return Event(
        kind=EventKind(str(r[0])),
        at=at,
        evidence=Evidence(str(r[2]), str(r[3]), None if r[4] is None else str(r[4])),
        key=str(r[5]),
        away_until=date.fromisoformat(away) if away else None,
        bounced_addresses=tuple(payload.get("bounced", ())),
        meeting_start=from_iso(payload.get("meeting_start")),
        meeting_end=from_iso(payload.get("meeting_end")),
        target_stage=Stage(target) if target else None,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def message_key(account_id: int, provider_id: str) -> str:
    return f"{account_id}:{provider_id}"


class Store(WorkspaceRepo):
    """Repositories over one connection. Not shared between threads: open one per thread."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._depth = 0

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, profile_dir: Path, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the profile's database, upgrading its schema.

        Raises StorageError with a message for the user when the folder cannot be used, the file
        is damaged or not ours, or it was written by a newer Coffeechat. The file is never touched
        in those cases.
        """
        profile_dir = Path(profile_dir)
        if profile_dir.exists() and not profile_dir.is_dir():
            raise StorageError(
                f"Cannot use the profile folder {profile_dir}: it is a file, not a folder. "
                "Choose another profile with --profile."
            )
        try:
            profile_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the profile folder {profile_dir}: {exc.strerror or exc}."
            ) from exc
        if not os.access(profile_dir, os.R_OK | os.W_OK | os.X_OK):
            raise StorageError(
                f"Cannot use the profile folder {profile_dir}: it is not readable and writable "
                "by you. Fix its permissions or choose another profile with --profile."
            )
        path = profile_dir / DB_NAME
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the database {path}: {exc}.") from exc
        try:
            version = cls._check(db, path)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            if migrate and version < LATEST:
                cls._migrate(db, path, version)
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    @staticmethod
    def _check(db: sqlite3.Connection, path: Path) -> int:
        try:
            # Reading the header and the schema finds a file that is not a database, or whose
            # first pages are damaged. A full quick_check reads every page (over a second for a
            # large profile), so it runs only before an upgrade (see _migrate).
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"The database {path} is damaged or is not a Coffeechat database ({exc}). "
                "It was left untouched: restore it from a backup, or move it aside to start "
                "a new profile."
            ) from exc
        if version > LATEST:
            raise StorageError(
                f"The database {path} was written by a newer version of Coffeechat (schema "
                f"{version}; this version knows up to {LATEST}). It was left untouched: update "
                "Coffeechat to open it."
            )
        return version

    @staticmethod
    def _migrate(db: sqlite3.Connection, path: Path, version: int) -> None:
        if version > 0:
            try:
                ok = db.execute("PRAGMA quick_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                ok = str(exc)
            if ok != "ok":
                raise StorageError(
                    f"The database {path} is damaged ({ok}). It was left untouched: restore it "
                    "from a backup, or move it aside to start a new profile."
                )
            backup = path.with_name(f"{path.name}.before-v{LATEST}.bak")
            try:
                shutil.copyfile(path, backup)
            except OSError as exc:
                raise StorageError(
                    f"Cannot back up {path} before upgrading it ({exc.strerror or exc}); "
                    "nothing was changed. Free some disk space and try again."
                ) from exc
        try:
            db.execute("BEGIN IMMEDIATE")
            for number in range(version + 1, LATEST + 1):
                log.info("migrating database to schema %d", number)
                MIGRATIONS[number - 1](db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StorageError(
                f"Upgrading the database {path} failed ({exc}); it was left as it was."
            ) from exc

    def close(self) -> None:
        self._db.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ----------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit inside a transaction: undone alone if it fails."""
        self._db.execute("SAVEPOINT unit")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO unit")
            self._db.execute("RELEASE unit")
            raise
        self._db.execute("RELEASE unit")

    # --------------------------------------------------------------- accounts
    def add_account(self, kind: AccountKind, address: str, display_name: str = "") -> Account:
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO accounts (kind, address, display_name) VALUES (?, ?, ?)",
                (kind.value, address.lower(), display_name),
            )
            row = self._db.execute(
                "SELECT id FROM accounts WHERE kind = ? AND address = ?",
                (kind.value, address.lower()),
            ).fetchone()
        return Account(int(row[0]), kind, address.lower(), display_name)

    def accounts(self) -> list[Account]:
        rows = self._db.execute(
            "SELECT id, kind, address, display_name FROM accounts ORDER BY id"
        ).fetchall()
        return [Account(int(r[0]), AccountKind(r[1]), r[2], r[3]) for r in rows]

    def set_account_settings(self, account_id: int, data: str) -> None:
        """An account's non-secret settings (JSON text, e.g. an IMAP account's servers)."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO account_settings (account_id, data) VALUES (?, ?) "
                "ON CONFLICT (account_id) DO UPDATE SET data = excluded.data",
                (account_id, data),
            )

    def account_settings(self, account_id: int) -> str | None:
        row = self._db.execute(
            "SELECT data FROM account_settings WHERE account_id = ?", (account_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def account_cursor(self, account_id: int) -> str | None:
        row = self._db.execute("SELECT cursor FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return None if row is None else row[0]

    def set_account_cursor(self, account_id: int, cursor: str, synced_at: datetime) -> None:
        self._db.execute(
            "UPDATE accounts SET cursor = ?, last_sync_at = ? WHERE id = ?",
            (cursor, iso(synced_at), account_id),
        )

    def last_sync_at(self, account_id: int) -> datetime | None:
        row = self._db.execute(
            "SELECT last_sync_at FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        return None if row is None else from_iso(row[0])

    # --------------------------------------------------------------- contacts
    def add_contact(self, contact: Contact, state: ContactState | None = None) -> Contact:
        state = state or ContactState()
        now = iso(_now())
        with self.transaction():
            cur = self._db.execute(
                "INSERT INTO contacts (name, company, role, timezone, source, referrer_id, "
                "objective_id, notes, stage, state, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact.name,
                    contact.company,
                    contact.role,
                    contact.timezone,
                    contact.source,
                    contact.referrer_id,
                    contact.objective_id,
                    contact.notes,
                    state.stage.value,
                    state_to_json(state),
                    now,
                    now,
                ),
            )
            contact_id = int(cur.lastrowid or 0)
            self._set_emails(contact_id, contact.emails)
        return replace(contact, id=contact_id)

    def update_contact(self, contact: Contact) -> None:
        if contact.id is None:
            raise ValueError("update_contact needs a stored contact")
        with self.transaction():
            self._db.execute(
                "UPDATE contacts SET name = ?, company = ?, role = ?, timezone = ?, source = ?, "
                "referrer_id = ?, objective_id = ?, notes = ?, updated_at = ? WHERE id = ?",
                (
                    contact.name,
                    contact.company,
                    contact.role,
                    contact.timezone,
                    contact.source,
                    contact.referrer_id,
                    contact.objective_id,
                    contact.notes,
                    iso(_now()),
                    contact.id,
                ),
            )
            self._set_emails(contact.id, contact.emails)

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

    def delete_contact(self, contact_id: int) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))

    _CONTACT_SQL = (
        "SELECT c.id, c.name, c.company, c.role, c.timezone, c.source, c.referrer_id, "
        "c.objective_id, c.notes, c.state, "
        "(SELECT group_concat(address, char(10)) FROM "
        " (SELECT address FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position)) "
        "FROM contacts c"
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
            source=str(row[5]),
            referrer_id=None if row[6] is None else int(str(row[6])),
            objective_id=None if row[7] is None else int(str(row[7])),
            notes=str(row[8]),
        )
        return ContactRecord(contact, state_from_json(str(row[9])))

    def contacts(self) -> list[ContactRecord]:
        rows = self._db.execute(self._CONTACT_SQL + " ORDER BY c.name COLLATE NOCASE").fetchall()
        return [self._record(r) for r in rows]

    def contact(self, contact_id: int) -> ContactRecord:
        row = self._db.execute(self._CONTACT_SQL + " WHERE c.id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        return self._record(row)

    def contact_names(self) -> dict[int, str]:
        return {int(i): str(n) for i, n in self._db.execute("SELECT id, name FROM contacts")}

    def states_in_stage(self, stage: Stage) -> list[tuple[int, ContactState]]:
        rows = self._db.execute("SELECT id, state FROM contacts WHERE stage = ?", (stage.value,))
        return [(int(r[0]), state_from_json(str(r[1]))) for r in rows]

    def contact_count(self) -> int:
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

    def set_notes(self, contact_id: int, notes: str) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE contacts SET notes = ?, updated_at = ? WHERE id = ?",
                (notes, iso(_now()), contact_id),
            )

    # ------------------------------------------------------ events, pipeline
    def state(self, contact_id: int) -> ContactState:
        row = self._db.execute("SELECT state FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        return state_from_json(str(row[0]))

    def has_event(self, contact_id: int, key: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM events WHERE contact_id = ? AND key = ?", (contact_id, key)
        ).fetchone()
        return row is not None

    def apply_event(self, contact_id: int, event: Event) -> Step | None:
        """Feed an event to the contact's stage machine and store the outcome atomically.

        Returns None when the event was already recorded (same key): replaying a sync pass is safe.
        """
        with self.transaction():
            if self.has_event(contact_id, event.key):
                return None
            step = apply(self.state(contact_id), event)
            payload = {
                "away_until": event.away_until.isoformat() if event.away_until else None,
                "bounced": list(event.bounced_addresses),
                "meeting_start": iso(event.meeting_start),
                "meeting_end": iso(event.meeting_end),
                "target_stage": event.target_stage.value if event.target_stage else None,
            }
            cur = self._db.execute(
                "INSERT INTO events (contact_id, key, kind, at, summary, detail, message_key, "
                "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    event.key,
                    event.kind.value,
                    iso(event.at),
                    event.evidence.summary,
                    event.evidence.detail,
                    event.evidence.message_key,
                    json.dumps({k: v for k, v in payload.items() if v}),
                    iso(_now()),
                ),
            )
            event_id = int(cur.lastrowid or 0)
            if step.transition is not None:
                self._insert_transition(contact_id, event_id, step.transition)
            self._write_state(contact_id, step.state)
        return step

    def _insert_transition(self, contact_id: int, event_id: int, t: Transition) -> None:
        self._db.execute(
            "INSERT INTO transitions (contact_id, event_id, from_stage, to_stage, at, before) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                contact_id,
                event_id,
                t.from_stage.value,
                t.to_stage.value,
                iso(t.at),
                state_to_json(t.before),
            ),
        )

    def _write_state(self, contact_id: int, state: ContactState) -> None:
        self._db.execute(
            "UPDATE contacts SET stage = ?, state = ?, updated_at = ? WHERE id = ?",
            (state.stage.value, state_to_json(state), iso(_now()), contact_id),
        )

    def undo_last_transition(self, contact_id: int) -> HistoryEntry | None:
        """Undo the contact's latest stage change.

        The state is rebuilt by replaying the contact's events without the undone ones, so what
        later events did without changing the stage (an away date, a follow-up count) is kept.
        """
        with self.transaction():
            row = self._db.execute(
                "SELECT id FROM transitions WHERE contact_id = ? AND undone_at IS NULL "
                "ORDER BY id DESC LIMIT 1",
                (contact_id,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                "UPDATE transitions SET undone_at = ? WHERE id = ?", (iso(_now()), row[0])
            )
            self._write_state(contact_id, self.replayed_state(contact_id))
        return next(h for h in self.history(contact_id) if h.transition_id == row[0])

    def replayed_state(self, contact_id: int) -> ContactState:
        """The contact's state from its kept events, in the order they happened."""
        rows = self._db.execute(
            "SELECT e.kind, e.at, e.summary, e.detail, e.message_key, e.key, e.payload "
            "FROM events e WHERE e.contact_id = ? AND NOT EXISTS (SELECT 1 FROM transitions t "
            "WHERE t.event_id = e.id AND t.undone_at IS NOT NULL) ORDER BY e.at, e.id",
            (contact_id,),
        ).fetchall()
        state = ContactState()
        for r in rows:
            state = apply(state, _event_from_row(r)).state
        return state

    def history(self, contact_id: int) -> list[HistoryEntry]:
        rows = self._db.execute(
            "SELECT e.id, e.kind, e.at, e.summary, e.detail, e.message_key, t.from_stage, "
            "t.to_stage, t.id, t.undone_at FROM events e LEFT JOIN transitions t "
            "ON t.event_id = e.id WHERE e.contact_id = ? ORDER BY e.at, e.id",
            (contact_id,),
        ).fetchall()
        out = []
        for r in rows:
            at = from_iso(r[2])
            assert at is not None
            out.append(
                HistoryEntry(
                    event_id=int(r[0]),
                    kind=EventKind(r[1]),
                    at=at,
                    evidence=Evidence(r[3], r[4], r[5]),
                    from_stage=Stage(r[6]) if r[6] else None,
                    to_stage=Stage(r[7]) if r[7] else None,
                    transition_id=r[8],
                    undone=r[9] is not None,
                )
            )
        return out

    def event_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    # --------------------------------------------------------------- messages
    def save_message(
        self,
        account_id: int,
        msg: MailMessage,
        *,
        kind: str,
        evidence: str,
        contact_id: int | None,
    ) -> str:
        """Store a tracked message (idempotent on the provider id); returns its key."""
        self._db.execute(
            "INSERT INTO messages (account_id, provider_id, thread_id, folder, message_id, "
            "subject, sender, recipients, date, kind, evidence, contact_id, text, html, defects) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, provider_id) DO UPDATE SET kind = excluded.kind, "
            "evidence = excluded.evidence, contact_id = excluded.contact_id",
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
        return message_key(account_id, msg.ref.id)

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

    def messages_for(self, contact_id: int) -> list[StoredMessage]:
        rows = self._db.execute(
            "SELECT account_id, provider_id, thread_id, folder, subject, sender, recipients, "
            "date, kind, evidence, text, html, defects, message_id FROM messages "
            "WHERE contact_id = ? "
            "ORDER BY date",
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
                )
            )
        return out

    def message_count(self) -> int:
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
        with self.transaction():
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

    def offers_for(self, contact_id: int) -> list[tuple[datetime, datetime]]:
        """The slots most recently proposed to this contact and not released, in time order."""
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
        with self.transaction():
            self._db.execute(
                "UPDATE offers SET released_at = ? WHERE contact_id = ? AND released_at IS NULL",
                (iso(now), contact_id),
            )

    # ------------------------------------------------------------ corrections
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

    def message_identity(self, key: str) -> tuple[str, str] | None:
        """(RFC Message-ID, sender) of a stored message, by its key."""
        account, _, provider_id = key.partition(":")
        row = self._db.execute(
            "SELECT message_id, sender FROM messages WHERE account_id = ? AND provider_id = ?",
            (account, provider_id),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def replace_message_event(
        self, contact_id: int, message_key: str, kind: str, event: Event | None
    ) -> Transition | None:
        """The user corrected what a message is: its old event goes, the corrected one (if
        any) takes its place, and the contact's state is replayed. Returns the stage change."""
        account, _, provider_id = message_key.partition(":")
        with self.transaction():
            before = self.state(contact_id)
            self._db.execute(
                "DELETE FROM events WHERE contact_id = ? AND message_key = ?",
                (contact_id, message_key),
            )
            self._db.execute(
                "UPDATE messages SET kind = ?, evidence = ? WHERE account_id = ? AND "
                "provider_id = ?",
                (kind, "your correction", account, provider_id),
            )
            event_id = None
            if event is not None:
                cur = self._db.execute(
                    "INSERT INTO events (contact_id, key, kind, at, summary, detail, message_key, "
                    "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?)",
                    (
                        contact_id,
                        event.key,
                        event.kind.value,
                        iso(event.at),
                        event.evidence.summary,
                        event.evidence.detail,
                        message_key,
                        iso(_now()),
                    ),
                )
                event_id = int(cur.lastrowid or 0)
            after = self.replayed_state(contact_id)
            transition = None
            if after.stage is not before.stage and event is not None and event_id is not None:
                transition = Transition(
                    before.stage, after.stage, event.at, event.evidence, event.key, before
                )
                self._insert_transition(contact_id, event_id, transition)
            self._write_state(contact_id, after)
        return transition

    # ----------------------------------------------------------------- outbox
    def outbox_add(
        self,
        key: str,
        account_id: int,
        contact_id: int | None,
        purpose: str,
        payload: str,
        created_at: datetime,
    ) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, account_id, contact_id, purpose, payload, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, account_id, contact_id, purpose, payload, iso(created_at)),
            )

    def outbox_pending(self, account_id: int) -> list[tuple[str, int | None, str, str]]:
        rows = self._db.execute(
            "SELECT key, contact_id, purpose, payload FROM outbox WHERE account_id = ? AND "
            "state = 'pending' ORDER BY id",
            (account_id,),
        )
        return [(str(r[0]), r[1], str(r[2]), str(r[3])) for r in rows]

    def outbox_done(self, key: str, sent_id: str) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE outbox SET state = 'sent', sent_id = ? WHERE key = ?", (sent_id, key)
            )

    def outbox_failed(self, key: str, error: str) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE outbox SET state = 'failed', error = ? WHERE key = ?", (error, key)
            )

    # ----------------------------------------------------------- action marks
    # Snoozes and dismissals (action_marks, schema v2), what the user was already told about
    # (notified, v4) and the reminders' own bookkeeping (reminder_state, v4).
    def action_marks(self) -> dict[ActionKey, ActionMark]:
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

    def snooze_action(self, key: ActionKey, until: datetime) -> None:
        contact_id, kind, due_at = key
        with self.transaction():
            self._db.execute(
                "INSERT INTO action_marks (contact_id, kind, due_at, snoozed_until) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "snoozed_until = excluded.snoozed_until, dismissed = 0",
                (contact_id, kind, iso(due_at), iso(until)),
            )

    def dismiss_action(self, key: ActionKey) -> None:
        contact_id, kind, due_at = key
        with self.transaction():
            self._db.execute(
                "INSERT INTO action_marks (contact_id, kind, due_at, dismissed) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "dismissed = 1, snoozed_until = NULL",
                (contact_id, kind, iso(due_at)),
            )

    def clear_action_mark(self, key: ActionKey) -> None:
        """Undo a snooze or a dismissal."""
        contact_id, kind, due_at = key
        with self.transaction():
            self._db.execute(
                "DELETE FROM action_marks WHERE contact_id = ? AND kind = ? AND due_at = ?",
                (contact_id, kind, iso(due_at)),
            )

    def notified_actions(self) -> dict[ActionKey, datetime]:
        """Every due action the user was told about, and when."""
        rows = self._db.execute("SELECT contact_id, kind, due_at, notified_at FROM notified")
        out: dict[ActionKey, datetime] = {}
        for r in rows:
            due_at, at = from_iso(str(r[2])), from_iso(str(r[3]))
            assert due_at is not None and at is not None
            out[(int(r[0]), str(r[1]), due_at)] = at
        return out

    def mark_notified(self, keys: list[ActionKey], at: datetime) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT INTO notified (contact_id, kind, due_at, notified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (contact_id, kind, due_at) DO UPDATE SET "
                "notified_at = excluded.notified_at",
                [(c, k, iso(d), iso(at)) for c, k, d in keys],
            )

    def forget_notified(self, keep: set[ActionKey]) -> None:
        """Drop the records of actions no longer due (done or gone), so the table stays small."""
        with self.transaction():
            for key in set(self.notified_actions()) - keep:
                self._db.execute(
                    "DELETE FROM notified WHERE contact_id = ? AND kind = ? AND due_at = ?",
                    (key[0], key[1], iso(key[2])),
                )

    def reminder_value(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM reminder_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_reminder_value(self, key: str, value: str) -> None:
        with self.transaction():
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
        with self.transaction():
            self._db.execute(
                "INSERT INTO mailbox_flags (account_id, thread_id, flag, contact_id, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, thread_id, flag) DO NOTHING",
                (key[0], key[1], key[2], contact_id, iso(at)),
            )

    def mailbox_flag_cleared(self, key: MailboxFlagKey) -> None:
        with self.transaction():
            self._db.execute(
                "DELETE FROM mailbox_flags WHERE account_id = ? AND thread_id = ? AND flag = ?",
                key,
            )

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
