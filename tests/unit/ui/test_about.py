"""The About box (version, folders, back-up advice, details for a bug report) and the icon the
windows use; the welcome's demo starts the frozen app as itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

import desktop
from desktop import resources
from ui.dialogs import AboutDialog, app_icon
from ui.welcome import demo_command


def test_the_app_icon_has_every_shipped_size(qapp: object) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert sizes == set(resources.ICON_SIZES)
    assert icon.pixmap(QSize(16, 16)).width() == 16


def test_about_shows_the_version_the_folders_and_how_to_back_up(
    qtbot: QtBot, tmp_path: Path
) -> None:
    profile, logs = tmp_path / "My <Data>", tmp_path / "logs"
    dialog = AboutDialog(desktop.__version__, profile, logs)
    qtbot.add_widget(dialog)
    dialog.show()
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"Version {desktop.__version__}" in text
    assert "My &lt;Data&gt;" in text  # shown, escaped, never read as markup
    assert str(logs) in text
    assert "File → Back up now…" in text  # the menu's own words (issue 19)
    logo = next(label for label in dialog.findChildren(QLabel) if not label.pixmap().isNull())
    assert logo.pixmap().width() >= 64


def test_copy_details_puts_the_versions_and_folders_on_the_clipboard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = AboutDialog("1.2.3", tmp_path / "data", tmp_path / "logs")
    qtbot.add_widget(dialog)
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.splitlines()[0] == "Coffeechat 1.2.3"
    assert "Qt " in copied and "Python " in copied
    assert f"Data: {tmp_path / 'data'}" in copied
    assert dialog.copy_button.text() == "Copied"


def test_the_frozen_welcome_starts_the_demo_with_the_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Coffeechat/coffeechat")
    assert demo_command() == ["/opt/Coffeechat/coffeechat", "demo"]
