"""The main window as the UI tests open it: shown, exposed, and shut down afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from ui.main_window import MainWindow


@contextmanager
def shown_window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    """A ``MainWindow`` on ``ctx``, on screen; shut down (timers and workers stopped) on exit."""
    win = MainWindow(ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()
