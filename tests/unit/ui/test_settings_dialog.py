"""The Settings dialog (saved atomically, applied at once), the first-run welcome and the
shortcut sheet."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot
from test_ui_window import _unnamed

from desktop import autostart, settings
from desktop.context import AppContext
from desktop.domain.due import ActionKind
from desktop.settings import Settings
from tests.helpers.windows import open_window
from ui import account_settings as main_window_module
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from ui.shortcuts import shortcut_rows
from ui.welcome import WelcomeDialog, demo_command, system_zone


def _answer(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, edit: Callable[[QDialog], None]
) -> list[QDialog]:
    """Answer the next dialogs with ``edit`` (which presses the dialog's own buttons)."""
    seen: list[QDialog] = []

    def exec_dialog(dialog: QDialog) -> bool:
        seen.append(dialog)
        edit(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", exec_dialog)
    return seen


# ------------------------------------------------------------------ settings
def test_settings_are_saved_to_the_profile_and_applied_at_once(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        dialog.user_name.setText("Sam Rivera")
        dialog.timezone.setCurrentText("Europe/Berlin")
        dialog.day_boxes[4].setChecked(False)  # no Fridays
        dialog.work_start.setValue(10)
        dialog.holiday_date.setDate(QDate(2026, 12, 24))
        dialog.add_holiday_button.click()
        dialog.add_holiday_button.click()  # once is enough
        dialog.max_followups.setValue(1)
        dialog.check_in_days.setValue(60)
        dialog.quiet_start.setTime(dialog.quiet_start.time().addSecs(3600))
        dialog.digest.setChecked(True)
        dialog.sync_minutes.setValue(5)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    _answer(window, monkeypatch, edit)
    with qtbot.wait_signal(window.settings_changed) as changed:
        assert window.settings_ui.show_settings()
    expected = Settings(
        user_name="Sam Rivera",
        timezone="Europe/Berlin",
        work_days=(0, 1, 2, 3),
        work_start_hour=10,
        holidays=("2026-12-24",),
        max_followups=1,
        check_in_days=60,
        quiet_start="22:00",
        daily_digest=True,
        sync_interval_s=300,
    )
    assert changed.args == [expected]
    assert ctx.settings == expected
    assert settings.load(ctx.paths.settings) == expected
    assert window.zone.key == "Europe/Berlin"
    assert ctx.sync_interval_s == 300


def test_cancel_changes_nothing(window: MainWindow, ctx, monkeypatch) -> None:
    before = ctx.settings

    def edit(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        dialog.user_name.setText("Someone else")
        dialog.reject()

    _answer(window, monkeypatch, edit)
    assert not window.settings_ui.show_settings()
    assert ctx.settings is before
    assert not ctx.paths.settings.exists()


def test_a_longer_needs_answer_delay_changes_today(
    window: MainWindow, ctx: AppContext, seeded, monkeypatch
) -> None:
    """Ada replied 30 hours ago: after 24 hours she needs an answer; after 48 not yet."""

    def kinds() -> dict[int, ActionKind]:
        return {a.contact_id: a.kind for a in window.due_model.actions()}

    assert kinds()[seeded["ada"]] is ActionKind.NEEDS_ANSWER
    window.settings_ui.save_settings(replace(ctx.settings, needs_answer_hours=48))
    assert kinds()[seeded["ada"]] is ActionKind.REPLY_RECEIVED
    assert window.model.next_action(seeded["ada"]) == "Answer their reply"


def test_the_dialog_refuses_bad_values_inline(qtbot: QtBot, ctx) -> None:
    dialog = SettingsDialog(ctx.settings)
    qtbot.add_widget(dialog)
    dialog.timezone.setCurrentText("Mars/Olympus")
    dialog.on_save()
    assert dialog.saved is None and "Unknown time zone" in dialog.error.text()
    dialog.timezone.setCurrentText("UTC")
    dialog.work_start.setValue(18)
    dialog.work_end.setValue(9)
    dialog.on_save()
    assert dialog.saved is None and "end after" in dialog.error.text()
    dialog.work_end.setValue(19)
    for box in dialog.day_boxes:
        box.setChecked(False)
    dialog.on_save()
    assert dialog.saved is None and "working day" in dialog.error.text()


def test_an_untouched_dialog_keeps_every_value(qtbot: QtBot) -> None:
    odd = Settings(sync_interval_s=90, holidays=("2026-05-01",), quiet_hours=False)
    dialog = SettingsDialog(odd)
    qtbot.add_widget(dialog)
    dialog.on_save()
    assert dialog.saved == odd


def test_accounts_are_listed_read_only_with_their_status(
    qtbot: QtBot, window: MainWindow, monkeypatch
) -> None:
    def edit(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        item = dialog.accounts.item(0)
        assert item.text() == "Demo mailbox <demo@example.org>\nidle · not synced yet"
        assert not item.flags() & Qt.ItemFlag.ItemIsEditable
        dialog.reject()

    seen = _answer(window, monkeypatch, edit)
    window.settings_ui.show_settings()
    assert len(seen) == 1


def test_start_at_login_is_written_and_removed(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG autostart entry is Linux's")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = tmp_path / "config" / "autostart" / "coffeechat.desktop"

    def switch(on: bool) -> Callable[[QDialog], None]:
        def edit(dialog: QDialog) -> None:
            assert isinstance(dialog, SettingsDialog)
            assert dialog.start_login.isChecked() is not on
            dialog.start_login.setChecked(on)
            dialog.on_save()

        return edit

    _answer(window, monkeypatch, switch(True))
    window.settings_ui.show_settings()
    assert entry.exists() and autostart.is_enabled()
    _answer(window, monkeypatch, switch(False))
    window.settings_ui.show_settings()
    assert not entry.exists()


def test_ctrl_comma_opens_settings_from_the_file_menu(window: MainWindow) -> None:
    assert QKeySequence("Ctrl+,") in window.action_table.settings_action.shortcuts()
    file_menu = window.menuBar().actions()[0].menu()
    assert window.action_table.settings_action in file_menu.actions()  # type: ignore[union-attr]


def test_the_shortcut_sheet_lists_the_new_keys(window: MainWindow) -> None:
    keys = {k for k, _ in shortcut_rows(window.actions())}
    for expected in ("Ctrl+R", "Ctrl+,", "J / K or ↓ / ↑", "Enter", "S", "D or Delete"):
        assert expected in keys


# ------------------------------------------------------------------ welcome
def test_the_welcome_never_appears_unless_asked(qtbot: QtBot, ctx: AppContext, monkeypatch) -> None:
    assert not ctx.settings.welcome_done
    shown: list[QDialog] = []
    monkeypatch.setattr(MainWindow, "exec_dialog", lambda self, d: shown.append(d) or False)
    win = open_window(ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    QCoreApplication.processEvents()
    assert shown == []
    win.shutdown()


def test_the_welcome_asks_once_and_saves_the_answers(
    qtbot: QtBot, ctx: AppContext, monkeypatch
) -> None:
    shown: list[QDialog] = []

    def answer(self: MainWindow, dialog: QDialog) -> bool:
        shown.append(dialog)
        assert isinstance(dialog, WelcomeDialog)
        dialog.user_name.setText("Sam Rivera")
        dialog.timezone.setCurrentText("America/Toronto")
        dialog.work_start.setValue(8)
        dialog.work_end.setValue(16)
        dialog.start_button.click()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(MainWindow, "exec_dialog", answer)
    win = open_window(ctx, first_run_welcome=True)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_until(lambda: ctx.settings.welcome_done)
    saved = settings.load(ctx.paths.settings)
    assert (saved.user_name, saved.timezone, saved.work_start_hour, saved.work_end_hour) == (
        "Sam Rivera",
        "America/Toronto",
        8,
        16,
    )
    assert saved.welcome_done and win.zone.key == "America/Toronto"
    win.shutdown()
    again = open_window(ctx, first_run_welcome=True)
    qtbot.add_widget(again)
    again.show()
    qtbot.wait_exposed(again)
    QCoreApplication.processEvents()
    assert len(shown) == 1
    again.shutdown()


def test_closing_the_welcome_still_counts_as_asked(
    qtbot: QtBot, ctx: AppContext, monkeypatch
) -> None:
    monkeypatch.setattr(MainWindow, "exec_dialog", lambda self, d: d.reject() or False)
    win = open_window(ctx, first_run_welcome=True)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_until(lambda: ctx.settings.welcome_done)
    assert settings.load(ctx.paths.settings).user_name == "Sam"  # unchanged
    win.shutdown()


@dataclass
class FakeConnector:
    kind: str
    parents: list[QWidget] = field(default_factory=list)

    def connect(self, parent: QWidget) -> bool:
        self.parents.append(parent)
        return True


def test_mailboxes_without_a_sign_in_are_coming_soon(qtbot: QtBot) -> None:
    gmail = FakeConnector("gmail")
    dialog = WelcomeDialog(Settings(), [gmail], default_zone="Europe/Paris")
    qtbot.add_widget(dialog)
    outlook, imap = dialog.mailbox_buttons["outlook"], dialog.mailbox_buttons["imap"]
    assert not outlook.isEnabled() and outlook.toolTip() == "Coming soon"
    assert not imap.isEnabled() and imap.toolTip() == "Coming soon"
    assert dialog.timezone.currentText() == "Europe/Paris"
    with qtbot.wait_signal(dialog.mailbox_connected) as connected:
        dialog.mailbox_buttons["gmail"].click()
    assert connected.args == ["gmail"] and gmail.parents == [dialog]
    assert not dialog.mailbox_buttons["gmail"].isEnabled()


def test_try_the_demo_starts_it_in_its_own_process(
    qtbot: QtBot, window: MainWindow, monkeypatch
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(main_window_module, "launch_demo", lambda: started.append(True) or True)

    def edit(dialog: QDialog) -> None:
        assert isinstance(dialog, WelcomeDialog)
        dialog.demo_button.click()
        assert dialog.status.text() == "The demo is opening in its own window."
        dialog.reject()

    _answer(window, monkeypatch, edit)
    window.settings_ui.show_welcome()
    assert started == [True]
    assert demo_command() == [sys.executable, "-m", "desktop.app", "demo"]


def test_the_system_time_zone_is_a_known_name() -> None:
    from zoneinfo import ZoneInfo

    assert ZoneInfo(system_zone())


def test_settings_and_welcome_controls_have_accessible_names(qtbot: QtBot, ctx) -> None:
    dialogs = [
        SettingsDialog(ctx.settings, [("Demo mailbox", "idle", "")], False),
        WelcomeDialog(ctx.settings),
    ]
    for dialog in dialogs:
        qtbot.add_widget(dialog)
        dialog.show()
        assert _unnamed(dialog) == [], type(dialog).__name__


def test_mailbox_flags_have_one_switch_per_account_on_by_default(qtbot: QtBot) -> None:
    settings = Settings(mailbox_flags_off=("imap:gone@example.test",))
    lines = [
        ("me@gmail.test", "idle", "gmail:me@gmail.test"),
        ("me@outlook.test", "idle", "outlook:me@outlook.test"),
        ("Demo mailbox", "idle", ""),
    ]
    dialog = SettingsDialog(settings, lines, False)
    qtbot.add_widget(dialog)
    assert set(dialog.flag_boxes) == {"gmail:me@gmail.test", "outlook:me@outlook.test"}
    assert all(box.isChecked() for box in dialog.flag_boxes.values())
    dialog.flag_boxes["outlook:me@outlook.test"].setChecked(False)
    dialog.on_save()
    assert dialog.saved is not None
    # an account not shown keeps its switch as it was
    assert dialog.saved.mailbox_flags_off == ("imap:gone@example.test", "outlook:me@outlook.test")
