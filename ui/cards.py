"""A contact's card on the Pipeline board, painted from the palette (light and dark both keep
a visible border and readable badges) and sized from font metrics."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.domain.model import Stage
from desktop.storage import ContactRecord
from ui.format import days_text, stage_since
from ui.models.contacts import NEXT_ACTION_ROLE, RECORD_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex

#: A column's narrowest width in average characters (cards are laid out for at least this).
COLUMN_MIN_CHARS = 20


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` towards ``b`` (keeps contrast in light and dark palettes)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(fore: QColor, back: QColor, toward: QColor, ratio: float = 4.5) -> QColor:
    """``fore``, moved towards ``toward`` (the palette's text colour) just far enough to reach
    ``ratio`` against ``back``: the tint is kept where it is readable, and never lost."""
    for step in range(11):
        colour = mix(fore, toward, step / 10)
        if contrast(colour, back) >= ratio:
            return colour
    return toward


#: The red of warning badges, before it is adapted to the palette.
WARNING_RED = QColor(200, 40, 30)


def card_colours(pal: QPalette, selected: bool, focused: bool) -> tuple[QColor, QColor]:
    """(fill, border) of a card: the border stands out from both the card and the column
    behind it, in light and dark palettes (a dark theme's Mid is often the card's own colour)."""
    base = pal.color(QPalette.ColorRole.Base)
    highlight = pal.color(QPalette.ColorRole.Highlight)
    fill = mix(base, highlight, 0.14) if selected else base
    if selected or focused:
        return fill, highlight
    text = pal.color(QPalette.ColorRole.Text)
    return fill, mix(base, text, 0.35)


def badge_colours(pal: QPalette, fill: QColor, warn: bool) -> tuple[QColor, QColor]:
    """(background, text) of a badge: a light tint of red (a warning) or of the text colour,
    and text that reaches 4.5:1 against it."""
    text = pal.color(QPalette.ColorRole.Text)
    tint = WARNING_RED if warn else text
    back = mix(fill, tint, 0.16)
    fore = readable(mix(tint, text, 0.25), back, text) if warn else text
    return back, fore


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
        since = stage_since(state)
        if since is not None and self.today is not None and not state.stage.closed:
            out.append(
                (self.tr("{0} in stage").format(self.tr(days_text(since, self.today))), False)
            )
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
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, width - 2 * gap)
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
        fill, border = card_colours(pal, selected, focused)
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
            for row in rows:
                bx = x
                for shown, warn, w in row:
                    rect = QRect(bx, y, w, fm.height())
                    back, fore = badge_colours(pal, fill, warn)
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(back)
                    painter.drawRoundedRect(rect, fm.height() / 2, fm.height() / 2)
                    painter.setPen(fore)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, shown)
                    bx += w + gap
                y += fm.height() + gap
        painter.restore()
