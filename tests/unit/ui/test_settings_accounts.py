"""Settings → Accounts: add a mailbox, remove one (asked first, saying what stays and what goes),
how far back past mail is read; Settings → Reminders: when an offered time is released."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import settings
from desktop.context import AppContext
from desktop.settings import Settings
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog


def _open_settings(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, edit: object
) -> list[QDialog]:
    seen: list[QDialog] = []

    def exec_dialog(dialog: QDialog) -> bool:
        seen.append(dialog)
        edit(dialog)  # type: ignore[operator]
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", exec_dialog)
    return seen


def _answer_question(
    monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
) -> list[str]:
    asked: list[str] = []

    def question(
        _parent: object, _title: str, text: str, *_a: object
    ) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_remove_asks_first_says_what_stays_and_forgets_the_account(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    (account,) = ctx.store.accounts.all()
    contacts = ctx.store.contacts.count()
    asked = _answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)

    def cancel_then_remove(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        page = dialog.accounts_page
        assert not page.remove_button.isEnabled()  # nothing selected yet
        page.accounts.setCurrentRow(0)
        assert page.remove_button.isEnabled()
        page.remove_button.click()  # Cancel: nothing happens
        assert page.accounts.count() == 1
        monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
        page.remove_button.click()
        assert page.accounts.count() == 0
        dialog.reject()

    _open_settings(window, monkeypatch, cancel_then_remove)
    window.settings_ui.show_settings()
    qtbot.wait_until(window.ops.idle)

    (text,) = asked
    assert "demo@example.org" in text
    assert "Kept: your contacts, their stages and history" in text
    assert "Dropped: Coffeechat's copy of this mailbox's messages" in text
    assert "deletes nothing there" in text
    assert ctx.store.accounts.all() == []
    assert account.id not in [p.account.id for p in ctx.providers]
    assert ctx.store.contacts.count() == contacts  # the contacts stay
    assert window.badges.no_account_label.isVisibleTo(window)


def test_add_account_offers_each_kind_and_lists_the_new_account(qtbot: QtBot) -> None:
    asked: list[str] = []
    lines = [(1, ("Demo mailbox", "idle", ""))]

    def add(kind: str) -> list[tuple[int, tuple[str, str, str]]]:
        asked.append(kind)
        lines.append((2, ("me@imap.test", "idle · not synced yet", "imap:me@imap.test")))
        return lines

    dialog = SettingsDialog(
        Settings(),
        [line for _id, line in lines],
        False,
        account_ids=[1],
        add_account=add,
        remove_account=lambda _id: True,
    )
    qtbot.add_widget(dialog)
    page = dialog.accounts_page
    kinds = [a.data() for a in page.add_menu.actions()]
    assert kinds == ["gmail", "outlook", "imap"]
    page.add_menu.actions()[2].trigger()
    assert asked == ["imap"]
    assert page.accounts.count() == 2
    assert page.accounts.item(1).text().startswith("me@imap.test")
    assert set(page.flag_boxes) == {"imap:me@imap.test"}  # its flag switch appears too


def test_history_months_and_offer_expiry_are_edited_and_saved(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        assert dialog.history_months.value() == ctx.settings.history_months
        assert dialog.offer_expiry_days.value() == ctx.settings.offer_expiry_days
        dialog.history_months.setValue(3)
        dialog.offer_expiry_days.setValue(5)
        dialog.buttons.accepted.emit()

    _open_settings(window, monkeypatch, edit)
    assert window.settings_ui.show_settings()
    assert (ctx.settings.history_months, ctx.settings.offer_expiry_days) == (3, 5)
    saved = settings.load(ctx.paths.settings)
    assert (saved.history_months, saved.offer_expiry_days) == (3, 5)


def test_the_ranges_of_the_new_settings_are_those_the_settings_file_accepts(
    qtbot: QtBot,
) -> None:
    dialog = SettingsDialog(Settings(history_months=600, offer_expiry_days=0))
    qtbot.add_widget(dialog)
    low, high = settings.RANGES["history_months"]
    assert (dialog.history_months.minimum(), dialog.history_months.maximum()) == (low, high)
    assert dialog.history_months.value() == high  # an out-of-range value is shown clamped
    low, high = settings.RANGES["offer_expiry_days"]
    assert (dialog.offer_expiry_days.minimum(), dialog.offer_expiry_days.maximum()) == (low, high)
