"""The Pipeline board: one column per stage, one card per contact, drag a card to move it.

Every column is a QListView over a ``StageFilterProxy`` of the one ``ContactsModel``; cards are
painted by ``CardDelegate`` from the palette, so light and dark themes both work, and every size
comes from font metrics, so the board scales with the user's DPI and font.
"""

from __future__ import annotations

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
from ui.format import day_text
from ui.models.contacts import (
    ID_ROLE,
    NEXT_ACTION_ROLE,
    RECORD_ROLE,
    ContactsModel,
    StageFilterProxy,
)

AnyIndex = QModelIndex | QPersistentModelIndex


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
        if next_action:
            out.append((next_action, True))
        if state.away_until is not None:
            out.append((self.tr("away until {0}").format(day_text(state.away_until)), False))
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
        width = max(width, QFontMetrics(option.font).averageCharWidth() * 20)
        inner = width - 3 * pad
        height = pad + QFontMetrics(bold).height()
        if isinstance(record, ContactRecord):
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
        name = fm.elidedText(record.contact.name, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, name)
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
    """A titled column of cards for one stage."""

    def __init__(
        self, proxy: StageFilterProxy, delegate: CardDelegate, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.stage = proxy.stage
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = QListView(self)
        self.view.setModel(proxy)
        self.view.setItemDelegate(delegate)
        self.view.setObjectName(f"board-{self.stage.value}")
        self.view.setAccessibleName(self.tr("{0} column").format(self.tr(self.stage.label)))
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
        self.setMinimumWidth(fm.averageCharWidth() * 30)
        self.setMaximumWidth(fm.averageCharWidth() * 44)
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
        label = self.tr(self.stage.label)
        self.title.setText(f"{label}  <span style='font-weight:normal'>{count}</span>")
        self.title.setContentsMargins(QFontMetrics(self.font()).height() // 2, 0, 0, 0)


class PipelineBoard(QScrollArea):
    """The board, horizontally scrollable.

    Signals:
        contact_selected(int): a card was selected.
        stage_change_requested(int, object): a card was dropped on another stage's column.
    """

    contact_selected = Signal(int)
    stage_change_requested = Signal(int, object)

    def __init__(self, model: ContactsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Pipeline board"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.delegate = CardDelegate(self)
        inner = QWidget(self)
        layout = QHBoxLayout(inner)
        pad = QFontMetrics(self.font()).height() // 2
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        self.columns: dict[Stage, StageColumn] = {}
        for stage in STAGE_ORDER:
            proxy = StageFilterProxy(stage, self)
            proxy.setSourceModel(model)
            proxy.contacts_dropped.connect(self.on_contacts_dropped)
            column = StageColumn(proxy, self.delegate, inner)
            column.view.clicked.connect(self.on_card_activated)
            column.view.activated.connect(self.on_card_activated)
            # Selection, not "current": the current index also moves when a row leaves the
            # column (its stage changed), and that must not switch the contact shown.
            column.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
            self.columns[stage] = column
            layout.addWidget(column, 1)
        self.setWidget(inner)

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
        for column in self.columns.values():
            column.proxy.set_needle(text)

    def column_of(self, contact_id: int) -> Stage | None:
        for stage, column in self.columns.items():
            proxy = column.proxy
            for row in range(proxy.rowCount()):
                if proxy.index(row, 0).data(ID_ROLE) == contact_id:
                    return stage
        return None

    def select(self, contact_id: int) -> None:
        """Show a contact's card as the selected one (and clear the other columns)."""
        for column in self.columns.values():
            view = column.view
            found = None
            for row in range(column.proxy.rowCount()):
                ix = column.proxy.index(row, 0)
                if ix.data(ID_ROLE) == contact_id:
                    found = ix
                    break
            blocker = view.selectionModel().blockSignals(True)
            if found is None:
                view.selectionModel().clearSelection()
            else:
                view.selectionModel().setCurrentIndex(
                    found, view.selectionModel().SelectionFlag.ClearAndSelect
                )
                view.scrollTo(found)
            view.selectionModel().blockSignals(blocker)
            view.viewport().update()
