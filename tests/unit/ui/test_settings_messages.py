"""Settings → Messages: the dates' language, the daily request limit and the phone number are
saved with the other settings; bad values in the file fall back to the defaults."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop import settings
from desktop.settings import Settings
from ui.settings_dialog import SettingsDialog


def test_the_messages_page_saves_language_cap_and_phone(qtbot: QtBot) -> None:
    opened: list[bool] = []
    dialog = SettingsDialog(Settings(), open_templates=lambda: opened.append(True))
    qtbot.add_widget(dialog)
    page = dialog.messages_page
    assert dialog.tabs.indexOf(page) >= 0
    assert page.daily_cap.value() == 20 and page.language.currentData() == "en"
    page.language.setCurrentIndex(page.language.findData("es"))
    page.daily_cap.setValue(8)
    page.phone.setText("  +34 600 000 000 ")
    page.templates_button.click()
    assert opened == [True]
    dialog.on_save()
    assert dialog.saved is not None
    assert (
        dialog.saved.message_language,
        dialog.saved.daily_request_cap,
        dialog.saved.phone,
    ) == ("es", 8, "+34 600 000 000")


def test_bad_message_settings_fall_back_to_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"message_language": "klingon", "daily_request_cap": 0, "phone": 5}),
        encoding="utf-8",
    )
    loaded = settings.load(path)
    assert (loaded.message_language, loaded.daily_request_cap, loaded.phone) == ("en", 20, "")
    settings.save(path, Settings(message_language="de", daily_request_cap=5))
    again = settings.load(path)
    assert (again.message_language, again.daily_request_cap) == ("de", 5)
