"""The Pipeline board: one column per open stage and one "Closed" column, one card per contact;
drag a card to move it.

Every column is a QListView over a ``StageFilterProxy`` of the one ``ContactsModel``; cards are
painted by ``CardDelegate`` from the palette, so light and dark themes both work, and every size
comes from font metrics, so the board scales with the user's DPI and font. The three closed
stages (Declined, No response, Bounced) share the last column, each card badged with its stage,
so the whole board fits a laptop screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import STAGE_ORDER, Stage
from desktop.storage import ContactRecord
from ui.models.contacts import (
    ID_ROLE,
    NEXT_ACTION_ROLE,
    RECORD_ROLE,
    ContactsModel,
    StageFilterProxy,
)

AnyIndex = QModelIndex | QPersistentModelIndex

#: The stages shown together in the board's last column; a drop there means Declined.
CLOSED_STAGES: tuple[Stage, ...] = tuple(s for s in STAGE_ORDER if s.closed)
CLOSED_DROP_STAGE = Stage.DECLINED

#: A column's width in average characters: all columns fit a 1400 px screen at the minimum,
#: and a first window is made wide enough for the comfortable width when the screen allows.
COLUMN_MIN_CHARS = 20
COLUMN_COMFORTABLE_CHARS = 24
COLUMN_MAX_CHARS = 34


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` towards ``b`` (keeps contrast in light and dark palettes)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


class CardDelegate(QStyledItemDelegate):
    """Paints a contact as a card: name, company and role, and badges for what needs attention."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today: datetime | None = None
        self.zone: tzinfo = UTC

    def badges(self, record: ContactRecord, next_action: str) -> list[tuple[str, bool]]:
        """(text, is_warning) for each badge of a card."""
        state = record.state
        out: list[tuple[str, bool]] = []
        bounced = state.stage is Stage.BOUNCED
        if state.stage.closed:  # the Closed column holds three stages: say which
            out.append((self.tr(state.stage.label), bounced))
        if next_action:
            out.append((next_action, True))
        if state.away_until is not None:
            day = state.away_until
            out.append((self.tr("away until {0}").format(f"{day.day} {day:%b}"), False))
        if not bounced:  # on a Bounced card the stage badge says it; the panel names addresses
            for address in state.bounced_addresses:
                out.append((self.tr("bounced: {0}").format(address), True))
        if state.followups_sent:
            n = state.followups_sent
            text = self.tr("1 follow-up") if n == 1 else self.tr("{0} follow-ups").format(n)
            out.append((text, False))
        return out

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, int]:
        bold = QFont(option.font)
        bold.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(1.0, option.font.pointSizeF() * 0.9))
        pad = QFontMetrics(option.font).height() // 2
        return bold, small, pad

    def _badge_rows(
        self, badges: list[tuple[str, bool]], small: QFont, width: int
    ) -> list[list[tuple[str, bool, int]]]:
        fm = QFontMetrics(small)
        gap = fm.height() // 3
        rows: list[list[tuple[str, bool, int]]] = []
        used = width
        for text, warn in badges:
            shown = fm.elidedText(text, Qt.TextElideMode.ElideMiddle, width - 2 * gap)
            w = fm.horizontalAdvance(shown) + 2 * gap
            if not rows or used + gap + w > width:
                rows.append([])
                used = -gap
            rows[-1].append((shown, warn, w))
            used += gap + w
        return rows

    @staticmethod
    def _name_lines(name: str, font: QFont, width: int) -> list[str]:
        """The name on one line, or wrapped at spaces onto two (the second elided)."""
        fm = QFontMetrics(font)
        if fm.horizontalAdvance(name) <= width or " " not in name:
            return [fm.elidedText(name, Qt.TextElideMode.ElideRight, width)]
        words = name.split(" ")
        first = words[0]
        n = 1
        while n < len(words) and fm.horizontalAdvance(f"{first} {words[n]}") <= width:
            first = f"{first} {words[n]}"
            n += 1
        rest = " ".join(words[n:])
        return [
            fm.elidedText(first, Qt.TextElideMode.ElideRight, width),
            fm.elidedText(rest, Qt.TextElideMode.ElideRight, width),
        ]

    @staticmethod
    def _subtitle_lines(record: ContactRecord, font: QFont, width: int) -> list[str]:
        """Role and company on one line when they fit, else on two."""
        c = record.contact
        parts = [p for p in (c.role, c.company) if p]
        joined = " · ".join(parts)
        if len(parts) < 2 or QFontMetrics(font).horizontalAdvance(joined) <= width:
            return [joined] if joined else []
        return parts

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        bold, small, pad = self._metrics(option)
        record = index.data(RECORD_ROLE)
        width = option.rect.width()
        view = option.widget
        if isinstance(view, QAbstractItemView):
            width = view.viewport().width()
        width = max(width, QFontMetrics(option.font).averageCharWidth() * (COLUMN_MIN_CHARS - 4))
        inner = width - 3 * pad  # as in paint: the card inset (pad) and its padding (2 pad)
        height = pad + QFontMetrics(bold).height()
        if isinstance(record, ContactRecord):
            lines = len(self._name_lines(record.contact.name, bold, inner))
            height += (lines - 1) * QFontMetrics(bold).height()
            height += (
                len(self._subtitle_lines(record, option.font, inner))
                * QFontMetrics(option.font).height()
            )
            rows = self._badge_rows(
                self.badges(record, index.data(NEXT_ACTION_ROLE) or ""), small, inner
            )
            if rows:
                line = QFontMetrics(small).height() + QFontMetrics(small).height() // 3
                height += pad // 2 + len(rows) * line
        return QSize(width, height + pad + pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        record = index.data(RECORD_ROLE)
        if not isinstance(record, ContactRecord):
            super().paint(painter, option, index)
            return
        bold, small, pad = self._metrics(option)
        pal: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        card = option.rect.adjusted(pad // 2, pad // 2, -pad // 2, -pad // 2)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = pal.color(QPalette.ColorRole.Base)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        fill = mix(base, highlight, 0.14) if selected else base
        border = highlight if selected or focused else pal.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(fill)
        radius = pad * 0.8
        painter.drawRoundedRect(card, radius, radius)

        text = pal.color(QPalette.ColorRole.Text)
        muted = mix(text, fill, 0.38)
        x = card.left() + pad
        width = card.width() - 2 * pad
        y = card.top() + pad

        painter.setFont(bold)
        fm = QFontMetrics(bold)
        painter.setPen(text)
        for line in self._name_lines(record.contact.name, bold, width):
            painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, line)
            y += fm.height()

        painter.setFont(option.font)
        fm = QFontMetrics(option.font)
        painter.setPen(muted)
        for sub in self._subtitle_lines(record, option.font, width):
            sub = fm.elidedText(sub, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, sub)
            y += fm.height()

        rows = self._badge_rows(
            self.badges(record, index.data(NEXT_ACTION_ROLE) or ""), small, width
        )
        if rows:
            y += pad // 2
            painter.setFont(small)
            fm = QFontMetrics(small)
            gap = fm.height() // 3
            warn_colour = mix(highlight, QColor(200, 60, 40), 0.65)
            for row in rows:
                bx = x
                for shown, warn, w in row:
                    rect = QRect(bx, y, w, fm.height())
                    tint = warn_colour if warn else text
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(mix(fill, tint, 0.16))
                    painter.drawRoundedRect(rect, fm.height() / 2, fm.height() / 2)
                    painter.setPen(mix(tint, text, 0.25) if warn else text)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, shown)
                    bx += w + gap
                y += fm.height() + gap
        painter.restore()


class StageColumn(QFrame):
    """A titled column of cards for one stage (or the closed stages together)."""

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
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = QListView(self)
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
        self.setMinimumWidth(fm.averageCharWidth() * COLUMN_MIN_CHARS)
        self.setMaximumWidth(fm.averageCharWidth() * COLUMN_MAX_CHARS)
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
        self.title.setText(f"{self.label}  <span style='font-weight:normal'>{count}</span>")
        self.title.setContentsMargins(QFontMetrics(self.font()).height() // 2, 0, 0, 0)


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
            elif selection.hasSelection():
                blocker = selection.blockSignals(True)
                selection.clearSelection()
                selection.blockSignals(blocker)
            else:
                continue
            view.viewport().update()
