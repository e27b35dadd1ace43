"""The Analytics view: honest figures computed locally, each with its numbers and its period,
drawn with QPainter (QtCharts is not part of PySide6-Essentials)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.analytics import Analytics, Period, Rate, duration_text, group_label
from desktop.domain.clock import Clock
from desktop.storage import Store
from ui.a11y import name_controls

#: (label, days; 0 = all time)
PERIODS = ((30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 12 months"), (0, "All time"))
ALL_TIME_START = datetime(2000, 1, 1, tzinfo=UTC)


def _accent(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Highlight)


class Gauge(QWidget):
    """A share drawn as a horizontal bar: ``value`` in [0, 1] or None (nothing to count)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        h = QFontMetrics(self.font()).height() // 2
        return QSize(h * 20, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        pal = self.palette()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(QPalette.ColorRole.AlternateBase).darker(108))
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        if self.value:
            filled = QRectF(
                r.x(), r.y(), max(r.height(), r.width() * min(1.0, self.value)), r.height()
            )
            p.setBrush(_accent(pal))
            p.drawRoundedRect(filled, r.height() / 2, r.height() / 2)
        p.end()


class MetricCard(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metric-card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        self.title = QLabel(title)
        self.title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.value = QLabel("—")
        f = QFont(self.value.font())
        f.setPointSizeF(f.pointSizeF() * 2.0)
        f.setBold(True)
        self.value.setFont(f)
        self.gauge = Gauge()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad * 2)
        layout.setSpacing(pad // 2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.gauge)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def set(self, value: str, detail: str, share: float | None, *, gauge: bool = True) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.gauge.value = share
        self.gauge.setVisible(gauge)
        self.gauge.update()
        self.setAccessibleName(f"{self.title.text()}: {value}. {detail}")


class SourceChart(QWidget):
    """Reply rate per source: one bar per group, its share and its "n of m" beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, Rate]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, Rate]]) -> None:
        self.rows = rows
        self.setAccessibleName(
            "; ".join(f"{label}: {r.percent()} ({r.part} of {r.whole})" for label, r in rows)
        )
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(fm.averageCharWidth() * 60, max(1, len(self.rows)) * fm.height() * 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        pal = self.palette()
        row_h = fm.height() * 2
        label_w = max([fm.horizontalAdvance(label) for label, _r in self.rows] + [0]) + fm.height()
        tail_w = fm.horizontalAdvance("100%  (999 of 999)") + fm.height()
        bar_w = max(10, self.width() - label_w - tail_w)
        if not self.rows:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No requests in this period")
            )
        for i, (label, rate) in enumerate(self.rows):
            y = i * row_h
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, label)
            track = QRectF(label_w, y + row_h / 4, bar_w, row_h / 2)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(pal.color(QPalette.ColorRole.AlternateBase).darker(108))
            p.drawRoundedRect(track, 3, 3)
            if rate.value:
                p.setBrush(_accent(pal))
                p.drawRoundedRect(
                    QRectF(track.x(), track.y(), bar_w * rate.value, track.height()), 3, 3
                )
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(
                QRectF(label_w + bar_w + fm.height() / 2, y, tail_w, row_h),
                Qt.AlignmentFlag.AlignVCenter,
                f"{rate.percent()}  ({rate.part} of {rate.whole})",
            )
        p.end()


class AnalyticsView(QWidget):
    def __init__(self, store: Store, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.setObjectName("analytics-view")
        self.result: Analytics | None = None
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        title = QLabel(self.tr("Analytics"))
        f = QFont(title.font())
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        title.setFont(f)
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName(self.tr("Period"))
        for days, label in PERIODS:
            self.period_combo.addItem(self.tr(label), days)
        self.period_combo.setCurrentIndex(1)
        self.period_combo.currentIndexChanged.connect(self.refresh)
        self.period_label = QLabel()
        self.period_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(pad * 2)
        head.addWidget(self.period_label)
        head.addStretch(1)
        head.addWidget(self.period_combo)

        self.reply = MetricCard(self.tr("Reply rate"))
        self.median = MetricCard(self.tr("Median time to reply"))
        self.meeting = MetricCard(self.tr("Request → meeting"))
        self.thanks = MetricCard(self.tr("Thank-you within 24 h"))
        self.referrals = MetricCard(self.tr("Referrals per meeting"))
        grid = QGridLayout()
        grid.setSpacing(pad)
        for i, card in enumerate(
            (self.reply, self.median, self.meeting, self.thanks, self.referrals)
        ):
            grid.addWidget(card, i // 3, i % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self.source_chart = SourceChart()
        source_title = QLabel(self.tr("<b>Reply rate by source</b>"))
        self.note = QLabel(
            self.tr(
                "Out-of-office replies and bounces are never counted as replies; a bounced "
                "request stays counted as asked. Everything is computed on this computer."
            )
        )
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad)
        layout.setSpacing(pad)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addSpacing(pad)
        layout.addWidget(source_title)
        layout.addWidget(self.source_chart)
        layout.addWidget(self.note)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        name_controls(self)

    def period(self) -> Period:
        days = int(self.period_combo.currentData() or 0)
        if days:
            return Period.last_days(self.clock, days)
        return Period(ALL_TIME_START, self.clock.now() + timedelta(seconds=1))

    def refresh(self, *_: object) -> None:
        period = self.period()
        from desktop import workspace  # the composer's modules load only when needed

        a = workspace.analytics_from_store(self.store, self.clock, period)
        self.result = a
        start = period.start if period.start > ALL_TIME_START else None
        self.period_label.setText(
            (f"{start:%-d %b %Y} to " if start else self.tr("Everything up to "))
            + f"{period.end:%-d %b %Y}"
        )
        ignored = []
        if a.auto_replies_ignored:
            n = a.auto_replies_ignored
            ignored.append(
                self.tr("1 auto-reply") if n == 1 else self.tr("{0} auto-replies").format(n)
            )
        if a.bounced:
            ignored.append(self.tr("{0} bounced").format(a.bounced))
        self.reply.set(
            a.reply_rate.percent(),
            self.tr("{0} of {1} requests answered").format(a.reply_rate.part, a.reply_rate.whole)
            + (self.tr(" · not counted: {0}").format(", ".join(ignored)) if ignored else ""),
            a.reply_rate.value,
        )
        self.median.set(
            duration_text(a.median_time_to_reply),
            self.tr("over {0} replies").format(a.replies_timed),
            None,
            gauge=False,
        )
        self.meeting.set(
            a.request_to_meeting.percent(),
            self.tr("{0} of {1} requests led to a meeting").format(
                a.request_to_meeting.part, a.request_to_meeting.whole
            ),
            a.request_to_meeting.value,
        )
        self.thanks.set(
            a.thank_you_within_24h.percent(),
            self.tr("{0} of {1} meetings thanked in time").format(
                a.thank_you_within_24h.part, a.thank_you_within_24h.whole
            ),
            a.thank_you_within_24h.value,
        )
        per = a.referrals_per_meeting
        self.referrals.set(
            "—" if per is None else f"{per:.1f}",
            self.tr("{0} people introduced after {1} meetings").format(a.referrals, a.meetings),
            None,
            gauge=False,
        )
        self.source_chart.set_rows([(self.tr(group_label(g)), r) for g, r in a.by_source])
