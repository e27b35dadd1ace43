"""The Today list: due actions, most urgent first, as the window computed them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop.domain.due import DueAction

ACTION_ROLE = Qt.ItemDataRole.UserRole
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class DueRow:
    """One line of Today: the action and the name of the contact it concerns."""

    action: DueAction
    name: str


class DueModel(QAbstractListModel):
    """Due actions in the order given (``all_due`` sorts them).

    ``set_rows`` changes only the rows that differ: the common head and tail are kept, so a
    refresh that changes one action does not reset the view (selection and scroll survive).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DueRow] = []
        self._when: Callable[[DueAction], str] = lambda a: a.due_at.strftime("%a %d %b %H:%M")

    def set_when_formatter(self, fmt: Callable[[DueAction], str]) -> None:
        self._when = fmt

    def rows(self) -> list[DueRow]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[DueRow]) -> None:
        new = list(rows)
        old = self._rows
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while (
            tail < min(len(old), len(new)) - head
            and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]
        ):
            tail += 1
        old_mid = len(old) - head - tail
        new_mid = len(new) - head - tail
        common = min(old_mid, new_mid)
        if common:
            self._rows[head : head + common] = new[head : head + common]
            self.dataChanged.emit(self.index(head), self.index(head + common - 1))
        if old_mid > common:
            first = head + common
            self.beginRemoveRows(QModelIndex(), first, first + old_mid - common - 1)
            del self._rows[first : first + old_mid - common]
            self.endRemoveRows()
        elif new_mid > common:
            first = head + common
            self.beginInsertRows(QModelIndex(), first, first + new_mid - common - 1)
            self._rows[first:first] = new[first : first + new_mid - common]
            self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        action = row.action
        title = QCoreApplication.translate("DueModel", action.title)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{title} — {row.name}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{title}: {row.name}. {action.detail} ({self._when(action)})"
        if role == ACTION_ROLE:
            return action
        if role == CONTACT_ID_ROLE:
            return action.contact_id
        if role == NAME_ROLE:
            return row.name
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
