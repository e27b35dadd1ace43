"""The ONLY module that starts threads.

Two pools, as in Anki: a single worker for sync passes (they write the database, one at a time)
and a small pool for other network work. Workers receive immutable snapshots and return values;
the GUI hands work over and gets its answers back through ui/ops.py.

The database worker has one connection to a profile's database, kept by ``Tasks``: opened on
that worker the first time a job needs it, handed to every job run by ``Tasks.submit_store`` (so
one job sees another's writes) and closed on that worker by ``Tasks.shutdown``. Code that runs
elsewhere (the command line, the headless demo) opens a ``Store`` itself and passes it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

if TYPE_CHECKING:
    from desktop.storage import Store

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class BackgroundLoop:
    """A long-lived asyncio loop on its own thread, for libraries that need one running (the
    D-Bus notification client waits there for clicks). Coroutines are handed over with
    ``submit``; their results come back as ``concurrent.futures.Future``."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel what is pending, stop the loop and close it."""
        if not self._thread.is_alive():
            return

        async def _cancel_all() -> None:
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        try:
            self.submit(_cancel_all()).result(timeout)
        except Exception:  # a stuck task must not keep the app from quitting
            log.warning("background loop %s did not wind down cleanly", self._thread.name)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


class Service(Protocol):
    """A long-running blocking job (an IMAP IDLE watcher): ``run`` returns after ``stop``."""

    def run(self) -> None: ...

    def stop(self) -> None: ...


class ServiceThread:
    """A service running on a thread of its own."""

    def __init__(self, name: str, service: Service) -> None:
        self.service = service
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.service.run()
        except Exception:
            log.exception("service %s stopped on an error", self._thread.name)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self.service.stop()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("service %s did not stop in time", self._thread.name)


class Tasks:
    """The pools. ``submit_store`` runs a job on the single database worker with that worker's
    connection; ``submit_network`` runs one on the network pool."""

    def __init__(self) -> None:
        self._sync = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coffeechat-sync")
        self._net = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coffeechat-net")
        self._loops: list[BackgroundLoop] = []
        self._services: list[ServiceThread] = []
        self._closed = False
        #: The database worker's connections, one per profile. Only that worker opens, uses and
        #: closes them (SQLite connections stay on the thread that opened them).
        self._stores: dict[Path, Store] = {}
        #: Jobs handed to the database worker and not done yet (cancelled by ``shutdown`` if
        #: they have not started).
        self._queued: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit_store(self, profile: Path, fn: Callable[[Store], T]) -> Future[T]:
        """Run ``fn`` on the database worker, handed that worker's connection to the profile's
        database (database writes from the GUI go this way, one at a time)."""
        future = self._sync.submit(self._with_store, profile, fn)
        with self._lock:
            self._queued.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._queued.discard(future)

    def _with_store(self, profile: Path, fn: Callable[[Store], T]) -> T:
        """On the database worker: ``fn`` with the worker's connection, opened on first use."""
        store = self._stores.get(profile)
        if store is None:
            from desktop.storage import Store

            store = self._stores[profile] = Store.open(profile)
        return fn(store)

    def _close_stores(self) -> None:
        """On the database worker: close its connections."""
        stores, self._stores = list(self._stores.values()), {}
        for store in stores:
            store.close()

    def submit_network(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._net.submit(fn, *args, **kwargs)

    def start_loop(self, name: str) -> BackgroundLoop:
        """Start a long-lived asyncio loop on a thread of its own; stopped by ``shutdown``."""
        if self._closed:
            raise RuntimeError("tasks are shut down")
        loop = BackgroundLoop(f"coffeechat-{name}")
        self._loops.append(loop)
        return loop

    def start_service(self, name: str, service: Service) -> ServiceThread:
        """Run a long-lived blocking service (IMAP IDLE) on a thread of its own; stopped by
        ``stop_service`` or ``shutdown``."""
        if self._closed:
            raise RuntimeError("tasks are shut down")
        self._services = [s for s in self._services if s.running]
        handle = ServiceThread(f"coffeechat-{name}", service)
        self._services.append(handle)
        return handle

    def stop_service(self, handle: ServiceThread) -> None:
        handle.stop()
        if handle in self._services:
            self._services.remove(handle)

    def shutdown(self, *, wait: bool = True) -> None:
        """Cancel what has not started; wait for what has (a sync pass is one transaction);
        then the database worker closes its connections."""
        if self._closed:
            return
        self._closed = True
        for service in self._services:
            service.stop()
        for loop in self._loops:
            loop.stop()
        with self._lock:
            queued = list(self._queued)
        for future in queued:
            future.cancel()  # only what has not started
        self._sync.submit(self._close_stores)  # on the thread that opened them, after the rest
        self._sync.shutdown(wait=wait)
        self._net.shutdown(wait=wait, cancel_futures=True)
