"""The window's built-in pages: Today (title, keys hint, the list or its empty state) and
Contacts (the table or its empty state)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
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


class EmptyState(QWidget):
    """An empty list's text with buttons that do the thing it suggests (add a contact,
    connect a mailbox…): ``label`` holds the text, ``buttons`` are shown while the list has
    no contacts at all (``show_buttons``)."""

    def __init__(self, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.buttons: list[QPushButton] = []
        self.row = QHBoxLayout()
        self.row.addStretch(1)
        self.row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addLayout(self.row)
        layout.addStretch(1)

    def add_action(self, action: QAction, text: str = "") -> QPushButton:
        """A button that triggers ``action`` (enabled as it is), labelled ``text`` or as it."""
        button = QPushButton(text or action.text())
        button.setAccessibleName(button.text().replace("&", ""))
        button.clicked.connect(action.trigger)
        button.setEnabled(action.isEnabled())
        action.enabledChanged.connect(button.setEnabled)
        self.row.insertWidget(self.row.count() - 1, button)
        self.buttons.append(button)
        return button

    def show_buttons(self, shown: bool) -> None:
        for button in self.buttons:
            button.setVisible(shown)


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
        self.empty_state = EmptyState(self.empty)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
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
        # Several rows at once (Shift/Ctrl+click) for "Add to targets"; the panel shows the
        # current one.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
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
        self.empty_state = EmptyState(self.empty)
        self.addWidget(self.empty_state)
        self.addWidget(table)


class MailboxOffer(QDialog):
    """No mailbox is connected and the user asked for a sync (F5): offer to connect one.
    ``choice`` is the connector's kind ("gmail", "outlook", "imap") once one is chosen."""

    def __init__(self, kinds: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("No mailbox connected"))
        self.choice = ""
        text = QLabel(
            self.tr(
                "<p><b>No mailbox is connected yet.</b></p><p>Connect the mailbox you write "
                "from, and Coffeechat checks it for replies, bounces and meetings (F5 checks "
                "now).</p>"
            )
        )
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        names = {
            "gmail": self.tr("Connect &Gmail…"),
            "outlook": self.tr("Connect &Outlook…"),
            "imap": self.tr("Another &mailbox…"),
        }
        self.choice_buttons: dict[str, QPushButton] = {}
        for kind in kinds:
            if kind in names:
                button = QPushButton(names[kind])
                button.clicked.connect(lambda _=False, k=kind: self.choose(k))
                buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
                self.choice_buttons[kind] = button
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.setMinimumWidth(QFontMetrics(self.font()).averageCharWidth() * 60)

    def choose(self, kind: str) -> None:
        self.choice = kind
        self.accept()
