"""Connecting Outlook from the window, with the real msal against the local HTTPS authority: the
browser sign-in, the device code shown in the dialog when no browser opens, Cancel, and failures
that say why and add nothing. The sign-in runs off the GUI thread."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop import settings as settings_file
from desktop.context import AppContext
from mail.auth.microsoft import MicrosoftAuth
from mail.auth.tokens import TokenStore
from mail.provider import AccountKind
from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator, fake_browser
from tests.helpers.memory_keyring import MemoryKeyring
from tests.helpers.windows import open_window
from ui.connect_outlook import ClientIdDialog, OutlookConnector, SignInDialog

ME = "me@outlook.test"


@pytest.fixture
def emulator(certificate: tuple[Path, Path]) -> Iterator[GraphEmulator]:
    with GraphEmulator(ME, *certificate) as emu:
        yield emu


def _browser(monkeypatch: pytest.MonkeyPatch, answer: Callable[[str], bool]) -> list[str]:
    opened: list[str] = []

    def open_(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return answer(url)

    monkeypatch.setattr(webbrowser, "open", open_)
    return opened


def _connector(
    ctx: AppContext,
    emu: GraphEmulator,
    certificate: tuple[Path, Path],
    reports: list[str],
    *,
    device: bool = False,
    timeout: float = 30.0,
) -> OutlookConnector:
    def make_auth(client_id: str) -> MicrosoftAuth:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(certificate[0])
        return MicrosoftAuth(client_id, tokens=TokenStore(), authority=emu.authority,
                             instance_discovery=False, http_client=session)  # fmt: skip

    return OutlookConnector(
        ctx,
        ask_client_id=lambda _parent, _known: (CLIENT_ID, device),
        make_auth=make_auth,
        report=lambda _p, _t, text: reports.append(text),
        timeout=timeout,
    )


def _while_waiting(connector: OutlookConnector, act: Callable[[SignInDialog], bool]) -> QTimer:
    """Call ``act`` on the sign-in dialog every 20 ms (the connector's loop is running) until it
    returns True."""
    timer = QTimer()

    def tick() -> None:
        if connector.dialog is not None and connector.dialog.isVisible() and act(connector.dialog):
            timer.stop()

    timer.timeout.connect(tick)
    timer.start(20)
    return timer


def _consenting(url: str) -> bool:
    fake_browser(url)
    return True


def test_connect_outlook_in_the_browser_adds_the_account(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, _consenting)
    reports: list[str] = []
    connector = _connector(ctx, emulator, certificate, reports)
    window = open_window(ctx, connectors=(connector,))
    qtbot.add_widget(window)
    added: list[int] = []
    connector.events.account_added.connect(added.append)
    assert window.action_table.connect_outlook_action.isEnabled()
    assert "Connect &Outlook…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert window.settings_ui.connect_outlook()
    assert len(opened) == 1 and reports == []
    (account,) = [a for a in ctx.store.accounts.all() if a.kind is AccountKind.OUTLOOK]
    assert account.address == ME and added == [account.id]
    assert emulator.count("/devicecode") == 0
    # the client id is remembered for next time (it is not a secret); no token on disk
    assert settings_file.load(ctx.paths.settings).outlook_client_id == CLIENT_ID
    assert not any(s in ctx.paths.settings.read_text() for s in emulator.issued_secrets)
    window.shutdown()


def test_without_a_browser_the_dialog_shows_the_device_code(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _browser(monkeypatch, lambda url: False)
    emulator.device_pending = True
    reports: list[str] = []
    connector = _connector(ctx, emulator, certificate, reports)
    seen: list[tuple[str, str]] = []

    def read_code(dialog: SignInDialog) -> bool:
        if not dialog.code.isVisible():
            return False
        seen.append((dialog.code.text(), dialog.status.text()))
        assert dialog.code_buttons.isVisible()
        dialog.copy.click()
        emulator.device_pending = False  # the user enters the code on their phone
        return True

    timer = _while_waiting(connector, read_code)
    assert connector.connect(None)
    timer.stop()
    [(code, status)] = seen
    assert code == "COFFEE42" and f"{emulator.base}/devicelogin" in status
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == "COFFEE42"
    assert [a.address for a in ctx.store.accounts.all() if a.kind is AccountKind.OUTLOOK] == [ME]
    assert reports == []


def test_cancel_stops_the_sign_in_and_adds_nothing(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, lambda url: True)  # the user never finishes in the browser
    reports: list[str] = []
    connector = _connector(ctx, emulator, certificate, reports)

    def cancel(dialog: SignInDialog) -> bool:
        if not opened:
            return False
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        assert "Stopping" in dialog.status.text()
        return True

    timer = _while_waiting(connector, cancel)
    assert not connector.connect(None)
    timer.stop()
    assert connector.error == "Sign-in cancelled." and reports == []  # no message box for it
    assert not [a for a in ctx.store.accounts.all() if a.kind is AccountKind.OUTLOOK]
    assert not memory_keyring.entries


def test_the_code_path_cancels_too(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, _consenting)
    emulator.device_pending = True
    connector = _connector(ctx, emulator, certificate, [], device=True)  # asked for a code

    def cancel(dialog: SignInDialog) -> bool:
        if not dialog.code.isVisible():
            return False
        dialog.reject()  # Escape
        return True

    timer = _while_waiting(connector, cancel)
    assert not connector.connect(None)
    timer.stop()
    assert opened == [] and connector.error == "Sign-in cancelled."


def test_a_browser_that_never_answers_says_why(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _browser(monkeypatch, lambda url: True)
    reports: list[str] = []
    connector = _connector(ctx, emulator, certificate, reports, timeout=1)
    assert not connector.connect(None)
    assert reports and "No answer from the browser within 1 seconds" in reports[0]
    assert not [a for a in ctx.store.accounts.all() if a.kind is AccountKind.OUTLOOK]


def test_no_keyring_says_so_before_any_browser(
    qtbot: QtBot,
    ctx: AppContext,
    emulator: GraphEmulator,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    opened = _browser(monkeypatch, _consenting)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    reports: list[str] = []
    try:
        assert not _connector(ctx, emulator, certificate, reports).connect(None)
    finally:
        keyring.set_keyring(previous)
    assert opened == [] and reports and "keyring" in reports[0].lower()


def test_the_client_id_dialog_refuses_what_is_not_an_id(qtbot: QtBot) -> None:
    dialog = ClientIdDialog("")
    qtbot.add_widget(dialog)
    dialog.client_id.setText("my-app")
    dialog.on_accept()
    assert dialog.result() == 0 and "not an application (client) ID" in dialog.error.text()
    dialog.client_id.setText(f"  {CLIENT_ID} ")
    dialog.on_accept()
    assert dialog.result() == 1 and dialog.value() == CLIENT_ID
    assert threading.current_thread() is threading.main_thread()
