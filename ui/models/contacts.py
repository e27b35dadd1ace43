"""The contacts table model and the proxies the views put on top of it.

One ``ContactsModel`` holds a plain list of ``ContactRecord`` and is the single source for the
Contacts table and every Pipeline column: the table sorts and filters through
``ContactFilterProxy``, each board column shows the same model through a ``StageFilterProxy``.
The window feeds the model (``reset_records`` once at start, then ``upsert``/``remove``); the
model never reads the store.
"""

from __future__ import annotations

import json
from bisect import bisect_right
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

from desktop.domain.model import STAGE_ORDER, Stage
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

    # ------------------------------------------------------------ feeding
    def reset_records(self, records: Iterable[ContactRecord]) -> None:
        """Replace everything (used once, when the window opens)."""
        self.beginResetModel()
        # In place: the proxies keep references to these two lists (see ``columns``).
        self._records[:] = sorted(records, key=_name_key)
        self._search[:] = [search_text(r) for r in self._records]
        self._reindex()
        self.endResetModel()

    def upsert(self, record: ContactRecord) -> None:
        """Insert a new contact at its place by name, or signal the one changed row."""
        row = self._row_of.get(record.id)
        if row is None:
            # Rows stay in name order, so views that show source order (the board columns)
            # need no sorting, which would cost a Python call per comparison.
            key = _name_key(record)
            row = bisect_right(self._records, key, key=_name_key)
            self.beginInsertRows(QModelIndex(), row, row)
            self._records.insert(row, record)
            self._search.insert(row, search_text(record))
            self._reindex()
            self.endInsertRows()
            return
        if self._records[row] == record:
            return
        if _name_key(self._records[row]) != _name_key(record):
            self.remove(record.id)  # renamed: it moves to its new place by name
            self.upsert(record)
            return
        self._records[row] = record
        self._search[row] = search_text(record)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def remove(self, contact_id: int) -> None:
        row = self._row_of.get(contact_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._records[row]
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
                row = self._row_of.get(contact_id)
                if row is not None:
                    ix = self.index(row, Column.NEXT_ACTION)
                    self.dataChanged.emit(ix, ix)

    def set_time_context(self, zone: tzinfo, now: datetime | None) -> None:
        """How dates are shown (the user's zone; today's dates as hh:mm)."""
        self._zone = zone
        self._now = now
        if self._records:
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

    def sort_keys(self, column: int) -> list[Any]:
        """One sort key per row for a column (computed once per sort, not per comparison)."""
        return [self._sort_key(r, column) for r in self._records]

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
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        col = index.column()
        if role == RECORD_ROLE:
            return record
        if role == ID_ROLE:
            return record.id
        if role == NEXT_ACTION_ROLE:
            return self._next_action.get(record.id, "")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(record, col, role == Qt.ItemDataRole.ToolTipRole)
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
            return _tr(record.state.stage.label)
        if col == Column.EMAILS:
            return ("\n" if tooltip else ", ").join(c.emails)
        if col == Column.NEXT_ACTION:
            return self._next_action.get(record.id, "")
        if col == Column.LAST_ACTIVITY:
            when = last_activity(record.state)
            return "" if when is None else when_text(when, self._zone, self._now)
        return None

    def _sort_key(self, record: ContactRecord, col: int) -> Any:
        if col == Column.STAGE:
            return _STAGE_RANK[record.state.stage]
        if col == Column.LAST_ACTIVITY:
            when = last_activity(record.state)
            return 0.0 if when is None else when.timestamp()
        text = self._display(record, col, False) or ""
        return text.casefold()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

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
    """Change a proxy's filter state and re-run its row filter (Qt 6.9+ API when present)."""
    if hasattr(proxy, "beginFilterChange"):
        proxy.beginFilterChange()
        change()
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:  # PySide6 < 6.9
        change()
        proxy.invalidateRowsFilter()


class ContactFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring filter over name, company, role and emails; sorting by column.

    Filtering does one ``in`` test on a precomputed string per row: no regular expression, no
    ``data()`` call, so 10,000 rows filter within a frame.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._strings: list[str] = []
        self._keys: list[Any] = []
        self._keys_column = -1
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
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
        self._keys_column = -1
        for signal in (model.dataChanged, model.rowsInserted, model.rowsRemoved,
                       model.modelReset):
            signal.connect(self.on_source_changed)

    def on_source_changed(self) -> None:
        self._keys_column = -1  # recomputed at the next comparison

    def lessThan(self, source_left: AnyIndex, source_right: AnyIndex) -> bool:
        column = source_left.column()
        if column != self._keys_column:
            source = self.sourceModel()
            assert isinstance(source, ContactsModel)
            self._keys = source.sort_keys(column)
            self._keys_column = column
        keys = self._keys
        left, right = keys[source_left.row()], keys[source_right.row()]
        if left == right:  # a stable, total order: ties by row (the model keeps name order)
            return source_left.row() < source_right.row()
        return bool(left < right)


class StageFilterProxy(QSortFilterProxyModel):
    """One Pipeline column: the contacts in one stage, in the model's (name) order.

    Signals:
        contacts_dropped(list, object): contact ids dropped on this column, and its Stage.
    """

    contacts_dropped = Signal(list, object)

    def __init__(self, stage: Stage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
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
        if self._records[source_row].state.stage is not self.stage:
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
