"""Versioned schema migrations, tracked in ``PRAGMA user_version``.

Each migration is a function of a connection inside the upgrade transaction; it is appended, never
edited once released. Every migration has a test in tests/unit/storage/test_migrations.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from desktop.storage.sources import source_from_text


def _run(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the upgrade transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1_initial(db: sqlite3.Connection) -> None:
    _run(
        db,
        """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            address TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            cursor TEXT,
            last_sync_at TEXT,
            UNIQUE (kind, address)
        );
        CREATE TABLE objectives (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            titles TEXT NOT NULL DEFAULT '[]',
            companies TEXT NOT NULL DEFAULT '[]',
            industries TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            company TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT '',
            timezone TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            referrer_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            objective_id INTEGER REFERENCES objectives(id) ON DELETE SET NULL,
            notes TEXT NOT NULL DEFAULT '',
            stage TEXT NOT NULL DEFAULT 'target',
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX contacts_stage ON contacts (stage);
        CREATE TABLE contact_emails (
            address TEXT PRIMARY KEY COLLATE NOCASE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            bad INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX contact_emails_contact ON contact_emails (contact_id);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            provider_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            folder TEXT NOT NULL,
            message_id TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            sender TEXT NOT NULL DEFAULT '',
            recipients TEXT NOT NULL DEFAULT '[]',
            date TEXT NOT NULL,
            kind TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '',
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            defects TEXT NOT NULL DEFAULT '[]',
            UNIQUE (account_id, provider_id)
        );
        CREATE INDEX messages_contact ON messages (contact_id, date);
        CREATE INDEX messages_thread ON messages (account_id, thread_id);
        CREATE INDEX messages_message_id ON messages (message_id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            summary TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            message_key TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL,
            UNIQUE (contact_id, key)
        );
        CREATE TABLE transitions (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            from_stage TEXT NOT NULL,
            to_stage TEXT NOT NULL,
            at TEXT NOT NULL,
            before TEXT NOT NULL,
            undone_at TEXT
        );
        CREATE INDEX transitions_contact ON transitions (contact_id, id);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            purpose TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            created_at TEXT NOT NULL,
            sent_id TEXT,
            error TEXT
        );
        """,
    )


def _v2_snoozes(db: sqlite3.Connection) -> None:
    """Snoozed and dismissed due actions, so they persist across restarts."""
    _run(
        db,
        """
        CREATE TABLE action_marks (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            due_at TEXT NOT NULL,
            snoozed_until TEXT,
            dismissed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (contact_id, kind, due_at)
        );
        """,
    )


def _v3_offers(db: sqlite3.Connection) -> None:
    """Time slots proposed in requests, so no slot is offered to two pending contacts."""
    _run(
        db,
        """
        CREATE TABLE offers (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            offered_at TEXT NOT NULL,
            outbox_key TEXT,
            released_at TEXT
        );
        CREATE INDEX offers_contact ON offers (contact_id, released_at)
        """,
    )


def _v4_notified(db: sqlite3.Connection) -> None:
    """Which due actions the user was already told about, and the reminder bookkeeping (when the
    app last looked, the last digest), so a restart neither repeats nor floods."""
    _run(
        db,
        """
        CREATE TABLE notified (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            due_at TEXT NOT NULL,
            notified_at TEXT NOT NULL,
            PRIMARY KEY (contact_id, kind, due_at)
        );
        CREATE TABLE reminder_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
    )


def _v5_sender_kinds(db: sqlite3.Connection) -> None:
    """The user's corrections of a classification, remembered per sender."""
    _run(
        db,
        """
        CREATE TABLE sender_kinds (
            address TEXT PRIMARY KEY COLLATE NOCASE,
            kind TEXT NOT NULL,
            set_at TEXT NOT NULL
        )
        """,
    )


def _v6_account_settings(db: sqlite3.Connection) -> None:
    """Per-account settings that are not secret (an IMAP account's servers and ports), as JSON.
    Passwords never come here: they live in the keyring."""
    _run(
        db,
        """
        CREATE TABLE account_settings (
            account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
            data TEXT NOT NULL
        )
        """,
    )


def _v7_mailbox_flags(db: sqlite3.Connection) -> None:
    """The flags and labels Coffeechat set in the user's mailbox, so each is set once, cleared
    once, and a flag the user set themselves is never cleared."""
    _run(
        db,
        """
        CREATE TABLE mailbox_flags (
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            thread_id TEXT NOT NULL,
            flag TEXT NOT NULL,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            set_at TEXT NOT NULL,
            PRIMARY KEY (account_id, thread_id, flag)
        )
        """,
    )


