"""The "Past mail" view: the history pass from the window, its progress, Cancel, and the
summary; on the window's database worker, over a local mailbox filled by the generator."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact
from desktop.history import run_pass
from desktop.jobs import AccountOutcome, SyncRound, SyncState
from desktop.storage import Store
from desktop.sync import Notice, SyncResult
from mail.demo.mailbox import DemoMailbox
from mail.provider import Account, AccountKind, Folder, MessageRef
from mail.relevance import Relevance
from tests.helpers.history_mailbox import ME, Person, all_mail, generate
from ui import history_panel
from ui.history_panel import HistoryPanel
from ui.main_window import MainWindow

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class GatedBox:
    """The mailbox, its first search held until the test lets it go (so Cancel is pressed
    while a batch is being read)."""

    def __init__(self, box: DemoMailbox) -> None:
        self.box = box
        self.account = box.account
        self.gate = threading.Event()
        self.searching = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.box, name)

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        self.searching.set()
        assert self.gate.wait(30)
        return self.box.search_history(addresses, since, threads, relevance)


def test_the_view_is_plugged_into_the_window(window: MainWindow, ctx: AppContext) -> None:
    panel = history_panel.install(window, ctx)
    window.show_view("history")
    assert window.pages.currentWidget() is panel
    panel.start_button.click()  # only the demo mailbox: nothing to read there
    assert panel.status.text() == "No mailbox is connected."


def test_progress_cancel_resume_and_the_summary(
    qtbot: QtBot, window: MainWindow, db: Store, tmp_path: Path
) -> None:
    people = generate(56, NOW)
    account = db.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    box = DemoMailbox(tmp_path / "box", Account(account.id, AccountKind.IMAP, ME), ManualClock(NOW))
    for mail in all_mail(people):
        box.add_raw_message(mail.raw, Folder.SENT if mail.folder == "sent" else Folder.INBOX)
    for p in people:
        db.contacts.add(Contact(None, p.name, (p.address,)))
    total = db.contacts.count()
    gated = GatedBox(box)
    panel = HistoryPanel(window.ops, lambda: (gated,), ManualClock(NOW), 12)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    panel.show()

    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert gated.searching.wait(30)
    assert not panel.start_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == "Stopping after the current batch…"
    gated.gate.set()  # the batch being read lands; the pass stops before the next one
    qtbot.wait_until(window.ops.idle)
    assert panel.status.text() == "Cancelled: the next run goes on from there."
    assert panel.bar.value() == 25 and panel.bar.maximum() == total
    run = db.past.run(account.id)
    assert run is not None and (run.state, run.contacts_done) == ("cancelled", 25)
    assert panel.start_button.text() == "&Resume"

    with qtbot.waitSignal(panel.finished, timeout=30000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(window.ops.idle)
    assert panel.status.text() == "Done."
    assert panel.bar.value() == panel.bar.maximum() == total
    summary = panel.summary.text()
    assert summary.startswith("While you were away:")
    assert f"Read the past of {total} contacts" in summary
    assert "replies" in summary and "bounces" in summary


def _mailbox(db: Store, tmp_path: Path, people: list[Person]) -> DemoMailbox:
    account = db.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    box = DemoMailbox(tmp_path / "box", Account(account.id, AccountKind.IMAP, ME), ManualClock(NOW))
    for mail in all_mail(people):
        box.add_raw_message(mail.raw, Folder.SENT if mail.folder == "sent" else Folder.INBOX)
    return box


def test_the_pass_starts_by_itself_for_a_new_mailbox_and_for_contacts_added_later(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Store, tmp_path: Path
) -> None:
    people = generate(30, NOW)
    box = _mailbox(db, tmp_path, people)
    for p in people[:20]:
        db.contacts.add(Contact(None, p.name, (p.address,)))
    panel = history_panel.install(window, ctx)
    told: list[str] = []
    panel.tell = told.append
    ctx.providers = (*ctx.providers, box)  # as the window does when a mailbox is connected
    # The connected mailbox is synced at once; the round's end finds past to read.
    with qtbot.waitSignal(panel.finished, timeout=30000):
        window.sync_finished.emit(None)
    qtbot.wait_until(window.ops.idle)
    first = db.past.run(box.account.id)
    assert first is not None and first.state == "done"
    assert panel.status.text() == "Done." and panel.automatic
    assert len(told) == 1 and told[0].startswith("While you were away: Read the past of")
    # Nothing left: another round starts nothing and tells nothing.
    window.sync_finished.emit(None)
    qtbot.wait_until(window.ops.idle)
    assert not panel.running and len(told) == 1
    # Contacts added later (an import): the model grows, their past is read by itself.
    for p in people[20:]:
        db.contacts.add(Contact(None, p.name, (p.address,)))
    with qtbot.waitSignal(panel.finished, timeout=30000):
        window.reload_all()
    qtbot.wait_until(window.ops.idle)
    assert db.past.unread_contacts(box.account.id) == []
    assert len(told) == 2


def test_a_pass_the_user_cancelled_waits_for_resume(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Store, tmp_path: Path
) -> None:
    people = generate(56, NOW)
    box = _mailbox(db, tmp_path, people)
    for p in people:
        db.contacts.add(Contact(None, p.name, (p.address,)))
    gated = GatedBox(box)
    panel = history_panel.install(window, ctx)
    ctx.providers = (*ctx.providers, gated)  # type: ignore[arg-type]
    window.sync_finished.emit(None)
    qtbot.wait_until(gated.searching.is_set, timeout=30000)  # started by itself
    assert panel.running and panel.automatic
    panel.cancel()
    gated.gate.set()
    qtbot.wait_until(lambda: not panel.running and window.ops.idle())
    assert panel.held
    window.sync_finished.emit(None)  # a round ends: the pass stays stopped
    qtbot.wait_until(window.ops.idle)
    assert not panel.running
    run = db.past.run(box.account.id)
    assert run is not None and run.state == "cancelled"


def test_add_this_address_in_the_contact_panel_and_in_the_banner(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Store, tmp_path: Path
) -> None:
    people = [p for p in generate(40, NOW) if p.scenario == "reply_other_address"][:2]
    box = _mailbox(db, tmp_path, people)
    ids = []
    for p in people:
        contact = db.contacts.add(Contact(None, p.name, (p.address,)))
        assert contact.id is not None
        ids.append(contact.id)
    run_pass(db, box, ManualClock(NOW))
    panel = history_panel.install(window, ctx)
    offer = panel.offer
    assert offer is not None
    window.reload_all()
    # The contact panel: the address they replied from, one click to add it.
    window.selection.select(ids[0])
    assert offer.isVisible()
    assert offer.text.text() == f"{people[0].name} replied from {people[0].other}."
    assert offer.button.text() == f"Add this address to {people[0].name}"
    with qtbot.waitSignal(offer.added, timeout=10000):
        qtbot.mouseClick(offer.button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(window.ops.idle)
    assert db.contacts.get(ids[0]).contact.emails == (people[0].address, people[0].other)
    assert not offer.isVisible()
    # The banner of a sync round that met such a reply offers the same.
    text = f"{people[1].name} replied from {people[1].other}: add it to their addresses?"
    result = SyncResult(box.account.id, 1, 1, 1, (), (Notice("new_address", ids[1], text, NOW),),
                        frozenset(), "")  # fmt: skip
    window.sync_finished.emit(SyncRound((AccountOutcome(box.account.id, SyncState.IDLE, result),)))
    banner = window.banner
    assert banner.isVisible() and banner.text.text() == text
    assert banner.action_button.text() == f"Add this address to {people[1].name}"
    with qtbot.waitSignal(offer.added, timeout=10000):
        qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(window.ops.idle)
    assert people[1].other in db.contacts.get(ids[1]).contact.emails
