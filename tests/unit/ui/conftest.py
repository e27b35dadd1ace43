"""Fixtures for the UI tests: a real AppContext in a temp folder, QSettings kept in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uiseed
from PySide6.QtCore import QSettings

from desktop.context import AppContext


@pytest.fixture(autouse=True)
def qsettings_in_tmp(tmp_path: Path) -> Iterator[None]:
    """QSettings("Coffeechat", …) writes under this test's folder, never the user's."""
    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = uiseed.make_context(tmp_path / "profile")
    yield context
    context.tasks.shutdown()
    context.store.close()


@pytest.fixture
def seeded(ctx: AppContext) -> dict[str, int]:
    return uiseed.seed(ctx.store)
