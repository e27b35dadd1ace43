"""The Pipeline board: one column per open stage and one "Closed" column, one card per contact;
drag a card to move it.

Every column is a QListView over a ``StageFilterProxy`` of the one ``ContactsModel``; cards are
painted by ``CardDelegate`` from the palette, so light and dark themes both work, and every size
comes from font metrics, so the board scales with the user's DPI and font. The three closed
stages (Declined, No response, Bounced) share the last column, each card badged with its stage,
so the whole board fits a laptop screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListView,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import STAGE_ORDER, Stage
from ui.cards import COLUMN_MIN_CHARS, CardDelegate
from ui.cards import mix as mix  # re-exported: the badges and the composer tint with it
from ui.models.contacts import (
    ID_ROLE,
    ContactsModel,
    StageFilterProxy,
)

AnyIndex = QModelIndex | QPersistentModelIndex
#: Qt's "no maximum" for a widget's size.
QWIDGETSIZE_MAX = (1 << 24) - 1

#: The stages shown together in the board's last column; a drop there means Declined.
CLOSED_STAGES: tuple[Stage, ...] = tuple(s for s in STAGE_ORDER if s.closed)
CLOSED_DROP_STAGE = Stage.DECLINED

#: A column's width in average characters: all columns fit a 1400 px screen at the minimum,
#: and a first window is made wide enough for the comfortable width when the screen allows.
COLUMN_COMFORTABLE_CHARS = 24


class CardList(QListView):
    """A column's list of cards. A card's height depends on the column's width and on its
    badges, so the list lays its cards out again whenever either changes: cards never overlap
    and never leave gaps, after an edit, a move or a resize."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.doItemsLayout()

    def dataChanged(
        self, top_left: AnyIndex, bottom_right: AnyIndex, roles: Sequence[int] = ()
    ) -> None:
        super().dataChanged(top_left, bottom_right, roles)
        self.scheduleDelayedItemsLayout()


