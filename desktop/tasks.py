"""The ONLY module that starts threads.

Two pools, as in Anki: a single worker for sync passes (they write the database, one at a time)
and a small pool for other network work. Workers receive immutable snapshots and return values;
the GUI connects a future's completion to a Qt signal (see ui/tasks_bridge.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class Tasks:
    def __init__(self) -> None:
        self._sync = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coffeechat-sync")
        self._net = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coffeechat-net")
        self._closed = False

    def submit_sync(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._sync.submit(fn, *args, **kwargs)

    def submit_network(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._net.submit(fn, *args, **kwargs)

    def shutdown(self, *, wait: bool = True) -> None:
        """Cancel what has not started; wait for what has (a sync pass is one transaction)."""
        if self._closed:
            return
        self._closed = True
        self._sync.shutdown(wait=wait, cancel_futures=True)
        self._net.shutdown(wait=wait, cancel_futures=True)
