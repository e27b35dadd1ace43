"""Connecting a Gmail account from the window: the user's own OAuth client file, Google's
consent page in the browser, the grant into the keyring. The sign-in waits on a loopback port,
so it runs on the network pool behind a modal progress dialog that can cancel it. The steps
(sign in, keep the grant, record the account) are desktop.accounts_setup's; here is the dialog."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import accounts_setup
from desktop.context import AppContext
from mail.provider import AccountKind
from ui.ops import Ops

if TYPE_CHECKING:
    from mail.auth.tokens import GoogleGrant

log = logging.getLogger(__name__)


class SignIn:
    """What the connector needs of a sign-in (mail.gmail.signin.GoogleSignIn has it)."""

    def run(self) -> GoogleGrant:
        raise NotImplementedError

    def cancel(self) -> None:
        raise NotImplementedError


def google_sign_in(client_file: Path) -> SignIn:
    return accounts_setup.google_sign_in(client_file)  # type: ignore[return-value]


class ConnectorEvents(QObject):
    """Signals:
    account_added(int): the account was stored (the window rebuilds its providers, syncs).
    """

    account_added = Signal(int)


def _tr(text: str) -> str:
    return QCoreApplication.translate("GmailConnector", text)


#: Google's Cloud console, where the OAuth client is made.
CONSOLE_URL = "https://console.cloud.google.com/apis/credentials"


def check_client_file(path: Path) -> str:
    """Why ``path`` is not a usable OAuth client for a desktop app ("" when it is)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return _tr("The file could not be read: {0}").format(exc.strerror or exc)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _tr(
            "This is not the file Google gives for an OAuth client: download it again from "
            "the Credentials page (the download button beside the client)."
        )
    if isinstance(data, dict) and "web" in data:
        return _tr(
            "This client is of type “Web application”. Create one of type “Desktop app” "
            "(step 4) and choose its file."
        )
    client = data.get("installed") if isinstance(data, dict) else None
    if not isinstance(client, dict) or not client.get("client_id"):
        return _tr(
            "This file has no desktop OAuth client in it. Choose the client_secret….json "
            "file downloaded for a “Desktop app” client (step 4)."
        )
    if not client.get("client_secret"):
        return _tr("The client's secret is missing from this file: download it again.")
    return ""


