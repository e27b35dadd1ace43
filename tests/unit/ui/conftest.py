"""Fixtures for the UI tests: a real AppContext in a temp folder (``ctx``), the seeded contacts
(``seeded``), the main window on them (``window``), QSettings kept in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uiseed
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.storage import Store
from tests.helpers.windows import shown_window
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def qsettings_in_tmp(tmp_path: Path) -> Iterator[None]:
    """QSettings("Coffeechat", …) writes under this test's folder, never the user's."""
    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with uiseed.opened_context(tmp_path / "profile") as context:
        yield context


@pytest.fixture
def db(ctx: AppContext) -> Iterator[Store]:
    """A writable connection to the test's profile, to arrange data: ``ctx.store``, the window's
    own, is read-only as in the app."""
    with uiseed.writable(ctx) as store:
        yield store


@pytest.fixture
def seeded(db: Store) -> dict[str, int]:
    return uiseed.seed(db)


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, seeded: dict[str, int]) -> Iterator[MainWindow]:
    """The main window on the seeded profile, shown; a test file overrides it for another set-up."""
    with shown_window(qtbot, ctx) as win:
        yield win
