"""Today, the action inbox: a list of due actions under a header per kind, driven from the
keyboard (j/k move, Enter acts, s snoozes, d dismisses), and its delegate."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.domain.due import ActionKind, DueAction
from ui.board import mix
from ui.models.due import ACTION_ROLE, NAME_ROLE, SECTION_ROLE, DueModel

AnyIndex = QModelIndex | QPersistentModelIndex

#: Actions that are about someone waiting on the user get the accent stripe.
_PRESSING = {
    ActionKind.PREPARE,
    ActionKind.NEEDS_ANSWER,
    ActionKind.REPLY_RECEIVED,
    ActionKind.THANK_YOU_MISSING,
}

_PLAIN = Qt.KeyboardModifier.NoModifier | Qt.KeyboardModifier.KeypadModifier


class TodayView(QListView):
    """The Today list. Header rows are never current: moving skips them.

    Signals:
        act_requested(object): Enter on a due action (the ``DueAction``).
        snooze_requested(object): s on a due action.
        dismiss_requested(object): d or Delete on a due action.
    """

    act_requested = Signal(object)
    snooze_requested = Signal(object)
    dismiss_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.activated.connect(self.on_activated)

    def due_model(self) -> DueModel | None:
        model = self.model()
        return model if isinstance(model, DueModel) else None

    def current_action(self) -> DueAction | None:
        """The selected due action, if any."""
        for index in self.selectionModel().selectedIndexes():
            action = index.data(ACTION_ROLE)
            if isinstance(action, DueAction):
                return action
        return None

    def select_row(self, row: int) -> None:
        model = self.due_model()
        if model is None or not model.is_action(row):
            return
        index = model.index(row)
        self.setCurrentIndex(index)
        if row > 0 and not model.is_action(row - 1):  # show the section's header too
            self.scrollTo(model.index(row - 1))
        self.scrollTo(index)

    def step_selection(self, step: int) -> None:
        """Select the next (+1) or previous (-1) due action, skipping headers; stay at an end."""
        model = self.due_model()
        if model is None or not model.rowCount():
            return
        current = self.currentIndex()
        if not current.isValid() or self.current_action() is None:
            start = 0 if step > 0 else model.rowCount() - 1
            row = model.action_row_near(start, step)
        else:
            row = model.action_row_near(current.row() + step, step)
        if row is not None:
            self.select_row(row)

    def select_first(self) -> None:
        """Select the first (most urgent) action unless one is selected already."""
        if self.current_action() is None:
            self.step_selection(+1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = (event.modifiers() & ~_PLAIN) == Qt.KeyboardModifier.NoModifier
        if not plain:
            super().keyPressEvent(event)
            return
        model = self.due_model()
        if key in (Qt.Key.Key_J, Qt.Key.Key_Down):
            self.step_selection(+1)
        elif key in (Qt.Key.Key_K, Qt.Key.Key_Up):
            self.step_selection(-1)
        elif key == Qt.Key.Key_Home and model is not None:
            row = model.action_row_near(0, +1)
            if row is not None:
                self.select_row(row)
        elif key == Qt.Key.Key_End and model is not None:
            row = model.action_row_near(model.rowCount() - 1, -1)
            if row is not None:
                self.select_row(row)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._emit(self.act_requested)
        elif key == Qt.Key.Key_S:
            self._emit(self.snooze_requested)
        elif key in (Qt.Key.Key_D, Qt.Key.Key_Delete):
            self._emit(self.dismiss_requested)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _emit(self, signal: SignalInstance) -> None:
        action = self.current_action()
        if action is not None:
            signal.emit(action)

    def on_activated(self, index: QModelIndex) -> None:
        """A double click (or the platform's activation) acts like Enter."""
        action = index.data(ACTION_ROLE)
        if isinstance(action, DueAction):
            self.act_requested.emit(action)


#: A reply waiting on the user: the line says what they said, and shows what they wrote.
REPLY_KINDS = frozenset({ActionKind.REPLY_RECEIVED, ActionKind.NEEDS_ANSWER})

#: What a reply's row says, when the window has read it: (the line, the excerpt).
ReplyText = Callable[[DueAction], tuple[str, str] | None]


class DueDelegate(QStyledItemDelegate):
    """Each due action as a card of two lines (what and who; why and since when), a reply's
    with a third (the start of what they wrote); each section header as a muted bold title with
    a rule.

    ``reply_text`` (set by the window's reply cards, ui/reply_flow.py) says what a reply's
    row reads: "Maya accepted Thu 14:00 — confirm and invite" and the excerpt."""

    def __init__(self, when_text: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.when_text = when_text
        self.reply_text: ReplyText | None = None

    def lines(self, action: DueAction) -> tuple[str, str]:
        """The row's second line and, for a reply, its third (the excerpt; else "")."""
        if action.kind in REPLY_KINDS and self.reply_text is not None:
            said = self.reply_text(action)
            if said is not None:
                return said
        return self.tr(action.detail), ""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        if index.data(SECTION_ROLE):
            top = 0 if index.row() == 0 else pad * 2
            return QSize(fm.averageCharWidth() * 40, fm.height() + pad + top)
        action = index.data(ACTION_ROLE)
        rows = 3 if isinstance(action, DueAction) and action.kind in REPLY_KINDS else 2
        return QSize(
            fm.averageCharWidth() * 40, fm.height() * rows + fm.height() // 4 * (rows - 1) + pad * 3
        )

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.data(SECTION_ROLE):
            self._paint_section(painter, option, index)
            return
        action = index.data(ACTION_ROLE)
        if not isinstance(action, DueAction):
            super().paint(painter, option, index)
            return
        name = str(index.data(NAME_ROLE) or "")
        pal: QPalette = option.palette
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = selected and bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = pal.color(QPalette.ColorRole.Base)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        text = pal.color(QPalette.ColorRole.Text)
        rect = option.rect.adjusted(pad, pad // 2, -pad, -pad // 2)
        fill = mix(base, highlight, 0.16) if selected else base
        pen = painter.pen()
        pen.setColor(highlight if selected else pal.color(QPalette.ColorRole.Mid))
        pen.setWidthF(2.0 if focused else 1.0)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, pad * 0.8, pad * 0.8)
        if action.kind in _PRESSING:
            stripe = QRect(rect.left(), rect.top(), max(3, pad // 2), rect.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(highlight)
            painter.drawRoundedRect(stripe, pad * 0.4, pad * 0.4)

        x = rect.left() + pad * 2
        width = rect.width() - pad * 3
        y = rect.top() + pad
        when = self.when_text(action) if callable(self.when_text) else ""
        bold = QFont(option.font)
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        when_w = fm.horizontalAdvance(when) + pad
        painter.setFont(bold)
        painter.setPen(text)
        head = bfm.elidedText(name, Qt.TextElideMode.ElideRight, width - when_w)
        painter.drawText(
            QRect(x, y, width - when_w, bfm.height()), Qt.AlignmentFlag.AlignLeft, head
        )
        painter.setFont(option.font)
        muted = mix(text, fill, 0.38)
        painter.setPen(muted)
        painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignRight, when)
        y += bfm.height() + fm.height() // 4
        line, said = self.lines(action)
        detail = fm.elidedText(line, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, detail)
        if said:
            y += fm.height() + fm.height() // 4
            italic = QFont(option.font)
            italic.setItalic(True)
            painter.setFont(italic)
            quoted = QFontMetrics(italic).elidedText(
                f"“{said}”", Qt.TextElideMode.ElideRight, width
            )
            painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, quoted)
        painter.restore()

    def _paint_section(
        self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        pal: QPalette = option.palette
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        painter.save()
        text = pal.color(QPalette.ColorRole.WindowText)
        window = pal.color(QPalette.ColorRole.Window)
        bold = QFont(option.font)
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        rect = option.rect.adjusted(pad * 2, 0, -pad, 0)
        baseline_box = QRect(
            rect.left(), rect.bottom() - bfm.height() - pad // 2, rect.width(), bfm.height()
        )
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.setFont(bold)
        painter.setPen(mix(text, window, 0.25))
        painter.drawText(
            baseline_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
        )
        line_x = rect.left() + bfm.horizontalAdvance(title) + pad
        line_y = baseline_box.center().y()
        if line_x < rect.right():
            painter.setPen(mix(window, text, 0.18))
            painter.drawLine(line_x, line_y, rect.right(), line_y)
        painter.restore()