class GmailGuide(QDialog):
    """Connect Gmail, step by step: make your own OAuth client in Google Cloud, choose its file
    (checked at once, with a clear message), or use an app password over IMAP instead.

    ``client_file`` is the chosen, checked file once the dialog is accepted;
    ``wants_app_password`` is True when the user chose the IMAP route."""

    def __init__(self, parent: QWidget | None = None, *, app_password: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect Gmail"))
        self.client_file: Path | None = None
        self.wants_app_password = False
        fm = QFontMetrics(self.font())
        steps = QLabel(
            self.tr(
                "<p>Coffeechat reads and writes your Gmail through Google's own sign-in, with "
                "an OAuth client that belongs to you. Making one takes about five minutes, "
                "once:</p><ol>"
                "<li>Open the <a href='{0}'>Google Cloud console</a> and create a project "
                "(any name).</li>"
                "<li>In <b>APIs &amp; Services → Library</b>, enable the <b>Gmail API</b> (and "
                "the <b>Google Calendar API</b> for proposed times and invitations).</li>"
                "<li>In <b>OAuth consent screen</b>, choose <b>External</b>, fill in the app "
                "name and your address, and add yourself under <b>Test users</b>.</li>"
                "<li>In <b>Credentials</b>, choose <b>Create credentials → OAuth client ID</b>, "
                "type <b>Desktop app</b>, then <b>Download JSON</b>.</li>"
                "<li>Choose that file below; your browser then asks you to allow access.</li>"
                "</ol>"
            ).format(CONSOLE_URL)
        )
        steps.setWordWrap(True)
        steps.setTextFormat(Qt.TextFormat.RichText)
        steps.setOpenExternalLinks(True)
        steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.steps = steps
        self.choose_button = QPushButton(self.tr("&Choose client_secret.json…"))
        self.choose_button.clicked.connect(self.on_choose)
        self.file_label = QLabel(self.tr("No file chosen yet."))
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setAccessibleName(self.tr("Chosen file"))
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.file_label, 1)
        self.other = QLabel(
            self.tr(
                "<p><b>Rather not make a client?</b> Gmail also works with an <b>app "
                "password</b> over IMAP: turn on 2-Step Verification, make an app password at "
                "myaccount.google.com → Security → App passwords, and use it here. (Calendar "
                "times then come from your working hours.)</p>"
            )
        )
        self.other.setWordWrap(True)
        self.app_password_button = QPushButton(self.tr("Use an &app password instead…"))
        self.app_password_button.clicked.connect(self.on_app_password)
        self.other.setVisible(app_password)
        self.app_password_button.setVisible(app_password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.continue_button = QPushButton(self.tr("Sign &in with Google"))
        self.continue_button.setEnabled(False)
        self.buttons.addButton(self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(steps)
        layout.addLayout(row)
        layout.addWidget(self.other)
        layout.addWidget(self.app_password_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(fm.averageCharWidth() * 72)

    def ask_file(self) -> Path | None:
        """The file picker (tests replace it)."""
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Your Google OAuth client (client_secret….json)"),
            "",
            self.tr("OAuth client (*.json);;All files (*)"),
        )
        return Path(name) if name else None

    def on_choose(self) -> None:
        path = self.ask_file()
        if path is not None:
            self.choose(path)

    def choose(self, path: Path) -> bool:
        """Check the file and say what is wrong with it, or that it is ready."""
        problem = check_client_file(path)
        self.client_file = None if problem else path
        self.file_label.setText(
            problem or self.tr("{0}: a desktop OAuth client, ready.").format(path.name)
        )
        self.continue_button.setEnabled(not problem)
        return not problem

    def on_app_password(self) -> None:
        self.wants_app_password = True
        self.reject()


_DOCS_HINT = re.compile(r"\s*\(?see docs/[\w./-]+\)?", re.IGNORECASE)


class GmailConnector:
    """A ui.welcome.MailboxConnector for Gmail (not a QObject: its ``connect`` would shadow
    QObject.connect). Its signals are on ``events``."""

    kind = "gmail"

    def __init__(
        self,
        ctx: AppContext,
        *,
        choose_file: Callable[[QWidget], Path | None] | None = None,
        make_sign_in: Callable[[Path], SignIn] = google_sign_in,
        report: Callable[[QWidget, str, str], object] = QMessageBox.information,
        ops: Ops | None = None,
        app_password: Callable[[QWidget], bool] | None = None,
        exec_guide: Callable[[GmailGuide], bool] | None = None,
    ) -> None:
        """``ops``: the window's (desktop.app); by default one of its own. ``app_password``:
        connects Gmail over IMAP instead (the guide offers it when given)."""
        self.app_password = app_password
        self.exec_guide = exec_guide or (lambda guide: guide.exec() == QDialog.DialogCode.Accepted)
        self.events = ConnectorEvents()
        self.ops = ops or Ops(ctx.tasks, ctx.paths.profile)
        self.report = report
        self.ctx = ctx
        self.choose_file = choose_file or self._ask_for_file
        self.make_sign_in = make_sign_in
        self.error = ""

    def _ask_for_file(self, parent: QWidget) -> Path | None:
        """The guide: the steps, then a checked file (None: cancelled, or the IMAP route)."""
        guide = GmailGuide(parent, app_password=self.app_password is not None)
        try:
            accepted = self.exec_guide(guide)
            chosen, imap = guide.client_file, guide.wants_app_password
        finally:
            guide.deleteLater()
        if accepted:
            return chosen
        if imap and self.app_password is not None:
            self._went_imap = self.app_password(parent)
        return None

    def connect(self, parent: QWidget) -> bool:
        """Run the whole sign-in; True when an account was added."""
        self.error = ""
        self._went_imap = False
        client_file = self.choose_file(parent)
        if client_file is None:
            return self._went_imap
        sign_in = self.make_sign_in(client_file)
        progress = QProgressDialog(
            _tr("Finish signing in to Google in your browser…"),
            _tr("Cancel"),
            0,
            0,
            parent,
        )
        progress.setWindowTitle(_tr("Connect Gmail"))
        progress.setAccessibleName(_tr("Waiting for Google's sign-in"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(sign_in.cancel)
        future = self.ops.network(sign_in.run)
        progress.show()
        self.ops.wait(future)
        progress.close()
        from mail.auth import AuthError

        try:
            grant = future.result()
        except AuthError as exc:  # cancelled, timed out, wrong file, no keyring: all say why
            # An installed user has no docs/ folder: the guide they just used is the help.
            self.error = _DOCS_HINT.sub("", str(exc))
            self.report(parent, _tr("Gmail was not connected"), self.error)
            return False
        except Exception as exc:
            log.exception("Gmail sign-in failed")
            self.error = f"{type(exc).__name__}: {exc}"
            self.report(parent, _tr("Gmail was not connected"), self.error)
            return False
        user_name = self.ctx.settings.user_name
        account = self.ops.db_now(
            lambda store: accounts_setup.record_account(
                store, AccountKind.GMAIL, grant.address, user_name
            )
        )
        self.events.account_added.emit(account.id)
        return True
