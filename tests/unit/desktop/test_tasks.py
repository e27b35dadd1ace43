"""desktop.tasks: the database worker's own connection, one per profile, opened and closed on
that worker."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop.domain.model import Contact
from desktop.storage import Store
from desktop.tasks import Tasks


def test_the_database_worker_keeps_one_connection_a_profile_and_closes_it_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[tuple[Path, str]] = []
    close = Store.close

    def noting_close(store: Store) -> None:
        closed.append((store.path, threading.current_thread().name))
        close(store)

    monkeypatch.setattr(Store, "close", noting_close)
    tasks = Tasks()
    profile, other = tmp_path / "profile", tmp_path / "other"
    try:
        first = tasks.submit_store(profile, lambda store: store).result(10)
        added = tasks.submit_store(
            profile, lambda store: (store, store.contacts.add(Contact(None, "Ada Lovelace")).id)
        ).result(10)
        seen = tasks.submit_store(
            profile,
            lambda store: (store, store.contacts.count(), threading.current_thread().name),
        ).result(10)
        elsewhere = tasks.submit_store(other, lambda store: store).result(10)
    finally:
        tasks.shutdown()
    assert added[0] is first and seen[0] is first  # one connection, each job sees the last's write
    assert seen[1] == 1 and seen[2].startswith("coffeechat-sync")
    assert elsewhere is not first
    assert sorted(path.parent for path, _ in closed) == [other, profile]
    assert all(name.startswith("coffeechat-sync") for _, name in closed)


def test_a_job_not_started_at_shutdown_is_cancelled_and_the_connection_still_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []
    done = threading.Event()
    close = Store.close

    def noting_close(store: Store) -> None:
        closed.append(threading.current_thread().name)
        close(store)
        done.set()

    monkeypatch.setattr(Store, "close", noting_close)
    tasks = Tasks()
    profile = tmp_path / "profile"
    started, release = threading.Event(), threading.Event()

    def busy(store: Store) -> int:
        started.set()
        release.wait(10)
        return store.contacts.count()

    running = tasks.submit_store(profile, busy)
    waiting = tasks.submit_store(profile, lambda store: store.contacts.count())
    assert started.wait(10)
    tasks.shutdown(wait=False)  # while the first job runs
    release.set()
    assert running.result(10) == 0 and waiting.cancelled()
    assert done.wait(10) and len(closed) == 1 and closed[0].startswith("coffeechat-sync")
