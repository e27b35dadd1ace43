"""The store is a composition: repositories over one shared database, no cycles between them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import desktop.storage
from desktop.domain.model import Contact
from desktop.storage import Store
from desktop.storage.accounts import AccountRepo
from desktop.storage.contacts import ContactRepo
from desktop.storage.marks import MarkRepo
from desktop.storage.messages import MessageRepo
from desktop.storage.outbox import OutboxRepo
from desktop.storage.pipeline import PipelineRepo
from desktop.storage.workspace import WorkspaceRepo
from mail.provider import AccountKind
from tests.helpers.builders import T0

PACKAGE = Path(desktop.storage.__file__).parent
REPOSITORIES = {"accounts", "contacts", "pipeline", "messages", "outbox", "marks", "workspace"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path)
    yield s
    s.close()


def test_the_store_exposes_one_repository_per_concern(store: Store) -> None:
    assert isinstance(store.accounts, AccountRepo)
    assert isinstance(store.contacts, ContactRepo)
    assert isinstance(store.pipeline, PipelineRepo)
    assert isinstance(store.messages, MessageRepo)
    assert isinstance(store.outbox, OutboxRepo)
    assert isinstance(store.marks, MarkRepo)
    assert isinstance(store.workspace, WorkspaceRepo)


def test_repositories_join_the_stores_transaction(store: Store) -> None:
    """A failure inside store.transaction() undoes the writes of every repository in it."""
    with pytest.raises(RuntimeError), store.transaction():
        store.accounts.add(AccountKind.DEMO, "me@demo.example")
        store.contacts.add(Contact(None, "Ada", ("ada@engine.example",)))
        store.outbox.add("k1", 1, None, "request", "{}", T0)
        store.marks.set_reminder_value("last_run", "x")
        raise RuntimeError("mid-pass")
    assert store.accounts.all() == []
    assert store.contacts.count() == 0
    assert store.outbox.pending(1) == []
    assert store.marks.reminder_value("last_run") is None


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from desktop.storage.X import name`` in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("desktop.storage"):
            out.extend((node.module or "", alias.name) for alias in node.names)
    return out


def test_no_storage_module_imports_a_private_name_of_another() -> None:
    for path in PACKAGE.glob("*.py"):
        private = [f"{m}.{n}" for m, n in _imports(path) if n.startswith("_")]
        assert private == [], path.name


def test_repositories_do_not_import_each_other() -> None:
    """Shared row types live in records.py; the database in database.py: no cycles."""
    for name in REPOSITORIES:
        imported = {m.rsplit(".", 1)[-1] for m, _ in _imports(PACKAGE / f"{name}.py")}
        assert imported & (REPOSITORIES | {"store"}) == set(), name


def test_no_storage_module_passes_500_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert max(sizes.values()) <= 500, sizes
