"""Fixtures the integration tests share: the emulators' TLS certificate, the two clocks, and the
UI tests' AppContext (``ctx``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import make_certificate
from tests.unit.ui import uiseed

#: When the integration stories start: a Monday morning.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for the emulators' HTTPS, made once per module."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def sim() -> SimClock:
    """The emulators' clock (what the service believes the time is)."""
    return SimClock()


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock, at ``T0``."""
    return ManualClock(T0)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The UI tests' context (tests/unit/ui/conftest.py): demo account, fresh profile."""
    with uiseed.opened_context(tmp_path / "profile") as context:
        yield context
