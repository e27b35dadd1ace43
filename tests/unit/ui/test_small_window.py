"""The window at 800x600 is 800x600: nothing in any view keeps it wider."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.window_layout import VIEW_KEYS


def test_the_window_fits_800_pixels_in_every_view(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    window.select_contact(seeded["ada"])  # the panel open beside the view
    views = range(window.sidebar.count())  # Today, Pipeline, Contacts and the workspace's
    assert len(views) > len(VIEW_KEYS)
    for view in views:
        window.sidebar.setCurrentRow(view)
        window.resize(800, 600)
        QApplication.processEvents()
        assert window.minimumSizeHint().width() <= 800, view
        assert window.width() == 800, view
