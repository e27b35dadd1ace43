"""The store: the repositories over one database, composed (not inherited).

``Store.open(profile)`` opens the database and gives one repository per concern, all sharing its
connection and joining its transactions::

    with store.transaction():
        store.messages.save(...)
        store.pipeline.apply(contact_id, event)
        store.accounts.set_cursor(account_id, cursor, now)
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from desktop.storage.accounts import AccountRepo
from desktop.storage.contacts import ContactRepo
from desktop.storage.corrections import CorrectionRepo
from desktop.storage.database import DB_NAME, Database
from desktop.storage.imports import ImportRepo
from desktop.storage.marks import MarkRepo
from desktop.storage.messages import MessageRepo
from desktop.storage.outbox import OutboxRepo
from desktop.storage.past import PastRepo
from desktop.storage.pipeline import PipelineRepo
from desktop.storage.workspace import WorkspaceRepo

__all__ = ["DB_NAME", "Store"]


class Store:
    """One database and its repositories. Not shared between threads: open one per thread."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.path = database.path
        self.accounts = AccountRepo(database)
        self.contacts = ContactRepo(database)
        self.pipeline = PipelineRepo(database)
        self.messages = MessageRepo(database)
        self.outbox = OutboxRepo(database)
        self.marks = MarkRepo(database)
        self.workspace = WorkspaceRepo(database)
        self.corrections = CorrectionRepo(database)
        self.past = PastRepo(database)
        self.imports = ImportRepo(database, self.contacts)

    @classmethod
    def open(cls, profile_dir: Path, *, migrate: bool = True, read_only: bool = False) -> Store:
        """Open (creating if needed) the profile's database, upgrading its schema.

        ``read_only``: after the upgrade, the connection refuses every write (a stray write
        raises ``sqlite3.OperationalError``); the GUI's store is opened so, and writes go through
        ``ui.ops`` to the database worker's own store.

        Raises StorageError with a message for the user when the folder cannot be used, the file
        is damaged or not ours, or it was written by a newer Coffeechat; see :meth:`Database.open`.
        """
        return cls(Database.open(profile_dir, migrate=migrate, read_only=read_only))

    def close(self) -> None:
        self.database.close()

    def reopen(self) -> None:
        """The database file opened again, in place (after a restore replaced it): see
        :meth:`Database.reopen`. The repositories stay the same objects."""
        self.database.reopen()

    @property
    def read_only(self) -> bool:
        return self.database.read_only

    @property
    def schema_version(self) -> int:
        return self.database.schema_version

    def transaction(self) -> AbstractContextManager[None]:
        """One atomic unit of work; nested uses join the outer transaction."""
        return self.database.transaction()

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested unit inside a transaction: undone alone if it fails."""
        return self.database.savepoint()
