"""The sidebar's view icons, drawn in the palette's text colour so they suit light and dark
themes and mean their view: a calendar day (Today), board columns (Pipeline), a person
(Contacts), a target (Objectives), linked people (Network), bars (Analytics). Drawn when first
asked for, at the sizes a sidebar uses."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

Draw = Callable[[QPainter], None]
#: Icons are drawn on a 24-unit square.
UNIT = 24.0


def _today(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 5, 18, 16), 2, 2)
    p.drawLine(QPointF(3, 10), QPointF(21, 10))
    p.drawLine(QPointF(8, 3), QPointF(8, 7))
    p.drawLine(QPointF(16, 3), QPointF(16, 7))
    p.save()
    p.setBrush(p.pen().color())
    p.drawRect(QRectF(13, 14, 4, 4))
    p.restore()


def _pipeline(p: QPainter) -> None:
    for x, height in ((3, 16), (10, 11), (17, 7)):
        p.drawRoundedRect(QRectF(x, 4, 4.5, height), 1, 1)


def _contacts(p: QPainter) -> None:
    p.drawEllipse(QRectF(8, 3, 8, 8))
    p.drawArc(QRectF(4, 13, 16, 14), 0, 180 * 16)


def _objectives(p: QPainter) -> None:
    p.drawEllipse(QRectF(3, 3, 18, 18))
    p.drawEllipse(QRectF(7.5, 7.5, 9, 9))
    p.save()
    p.setBrush(p.pen().color())
    p.drawEllipse(QRectF(10.5, 10.5, 3, 3))
    p.restore()


def _network(p: QPainter) -> None:
    a, b, c = QPointF(12, 5), QPointF(5, 19), QPointF(19, 19)
    p.drawLine(a, b)
    p.drawLine(a, c)
    p.save()
    p.setBrush(p.pen().color())
    for centre in (a, b, c):
        p.drawEllipse(centre, 3, 3)
    p.restore()


def _analytics(p: QPainter) -> None:
    p.drawLine(QPointF(3, 21), QPointF(21, 21))
    p.save()
    p.setBrush(p.pen().color())
    for x, top in ((5, 13), (10.5, 8), (16, 4)):
        p.drawRect(QRectF(x, top, 3.5, 21 - top))
    p.restore()


DRAWINGS: dict[str, Draw] = {
    "today": _today,
    "pipeline": _pipeline,
    "contacts": _contacts,
    "objectives": _objectives,
    "network": _network,
    "analytics": _analytics,
}


def view_icon(key: str, colour: QColor | None = None) -> QIcon | None:
    """The icon of a view by its key (None for a view without one)."""
    draw = DRAWINGS.get(key)
    if draw is None:
        return None
    if colour is None:
        colour = QApplication.palette().color(QPalette.ColorRole.WindowText)
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_pixmap(draw, size, colour))
    return icon


def _pixmap(draw: Draw, size: int, colour: QColor) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / UNIT, size / UNIT)
    pen = QPen(colour, 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    draw(painter)
    painter.end()
    return pixmap
