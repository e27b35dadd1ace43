"""ui.ops: operations run off the GUI thread and answer on it."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future

import pytest
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.model import Contact
from desktop.storage import Store
from ui.ops import Ops


def test_a_database_op_gets_the_workers_store_and_answers_on_the_gui_thread(
    qtbot: QtBot, ctx: AppContext
) -> None:
    ops = Ops(ctx.tasks, ctx.paths.profile)
    seen: list[tuple[int, bool]] = []

    def add(store: Store) -> int:
        assert store is not ctx.store  # the worker's own connection
        return store.contacts.add(Contact(None, "Ada Lovelace")).id or 0

    def done(contact_id: int) -> None:
        seen.append((contact_id, threading.current_thread() is threading.main_thread()))

    ops.db(add, success=done)
    qtbot.wait_until(lambda: bool(seen))
    [(contact_id, on_gui)] = seen
    assert on_gui and ctx.store.contacts.get(contact_id).contact.name == "Ada Lovelace"


def test_a_failure_goes_to_failure_or_to_the_default_path(qtbot: QtBot, ctx: AppContext) -> None:
    shown: list[str] = []
    ops = Ops(ctx.tasks, ctx.paths.profile, show_error=shown.append)
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("no")

    ops.network(boom, failure=errors.append)
    qtbot.wait_until(lambda: bool(errors))
    assert isinstance(errors[0], ValueError) and shown == []
    with qtbot.wait_signal(ops.failed):
        ops.network(boom)
    assert shown == ["ValueError: no"]


def test_a_failing_database_op_reaches_the_error_display(qtbot: QtBot, ctx: AppContext) -> None:
    shown: list[str] = []
    ops = Ops(ctx.tasks, ctx.paths.profile, show_error=shown.append)

    def write(store: Store) -> None:
        store.contacts.set_notes(999_999, "nobody")  # no such contact
        raise KeyError("no contact 999999")

    with qtbot.wait_signal(ops.failed):
        ops.db(write)
    assert shown == ["KeyError: 'no contact 999999'"]
    assert ops.idle()


def test_closing_waits_for_the_writes_already_asked_for(qtbot: QtBot, ctx: AppContext) -> None:
    ops = Ops(ctx.tasks, ctx.paths.profile)
    ops.db(lambda store: store.contacts.add(Contact(None, "Grace Hopper")))
    ops.close()
    assert any(r.contact.name == "Grace Hopper" for r in ctx.store.contacts.all())


def test_the_guis_store_refuses_a_write_that_ops_makes_on_the_worker(
    qtbot: QtBot, ctx: AppContext, db: Store
) -> None:
    cid = db.contacts.add(Contact(None, "Ada Lovelace")).id or 0
    assert ctx.store.read_only  # as desktop.app opens it
    with pytest.raises(sqlite3.OperationalError, match="readonly database"):
        ctx.store.contacts.set_notes(cid, "from the GUI thread")
    assert ctx.store.contacts.get(cid).contact.notes == ""
    ops = Ops(ctx.tasks, ctx.paths.profile)
    ops.db(lambda store: store.contacts.set_notes(cid, "through ops"))
    qtbot.wait_until(ops.idle)
    assert ctx.store.contacts.get(cid).contact.notes == "through ops"


def test_an_answer_never_comes_inside_the_call_that_asked(qtbot: QtBot, ctx: AppContext) -> None:
    """Work done before the call returns (a fast worker) is still answered later, from the
    event loop: the caller can set up what its callback needs after the call."""
    ops = Ops(ctx.tasks, ctx.paths.profile)
    done: Future[int] = Future()
    done.set_result(7)
    seen: list[int] = []
    ops.follow(done, success=seen.append)
    assert seen == [] and not ops.idle()
    qtbot.wait_until(ops.idle)
    assert seen == [7]
