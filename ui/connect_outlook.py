"""Connecting an Outlook account from the window: the user's own Azure application (client) id,
Microsoft's sign-in page in the browser over a loopback redirect, or a device code shown in the
dialog when no browser can be opened (or the user asks for one). The sign-in blocks, so it runs
on the network pool; the dialog stays responsive and Cancel stops it. The steps (check the id,
sign in, keep the grant, record the account, remember the id) are desktop.accounts_setup's."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import accounts_setup
from desktop.context import AppContext
from mail.provider import AccountKind
from ui.connect_gmail import ConnectorEvents
from ui.dialogs import error_label
from ui.ops import Ops

if TYPE_CHECKING:
    from mail.auth.microsoft import DeviceCode, MicrosoftAuth

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("OutlookConnector", text)


def microsoft_auth(client_id: str) -> MicrosoftAuth:
    return accounts_setup.microsoft_auth(client_id)


class ClientIdDialog(QDialog):
    """Asks for the application (client) id and whether to use a code instead of the browser."""

    def __init__(self, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect Outlook"))
        intro = QLabel(
            self.tr(
                "<p>Coffeechat signs in to Outlook.com or Microsoft 365 through an app you "
                "register once, in a few minutes:</p><ol>"
                "<li>At entra.microsoft.com, open <b>App registrations → New registration</b>; "
                "for accounts, choose <b>any organizational directory and personal Microsoft "
                "accounts</b>.</li>"
                "<li>Under <b>Redirect URI</b>, choose <b>Public client/native</b> and enter "
                "<b>http://localhost</b>.</li>"
                "<li>In <b>Authentication</b>, turn on <b>Allow public client flows</b>.</li>"
                "</ol><p>Paste its <b>Application (client) ID</b> here.</p>"
            )
        )
        intro.setWordWrap(True)
        self.client_id = QLineEdit(client_id)
        self.client_id.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.client_id.setAccessibleName(self.tr("Application (client) ID"))
        self.device = QCheckBox(self.tr("Sign in with a code on another device instead"))
        self.device.setAccessibleName(self.tr("Use a device code"))
        self.device.setToolTip(
            self.tr(
                "For a computer without a browser: Coffeechat shows a link and a code to enter "
                "on your phone or another computer."
            )
        )
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Sign in…"))
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        self.buttons.accepted.connect(self.on_accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Application (client) &ID:"), self.client_id)
        form.addRow(self.device)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)

    def value(self) -> str:
        return self.client_id.text().strip()

    def on_accept(self) -> None:
        if not accounts_setup.is_client_id(self.value()):
            self.error.setText(
                self.tr(
                    "That is not an application (client) ID: it looks like "
                    "00000000-0000-0000-0000-000000000000, on the app's Overview page in Azure."
                )
            )
            self.error.show()
            self.client_id.setFocus()
            return
        self.accept()


class _CodeRelay(QObject):
    """Hands the device code from the sign-in's worker thread to the dialog on the GUI thread.

    Signals:
        code_received(object): a ``DeviceCode``.
    """

    code_received = Signal(object)

    def relay(self, code: DeviceCode) -> None:  # called on the worker
        self.code_received.emit(code)


class SignInDialog(QDialog):
    """Waits for the sign-in: the browser first; the device code, when one comes, with the link,
    the code (selectable, copyable) and a button to open the page. Cancel stops the sign-in.

    Signals:
        cancel_requested(): Cancel, Escape or the close button (the sign-in is asked to stop;
            the dialog closes when it has).
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect Outlook"))
        self.setAccessibleName(self.tr("Waiting for Microsoft's sign-in"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.status = QLabel(self.tr("Finish signing in to Microsoft in your browser…"))
        self.status.setWordWrap(True)
        self.hint = QLabel(
            self.tr(
                "Microsoft's page opened in your web browser. Nothing opened? Cancel, then "
                "connect again and tick “Sign in with a code on another device”."
            )
        )
        self.hint.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Signing in"))
        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.code.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        font.setLetterSpacing(font.SpacingType.PercentageSpacing, 115)
        self.code.setFont(font)
        self.code.setAccessibleName(self.tr("Sign-in code"))
        self.code.hide()
        self.copy = QPushButton(self.tr("&Copy code"))
        self.copy.setAccessibleName(self.tr("Copy code"))
        self.copy.clicked.connect(self.on_copy)
        self.open_page = QPushButton(self.tr("&Open the sign-in page"))
        self.open_page.setAccessibleName(self.tr("Open the sign-in page"))
        self.open_page.clicked.connect(self.on_open_page)
        code_buttons = QHBoxLayout()
        code_buttons.addStretch(1)
        code_buttons.addWidget(self.copy)
        code_buttons.addWidget(self.open_page)
        code_buttons.addStretch(1)
        self.code_buttons = QWidget()
        self.code_buttons.setLayout(code_buttons)
        self.code_buttons.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel")
        )
        self.buttons.rejected.connect(self.on_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.hint)
        layout.addWidget(self.code)
        layout.addWidget(self.code_buttons)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.url = ""
        self.cancelling = False

    def show_code(self, code: object) -> None:
        """The device code arrived (on the GUI thread): show it with its link."""
        from mail.auth.microsoft import DeviceCode

        if not isinstance(code, DeviceCode):
            return
        self.url = code.url
        minutes = max(1, code.expires_in // 60)
        self.status.setText(
            self.tr(
                "<p>On any device, open <a href='{0}'>{0}</a> and enter this code. "
                "It works for {1} minutes; this window closes by itself once you are signed "
                "in.</p>"
            ).format(code.url, minutes)
        )
        self.status.setOpenExternalLinks(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.code.setText(code.code)
        self.hint.hide()
        self.code.show()
        self.code_buttons.show()
        self.adjustSize()

    def on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.text())
        self.copy.setText(self.tr("Copied ✓"))

    def on_open_page(self) -> None:
        if self.url:
            QDesktopServices.openUrl(QUrl(self.url))

    def on_cancel(self) -> None:
        if self.cancelling:
            return
        self.cancelling = True
        self.status.setText(self.tr("Stopping the sign-in…"))
        self.buttons.setEnabled(False)
        self.cancel_requested.emit()

    def reject(self) -> None:  # Escape and the window's close button cancel too
        self.on_cancel()

    def finish(self) -> None:
        """The sign-in ended (signed in, failed or cancelled): close."""
        super().accept()


class OutlookConnector:
    """A ui.welcome.MailboxConnector for Outlook; its signals are on ``events``."""

    kind = "outlook"

    def __init__(
        self,
        ctx: AppContext,
        *,
        ask_client_id: Callable[[QWidget, str], tuple[str, bool] | None] | None = None,
        make_auth: Callable[[str], MicrosoftAuth] = microsoft_auth,
        report: Callable[[QWidget, str, str], object] = QMessageBox.information,
        timeout: float = 300.0,
        ops: Ops | None = None,
    ) -> None:
        """``ops``: the window's (desktop.app); by default one of its own."""
        self.events = ConnectorEvents()
        self.ctx = ctx
        self.ops = ops or Ops(ctx.tasks, ctx.paths.profile)
        self.ask_client_id = ask_client_id or self._ask
        self.make_auth = make_auth
        self.report = report
        self.timeout = timeout
        self.error = ""
        #: The dialog while a sign-in runs (tests look at it).
        self.dialog: SignInDialog | None = None

    @staticmethod
    def _ask(parent: QWidget, client_id: str) -> tuple[str, bool] | None:
        dialog = ClientIdDialog(client_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value(), dialog.device.isChecked()

    def connect(self, parent: QWidget) -> bool:
        """Run the whole sign-in; True when an account was added."""
        self.error = ""
        asked = self.ask_client_id(parent, self.ctx.settings.outlook_client_id)
        if asked is None:
            return False
        client_id, device = asked
        self._remember(client_id)
        auth = self.make_auth(client_id)
        dialog = SignInDialog(parent)
        if device:
            dialog.status.setText(_tr("Asking Microsoft for a sign-in code…"))
            dialog.hint.hide()
        relay = _CodeRelay(dialog)
        relay.code_received.connect(dialog.show_code)
        dialog.cancel_requested.connect(auth.cancel)
        answered: list[bool] = []

        def finished(_outcome: object) -> None:
            answered.append(True)
            dialog.finish()

        sign_in = partial(auth.sign_in, relay.relay, browser=not device, timeout=self.timeout)
        future = self.ops.network(sign_in, success=finished, failure=finished)
        self.dialog = dialog
        if not answered:
            dialog.exec()
        self.dialog = None
        dialog.deleteLater()
        return self._finish(parent, future)

    def _remember(self, client_id: str) -> None:
        """Keep the client id (not a secret) so the next connection need not ask for it."""
        self.ctx.settings = accounts_setup.remember_outlook_client_id(
            self.ctx.paths.settings, self.ctx.settings, client_id
        )

    def _finish(self, parent: QWidget, future: Future[str]) -> bool:
        from mail.auth import AuthError
        from mail.auth.microsoft import SignInCancelled
        from mail.provider import OfflineError

        title = _tr("Outlook was not connected")
        try:
            address = future.result()
        except SignInCancelled:
            self.error = _tr("Sign-in cancelled.")
            return False
        except (AuthError, OfflineError) as exc:  # each says what happened and what to do
            self.error = str(exc)
            self.report(parent, title, self.error)
            return False
        except Exception as exc:
            log.exception("Outlook sign-in failed")
            self.error = f"{type(exc).__name__}: {exc}"
            self.report(parent, title, self.error)
            return False
        user_name = self.ctx.settings.user_name
        account = self.ops.db_now(
            lambda store: accounts_setup.record_account(
                store, AccountKind.OUTLOOK, address, user_name
            )
        )
        self.events.account_added.emit(account.id)
        return True
