"""SQLite storage: schema, versioned migrations, repositories, transactions. Qt-free."""

from desktop.storage.store import ContactRecord, HistoryEntry, StorageError, Store, StoredMessage

__all__ = ["ContactRecord", "HistoryEntry", "StorageError", "Store", "StoredMessage"]
