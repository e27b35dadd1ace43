"""Ctrl+R does what the contact's due action calls for from every view, not only Today: on a
contact whose reply waits (even one the sync already scheduled at the time they accepted) the
threaded reply of the intent; on a target the request; on a met contact the thank-you. Real
parts: the demo profile, its mailbox, the real sync, SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.actions import set_meeting
from desktop.domain.model import Stage
from tests.helpers.windows import open_window
from tests.unit.ui.test_reply_card import WAIT_MS, Setup, _answered
from ui.composer import ComposerDialog
from ui.main_window import MainWindow


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path)
    yield made
    made.close()


@pytest.fixture
def window(qtbot: QtBot, setup: Setup) -> Iterator[MainWindow]:
    win = open_window(setup.ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()


def _ctrl_r(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, view: str, contact: int
) -> dict[str, Any]:
    """Ctrl+R on ``contact`` selected in ``view``: what the composer opened on."""
    window.reload_all()
    window.show_view(view)
    window.select_contact(contact)
    qtbot.wait_until(lambda: window.current_id == contact, timeout=WAIT_MS)
    window.focus_view()
    seen: dict[str, Any] = {}

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        seen["title"] = dialog.windowTitle()
        seen["template"] = dialog.header.template_name()
        seen["templates"] = dialog.header.template_names()
        seen["thread"] = dialog.conversation
        return False

    monkeypatch.setattr(window, "exec_dialog", run)
    focused = window.focusWidget() or window
    qtbot.keyClick(focused, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert seen, "Ctrl+R opened nothing"
    return seen


@pytest.mark.parametrize("view", ["contacts", "pipeline"])
def test_ctrl_r_on_a_contact_who_accepted_writes_the_threaded_confirmation(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    assert setup.demo.store.pipeline.state(maya).stage is Stage.SCHEDULED  # by the sync
    seen = _ctrl_r(qtbot, window, monkeypatch, view, maya)
    assert seen["template"] == "confirm" and seen["title"] == "Reply: confirm the time"
    assert seen["thread"] is not None  # in her conversation
    assert "request_cold" not in seen["templates"]  # never a new request


@pytest.mark.parametrize("view", ["contacts", "pipeline"])
def test_ctrl_r_on_a_contact_who_referred_someone_writes_the_thanks(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    _answered(setup, "declines_refers", 4)
    daniel = setup.id("Daniel Okafor")
    seen = _ctrl_r(qtbot, window, monkeypatch, view, daniel)
    assert seen["template"] == "thank_referral" and seen["thread"] is not None


def test_ctrl_r_on_a_target_writes_the_request_and_on_a_met_contact_the_thank_you(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.sync()
    lena = setup.demo.contact_id("silent")
    assert setup.demo.store.pipeline.state(lena).stage is Stage.TARGET
    seen = _ctrl_r(qtbot, window, monkeypatch, "contacts", lena)
    assert seen["template"].startswith("request_") and seen["thread"] is None
    # Maya's meeting ended an hour ago: the thank-you is next, before it is even due.
    maya = setup.id("Maya Chen")
    start = setup.clock.now() - timedelta(hours=2)
    set_meeting(setup.demo.store, maya, start, start + timedelta(minutes=15), setup.clock.now())
    setup.sync()
    assert setup.demo.store.pipeline.state(maya).stage is Stage.MET
    seen = _ctrl_r(qtbot, window, monkeypatch, "pipeline", maya)
    assert seen["template"] == "thank_you"
