"""Table columns that share the table's width by weight, until the user sizes one by hand."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTableView


class ColumnFitter(QObject):
    """Sizes a table's columns from its viewport width: each column gets its weight's share,
    never less than its minimum (both in average characters, so they follow the user's font).
    The last column stretches. Once the user resizes a column, their widths are kept.
    """

    def __init__(self, table: QTableView, columns: Mapping[int, tuple[int, int]]) -> None:
        super().__init__(table)
        self.table = table
        #: column -> (minimum chars, weight chars)
        self.columns = dict(columns)
        self.auto = True
        self._fitting = False
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self.on_section_resized)

    def widths(self, width: int) -> dict[int, int]:
        """Each column's weight share of ``width``, at least its minimum; when the minimums push
        the sum over, the columns above their minimum give back in proportion."""
        char = QFontMetrics(self.table.font()).averageCharWidth()
        header = self.table.horizontalHeader()
        total = sum(weight for _, weight in self.columns.values()) or 1
        least = {c: max(m * char, header.sectionSizeHint(c)) for c, (m, _) in self.columns.items()}
        out = {c: max(least[c], width * w // total) for c, (_, w) in self.columns.items()}
        over = sum(out.values()) - width
        spare = sum(out[c] - least[c] for c in out)
        if over > 0 and spare > 0:
            give = min(1.0, over / spare)
            out = {c: out[c] - int((out[c] - least[c]) * give + 0.999) for c in out}
        return out

    def fit(self) -> None:
        if not self.auto:
            return
        header = self.table.horizontalHeader()
        last = header.count() - 1
        self._fitting = True
        try:
            for column, size in self.widths(self.table.viewport().width()).items():
                if column != last:  # the last one stretches over what is left
                    header.resizeSection(column, size)
        finally:
            self._fitting = False

    def minimum_width(self) -> int:
        """The width at which every column still gets its minimum."""
        char = QFontMetrics(self.table.font()).averageCharWidth()
        return sum(least for least, _ in self.columns.values()) * char

    def restore(self, state: object, auto: bool) -> None:
        """Restore a saved header (sort order, widths); ``auto`` False: the user had sized the
        columns, so their widths are kept, else they are fitted again."""
        if isinstance(state, QByteArray):
            self._fitting = True
            try:
                restored = self.table.horizontalHeader().restoreState(state)
            finally:
                self._fitting = False
            self.auto = auto or not restored
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event type first: events still arrive while the table is being destroyed.
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self.fit()
        return False

    def on_section_resized(self, column: int, old: int, new: int) -> None:
        header = self.table.horizontalHeader()
        if not self._fitting and column != header.count() - 1 and self.table.isVisible():
            self.auto = False  # the user dragged a column edge: keep their widths
