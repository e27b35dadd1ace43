"""Deleting a contact keeps what Undo needs, and Undo puts every row back as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop import demo_story
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Objective
from desktop.domain.workspace import ContactSource, SourceKind
from desktop.jobs import sync_round
from desktop.paths import Paths
from tests.helpers.demo_profile import START


def _dump(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}


def test_delete_then_restore_puts_every_row_back(tmp_path: Path) -> None:
    paths = Paths(profile=tmp_path / "demo", logs=tmp_path / "demo" / "logs")
    demo = demo_story.prepare(paths, ManualClock(START))
    store = demo.store
    try:
        sync_round(store, [demo.mailbox], ManualClock(START))  # type: ignore[list-item]
        victim = next(r for r in store.contacts.all() if store.messages.for_contact(r.id))
        cid = victim.id
        store.contacts.set_notes(cid, "Talked about hospitals")
        store.workspace.set_source(cid, ContactSource(SourceKind.ARTICLE, "Ships", detail="x"))
        objective = store.workspace.add_objective(Objective(None, "Health"))
        store.workspace.set_contact_objectives(cid, [objective.id or 0])
        friend = store.contacts.add(Contact(None, "Friend", ("f@x.example",), referrer_id=cid))
        db = store.database.connection
        before = _dump(db)
        assert store.pipeline.history(cid) and store.messages.for_contact(cid)

        deleted = store.contacts.delete_keeping_undo(cid)
        assert deleted.name == victim.contact.name
        assert cid not in {r.id for r in store.contacts.all()}
        assert store.messages.for_contact(cid) == []
        assert store.contacts.get(friend.id or 0).contact.referrer_id is None

        store.contacts.restore(deleted)
        assert _dump(db) == before  # every table, every row, the same ids
        assert store.contacts.get(cid).contact.notes == "Talked about hospitals"
        assert store.contacts.get(friend.id or 0).contact.referrer_id == cid
    finally:
        store.close()
