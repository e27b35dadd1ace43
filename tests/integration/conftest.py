"""Fixtures the integration tests share: the app's clock at ``T0`` and the UI tests' AppContext
(``ctx``). The emulators' certificate, ``sim`` and ``gmail`` come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.storage import Store
from mail.provider import AccountKind
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import GraphEmulator
from tests.helpers.memory_keyring import MemoryKeyring
from tests.integration.test_outlook import ME, Setup, _provider, _sign_in
from tests.unit.ui import uiseed

#: When the integration stories start: a Monday morning.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock, at ``T0``."""
    return ManualClock(T0)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The UI tests' context (tests/unit/ui/conftest.py): demo account, fresh profile."""
    with uiseed.opened_context(tmp_path / "profile") as context:
        yield context


@pytest.fixture
def db(ctx: AppContext) -> Iterator[Store]:
    """A writable connection to the test's profile, to arrange data: ``ctx.store``, the window's
    own, is read-only as in the app."""
    with uiseed.writable(ctx) as store:
        yield store


# The Graph emulator and a signed-in Outlook provider on a profile, for the Outlook tests
# (a module that defines its own ``emulator``, as the Gmail tests do, keeps its own).
@pytest.fixture
def emulator(
    certificate: tuple[Path, Path], sim: SimClock, clock: ManualClock
) -> Iterator[GraphEmulator]:
    cert, key = certificate
    with GraphEmulator(ME, cert, key, clock=sim.now, wall=clock.now) as emu:
        yield emu


@pytest.fixture
def opened(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    sim: SimClock,
    clock: ManualClock,
    memory_keyring: MemoryKeyring,
) -> Iterator[Setup]:
    _sign_in(emulator, certificate)
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.OUTLOOK, ME)
    provider = _provider(emulator, certificate, store, account, sim, clock)
    yield store, provider, account
    provider.close()
    store.close()
