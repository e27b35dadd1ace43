"""A first run without a mailbox: F5 offers to connect one, empty states have buttons that do
the thing, and nothing tells a window user to type a command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import uiseed
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from tests.helpers.windows import open_window
from ui.connect_gmail import ConnectorEvents
from ui.dialogs import ContactDialog
from ui.main_window import MainWindow
from ui.pages import MailboxOffer


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[AppContext]:
    context = uiseed.make_context(tmp_path / "profile", with_account=False)
    yield context
    context.tasks.shutdown()
    context.store.close()


class Connector:
    """Stands for a mailbox connector: only its kind is looked at before it is chosen."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.events = ConnectorEvents()

    def connect(self, parent: object) -> bool:
        return False


@pytest.fixture
def empty_window(qtbot: QtBot, bare: AppContext) -> Iterator[MainWindow]:
    connectors = tuple(Connector(k) for k in ("gmail", "imap"))
    win = open_window(bare, connectors=connectors)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()


def test_f5_with_no_mailbox_offers_to_connect_one(
    empty_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window
    offers: list[MailboxOffer] = []
    connected: list[str] = []

    def answer(dialog: QDialog) -> bool:
        assert isinstance(dialog, MailboxOffer)
        offers.append(dialog)
        dialog.choice_buttons["imap"].click()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", answer)
    monkeypatch.setattr(window.settings_ui, "connect_mailbox", lambda: connected.append("imap"))
    window.action_table.sync_action.trigger()  # F5
    assert len(offers) == 1 and set(offers[0].choice_buttons) >= {"imap"}
    assert connected == ["imap"]
    assert not window.sync.running


def test_empty_states_have_buttons_and_no_terminal_commands(
    empty_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window
    for page in (window.today_page, window.contacts_page):
        state = page.empty_state
        texts = [b.text().replace("&", "") for b in state.buttons if b.isVisibleTo(state)]
        assert "Add a contact…" in texts and "Connect Gmail…" in texts
        assert "coffeechat " not in state.label.text()
    for label in window.findChildren(QLabel):
        assert "coffeechat demo" not in label.text()
    asked: list[QDialog] = []

    def answer(dialog: QDialog) -> bool:
        asked.append(dialog)
        return False

    monkeypatch.setattr(window, "exec_dialog", answer)
    add = next(b for b in window.today_page.empty_state.buttons if "Add" in b.text())
    add.click()
    assert len(asked) == 1 and isinstance(asked[0], ContactDialog)