def _v8_workspace(db: sqlite3.Connection) -> None:
    """The interview workspace: which objectives a contact serves, how they were found, the
    research and questions to prepare, what each interview yielded, and drafts made ready."""
    _run(
        db,
        """
        CREATE TABLE objective_contacts (
            objective_id INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            PRIMARY KEY (objective_id, contact_id)
        );
        CREATE INDEX objective_contacts_contact ON objective_contacts (contact_id);
        CREATE TABLE contact_sources (
            contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            article_title TEXT NOT NULL DEFAULT '',
            article_url TEXT NOT NULL DEFAULT '',
            article_source TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE research_notes (
            contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
            markdown TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE TABLE contact_links (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX contact_links_contact ON contact_links (contact_id, position);
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            checked INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX questions_contact ON questions (contact_id, position);
        CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            planned_minutes INTEGER NOT NULL DEFAULT 15,
            notes TEXT NOT NULL DEFAULT '',
            their_promises TEXT NOT NULL DEFAULT '[]',
            my_promises TEXT NOT NULL DEFAULT '[]',
            referrals TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX interviews_contact ON interviews (contact_id, started_at);
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            template TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX drafts_contact ON drafts (contact_id)
        """,
    )


def _v9_message_failures(db: sqlite3.Connection) -> None:
    """Messages the sync could not read: what went wrong and how often, so that one message is
    tried a few times, never for ever, and is shown as "could not be read"."""
    _run(
        db,
        """
        CREATE TABLE message_failures (
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            provider_id TEXT NOT NULL,
            failure TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            failed_at TEXT NOT NULL,
            PRIMARY KEY (account_id, provider_id)
        )
        """,
    )


def _verdict_corrections(db: sqlite3.Connection) -> None:
    """The user's corrections of a verdict, one row each, with what it had been read as."""
    _run(
        db,
        """
        CREATE TABLE verdict_corrections (
            id INTEGER PRIMARY KEY,
            message_key TEXT NOT NULL,
            sender TEXT NOT NULL,
            was TEXT NOT NULL,
            kind TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        );
        CREATE INDEX verdict_corrections_sender ON verdict_corrections (sender, corrected_at)
        """,
    )


def _reply_intent_corrections(db: sqlite3.Connection) -> None:
    """The user's word on what a reply says (accepts time k, proposes, declines and refers...):
    kept per message, so the reply card and the due action read it instead of the guess."""
    _run(
        db,
        """
        CREATE TABLE intent_corrections (
            message_key TEXT PRIMARY KEY,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            slot INTEGER,
            set_at TEXT NOT NULL
        )
        """,
    )


def history_pass(db: sqlite3.Connection) -> None:
    """The history pass (reading the mail that came before an account or a contact): per
    account, where the pass stands and what it found; per account and contact, whether their
    past was read. A pass resumes from these after a crash or a restart."""
    _run(
        db,
        """
        CREATE TABLE history_runs (
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            since TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            contacts_done INTEGER NOT NULL DEFAULT 0,
            contacts_total INTEGER NOT NULL DEFAULT 0,
            messages_read INTEGER NOT NULL DEFAULT 0,
            summary TEXT NOT NULL DEFAULT '{}',
            started_at TEXT,
            finished_at TEXT
        );
        CREATE TABLE history_contacts (
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            read_at TEXT NOT NULL,
            PRIMARY KEY (account_id, contact_id)
        )
        """,
    )


def _one_source_field(db: sqlite3.Connection) -> None:
    """One source per contact: the free-text ``contacts.source`` moves into ``contact_sources``
    (the kind guessed from the words, the text kept as its detail) unless the contact has a
    recorded source already; the old column is emptied and no longer written."""
    rows = db.execute(
        "SELECT id, source FROM contacts WHERE source != '' AND id NOT IN "
        "(SELECT contact_id FROM contact_sources)"
    ).fetchall()
    for contact_id, text in rows:
        source = source_from_text(str(text))
        db.execute(
            "INSERT INTO contact_sources (contact_id, kind, detail) VALUES (?, ?, ?)",
            (contact_id, source.kind.value, source.detail),
        )
    db.execute("UPDATE contacts SET source = '' WHERE source != ''")


def _import_batches(db: sqlite3.Connection) -> None:
    """Each import is a batch that can be undone: the contacts it added, and what the contacts
    it merged into were before (their fields as JSON), to put back."""
    _run(
        db,
        """
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            imported_at TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            undone_at TEXT
        );
        CREATE TABLE import_items (
            batch_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL,
            before TEXT,
            PRIMARY KEY (batch_id, contact_id)
        )
        """,
    )


def _people_list(db: sqlite3.Connection) -> None:
    """People apart from the pipeline: ``contacts.in_pipeline`` (1: a target or further on).
    LinkedIn connections imported earlier and never written to leave the targets for People."""
    db.execute("ALTER TABLE contacts ADD COLUMN in_pipeline INTEGER NOT NULL DEFAULT 1")
    db.execute(
        "UPDATE contacts SET in_pipeline = 0 WHERE stage = 'target' "
        "AND id IN (SELECT contact_id FROM contact_sources WHERE kind = 'linkedin') "
        "AND id NOT IN (SELECT contact_id FROM events)"
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_initial,
    _v2_snoozes,
    _v3_offers,
    _v4_notified,
    _v5_sender_kinds,
    _v6_account_settings,
    _v7_mailbox_flags,
    _v8_workspace,
    _v9_message_failures,
    _verdict_corrections,
    _reply_intent_corrections,
    history_pass,
    _one_source_field,
    _import_batches,
    _people_list,
)
LATEST = len(MIGRATIONS)
