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
from desktop.storage import Store
from mail.demo.mailbox import DemoMailbox
from mail.provider import Account, AccountKind, Folder, MessageRef
from mail.relevance import Relevance
from tests.helpers.history_mailbox import ME, all_mail, generate
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
