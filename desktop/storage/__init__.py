"""SQLite storage: schema, versioned migrations, repositories, transactions. Qt-free."""

from desktop.storage.store import (
    ActionKey,
    ActionMark,
    ContactRecord,
    HistoryEntry,
    MailboxFlagKey,
    StorageError,
    Store,
    StoredMessage,
)

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
