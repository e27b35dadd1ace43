"""The keyboard shortcuts sheet (F1), built from the window's own actions so it lists every
shortcut the window has, in the words of its menus, and nothing it does not have."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import name_helper_controls

#: Keys that belong to one view or list, not to a window action (the action's shortcuts are
#: read from the actions themselves).
VIEW_KEYS: tuple[tuple[str, str], ...] = (
    ("J / K or ↓ / ↑", "Today: next / previous due action"),
    ("Enter", "Today: act on the highlighted action (write the message, or open the contact)"),
    ("S", "Today: snooze (1 day, 3 days, next week)"),
    ("D or Delete", "Today: dismiss (Ctrl+Z brings it back)"),
    ("Esc", "Contact panel: close it; filter: clear it"),
    ("Ctrl+Space", "Interview mode: start or pause the timer"),
)


def keys_text(action: QAction) -> str:
    """An action's shortcuts as the menus show them, ``Ctrl+R`` or ``F1 or Ctrl+/``."""
    texts = (k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
    return " or ".join(t for t in texts if t)


def action_text(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, then the views' own keys."""
    rows = [(keys_text(a), action_text(a)) for a in actions if a.text()]
    return [row for row in rows if row[0]] + list(VIEW_KEYS)


class ShortcutsDialog(QDialog):
    """The sheet: a two-column table sized to show every row and every word, up to the screen."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table = table = QTableWidget(len(rows), 2)
        table.setAccessibleName(self.tr("Keyboard shortcuts"))
        table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        for row, (keys, text) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            item = QTableWidgetItem(self.tr(text))
            item.setToolTip(item.text())
            table.setItem(row, 1, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAccessibleName(self.tr("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        self._size_to_content(rows)

    def _size_to_content(self, rows: list[tuple[str, str]]) -> None:
        """Wide enough for the longest keys and description on one line, tall enough for every
        row; never larger than the screen's free area (then the table scrolls)."""
        name_helper_controls(self)
        fm = QFontMetrics(self.table.font())
        pad = fm.averageCharWidth() * 4
        keys_w = max(fm.horizontalAdvance(k) for k, _ in rows) + pad
        text_w = max(fm.horizontalAdvance(self.tr(t)) for _, t in rows) + pad
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        frame = self.table.frameWidth() * 2
        rows_h = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        height = self.table.horizontalHeader().sizeHint().height() + rows_h + frame
        width = keys_w + text_w + frame
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            free = screen.availableGeometry()
            width = min(width, free.width() * 9 // 10)
            height = min(height, free.height() * 3 // 4)
        self.table.setMinimumSize(width, height)
        self.adjustSize()
