from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.domain.model import Contact, EventKind, Stage
from desktop.storage import StorageError, Store
from desktop.storage.migrations import LATEST, MIGRATIONS
from desktop.storage.store import DB_NAME
from tests.helpers.builders import T0, event


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path)
    yield s
    s.close()


def _contact(store: Store, name: str = "Ada Lovelace", *emails: str) -> int:
    stored = store.contacts.add(Contact(None, name, emails or ("ada@engine.example",)))
    assert stored.id is not None
    return stored.id


def test_contacts_round_trip_with_several_addresses(store: Store) -> None:
    cid = _contact(store, "Ada", "ADA@engine.example", "ada@home.example")
    record = store.contacts.get(cid)
    assert record.contact.emails == ("ada@engine.example", "ada@home.example")
    assert store.contacts.address_index() == {"ada@engine.example": cid, "ada@home.example": cid}


def test_an_address_belongs_to_one_contact(store: Store) -> None:
    _contact(store, "Ada", "ada@engine.example")
    with pytest.raises(StorageError, match="already belongs"):
        _contact(store, "Impostor", "ada@engine.example")
    assert [r.contact.name for r in store.contacts.all()] == ["Ada"]  # nothing half-written


def test_events_are_idempotent_and_transitions_undoable(store: Store) -> None:
    cid = _contact(store)
    assert store.pipeline.apply(cid, event(EventKind.REQUEST_SENT, key="m1")) is not None
    assert store.pipeline.apply(cid, event(EventKind.REQUEST_SENT, key="m1")) is None
    assert store.pipeline.event_count() == 1
    store.pipeline.apply(cid, event(EventKind.GENUINE_REPLY, T0 + timedelta(hours=1), key="m2"))
    assert store.pipeline.state(cid).stage is Stage.REPLIED
    undone = store.pipeline.undo_last(cid)
    assert undone is not None and undone.undone
    assert store.pipeline.state(cid).stage is Stage.REQUESTED
    history = store.pipeline.history(cid)
    assert [(h.kind, h.undone) for h in history] == [
        (EventKind.REQUEST_SENT, False),
        (EventKind.GENUINE_REPLY, True),
    ]


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    cid = _contact(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.pipeline.apply(cid, event(EventKind.REQUEST_SENT, key="m1"))
        raise RuntimeError("crash mid-pass")
    assert store.pipeline.event_count() == 0
    assert store.pipeline.state(cid).stage is Stage.TARGET


def test_a_read_only_store_refuses_every_write_and_sees_the_others(tmp_path: Path) -> None:
    reader = Store.open(tmp_path / "fresh", read_only=True)  # a new profile: created, upgraded
    writer = Store.open(tmp_path / "fresh")
    try:
        assert reader.read_only and not writer.read_only
        assert reader.schema_version == LATEST
        with pytest.raises(sqlite3.OperationalError, match="readonly database"):
            reader.contacts.add(Contact(None, "Ada Lovelace"))
        with pytest.raises(sqlite3.OperationalError), reader.transaction():
            reader.contacts.set_notes(1, "nobody")
        cid = _contact(writer)
        with reader.transaction():  # a consistent read, without a write lock
            assert reader.contacts.get(cid).contact.name == "Ada Lovelace"
            writer.contacts.set_notes(cid, "written meanwhile")
        assert reader.contacts.get(cid).contact.notes == "written meanwhile"
        assert reader.contacts.count() == 1
    finally:
        reader.close()
        writer.close()


def test_a_read_only_open_upgrades_an_older_database_first(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    for number in range(1, LATEST):
        MIGRATIONS[number - 1](db)
        db.execute(f"PRAGMA user_version = {number}")
    db.close()
    reader = Store.open(tmp_path, read_only=True)
    try:
        assert reader.schema_version == LATEST and reader.read_only
    finally:
        reader.close()


def test_corrupt_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    garbage = b"this is not sqlite" * 100
    (tmp_path / DB_NAME).write_bytes(garbage)
    with pytest.raises(StorageError, match="damaged or is not a Coffeechat database"):
        Store.open(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == garbage


def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute(f"PRAGMA user_version = {LATEST + 5}")
    db.commit()
    db.close()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(StorageError, match="newer version of Coffeechat"):
        Store.open(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_profile_that_is_a_file_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.write_text("oops")
    with pytest.raises(StorageError, match="is a file, not a folder"):
        Store.open(profile)


def _cli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.app", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


def test_cli_reports_a_damaged_database_in_one_line(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"\x00garbage" * 64)
    result = _cli("--profile", str(tmp_path), "status")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0]


def test_database_path_that_cannot_be_opened_gives_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).mkdir()
    with pytest.raises(StorageError, match=r"Cannot open the database|damaged"):
        Store.open(tmp_path)


def _drop_to_nobody() -> None:
    os.setgid(65534)
    os.setuid(65534)


ROOT = Path(__file__).resolve().parents[3]


def _nobody_command() -> tuple[list[str], dict[str, str]] | None:
    """An interpreter and environment with which 'nobody' can run the CLI, if there is one.

    The venv's interpreter may live under root's home; a system Python of the same version with
    the venv's site-packages on the path runs the same code."""
    if not hasattr(os, "getuid") or os.getuid() != 0:
        return None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), site])}
    for candidate in (sys.executable, shutil.which(version, path="/usr/bin:/usr/local/bin")):
        if candidate is None:
            continue
        try:
            subprocess.run(
                [candidate, "-c", "import desktop.cli"],
                preexec_fn=_drop_to_nobody,
                env=env,
                cwd="/",
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
            continue
        return [candidate, "-m", "desktop.app"], env
    return None


_NOBODY = _nobody_command()


@pytest.mark.skipif(
    _NOBODY is None,
    reason="needs root, and a Python that 'nobody' may run, to test file modes (root ignores them)",
)
def test_unreadable_profile_folder_gives_a_clear_message() -> None:
    assert _NOBODY is not None
    command, env = _NOBODY
    base = Path(tempfile.mkdtemp(prefix="coffeechat-locked-"))  # pytest's tmp is root-only
    try:
        base.chmod(0o755)
        profile = base / "locked"
        profile.mkdir(mode=0o700)
        result = subprocess.run(
            [*command, "--profile", str(profile), "status"],
            preexec_fn=_drop_to_nobody,
            env={**env, "HOME": str(base)},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        shutil.rmtree(base)
    assert result.returncode == 1, result.stderr
    assert "not readable and writable" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_undo_keeps_what_later_events_did_without_a_stage_change(store: Store) -> None:
    from datetime import date

    cid = _contact(store)
    store.pipeline.apply(cid, event(EventKind.REQUEST_SENT, key="m1"))
    store.pipeline.apply(
        cid, event(EventKind.OVERRIDE, T0 + timedelta(hours=1), key="o1", target=Stage.DECLINED)
    )
    # An away notice arrives after the (mistaken) override: no stage change, but it matters.
    store.pipeline.apply(
        cid,
        event(
            EventKind.AUTO_REPLY, T0 + timedelta(hours=2), key="a1", away_until=date(2026, 3, 20)
        ),
    )
    store.pipeline.undo_last(cid)
    state = store.pipeline.state(cid)
    assert state.stage is Stage.REQUESTED
    assert state.away_until == date(2026, 3, 20)
    assert state.requested_at == T0


def test_offers_are_open_while_the_request_is_pending(store: Store) -> None:
    ada = _contact(store, "Ada", "ada@engine.example")
    bob = _contact(store, "Bob", "bob@engine.example")
    slot = (T0 + timedelta(days=3), T0 + timedelta(days=3, minutes=15))
    store.messages.add_offers(ada, [slot], T0, "k1")
    assert store.messages.open_offers() == []  # Ada is still a target: nothing is pending yet
    store.pipeline.apply(ada, event(EventKind.REQUEST_SENT, key="r1"))
    assert store.messages.open_offers() == [slot]
    assert store.messages.open_offers(except_contact=ada) == []
    assert store.messages.offers_for(ada) == [slot]
    store.messages.release_offers(ada, T0 + timedelta(hours=1))
    assert store.messages.open_offers() == [] and store.messages.offers_for(ada) == []
    assert store.messages.open_offers(except_contact=bob) == []
