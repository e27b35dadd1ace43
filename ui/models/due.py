"""The Today list: due actions grouped by kind (a header row per kind), most urgent first."""

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

from desktop.domain.due import TITLES, ActionKind, DueAction

ACTION_ROLE = Qt.ItemDataRole.UserRole
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
#: The kind of a row: its action's, or the kind a section header stands for.
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
#: True on a section header row.
SECTION_ROLE = Qt.ItemDataRole.UserRole + 4

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class DueRow:
    """One line of Today: the action and the name of the contact it concerns."""

    action: DueAction
    name: str


@dataclass(frozen=True, slots=True)
class SectionRow:
    """The header above one kind's actions, with how many there are."""

    kind: ActionKind
    count: int


def grouped(rows: Sequence[DueRow]) -> list[DueRow | SectionRow]:
    """Rows under a header per kind. Kinds keep the order of their first action (``all_due``
    sorts the most urgent kind first, the longest-overdue first within a kind)."""
    by_kind: dict[ActionKind, list[DueRow]] = {}
    for row in rows:
        by_kind.setdefault(row.action.kind, []).append(row)
    out: list[DueRow | SectionRow] = []
    for kind, members in by_kind.items():
        out.append(SectionRow(kind, len(members)))
        out.extend(members)
    return out


def _key(row: DueRow | SectionRow) -> object:
    return row.kind if isinstance(row, SectionRow) else row


class DueModel(QAbstractListModel):
    """Due actions in the order given, under a non-selectable header row per kind.

    ``set_rows`` changes only the rows that differ: the common head and tail are kept, so a
    refresh that changes one action does not reset the view (selection and scroll survive).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DueRow | SectionRow] = []
        self._when: Callable[[DueAction], str] = lambda a: a.due_at.strftime("%a %d %b %H:%M")

    def set_when_formatter(self, fmt: Callable[[DueAction], str]) -> None:
        self._when = fmt

    def rows(self) -> list[DueRow]:
        """The actions' rows, without the headers."""
        return [r for r in self._rows if isinstance(r, DueRow)]

    def actions(self) -> list[DueAction]:
        return [r.action for r in self._rows if isinstance(r, DueRow)]

    def is_action(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and isinstance(self._rows[row], DueRow)

    def row_of(self, action: DueAction) -> int | None:
        for n, row in enumerate(self._rows):
            if isinstance(row, DueRow) and row.action == action:
                return n
        return None

    def action_row_near(self, row: int, step: int) -> int | None:
        """The first action's row from ``row`` on, moving by ``step`` (+1 down, -1 up)."""
        while 0 <= row < len(self._rows):
            if isinstance(self._rows[row], DueRow):
                return row
            row += step
        return None

    def set_rows(self, rows: Sequence[DueRow]) -> None:
        new = grouped(rows)
        old = self._rows
        # Headers are matched by kind: a header whose count changed is one dataChanged, not a
        # change that drags its section's rows along.
        old_keys = [_key(r) for r in old]
        new_keys = [_key(r) for r in new]
        head = 0
        while head < min(len(old), len(new)) and old_keys[head] == new_keys[head]:
            head += 1
        tail = 0
        while (
            tail < min(len(old), len(new)) - head
            and old_keys[len(old) - 1 - tail] == new_keys[len(new) - 1 - tail]
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
        for n, row in enumerate(new):  # the kept headers whose counts changed
            if self._rows[n] != row:
                self._rows[n] = row
                self.dataChanged.emit(self.index(n), self.index(n))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if isinstance(row, SectionRow):
            return self._section_data(row, role)
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
        if role == KIND_ROLE:
            return action.kind
        if role == SECTION_ROLE:
            return False
        return None

    def _section_data(self, row: SectionRow, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            title = QCoreApplication.translate("DueModel", TITLES[row.kind])
            return f"{title} ({row.count})"
        if role == KIND_ROLE:
            return row.kind
        if role == SECTION_ROLE:
            return True
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], SectionRow):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
