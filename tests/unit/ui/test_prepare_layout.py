"""The Prepare tab at 800x600: nothing clipped on the right, and one scroll (the pane's), never a
list scrolling inside it."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.workspace import SourceKind
from ui.main_window import MainWindow
from ui.workspace import Workspace


def _prepare_at(qtbot: QtBot, window: MainWindow, contact_id: int, width: int, height: int):  # type: ignore[no-untyped-def]
    window.resize(width, height)
    window.select_contact(contact_id)
    hooks = window.findChild(Workspace)
    hooks.open_prepare()
    pane = hooks.prepare_pane()
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait_until(window.ops.idle)
    return pane


def _clipped(pane: QWidget) -> list[str]:
    """Widgets shown in the pane whose right edge lies beyond the pane's scroll viewport."""
    viewport = pane.scroll_area.viewport()  # type: ignore[attr-defined]
    right = viewport.mapToGlobal(QPoint(viewport.width(), 0)).x()
    out = []
    for child in pane.scroll_area.widget().findChildren(QWidget):  # type: ignore[attr-defined]
        if child.isVisibleTo(pane) and child.width() > 0:
            edge = child.mapToGlobal(QPoint(child.width(), 0)).x()
            if edge > right + 1:
                out.append(f"{type(child).__name__} {child.objectName()} {edge - right}px")
    return out


def test_prepare_fits_the_panel_width_at_800x600(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    pane = _prepare_at(qtbot, window, seeded["grace"], 800, 600)
    assert _clipped(pane) == []
    assert not pane.scroll_area.horizontalScrollBar().isVisible()
    # With the article's fields shown too (the widest form).
    pane.kind_combo.setCurrentIndex(pane.kind_combo.findData(SourceKind.ARTICLE.value))
    for _ in range(3):
        QApplication.processEvents()
    assert _clipped(pane) == []


def test_the_question_list_does_not_scroll_inside_the_pane(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    for width, height in ((800, 600), (1400, 900)):
        pane = _prepare_at(qtbot, window, seeded["grace"], width, height)
        questions = pane.questions
        assert questions.count() >= 15
        for _ in range(3):
            QApplication.processEvents()
        assert questions.verticalScrollBar().maximum() == 0, (width, height)
        last = questions.visualItemRect(questions.item(questions.count() - 1))
        assert last.bottom() <= questions.viewport().height(), (width, height)
        assert pane.scroll_area.verticalScrollBar().maximum() > 0  # the pane scrolls instead
