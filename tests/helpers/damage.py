"""A damaged data page behind a good header: the database opens (its header and schema read
fine) and the first read of the table raises ``sqlite3.DatabaseError``."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_table(db: Path, table: str = "contacts") -> None:
    """Overwrite the root page of ``table`` in the database file ``db`` (closed, its log
    checkpointed into it first) with bytes no B-tree page has."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        (root,) = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    finally:
        con.close()
    assert root > 1, "the table's root page must not be the header's"
    with db.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)
