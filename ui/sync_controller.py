"""Sync orchestration for the window: the periodic timer, Sync now, waking up (resume, network
back, IMAP IDLE), one round at a time on the sync worker, and the account badges' states.

Push, not polling: an IDLE announcement syncs its own account only, and a timer round leaves out
the accounts whose Inbox IDLE watches while nothing else of theirs is due (desktop.jobs
``polled_accounts``). Sync now, a start and a wake-up sync every account and every folder."""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction

from desktop.context import AppContext
from desktop.jobs import SyncRound, SyncState, look_again, polled_accounts, sync_round
from desktop.storage import Store
from ui.ops import Ops
from ui.push import PushWatchers
from ui.status_badges import StatusBadges
from ui.wake import WakeWatcher

log = logging.getLogger(__name__)


class SyncController(QObject):
    """Runs sync rounds for one window.

    Signals:
        sync_started(): a round was submitted to the worker.
        round_finished(object): a round's ``SyncRound``, on the GUI thread.
        round_failed(str): the round failed as a whole (the error, in words).
    """

    sync_started = Signal()
    round_finished = Signal(object)
    round_failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        ops: Ops,
        badges: StatusBadges,
        sync_action: QAction,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.badges = badges
        self.sync_action = sync_action
        self.running = False
        self.closed = False
        self._again = False
        #: The accounts of the round asked for while one ran (None: every account).
        self._pending: frozenset[int] | None = frozenset()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.on_timer)
        self.wake = WakeWatcher(self)
        self.wake.woke.connect(self.on_woke)
        self.push = PushWatchers(ctx.tasks, self)
        self.push.mail_arrived.connect(self.on_mail_arrived)

    def start(self) -> None:
        """Start the periodic sync and run a first round at once; sync again at once when the
        machine wakes or the network comes back."""
        self.timer.start(self.interval_ms())
        self.wake.start()
        self.push.start(self.ctx.providers)
        self.sync_now()

    def stop(self) -> None:
        self.timer.stop()
        self.wake.stop()
        self.push.stop()

    def interval_ms(self) -> int:
        return max(1, round(self.ctx.sync_interval_s * 1000))

    def set_interval(self, seconds: float) -> None:
        self.ctx.sync_interval_s = seconds
        if self.timer.isActive():
            self.timer.setInterval(self.interval_ms())

    def accounts_changed(self) -> None:
        """A mailbox was connected: watch its Inbox too (once started)."""
        if self.timer.isActive():
            self.push.start(self.ctx.providers)

    def on_timer(self) -> None:
        """The periodic round: the accounts that want polling (not those IDLE watches)."""
        self.sync_now(polled_accounts(self.ctx.providers))

    def on_woke(self, why: str) -> None:
        log.info("syncing now (%s)", why)
        self.push.restart()  # connections of before a sleep or a network change are stale
        self.sync_now()

    def on_mail_arrived(self, account_id: int) -> None:
        """The server announced new mail (IMAP IDLE): sync that account now, or right after
        this round."""
        log.debug("new mail announced for account %d", account_id)
        self.sync_soon(frozenset((account_id,)))

    def sync_soon(self, accounts: Collection[int] | None = None) -> None:
        """Sync now, or again right after the round that runs (``accounts``: only these)."""
        wanted = None if accounts is None else frozenset(accounts)
        if self.sync_now(wanted) or self.closed:
            return
        if not self._again:
            self._again, self._pending = True, wanted
        elif self._pending is not None:
            self._pending = None if wanted is None else self._pending | wanted

    def sync_now(self, accounts: Collection[int] | None = None) -> bool:
        """Submit a sync round unless one is running; True if one was submitted. Every account
        and every folder (the user asked, or the app started or woke), or only ``accounts``."""
        if self.running or self.closed:
            return False
        self.running = True
        self.sync_action.setEnabled(False)
        providers, clock = self.ctx.providers, self.ctx.clock
        only = None if accounts is None else frozenset(accounts)
        if only is None:
            look_again(providers)
            self.badges.set_all(SyncState.SYNCING)
        else:
            for account_id in only:
                self.badges.set_state(account_id, SyncState.SYNCING, "")
        self.badges.update()
        self.sync_started.emit()
        reminders = self.ctx.settings.reminders()
        flags_off = frozenset(self.ctx.settings.mailbox_flags_off)

        def round_(store: Store) -> SyncRound:  # on the sync worker, with its own store
            return sync_round(store, providers, clock, reminders, flags_off, only)

        try:
            self.ops.db(round_, success=self.on_round_finished, failure=self.on_round_error)
        except RuntimeError:  # the pool is shut down: the app is closing
            self.running = False
            return False
        return True

    def _round_ended(self) -> bool:
        """The round is over; False when the window has gone meanwhile."""
        self.running = False
        self.sync_action.setEnabled(True)
        if self.closed:
            return False
        if self._again:  # asked for during this round (mail announced, a send): at once
            self._again, pending = False, self._pending
            self._pending = frozenset()
            QTimer.singleShot(0, self, partial(self.sync_now, pending))
        return True

    def on_round_error(self, error: BaseException) -> None:
        """On the GUI thread: the round failed as a whole."""
        if not self._round_ended():
            return
        log.error("sync round failed", exc_info=error)
        text = f"{type(error).__name__}: {error}"
        self.badges.set_all(SyncState.ERROR, text)
        self.badges.update()
        self.round_failed.emit(text)

    def on_round_finished(self, result: SyncRound) -> None:
        """On the GUI thread: the badges' states and the timer's pace, then the round is
        handed on (``round_finished``) to be applied to the window."""
        if not self._round_ended():
            return
        retry: float | None = None
        for outcome in result.outcomes:
            self.badges.set_state(outcome.account_id, outcome.state, outcome.message)
            if outcome.state is SyncState.THROTTLED and outcome.retry_after:
                retry = max(retry or 0.0, outcome.retry_after)
        if retry is not None and self.timer.isActive():
            self.timer.start(max(self.timer.interval(), round(retry * 1000)))
        elif self.timer.isActive():
            self.timer.setInterval(self.interval_ms())
        self.round_finished.emit(result)
