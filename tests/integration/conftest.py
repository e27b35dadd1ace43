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
