"""Connecting a Gmail account from the window: the user's own OAuth client file, Google's
consent page in the browser, the grant into the keyring. The sign-in waits on a loopback port,
so it runs on the network pool behind a modal progress dialog that can cancel it. The steps
(sign in, keep the grant, record the account) are desktop.accounts_setup's; here is the dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

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
    ) -> None:
        """``ops``: the window's (desktop.app); by default one of its own."""
        self.events = ConnectorEvents()
        self.ops = ops or Ops(ctx.tasks, ctx.paths.profile)
        self.report = report
        self.ctx = ctx
        self.choose_file = choose_file or self._ask_for_file
        self.make_sign_in = make_sign_in
        self.error = ""

    def _ask_for_file(self, parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            _tr("Your Google OAuth client (client_secret.json)"),
            "",
            _tr("OAuth client (*.json)"),
        )
        return Path(name) if name else None

    def connect(self, parent: QWidget) -> bool:
        """Run the whole sign-in; True when an account was added."""
        self.error = ""
        client_file = self.choose_file(parent)
        if client_file is None:
            return False
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
            self.error = str(exc)
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
