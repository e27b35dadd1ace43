"""The window's built-in pages: Today (title, keys hint, the list or its empty state) and
Contacts (the table or its empty state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.columns import ColumnFitter
from ui.models.contacts import Column, ContactFilterProxy
from ui.models.due import DueModel
from ui.today import DueDelegate, TodayView


def set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def empty_label(font_of: QWidget) -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setMargin(QFontMetrics(font_of.font()).height() * 2)
    return label


class TodayPage(QWidget):
    """Today's page: its title (with the count), the keys hint, the list or its empty state."""

    def __init__(self, due_model: DueModel, when_text: Callable[[Any], str]) -> None:
        super().__init__()
        pad = QFontMetrics(self.font()).height() // 2
        self.view = view = TodayView()
        view.setObjectName("today")
        view.setAccessibleName(self.tr("Due today"))
        view.setModel(due_model)
        view.setItemDelegate(DueDelegate(when_text, view))
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setSpacing(0)
        view.viewport().setAutoFillBackground(False)
        view.setAutoFillBackground(False)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = empty_label(self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(view)
        self.title = QLabel(self.tr("Today"))
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title.setFont(title_font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad, pad * 2, pad, 0)
        layout.addWidget(self.title)
        self.hint = QLabel(
            self.tr("J / K to move · Enter to act · S to snooze · D to dismiss · Ctrl+Z to undo")
        )
        self.hint.setAccessibleName(self.tr("Today's keys"))
        self.hint.setEnabled(False)  # drawn muted, from the palette
        self.hint.setContentsMargins(pad, 0, 0, pad // 2)
        layout.addWidget(self.hint)
        layout.addWidget(self.stack, 1)
        self.title.setContentsMargins(pad, 0, 0, 0)


class ContactsPage(QStackedWidget):
    """The contacts table (sortable, filtered by the proxy), or its empty state."""

    def __init__(self, proxy: ContactFilterProxy) -> None:
        super().__init__()
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        self.table = table = QTableView()
        table.setObjectName("contacts-table")
        table.setAccessibleName(self.tr("Contacts"))
        table.setModel(proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setFrameShape(QFrame.Shape.NoFrame)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setDragEnabled(True)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.verticalHeader().hide()
        # Fixed row heights: with 10,000 rows, a resizable vertical header re-measures on every
        # filter keystroke.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(fm.height() + pad + pad // 2)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # (minimum, weight) in average characters: the columns share the table's width, so all
        # of them, Last activity included, fit without a horizontal scroll bar.
        self.column_fitter = ColumnFitter(
            table,
            {
                Column.NAME: (15, 20),
                Column.COMPANY: (11, 16),
                Column.ROLE: (11, 18),
                Column.STAGE: (12, 9),
                Column.EMAILS: (13, 20),
                Column.NEXT_ACTION: (13, 17),
                Column.LAST_ACTIVITY: (19, 16),
            },
        )
        self.empty = empty_label(self)
        self.addWidget(self.empty)
        self.addWidget(table)
