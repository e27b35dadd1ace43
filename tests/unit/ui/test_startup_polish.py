"""Issue 19, point 14: start-up defers what the first paint does not need (the contacts, the
mail providers' libraries) and the window reads its data right after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[3]


def test_the_window_can_read_its_contacts_after_its_first_paint(
    qtbot: QtBot, ctx: AppContext, seeded: dict[str, int]
) -> None:
    win = MainWindow(ctx, load_after_first_paint=True)
    qtbot.add_widget(win)
    assert win.model.rowCount() == 0  # nothing read before the window is seen
    later: list[int] = []
    win.after_first_paint(lambda: later.append(win.model.rowCount()))
    win.show()
    qtbot.wait_until(lambda: bool(later))
    assert later == [len(seeded)] and win.model.rowCount() == len(seeded)
    win.after_first_paint(lambda: later.append(-1))  # once painted: at once
    assert later[-1] == -1
    win.shutdown()


def test_the_window_loads_no_mail_provider_library_before_it_is_needed() -> None:
    probe = (
        "import sys, desktop.app, ui.main_window, ui.workspace\n"
        "from desktop.app import LazyConnector\n"
        "c = LazyConnector('imap', None, None, lambda: print)\n"
        "late = ('mail.imap', 'mail.gmail', 'mail.outlook', 'googleapiclient', 'msal',\n"
        "        'keyring', 'ui.connect_imap', 'ui.connect_gmail', 'ui.connect_outlook')\n"
        "print(c.kind, [m for m in late if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ).stdout
    assert out.strip() == "imap []"


def test_a_lazy_sign_in_builds_the_real_one_on_first_use(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.app import CONNECTORS, LazyConnector
    from ui.ops import Ops

    ops = Ops(ctx.tasks, ctx.paths.profile)
    added: list[int] = []
    for kind, (module, name) in CONNECTORS.items():
        real = getattr(__import__(module, fromlist=[name]), name)
        monkeypatch.setattr(real, "connect", lambda self, parent: self.kind)
        lazy = LazyConnector(kind, ctx, ops, lambda: added.append)
        assert lazy.connect(None) is True  # the real one ran (it answered its kind)
        assert isinstance(lazy._real, real) and lazy._real.kind == kind
        lazy._real.events.account_added.emit(7)
    assert added == [7, 7, 7]
    ops.close()
