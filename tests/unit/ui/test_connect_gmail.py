"""Connecting Gmail from the window: the sign-in runs off the GUI thread behind a progress
dialog; success adds the account and its provider, a failure says why and adds nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from mail.auth import AuthError
from mail.auth.tokens import GoogleGrant
from mail.gmail import GmailProvider
from mail.provider import AccountKind
from tests.helpers.windows import open_window
from ui.connect_gmail import GmailConnector, GmailGuide, SignIn


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


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_the_gmail_guide_walks_through_the_client_and_checks_the_file(
    qtbot: QtBot, tmp_path: Path
) -> None:
    guide = GmailGuide()
    qtbot.add_widget(guide)
    said = _texts(guide)
    assert "Desktop app" in said and "Gmail API" in said and "Test users" in said
    assert "docs/" not in said  # nothing an installed user does not have
    assert "app password" in said and guide.app_password_button.isVisibleTo(guide)
    assert not guide.continue_button.isEnabled()

    broken = tmp_path / "notes.txt"
    broken.write_text("hello", encoding="utf-8")
    assert not guide.choose(broken)
    assert "not the file Google gives" in guide.file_label.text()
    web = tmp_path / "web.json"
    web.write_text(json.dumps({"web": {"client_id": "x"}}), encoding="utf-8")
    assert not guide.choose(web)
    assert "Desktop app" in guide.file_label.text()
    assert not guide.continue_button.isEnabled()
    good = tmp_path / "client_secret_1.json"
    good.write_text(
        json.dumps({"installed": {"client_id": "id", "client_secret": "s"}}), encoding="utf-8"
    )
    guide.ask_file = lambda: good  # type: ignore[method-assign]
    qtbot.mouseClick(guide.choose_button, Qt.MouseButton.LeftButton)
    assert guide.continue_button.isEnabled() and guide.client_file == good


def test_connect_gmail_opens_the_guide_and_signs_in_with_its_file(
    qtbot: QtBot, ctx: object, tmp_path: Path
) -> None:
    good = tmp_path / "client_secret.json"
    good.write_text(
        json.dumps({"installed": {"client_id": "id", "client_secret": "s"}}), encoding="utf-8"
    )
    started: list[Path] = []

    def in_guide(guide: GmailGuide) -> bool:
        guide.choose(good)
        guide.continue_button.click()
        return guide.result() == QDialog.DialogCode.Accepted

    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        make_sign_in=lambda path: _record(started, path),
        exec_guide=in_guide,
    )
    try:
        assert connector.connect(None)  # type: ignore[arg-type]
    finally:
        connector.ops.close()
    assert started == [good]


def test_the_guide_offers_an_app_password_over_imap(qtbot: QtBot, ctx: object) -> None:
    routed: list[object] = []

    def in_guide(guide: GmailGuide) -> bool:
        guide.app_password_button.click()
        return guide.result() == QDialog.DialogCode.Accepted

    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        make_sign_in=lambda path: FakeSignIn(),
        exec_guide=in_guide,
        app_password=lambda parent: routed.append(parent) or True,
    )
    try:
        assert connector.connect(None)  # type: ignore[arg-type]
    finally:
        connector.ops.close()
    assert routed == [None]


def test_a_sign_in_error_names_no_docs_folder(qtbot: QtBot, ctx: object, tmp_path: Path) -> None:
    reports: list[str] = []
    connector = GmailConnector(
        ctx,  # type: ignore[arg-type]
        choose_file=lambda _parent: tmp_path / "client_secret.json",
        make_sign_in=lambda _path: FakeSignIn(
            AuthError("Not an OAuth client file (see docs/gmail-setup.md).")
        ),
        report=lambda _p, _t, text: reports.append(text),
    )
    try:
        assert not connector.connect(None)  # type: ignore[arg-type]
    finally:
        connector.ops.close()
    assert reports == ["Not an OAuth client file."]
