"""The "Past mail" view: the history pass (desktop.history) run from the window, off the GUI
thread on the database worker (ui.ops), one batch per job so that sync rounds run between two,
with its progress (contacts done / total, messages read), a Cancel button, and the "While you
were away" summary of what it found. It starts by itself when there is past to read: after a
sync round (a mailbox just connected is synced at once) and when contacts are added or imported
(the contacts model grows); a pass the user cancelled waits for their Resume.

``AddressOffer``: "NAME replied from ADDRESS", with one button that adds the address to the
contact, shown in the contact panel; a sync round's ``new_address`` notice gets the same button
in the banner. Plugged into the shell through ``window.add_view`` (``install``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
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
    from desktop.jobs import SyncRound


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
        self.offer: AddressOffer | None = None
        #: True while the user's Cancel holds the pass: it does not start by itself then.
        self.held = False
        #: The pass was started by itself (its summary is also told in the banner, once).
        self.automatic = False
        self.tell: Callable[[str], None] | None = None
        self._check = QTimer(self)
        self._check.setSingleShot(True)
        self._check.setInterval(0)
        self._check.timeout.connect(self.check_pending)

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

    def _mailboxes(self) -> tuple[MailProvider, ...]:
        return tuple(p for p in self._providers() if p.account.kind is not AccountKind.DEMO)

    def check_soon(self) -> None:
        """Look for past to read (once, however many times asked before the event loop runs)."""
        if not self.running and not self.held:
            self._check.start()

    def check_pending(self) -> None:
        """On the database worker: does a connected mailbox have contacts whose past is unread?
        If so, the pass starts by itself."""
        ids = [p.account.id for p in self._mailboxes()]
        if self.running or self.held or not ids:
            return

        def job(store: Store) -> bool:
            return any(store.past.unread_contacts(i) for i in ids)

        self._ops.db(job, success=self._on_checked)

    def _on_checked(self, pending: bool) -> None:
        if pending and not self.running and not self.held:
            self.start(automatic=True)

    def start(self, automatic: bool = False) -> None:
        providers = self._mailboxes()
        if self.running:
            return
        self.held = False
        self.automatic = automatic
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
        self.held = True  # until the user resumes
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
            if self.automatic and not stopped and self.tell is not None:
                self.tell(self.tr("While you were away: {0}").format("; ".join(lines)))
        self.finished.emit(runs)

    def on_failed(self, exc: BaseException) -> None:
        self.running = False
        self.automatic = False
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Stopped: {0}. It resumes next time.").format(exc))


class AddressOffer(QWidget):
    """In the contact panel: "NAME replied from ADDRESS", and a button that adds the address
    to the contact (on the database worker); hidden when there is nothing to offer."""

    added = Signal(int)  # the contact whose addresses changed

    def __init__(self, ops: Ops, read: Callable[[int], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("addressOffer")
        self._ops, self._read = ops, read
        self.contact_id: int | None = None
        self.name = ""
        self.address = ""
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self.accept)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_for(self, contact_id: int | None, name: str) -> None:
        """The first address the contact replied from that is not theirs, if any."""
        offered = self._read(contact_id) if contact_id is not None else []
        self.contact_id, self.name = contact_id, name
        if not offered:
            self.address = ""
            self.hide()
            return
        self.address = offered[0]
        self.text.setText(self.tr("{0} replied from {1}.").format(name, self.address))
        self.button.setText(self.tr("Add this address to {0}").format(name))
        self.button.setEnabled(True)
        self.show()

    def accept(self) -> None:
        if self.contact_id is not None and self.address:
            self.add(self.contact_id, self.address)

    def add(self, contact_id: int, address: str) -> None:
        """Add ``address`` to the contact (the banner's button comes here too)."""
        self.button.setEnabled(False)

        def job(store: Store) -> bool:
            from desktop.history import add_address

            return add_address(store, contact_id, address)

        def done(_added: bool) -> None:
            self.added.emit(contact_id)

        def failed(exc: BaseException) -> None:
            # A bad or taken address (AddressError), or the database: said here, nothing lost.
            self.button.setEnabled(True)
            self.text.setText(self.tr("Not added: {0}.").format(exc))
            self.show()

        self._ops.db(job, success=done, failure=failed)


def install(window: MainWindow, ctx: AppContext) -> HistoryPanel:
    """Add the "Past mail" view to ``window`` and start the pass by itself when there is past
    to read; the stages it changes show after a reload. The address offer goes in the contact
    panel, above the reply card."""
    panel = HistoryPanel(
        window.ops, lambda: ctx.providers, ctx.clock, ctx.settings.history_months, window
    )
    panel.tell = window.tell
    panel.finished.connect(lambda _runs: window.reload_all())
    icon = QIcon.fromTheme(
        "mail-read", window.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
    )
    window.add_view("history", window.tr("Past mail"), panel, icon)
    # By itself: after a sync round (a mailbox connected is synced at once), and when contacts
    # are added or imported.
    window.sync_finished.connect(lambda _round: panel.check_soon())
    window.model.rowsInserted.connect(lambda *_: panel.check_soon())
    window.model.modelReset.connect(panel.check_soon)

    def offered(contact_id: int) -> list[str]:
        from desktop.history import offered_addresses

        return offered_addresses(ctx.store, contact_id)

    offer = AddressOffer(window.ops, offered, window.panel)
    card = window.panel.card.layout()
    assert isinstance(card, QVBoxLayout)
    card.insertWidget(card.indexOf(window.panel.reply_card), offer)

    def show_offer(contact_id: int | None = None) -> None:
        current = window.current_id if contact_id is None else contact_id
        record = window.model.record(current) if current is not None else None
        offer.show_for(current if record else None, record.contact.name if record else "")

    def on_added(contact_id: int) -> None:
        window.refresh_contact(contact_id)
        if window.current_id == contact_id:
            show_offer(contact_id)

    def on_round(result: SyncRound | None) -> None:
        show_offer()
        notices = [
            n
            for o in (result.outcomes if result is not None else ())
            if o.result is not None
            for n in o.result.notices
            if n.kind == "new_address"
        ]
        if not notices:
            return
        notice = notices[0]
        addresses = offered(notice.contact_id)
        record = window.model.record(notice.contact_id)
        if addresses and record is not None:
            name, address = record.contact.name, addresses[0]
            window.banner.show_text(
                notice.text,
                action=window.tr("Add this address to {0}").format(name),
                on_action=lambda: offer.add(notice.contact_id, address),
            )

    window.contact_selected.connect(show_offer)
    window.sync_finished.connect(on_round)
    offer.added.connect(on_added)
    panel.offer = offer
    return panel
