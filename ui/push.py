"""Push for the accounts whose server can announce new mail (IMAP IDLE): one watcher per account
on a thread of its own (started through desktop.tasks), each announcement a signal on the GUI
thread that makes the window sync that account at once. While a watcher watches, the timer
leaves its account's Inbox alone (mail.imap.push); polling resumes when it stops watching."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from PySide6.QtCore import QObject, Signal

from desktop.tasks import ServiceThread, Tasks
from mail.provider import MailProvider

log = logging.getLogger(__name__)


class PushWatchers(QObject):
    """Signals:
    mail_arrived(int): the server of this account announced new mail (or the watcher has just
        (re)connected, and mail may have come meanwhile).
    state_changed(int, str, str): account, "watching" / "offline" / "unsupported", message.
    """

    mail_arrived = Signal(int)
    state_changed = Signal(int, str, str)

    def __init__(self, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.handles: dict[int, ServiceThread] = {}

    def start(self, providers: Iterable[MailProvider]) -> None:
        """Watch every account that can be watched (stopping the watchers of before)."""
        self.stop()
        for provider in providers:
            make = getattr(provider, "watcher", None)
            if make is None:
                continue
            account_id = provider.account.id
            watcher = make(
                partial(self.mail_arrived.emit, account_id),
                partial(self.state_changed.emit, account_id),
            )
            try:
                self.handles[account_id] = self.tasks.start_service(f"idle-{account_id}", watcher)
            except RuntimeError:  # shutting down
                return

    def restart(self) -> None:
        """The network changed (or the machine woke): drop every connection and open a new one."""
        for handle in self.handles.values():
            restart = getattr(handle.service, "restart", None)
            if restart is not None:
                restart()

    def stop(self) -> None:
        handles, self.handles = self.handles, {}
        for handle in handles.values():
            self.tasks.stop_service(handle)
