"""The "Past mail" view: the history pass (desktop.history) run from the window, off the GUI
thread on the database worker (ui.ops), with its progress (contacts done / total, messages
read), a Cancel button, and the "While you were away" summary of what it found. Plugged into the
shell through ``window.add_view`` (``install``), as the workspace's views are."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.domain.clock import Clock
from desktop.storage import Store
from desktop.storage.past import PastRun
from mail.provider import AccountKind, MailProvider
from ui.main_window import MainWindow
from ui.ops import Ops

if TYPE_CHECKING:
    from desktop.history import Progress


class _Bridge(QObject):
    """Carries the worker's progress to the GUI thread (a queued signal)."""

    progressed = Signal(object)


class HistoryPanel(QWidget):
    """Start, follow and cancel the history pass; shows the summary when it ends."""

    finished = Signal(object)  # list[PastRun]

    def __init__(
        self,
        ops: Ops,
        providers: Callable[[], tuple[MailProvider, ...]],
        clock: Clock,
        months: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._ops = ops
        self._providers = providers
        self._clock = clock
        self._months = months
        self._cancel = threading.Event()
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self.on_progress)
        self.running = False

        self.intro = QLabel(
            self.tr(
                "Read your mail with your contacts from the last {0} months, so each contact "
                "is in the stage their history puts them in. Nothing is sent."
            ).format(months)
        )
        self.intro.setWordWrap(True)
        self.status = QLabel(self.tr("Not started."))
        self.status.setObjectName("historyStatus")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.start_button = QPushButton(self.tr("&Read past mail"))
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.setEnabled(False)
        self.summary = QLabel()
        self.summary.setObjectName("historySummary")
        self.summary.setWordWrap(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.status, self.bar):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def start(self) -> None:
        providers = tuple(p for p in self._providers() if p.account.kind is not AccountKind.DEMO)
        if self.running:
            return
        if not providers:
            self.status.setText(self.tr("No mailbox is connected."))
            return
        self.running = True
        self._cancel.clear()
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Searching your mail…"))
        self._own = frozenset(p.account.address for p in providers)
        self._queue = list(providers)
        self._runs: dict[int, PastRun] = {}
        self._next()

    def _next(self) -> None:
        """One batch of the first account not done, as one job on the database worker: a sync
        round asked for meanwhile runs between two batches."""
        provider = self._queue[0]
        clock, months, own, cancelled = self._clock, self._months, self._own, self._cancel.is_set
        emit = self._bridge.progressed.emit

        def job(store: Store) -> PastRun:
            # The history pass (and the sync's mail understanding) loads when it first runs.
            from desktop.history import run_pass

            return run_pass(
                store,
                provider,
                clock,
                months=months,
                own_addresses=own,
                cancelled=cancelled,
                on_progress=emit,
                batches=1,
            )

        self._ops.db(job, success=self.on_batch, failure=self.on_failed)

    def on_batch(self, run: PastRun) -> None:
        self._runs[run.account_id] = run
        if run.state == "running" and not self._cancel.is_set():
            self._next()
            return
        self._queue.pop(0)
        if self._queue and run.state == "done":
            self._next()
            return
        self.on_finished(list(self._runs.values()))

    def cancel(self) -> None:
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Stopping after the current batch…"))

    def on_progress(self, progress: Progress) -> None:
        self.bar.setRange(0, max(progress.contacts_total, 1))
        self.bar.setValue(progress.contacts_done)
        self.status.setText(
            self.tr("{0} of {1} contacts, {2} messages read").format(
                progress.contacts_done, progress.contacts_total, progress.messages_read
            )
        )

    def on_finished(self, runs: list[PastRun]) -> None:
        self.running = False
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        stopped = any(r.state == "cancelled" for r in runs) or self._cancel.is_set()
        if stopped:
            self.status.setText(self.tr("Cancelled: the next run goes on from there."))
            self.start_button.setText(self.tr("&Resume"))
        else:
            self.status.setText(self.tr("Done."))
            self.start_button.setText(self.tr("&Read past mail"))
        if runs:
            from desktop.history import summary_lines

            lines = summary_lines(runs)
            self.summary.setText(self.tr("While you were away:") + "\n• " + "\n• ".join(lines))
        self.finished.emit(runs)

    def on_failed(self, exc: BaseException) -> None:
        self.running = False
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Stopped: {0}. It resumes next time.").format(exc))


def install(window: MainWindow, ctx: AppContext) -> HistoryPanel:
    """Add the "Past mail" view to ``window``; the stages it changes show after a reload."""
    panel = HistoryPanel(
        window.ops, lambda: ctx.providers, ctx.clock, ctx.settings.history_months, window
    )
    panel.finished.connect(lambda _runs: window.reload_all())
    icon = QIcon.fromTheme(
        "mail-read", window.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
    )
    window.add_view("history", window.tr("Past mail"), panel, icon)
    return panel
