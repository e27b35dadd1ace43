"""One way to run work off the GUI thread, in the spirit of Anki's CollectionOp/QueryOp.

A database operation is handed the sync worker's own Store (desktop.tasks, one write at a
time); a network operation runs on the network pool. Either way ``success`` or ``failure`` is
called on the GUI thread: the worker's future is handed over by a Signal connected to a bound
method of a QObject living there. The connection is queued, so the answer never comes inside the
call that asked for it, even when the work is done before that call returns: a caller may set up
what its callbacks need after ``db`` or ``network`` returns. Without ``failure``, an error is
logged and shown the app's non-blocking way (``show_error``). Callers never hand-roll futures or
bridges.

    ops.db(lambda store: store.contacts.set_notes(cid, text), success=self.on_notes_saved)
    ops.network(provider.busy_blocks, start, end, success=self.on_busy)
    ops.follow(notifier.start(...), success=self.on_probed)  # a future started elsewhere

The GUI's own Store is read-only (``Store.open(..., read_only=True)``): every write the user
asks for is an ``ops.db`` operation, and the window updates in its ``success``. A job that both
talks to the network and writes the database (a sync round, an invitation) is an ``ops.db``
operation too: the single worker keeps writes one at a time.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal

from desktop.storage import Store
from desktop.tasks import Tasks

log = logging.getLogger(__name__)

T = TypeVar("T")
Success = Callable[[Any], object]
Failure = Callable[[BaseException], object]


class _Relay(QObject):
    """Carries workers' answers over to the GUI thread.

    A worker appends its answer to ``answers`` (a deque: appending and popping are atomic) and
    emits ``ready``, which carries nothing: no Python object crosses threads inside a signal.
    The relay has no parent and the workers' callbacks hold it, so it lives as long as an answer
    may still come; a dialog (and its Ops) closed while its work runs on is deleted by Qt, which
    also drops the connection, and the late answer goes nowhere instead of to freed memory.

    Signals:
        ready(): an answer is waiting in ``answers`` (emitted on the worker).
        answered(): some operation is done (emitted on the worker; ``Ops.wait`` listens).
    """

    ready = Signal()
    answered = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.answers: deque[tuple[Future[Any], Any, Any]] = deque()

    def post(self, future: Future[Any], success: Any, failure: Any) -> None:
        self.answers.append((future, success, failure))
        self.ready.emit()


class Ops(QObject):
    """Runs operations for the GUI. Create it on the GUI thread.

    Signals:
        failed(str): an operation without its own ``failure`` failed (the error, in words).
    """

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
        #: Says an error that is damage to the database its own way (ui.damage), True when it
        #: did; other errors take the default path.
        self.show_damage: Callable[[BaseException], bool] | None = None
        self.closed = False
        #: Database operations not yet done (a write the user made just before quitting).
        self._pending: set[Future[Any]] = set()
        #: Futures a caller waits for (``wait``): their errors are the caller's.
        self._waited: set[Future[Any]] = set()
        #: Operations whose answer has not been handled on the GUI thread yet.
        self._unanswered = 0
        self._relay = _Relay()
        # Queued even from the GUI thread (a future already done when it is watched).
        self._relay.ready.connect(self.on_ready, Qt.ConnectionType.QueuedConnection)

    def db(
        self,
        fn: Callable[[Store], T],
        *,
        success: Callable[[T], object] | None = None,
        failure: Failure | None = None,
    ) -> Future[T]:
        """Run ``fn(store)`` on the sync worker with the worker's own store."""
        future = self.tasks.submit_store(self.profile, fn)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
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

    def follow(
        self,
        future: Future[T],
        *,
        success: Callable[[T], object] | None = None,
        failure: Failure | None = None,
    ) -> Future[T]:
        """Answer on the GUI thread for a future started elsewhere (a background loop's)."""
        self._watch(future, success, failure)
        return future

    def wait(self, future: Future[T]) -> Future[T]:
        """For a modal step that needs the answer before it returns (a sign-in, recording the
        account it added): wait with a local event loop, so the GUI stays live, and return the
        done future. Its error is the caller's to handle (no default error path)."""
        self._waited.add(future)
        loop = QEventLoop()
        relay = self._relay
        relay.answered.connect(loop.quit)
        future.add_done_callback(lambda _done: relay.answered.emit())
        try:
            while not future.done():
                loop.exec()
        finally:
            relay.answered.disconnect(loop.quit)
        return future

    def db_now(self, fn: Callable[[Store], T]) -> T:
        """``db`` for a modal step: run ``fn(store)`` on the worker, wait for it (``wait``) and
        return its result or raise its error."""
        return self.wait(self.db(fn)).result()

    def close(self, timeout: float = 30.0) -> None:
        """The window is going: wait (up to ``timeout`` seconds) for the database operations
        already asked for, so that shutting the workers down cancels none of the user's writes;
        answers that arrive from now on are dropped."""
        wait(list(self._pending), timeout)
        self.closed = True

    def idle(self) -> bool:
        """True when every operation asked for has been answered on the GUI thread (the window
        shows all it was asked to change; tests wait for it)."""
        return self._unanswered == 0

    def _watch(self, future: Future[Any], success: Any, failure: Any) -> None:
        self._unanswered += 1
        relay = self._relay  # the callback holds the relay, never this Ops
        future.add_done_callback(lambda done: relay.post(done, success, failure))

    def on_ready(self) -> None:
        """On the GUI thread: hand every waiting answer to its callbacks."""
        answers = self._relay.answers
        while answers:
            self.on_finished(*answers.popleft())

    def on_finished(
        self, future: Future[Any], success: Success | None, failure: Failure | None
    ) -> None:
        """On the GUI thread: the operation's answer goes to its callbacks."""
        self._unanswered -= 1
        waited = future in self._waited
        self._waited.discard(future)
        if future.cancelled() or self.closed:
            return
        error = future.exception()
        if error is None:
            if success is not None:
                success(future.result())
        elif failure is not None:
            failure(error)
        elif not waited:
            self.report(error)

    def report(self, error: BaseException) -> None:
        """The default failure path: log ``error`` and show it the app's non-blocking way. A
        ``failure`` callback hands on here the errors it does not show itself."""
        if self.show_damage is not None and self.show_damage(error):
            return
        log.error("background operation failed", exc_info=error)
        text = f"{type(error).__name__}: {error}"
        self.failed.emit(text)
        if self.show_error is not None:
            self.show_error(text)
