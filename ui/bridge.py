"""Hands a worker's finished future to the GUI thread.

``Future.add_done_callback`` runs the callback on the worker thread; emitting a signal from
there to a QObject that lives on the GUI thread queues the call, so the connected slot (a bound
method) always runs on the GUI thread.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal


class FutureBridge(QObject):
    """Create on the GUI thread; pass ``bridge.deliver`` to ``future.add_done_callback``.

    Signals:
        finished(object): the completed ``concurrent.futures.Future``.
    """

    finished = Signal(object)

    def deliver(self, future: Future[Any]) -> None:
        self.finished.emit(future)