class StageColumn(QFrame):
    """A titled column of cards for one stage (or the closed stages together), collapsible.

    Signals:
        collapsed_changed(bool): the user folded or opened the column.
    """

    collapsed_changed = Signal(bool)

    def __init__(
        self,
        proxy: StageFilterProxy,
        delegate: CardDelegate,
        parent: QWidget | None = None,
        *,
        label: str = "",
    ) -> None:
        super().__init__(parent)
        self.proxy = proxy
        #: The stage a drop on this column sets.
        self.stage = proxy.stage
        self.label = label or self.tr(self.stage.label)
        #: The column's heading, a button: a click collapses the column to a narrow strip (its
        #: count) or opens it again.
        self.title = QToolButton(self)
        self.title.setObjectName("board-column-title")
        self.title.setAutoRaise(True)
        self.title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.collapsed: bool = False
        self.title.clicked.connect(lambda: self.set_collapsed(not self.collapsed))
        self.view = CardList(self)
        self.view.setModel(proxy)
        self.view.setItemDelegate(delegate)
        self.view.setObjectName(
            "board-closed" if len(proxy.stages) > 1 else f"board-{self.stage.value}"
        )
        self.view.setAccessibleName(self.tr("{0} column").format(self.label))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(False)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setBackgroundRole(QPalette.ColorRole.Window)
        self.view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.view.viewport().setAutoFillBackground(False)
        self.view.setAutoFillBackground(False)
        fm = QFontMetrics(self.font())
        self.open_min_width = fm.averageCharWidth() * COLUMN_MIN_CHARS
        self.setMinimumWidth(self.open_min_width)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        pad = fm.height() // 2
        layout.setContentsMargins(pad // 2, pad, pad // 2, 0)
        layout.setSpacing(pad // 2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        for signal in (
            proxy.rowsInserted,
            proxy.rowsRemoved,
            proxy.modelReset,
            proxy.layoutChanged,
        ):
            signal.connect(self.update_title)
        self.update_title()

    def update_title(self) -> None:
        count = self.proxy.rowCount()
        self.title.setArrowType(
            Qt.ArrowType.RightArrow if self.collapsed else Qt.ArrowType.DownArrow
        )
        if self.collapsed:
            self.title.setText(str(count))
            self.title.setToolTip(self.tr("{0}: {1} (click to open)").format(self.label, count))
            self.title.setAccessibleName(self.tr("{0}, collapsed, {1}").format(self.label, count))
        else:
            self.title.setText(f"{self.label}  {count}")
            self.title.setToolTip(self.tr("Click to collapse this column"))
            self.title.setAccessibleName(self.tr("{0}, {1}").format(self.label, count))

    def set_collapsed(self, on: bool) -> None:
        """Fold the column to a strip as wide as its heading's arrow and count, or open it."""
        self.collapsed = on
        self.view.setVisible(not on)
        self.update_title()
        if on:
            width = self.title.sizeHint().width() + self.frameWidth() * 2
            layout = self.layout()
            if layout is not None:
                margins = layout.contentsMargins()
                width += margins.left() + margins.right()
            self.setMinimumWidth(width)
            self.setMaximumWidth(width)
        else:
            self.setMaximumWidth(QWIDGETSIZE_MAX)
            self.setMinimumWidth(self.open_min_width)
        parent = self.parentWidget()
        if isinstance(parent, QWidget):
            parent.updateGeometry()
        self.collapsed_changed.emit(on)


class PipelineBoard(QScrollArea):
    """The board, horizontally scrollable when the window is too narrow for every column.

    Signals:
        contact_selected(int): a card was selected.
        stage_change_requested(int, object): a card was dropped on another column (its Stage).
    """

    contact_selected = Signal(int)
    stage_change_requested = Signal(int, object)

    def __init__(self, model: ContactsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setAccessibleName(self.tr("Pipeline board"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.delegate = CardDelegate(self)
        inner = QWidget(self)
        self.inner = inner
        layout = QHBoxLayout(inner)
        pad = QFontMetrics(self.font()).height() // 2
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        #: Each stage's column (the closed stages share one).
        self.columns: dict[Stage, StageColumn] = {}
        #: The columns in order, each once.
        self.column_list: list[StageColumn] = []
        groups: list[tuple[Stage, Iterable[Stage], str]] = [
            (stage, (stage,), "") for stage in STAGE_ORDER if not stage.closed
        ]
        groups.append((CLOSED_DROP_STAGE, CLOSED_STAGES, self.tr("Closed")))
        for drop_stage, stages, label in groups:
            proxy = StageFilterProxy(drop_stage, self, stages=stages)
            proxy.setSourceModel(model)
            proxy.contacts_dropped.connect(self.on_contacts_dropped)
            column = StageColumn(proxy, self.delegate, inner, label=label)
            if len(proxy.stages) > 1:
                column.setToolTip(
                    self.tr("Declined, no response and bounced; a card dropped here is Declined")
                )
            column.view.clicked.connect(self.on_card_activated)
            column.view.activated.connect(self.on_card_activated)
            # Selection, not "current": the current index also moves when a row leaves the
            # column (its stage changed), and that must not switch the contact shown.
            column.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
            for stage in proxy.stages:
                self.columns[stage] = column
            self.column_list.append(column)
            layout.addWidget(column, 1)
        self.setWidget(inner)

    def comfortable_width(self) -> int:
        """The board's width with every column at a comfortable width, without scrolling."""
        layout = self.inner.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        char = QFontMetrics(self.font()).averageCharWidth()
        n = len(self.column_list)
        return (
            margins.left()
            + margins.right()
            + n * char * COLUMN_COMFORTABLE_CHARS
            + (n - 1) * layout.spacing()
        )

    def collapsed_stages(self) -> list[str]:
        """The collapsed columns, by their drop stage (kept between runs by the window)."""
        return [c.stage.value for c in self.column_list if c.collapsed]

    def set_collapsed_stages(self, values: Iterable[str]) -> None:
        wanted = set(values)
        for column in self.column_list:
            if column.collapsed != (column.stage.value in wanted):
                column.set_collapsed(column.stage.value in wanted)

    def on_contacts_dropped(self, ids: list[int], stage: Stage) -> None:
        for contact_id in ids:
            self.stage_change_requested.emit(contact_id, stage)

    def on_card_activated(self, index: QModelIndex) -> None:
        contact_id = index.data(ID_ROLE)
        if isinstance(contact_id, int):
            self.contact_selected.emit(contact_id)

    def on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.on_card_activated(indexes[0])

    def set_needle(self, text: str) -> None:
        for column in self.column_list:
            column.proxy.set_needle(text)

    def _card(self, contact_id: int) -> tuple[StageColumn | None, QModelIndex]:
        """The column showing a contact's card and the card's index there: two dictionary
        look-ups and one proxy mapping, whatever the number of contacts."""
        row = self.model.row_of(contact_id)
        if row is None:
            return None, QModelIndex()
        column = self.columns[self.model.record_at(row).state.stage]
        index = column.proxy.mapFromSource(self.model.index(row, 0))
        return (column, index) if index.isValid() else (None, QModelIndex())

    def column_of(self, contact_id: int) -> Stage | None:
        """The stage of a contact whose card is on the board (None: not shown, e.g. filtered)."""
        column, _ = self._card(contact_id)
        if column is None:
            return None
        record = self.model.record(contact_id)
        return None if record is None else record.state.stage

    def selected_id(self) -> int | None:
        """The contact whose card is selected, if any."""
        for column in self.column_list:
            model = column.view.selectionModel()
            if model.hasSelection():
                indexes = model.selectedIndexes()
                if indexes:
                    value = indexes[0].data(ID_ROLE)
                    return value if isinstance(value, int) else None
        return None

    def select(self, contact_id: int | None) -> None:
        """Show a contact's card as the selected one and clear the other columns; cards already
        selected and columns already clear are left alone (no repaint, no scroll)."""
        target, found = self._card(contact_id) if contact_id is not None else (None, QModelIndex())
        for column in self.column_list:
            view = column.view
            selection = view.selectionModel()
            if column is target:
                if selection.currentIndex() == found and selection.selectedIndexes() == [found]:
                    continue
                blocker = selection.blockSignals(True)
                selection.setCurrentIndex(found, selection.SelectionFlag.ClearAndSelect)
                selection.blockSignals(blocker)
                view.scrollTo(found)
                self.ensureWidgetVisible(column, 0, 0)  # a board wider than the window scrolls
            elif selection.hasSelection():
                blocker = selection.blockSignals(True)
                selection.clearSelection()
                selection.blockSignals(blocker)
            else:
                continue
            view.viewport().update()
