"""The Today view's delegate: each due action as two lines (what and who; why and since when)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.domain.due import ActionKind, DueAction
from ui.board import mix
from ui.models.due import ACTION_ROLE, NAME_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex

#: Actions that are about someone waiting on the user get the accent stripe.
_PRESSING = {
    ActionKind.PREPARE,
    ActionKind.NEEDS_ANSWER,
    ActionKind.REPLY_RECEIVED,
    ActionKind.THANK_YOU_MISSING,
}


class DueDelegate(QStyledItemDelegate):
    def __init__(self, when_text: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.when_text = when_text

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        return QSize(fm.averageCharWidth() * 40, fm.height() * 2 + fm.height() // 4 + pad * 3)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        action = index.data(ACTION_ROLE)
        if not isinstance(action, DueAction):
            super().paint(painter, option, index)
            return
        name = str(index.data(NAME_ROLE) or "")
        pal: QPalette = option.palette
        fm = QFontMetrics(option.font)
        pad = fm.height() // 2
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = pal.color(QPalette.ColorRole.Base)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        text = pal.color(QPalette.ColorRole.Text)
        rect = option.rect.adjusted(pad, pad // 2, -pad, -pad // 2)
        fill = mix(base, highlight, 0.16) if selected else base
        painter.setPen(highlight if selected else pal.color(QPalette.ColorRole.Mid))
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
        title = self.tr(action.title)
        head = bfm.elidedText(f"{title} — {name}", Qt.TextElideMode.ElideRight, width - when_w)
        painter.drawText(
            QRect(x, y, width - when_w, bfm.height()), Qt.AlignmentFlag.AlignLeft, head
        )
        painter.setFont(option.font)
        muted = mix(text, fill, 0.38)
        painter.setPen(muted)
        painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignRight, when)
        y += bfm.height() + fm.height() // 4
        detail = fm.elidedText(self.tr(action.detail), Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(x, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, detail)
        painter.restore()
