"""Test-wide set-up: Qt offscreen, and every per-user folder redirected into a temp dir so no
test reads or writes the developer's real profile, settings or keyring."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="coffeechat-tests-"))
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_HOME / _var.lower())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("COFFEECHAT_PROFILE", None)
# Tests that want a session bus start their own (tests/helpers/desktop_session.py): never post
# notifications or touch the keyring on a developer's real desktop session.
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


def pytest_runtest_teardown() -> None:
    """Tests that go through the CLI set up file logging: close it after each test."""
    from desktop import logs

    logs.shutdown()


from collections.abc import Iterator  # noqa: E402

import keyring  # noqa: E402 - after the environment above is set
import pytest  # noqa: E402

from tests.helpers.gmail_emulator import GmailEmulator, SimClock  # noqa: E402
from tests.helpers.graph_emulator import make_certificate  # noqa: E402
from tests.helpers.memory_keyring import MemoryKeyring  # noqa: E402


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for the test, the previous backend restored afterwards."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def sim() -> SimClock:
    """The emulators' clock: what the mail service believes the time is."""
    return SimClock()


@pytest.fixture
def gmail(sim: SimClock) -> Iterator[GmailEmulator]:
    """The Gmail emulator for me@example.test, on ``sim``'s time."""
    with GmailEmulator("me@example.test", clock=sim.now) as emu:
        yield emu


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for the emulators' HTTPS, made once per module."""
    return make_certificate(tmp_path_factory.mktemp("tls"))
