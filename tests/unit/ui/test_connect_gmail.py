"""Connecting Gmail from the window: the sign-in runs off the GUI thread behind a progress
dialog; success adds the account and its provider, a failure says why and adds nothing."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from mail.auth import AuthError
from mail.auth.tokens import GoogleGrant
from mail.gmail import GmailProvider
from mail.provider import AccountKind
from tests.helpers.windows import open_window
from ui.connect_gmail import GmailConnector, SignIn


class FakeSignIn(SignIn):
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.thread: threading.Thread | None = None

    def run(self) -> GoogleGrant:
        self.thread = threading.current_thread()
        if self.error is not None:
            raise self.error
        return GoogleGrant(
            address="sam@gmail.example",
            refresh_token="r",
            client_id="c",
            client_secret="s",
            token_uri="http://127.0.0.1:1/token",
            scopes=("s",),
        )

    def cancel(self) -> None:
        pass


def test_connecting_gmail_adds_the_account_and_its_provider(
    qtbot: QtBot, ctx: object, tmp_path: Path
) -> None:
    sign_in = FakeSignIn()
    reports: list[str] = []
    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        choose_file=lambda _parent: tmp_path / "client_secret.json",
        make_sign_in=lambda _path: sign_in,
        report=lambda _p, _t, text: reports.append(text),
    )
    window = open_window(ctx, connectors=(connector,))  # type: ignore[arg-type]
    qtbot.add_widget(window)
    connector.events.account_added.connect(window.settings_ui.on_account_added)
    assert window.action_table.connect_gmail_action.isEnabled()
    assert window.settings_ui.connect_gmail()
    assert sign_in.thread is not None and sign_in.thread is not threading.main_thread()
    store = window.ctx.store
    gmail = [a for a in store.accounts.all() if a.kind is AccountKind.GMAIL]
    assert [a.address for a in gmail] == ["sam@gmail.example"]
    assert any(isinstance(p, GmailProvider) for p in window.ctx.providers)
    gmail_id = gmail[0].id
    assert gmail_id in window.badges.labels
    assert reports == []
    qtbot.wait_until(lambda: not window.sync.running, timeout=10_000)
    window.shutdown()


def test_a_failed_sign_in_says_why_and_adds_nothing(
    qtbot: QtBot, ctx: object, tmp_path: Path
) -> None:
    reports: list[str] = []
    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        choose_file=lambda _parent: tmp_path / "client_secret.json",
        make_sign_in=lambda _path: FakeSignIn(AuthError("Sign-in timed out after 300 s.")),
        report=lambda _p, _t, text: reports.append(text),
    )
    window = open_window(ctx, connectors=(connector,))  # type: ignore[arg-type]
    qtbot.add_widget(window)
    assert not window.settings_ui.connect_gmail()
    assert reports == ["Sign-in timed out after 300 s."]
    assert [a for a in window.ctx.store.accounts.all() if a.kind is AccountKind.GMAIL] == []
    window.shutdown()


def test_no_file_chosen_is_no_sign_in(qtbot: QtBot, ctx: object) -> None:
    started: list[Path] = []
    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        choose_file=lambda _parent: None,
        make_sign_in=lambda path: _record(started, path),
    )
    assert not connector.connect(None)  # type: ignore[arg-type]
    assert started == []


def _record(started: list[Path], path: Path) -> SignIn:
    started.append(path)
    return FakeSignIn()
