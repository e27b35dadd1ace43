"""The main window as the UI tests open it: shown, exposed, and shut down afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from ui import workspace
from ui.main_window import MainWindow


def open_window(ctx: AppContext, **kw: Any) -> MainWindow:
    """The window as the composition root builds it: the workspace registered through the
    window's extension API."""
    window = MainWindow(ctx, **kw)
    workspace.install(window, ctx)
    return window


@contextmanager
def shown_window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    """A ``MainWindow`` on ``ctx``, on screen; shut down (timers and workers stopped) on exit."""
    win = open_window(ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()
