"""The contacts table model and the proxies the views put on top of it.

One ``ContactsModel`` holds a plain list of ``ContactRecord`` and is the single source for the
Contacts table and every Pipeline column: the table sorts and filters through
``ContactFilterProxy``, each board column shows the same model through a ``StageFilterProxy``.
The window feeds the model (``reset_records`` once at start, then ``upsert``/``remove``); the
model never reads the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from desktop.domain.model import STAGE_ORDER, Stage, in_people
from desktop.storage import ContactRecord
from ui.format import last_activity, when_text

#: The drag-and-drop payload of a card or row: a JSON list of contact ids.
CONTACT_MIME = "application/x-coffeechat-contact-ids"

RECORD_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
NEXT_ACTION_ROLE = Qt.ItemDataRole.UserRole + 3

_STAGE_RANK = {stage: n for n, stage in enumerate(STAGE_ORDER)}

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    COMPANY = 1
    ROLE = 2
    STAGE = 3
    EMAILS = 4
    NEXT_ACTION = 5
    LAST_ACTIVITY = 6


def _tr(text: str) -> str:
    return QCoreApplication.translate("ContactsModel", text)


def _headers() -> list[str]:
    return [
        _tr("Name"),
        _tr("Company"),
        _tr("Role"),
        _tr("Stage"),
        _tr("Emails"),
        _tr("Next action"),
        _tr("Last activity"),
    ]


def _name_key(record: ContactRecord) -> tuple[str, int]:
    return (record.contact.name.casefold(), record.id)


def search_text(record: ContactRecord) -> str:
    """What the filter matches against, lower-cased once per change rather than per keystroke."""
    c = record.contact
    return "\n".join((c.name, c.company, c.role, *c.emails)).casefold()


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        RECORD_ROLE,
        ID_ROLE,
        NEXT_ACTION_ROLE,
        SORT_ROLE,
    }
)


_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)


class ContactsModel(QAbstractTableModel):
    """Contacts as table rows; ``RECORD_ROLE`` gives the ``ContactRecord`` of any cell.

    Signals: none of its own beyond QAbstractItemModel's (changes are signalled precisely with
    ``rowsInserted``/``rowsRemoved``/``dataChanged``).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[ContactRecord] = []
        self._search: list[str] = []
        self._row_of: dict[int, int] = {}
        self._next_action: dict[int, str] = {}
        self._zone: tzinfo = UTC
        self._now: datetime | None = None
        self._sort_column: int = Column.NAME
        self._descending = False
        #: Display texts per contact id, all columns: painting asks for them again and again.
        self._cells: dict[int, tuple[str, ...]] = {}

    # ------------------------------------------------------------ feeding
    def reset_records(
        self, records: Iterable[ContactRecord], next_actions: dict[int, str] | None = None
    ) -> None:
        """Replace everything (used once, when the window opens), next actions included, so
        that opening costs one reset and no per-row signal."""
        self.beginResetModel()
        self._cells.clear()
        if next_actions is not None:
            self._next_action = dict(next_actions)
        # In place: the proxies keep references to these two lists (see ``columns``).
        self._records[:] = sorted(records, key=self._full_key, reverse=self._descending)
        self._search[:] = [search_text(r) for r in self._records]
        self._reindex()
        self.endResetModel()

    # ------------------------------------------------------------ sorting
    # Sorting happens here, in one Python sort with a key per row, not in a proxy's lessThan
    # (a Python call per comparison: 0.4 s for 10,000 rows). The proxies only filter and keep
    # this order, so the board columns follow the table's sort.
    def _full_key(self, record: ContactRecord) -> tuple[Any, tuple[str, int]]:
        return (self._sort_key(record, self._sort_column), _name_key(record))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        if column == self._sort_column and (order == Qt.SortOrder.DescendingOrder) == (
            self._descending
        ):
            return  # rows are always kept in the current order (reset, insert, move)
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        old_ids = [r.id for r in self._records]
        pairs = sorted(
            zip(self._records, self._search, strict=True),
            key=lambda pair: self._full_key(pair[0]),
            reverse=self._descending,
        )
        self._records[:] = [p[0] for p in pairs]
        self._search[:] = [p[1] for p in pairs]
        self._reindex()
        old = self.persistentIndexList()
        new = [
            self.index(self._row_of[old_ids[ix.row()]], ix.column())
            if 0 <= ix.row() < len(old_ids)
            else QModelIndex()
            for ix in old
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _position_for(self, record: ContactRecord) -> int:
        """Where a record goes in the current order (binary search, ties after)."""
        key = self._full_key(record)
        lo, hi = 0, len(self._records)
        while lo < hi:
            mid = (lo + hi) // 2
            other = self._full_key(self._records[mid])
            before = key > other if self._descending else key < other
            if before:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def upsert(self, record: ContactRecord) -> None:
        """Insert a new contact at its place in the current order, or signal its one row."""
        row = self._row_of.get(record.id)
        if row is None:
            row = self._position_for(record)
            self.beginInsertRows(QModelIndex(), row, row)
            self._records.insert(row, record)
            self._search.insert(row, search_text(record))
            self._reindex()
            self.endInsertRows()
            return
        if self._records[row] == record:
            return
        if self._full_key(self._records[row]) != self._full_key(record):
            self.remove(record.id)  # its sort key changed: it moves to its new place
            self.upsert(record)
            return
        self._records[row] = record
        self._cells.pop(record.id, None)
        self._search[row] = search_text(record)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def remove(self, contact_id: int) -> None:
        row = self._row_of.get(contact_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._records[row]
        self._cells.pop(contact_id, None)
        del self._search[row]
        self._reindex()
        self.endRemoveRows()

    def reconcile(self, records: Sequence[ContactRecord]) -> None:
        """Bring the model in line with a fresh read: per-row signals, only for what differs."""
        fresh = {r.id for r in records}
        for contact_id in [cid for cid in self._row_of if cid not in fresh]:
            self.remove(contact_id)
        for record in records:
            self.upsert(record)

    def set_next_actions(self, titles: dict[int, str]) -> None:
        """The most urgent due action per contact id (the window computes them)."""
        old = self._next_action
        self._next_action = dict(titles)
        for contact_id in set(old) | set(titles):
            if old.get(contact_id) != titles.get(contact_id):
                self._cells.pop(contact_id, None)
                row = self._row_of.get(contact_id)
                if row is not None:
                    ix = self.index(row, Column.NEXT_ACTION)
                    self.dataChanged.emit(ix, ix)

    def set_time_context(self, zone: tzinfo, now: datetime | None) -> None:
        """How dates are shown (the user's zone; today's dates as hh:mm). Signals the column
        only when the text can change (another zone or another day): a whole-column
        dataChanged makes every proxy re-filter every row."""

        def day(when: datetime | None) -> object:
            return None if when is None else when.astimezone(zone).date()

        changed = zone != self._zone or day(now) != day(self._now)
        self._zone = zone
        self._now = now
        if changed:
            self._cells.clear()
        if changed and self._records:
            col = Column.LAST_ACTIVITY
            self.dataChanged.emit(self.index(0, col), self.index(len(self._records) - 1, col))

    def _reindex(self) -> None:
        self._row_of = {r.id: n for n, r in enumerate(self._records)}

    # ------------------------------------------------------------ reading
    def records(self) -> list[ContactRecord]:
        return list(self._records)

    def record(self, contact_id: int) -> ContactRecord | None:
        row = self._row_of.get(contact_id)
        return None if row is None else self._records[row]

    def row_of(self, contact_id: int) -> int | None:
        return self._row_of.get(contact_id)

    def record_at(self, row: int) -> ContactRecord:
        return self._records[row]

    def search_at(self, row: int) -> str:
        return self._search[row]

    def search_strings(self) -> list[str]:
        return self._search

    def columns(self) -> tuple[list[ContactRecord], list[str]]:
        """The live row lists (records, search strings), changed in place, never replaced:
        proxies read them directly to filter without a Python ``data()`` call per row."""
        return self._records, self._search

    def next_action(self, contact_id: int) -> str:
        return self._next_action.get(contact_id, "")

    # ---------------------------------------------------- Qt model interface
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return _headers()[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask ~5 roles per painted cell; most are not ours: answer those first, cheaply.
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        col = index.column()
        if role == RECORD_ROLE:
            return record
        if role == ID_ROLE:
            return record.id
        if role == NEXT_ACTION_ROLE:
            return self._next_action.get(record.id, "")
        if role == Qt.ItemDataRole.DisplayRole:
            cells = self._cells.get(record.id)
            if cells is None:
                cells = tuple(self._display(record, c, False) or "" for c in range(len(Column)))
                self._cells[record.id] = cells
            return cells[col] if 0 <= col < len(cells) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._display(record, col, True)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            c = record.contact
            return f"{c.name}, {c.company}, {record.state.stage.label}"
        if role == SORT_ROLE:
            return self._sort_key(record, col)
        return None

    def _display(self, record: ContactRecord, col: int, tooltip: bool) -> str | None:
        c = record.contact
        if col == Column.NAME:
            return c.name
        if col == Column.COMPANY:
            return c.company
        if col == Column.ROLE:
            return c.role
        if col == Column.STAGE:
            if in_people(record.contact, record.state):
                return _tr("People")
            return _tr(record.state.stage.label)
        if col == Column.EMAILS:
            return ("\n" if tooltip else ", ").join(c.emails)
        if col == Column.NEXT_ACTION:
            return self._next_action.get(record.id, "")
        if col == Column.LAST_ACTIVITY:
            when = last_activity(record.state, self._now)
            return "" if when is None else when_text(when, self._zone, self._now)
        return None

    def _sort_key(self, record: ContactRecord, col: int) -> Any:
        if col == Column.STAGE:
            return _STAGE_RANK[record.state.stage]
        if col == Column.LAST_ACTIVITY:
            when = last_activity(record.state, self._now)
            return 0.0 if when is None else when.timestamp()
        text = self._display(record, col, False) or ""
        return text.casefold()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return _ROW_FLAGS

    def mimeTypes(self) -> list[str]:
        return [CONTACT_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids: list[int] = []
        for ix in indexes:
            if ix.isValid() and 0 <= ix.row() < len(self._records):
                contact_id = self._records[ix.row()].id
                if contact_id not in ids:
                    ids.append(contact_id)
        mime = QMimeData()
        mime.setData(CONTACT_MIME, QByteArray(json.dumps(ids).encode()))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        # Copy, not Move: a drop changes the stage; the view must never remove the source row.
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


def contact_ids(mime: QMimeData) -> list[int]:
    """The contact ids a drag carries (empty if it is not ours)."""
    if not mime.hasFormat(CONTACT_MIME):
        return []
    try:
        raw = json.loads(bytes(mime.data(CONTACT_MIME).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return []
    return [int(x) for x in raw if isinstance(x, int)]


def _refilter(proxy: QSortFilterProxyModel, change: Callable[[], None]) -> None:
    """Change a proxy's filter state and re-run its row filter.

    ``invalidate()`` (one layout change) rather than begin/endFilterChange: with thousands of
    rows the latter emits a remove or insert per contiguous range, and widening the filter (a
    backspace) cost twice as much as narrowing it. The proxy never sorts, so this only refilters.
    """
    change()
    proxy.invalidate()


class ContactFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring filter over name, company, role and emails; sorting by column.

    Filtering does one ``in`` test on a precomputed string per row: no regular expression, no
    ``data()`` call, so 10,000 rows filter within a frame.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._strings: list[str] = []
        self.setDynamicSortFilter(True)

    def needle(self) -> str:
        return self._needle

    def set_needle(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        _refilter(self, lambda: setattr(self, "_needle", needle))

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        # Called once per row per keystroke: keep it to one list index and one ``in``.
        return not self._needle or self._needle in self._strings[source_row]

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        assert isinstance(model, ContactsModel)
        super().setSourceModel(model)
        self._strings = model.columns()[1]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The header's sort goes to the source model (see ContactsModel.sort); the proxy keeps
        the source order and only filters."""
        source = self.sourceModel()
        if isinstance(source, ContactsModel):
            source.sort(column, order)


class StageFilterProxy(QSortFilterProxyModel):
    """One Pipeline column: the contacts in one stage (or several, for the Closed column), in
    the model's order.

    Signals:
        contacts_dropped(list, object): contact ids dropped on this column, and the Stage a
            drop sets (``stage``).
    """

    contacts_dropped = Signal(list, object)

    def __init__(
        self, stage: Stage, parent: QObject | None = None, *, stages: Iterable[Stage] = ()
    ) -> None:
        super().__init__(parent)
        #: The stage a drop on this column sets.
        self.stage = stage
        #: The stages whose contacts the column shows.
        self.stages: frozenset[Stage] = frozenset(stages) or frozenset({stage})
        self._needle = ""
        self._records: list[ContactRecord] = []
        self._strings: list[str] = []
        self.setDynamicSortFilter(True)

    def set_needle(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        _refilter(self, lambda: setattr(self, "_needle", needle))

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        assert isinstance(model, ContactsModel)
        self._records, self._strings = model.columns()
        super().setSourceModel(model)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        record = self._records[source_row]
        if record.state.stage not in self.stages or in_people(record.contact, record.state):
            return False
        return not self._needle or self._needle in self._strings[source_row]

    def filterAcceptsColumn(self, source_column: int, source_parent: AnyIndex) -> bool:
        return source_column == Column.NAME

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        return bool(contact_ids(data))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        ids = contact_ids(data)
        if not ids:
            return False
        self.contacts_dropped.emit(ids, self.stage)
        # The window changes the stage; the proxy picks the row up through dataChanged.
        return False
