"""One way to run work off the GUI thread, in the spirit of Anki's CollectionOp/QueryOp.

A database operation is handed the sync worker's own Store (desktop.tasks, one write at a
time); a network operation runs on the network pool. Either way ``success`` or ``failure`` is
called on the GUI thread: the worker's future is handed over by a Signal connected to a bound
method of a QObject living there. Without ``failure``, an error is logged and shown the app's
non-blocking way (``show_error``). Callers never hand-roll futures or bridges.

    ops.db(lambda store: store.contacts.set_notes(cid, text), success=self.on_notes_saved)
    ops.network(provider.busy_blocks, start, end, success=self.on_busy)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.storage import Store
from desktop.tasks import Tasks

log = logging.getLogger(__name__)

T = TypeVar("T")
Success = Callable[[Any], object]
Failure = Callable[[BaseException], object]


class Ops(QObject):
    """Runs operations for the GUI. Create it on the GUI thread.

    Signals:
        finished(object, object, object): (future, success, failure), emitted on the worker
            and handled on the GUI thread.
        failed(str): an operation without its own ``failure`` failed (the error, in words).
    """

    finished = Signal(object, object, object)
    failed = Signal(str)

    def __init__(
        self,
        tasks: Tasks,
        profile: Path,
        parent: QObject | None = None,
        *,
        show_error: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.profile = profile
        self.show_error = show_error
        self.closed = False
        self.finished.connect(self.on_finished)

    def db(
        self,
        fn: Callable[[Store], T],
        *,
        success: Callable[[T], object] | None = None,
        failure: Failure | None = None,
    ) -> Future[T]:
        """Run ``fn(store)`` on the sync worker with the worker's own store."""
        future = self.tasks.submit_store(self.profile, fn)
        self._watch(future, success, failure)
        return future

    def network(
        self,
        fn: Callable[..., T],
        *args: Any,
        success: Callable[[T], object] | None = None,
        failure: Failure | None = None,
    ) -> Future[T]:
        """Run ``fn(*args)`` on the network pool."""
        future = self.tasks.submit_network(fn, *args)
        self._watch(future, success, failure)
        return future

    def _watch(self, future: Future[Any], success: Any, failure: Any) -> None:
        future.add_done_callback(lambda done: self.finished.emit(done, success, failure))

    def on_finished(
        self, future: Future[Any], success: Success | None, failure: Failure | None
    ) -> None:
        """On the GUI thread: the operation's answer goes to its callbacks."""
        if future.cancelled() or self.closed:
            return
        error = future.exception()
        if error is None:
            if success is not None:
                success(future.result())
        elif failure is not None:
            failure(error)
        else:
            log.error("background operation failed", exc_info=error)
            text = f"{type(error).__name__}: {error}"
            self.failed.emit(text)
            if self.show_error is not None:
                self.show_error(text)
