"""SQLite storage: schema, versioned migrations, repositories, transactions. Qt-free.

``Store`` composes one repository per concern over one ``Database``: ``store.accounts``,
``store.contacts``, ``store.pipeline``, ``store.messages``, ``store.outbox``, ``store.marks``,
``store.workspace``, ``store.past`` (the history pass).
"""

from desktop.storage.database import StorageError
from desktop.storage.records import (
    ActionKey,
    ActionMark,
    ContactRecord,
    HistoryEntry,
    MailboxFlagKey,
    StoredMessage,
)
from desktop.storage.store import Store

__all__ = [
    "ActionKey",
    "ActionMark",
    "ContactRecord",
    "HistoryEntry",
    "MailboxFlagKey",
    "StorageError",
    "Store",
    "StoredMessage",
]
