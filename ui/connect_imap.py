"""Connecting any IMAP/SMTP mailbox from the window: a preset fills in the servers from the
address, the user gives an app password, and the connection is tested off the GUI thread (the
network pool) before anything is saved. Each failure is said in the dialog, next to the field to
fix; the password goes to the keyring only. The steps (test, keep the password, record the
account with its servers) are desktop.accounts_setup's; here are the dialog and its checks."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import accounts_setup
from desktop.context import AppContext
from mail.imap import (
    PRESETS,
    ConnectionReport,
    ImapSettings,
    Preset,
    Security,
    SetupProblem,
    check_connection,
    preset_for,
)
from mail.provider import AccountKind, ProviderError
from ui.connect_gmail import ConnectorEvents
from ui.dialogs import error_label
from ui.ops import Ops

log = logging.getLogger(__name__)

AUTOMATIC = "automatic"
OTHER = "other"
_SECURITY_TEXT = {
    Security.TLS: "TLS",
    Security.STARTTLS: "STARTTLS",
    Security.PLAIN: "None (this computer only)",
}
_DEFAULT_PORTS = {"imap": accounts_setup.IMAP_PORTS, "smtp": accounts_setup.SMTP_PORTS}

Checker = Callable[[ImapSettings, str], ConnectionReport]


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImapAccountDialog", text)


class ImapAccountDialog(QDialog):
    """The Add-account dialog for an IMAP/SMTP mailbox.

    After ``accept`` the tested ``settings``, ``password`` and ``report`` are set; the caller
    stores them. The test runs on the network pool (ui.ops); its answer comes back to
    ``on_tested`` or ``on_test_failed``."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        checker: Checker = check_connection,
        ops: Ops | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops or Ops(ctx.tasks, ctx.paths.profile, self)
        self.checker = checker
        self.settings: ImapSettings | None = None
        self.password = ""
        self.report: ConnectionReport | None = None
        self.busy = False
        self._pending: tuple[ImapSettings, str] | None = None
        self.setWindowTitle(_tr("Connect another mailbox"))

        intro = QLabel(
            _tr(
                "Any mailbox with IMAP and SMTP: Fastmail, iCloud, Yahoo, Proton Mail Bridge, "
                "your university or your own server. Most providers want an <b>app password</b> "
                "here rather than the password you use on the web."
            )
        )
        intro.setWordWrap(True)
        intro.setAccessibleName(_tr("About IMAP accounts"))

        self.address = QLineEdit()
        self.address.setAccessibleName(_tr("E-mail address"))
        self.address.setPlaceholderText(_tr("you@example.com"))
        self.address.textEdited.connect(self.on_address_edited)
        self.provider = QComboBox()
        self.provider.setAccessibleName(_tr("Mail provider"))
        self.provider.addItem(_tr("Found from the address"), AUTOMATIC)
        for preset in PRESETS:
            self.provider.addItem(preset.name, preset.name)
        self.provider.addItem(_tr("Other (type the servers)"), OTHER)
        self.provider.currentIndexChanged.connect(self.on_provider_changed)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(_tr("App password"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.note.setAccessibleName(_tr("Provider note"))
        self.note.hide()

        self.host = QLineEdit()
        self.host.setAccessibleName(_tr("IMAP server"))
        self.host.setPlaceholderText("imap.example.com")
        self.host.setMinimumWidth(self.fontMetrics().averageCharWidth() * 26)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.port.setAccessibleName(_tr("IMAP port"))
        self.security = self._security_combo(_tr("IMAP encryption"), "imap")
        self.smtp_host = QLineEdit()
        self.smtp_host.setAccessibleName(_tr("SMTP server"))
        self.smtp_host.setPlaceholderText(_tr("the same as the IMAP server"))
        self.smtp_host.setMinimumWidth(self.fontMetrics().averageCharWidth() * 26)
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_port.setValue(465)
        self.smtp_port.setAccessibleName(_tr("SMTP port"))
        self.smtp_security = self._security_combo(_tr("SMTP encryption"), "smtp")
        self.username = QLineEdit()
        self.username.setAccessibleName(_tr("User name"))
        self.username.setPlaceholderText(_tr("the same as the address"))
        self.ca_file = QLineEdit()
        self.ca_file.setAccessibleName(_tr("Trusted certificate"))
        self.ca_file.setPlaceholderText(_tr("only for a server with its own certificate"))
        browse = QPushButton(_tr("Choose…"))
        browse.setAccessibleName(_tr("Choose a certificate file"))
        browse.clicked.connect(self.on_browse)
        self.sent_folder = QLineEdit()
        self.sent_folder.setAccessibleName(_tr("Sent folder"))
        self.sent_folder.setPlaceholderText(_tr("found automatically"))

        def row(*widgets: QWidget) -> QWidget:
            holder = QWidget()
            line = QHBoxLayout(holder)
            line.setContentsMargins(0, 0, 0, 0)
            for n, widget in enumerate(widgets):
                line.addWidget(widget, 1 if n == 0 else 0)
            return holder

        top = QFormLayout()
        top.addRow(_tr("&E-mail address:"), self.address)
        top.addRow(_tr("&Provider:"), self.provider)
        top.addRow(_tr("App pass&word:"), self.password_edit)
        top.addRow("", self.note)
        self.servers = QGroupBox(_tr("Servers"))
        form = QFormLayout(self.servers)
        form.addRow(_tr("&IMAP server:"), row(self.host, QLabel(_tr("port")), self.port,
                                               self.security))  # fmt: skip
        form.addRow(_tr("&SMTP server:"), row(self.smtp_host, QLabel(_tr("port")), self.smtp_port,
                                               self.smtp_security))  # fmt: skip
        form.addRow(_tr("&User name:"), self.username)
        form.addRow(_tr("Sent &folder:"), self.sent_folder)
        form.addRow(_tr("&Certificate:"), row(self.ca_file, browse))

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2)
        self.progress.setAccessibleName(_tr("Testing the connection"))
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_tr("Status"))
        self.status.hide()
        self.error = error_label()
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.test_button = self.buttons.addButton(
            _tr("&Test and connect"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.test_button.setAccessibleName(_tr("Test and connect"))
        self.test_button.setDefault(True)
        self.buttons.accepted.connect(self.on_test)
        self.buttons.rejected.connect(self.reject)

        digits = self.fontMetrics().horizontalAdvance("000000") + self.fontMetrics().height() * 2
        for spin in (self.port, self.smtp_port):
            spin.setMinimumWidth(digits)
        layout = QVBoxLayout(self)
        # Never smaller than what it shows: a message or a provider note grows the dialog.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.servers)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 84)
        self.address.setFocus(Qt.FocusReason.OtherFocusReason)

    def _security_combo(self, name: str, service: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for security in Security:
            combo.addItem(_SECURITY_TEXT[security], security.value)
        combo.setProperty("service", service)
        combo.currentIndexChanged.connect(self.on_security_changed)
        return combo

    # ---------------------------------------------------------------- presets
    def current_preset(self) -> Preset | None:
        choice = self.provider.currentData()
        if choice == AUTOMATIC:
            return preset_for(self.address.text())
        return next((p for p in PRESETS if p.name == choice), None)

    def on_address_edited(self, _text: str) -> None:
        if self.provider.currentData() == AUTOMATIC:
            self.apply_preset(self.current_preset())

    def on_provider_changed(self, _index: int) -> None:
        self.apply_preset(self.current_preset())

    def apply_preset(self, preset: Preset | None) -> None:
        if preset is None:
            self.note.hide()
            return
        self.host.setText(preset.host)
        self.port.setValue(preset.port)
        self._set_security(self.security, preset.security)
        self.smtp_host.setText(preset.smtp_host)
        self.smtp_port.setValue(preset.smtp_port)
        self._set_security(self.smtp_security, preset.smtp_security)
        self.note.setText(f"{preset.name}: {preset.note}" if preset.note else preset.name)
        self.note.show()

    @staticmethod
    def _set_security(combo: QComboBox, security: Security) -> None:
        combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(security.value))
        combo.blockSignals(False)

    def on_security_changed(self, _index: int) -> None:
        """Changing the encryption moves a port that was the usual one to the new usual one."""
        combo = self.sender()
        if not isinstance(combo, QComboBox):
            return
        service = str(combo.property("service"))
        spin = self.port if service == "imap" else self.smtp_port
        usual = _DEFAULT_PORTS[service]
        if spin.value() in usual.values():
            spin.setValue(usual[Security(combo.currentData()).value])

    def on_browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, _tr("The server's certificate"), "", _tr("Certificates (*.pem *.crt *.cer)")
        )
        if name:
            self.ca_file.setText(name)

    # ---------------------------------------------------------------- testing
    def edited(self) -> tuple[ImapSettings, str] | None:
        address = self.address.text().strip()
        if address.count("@") != 1 or " " in address:
            self._invalid(self.address, _tr("Type your e-mail address."))
            return None
        host = self.host.text().strip()
        if not host:
            self._invalid(
                self.host, _tr("Type the IMAP server, or choose your provider from the list.")
            )
            return None
        password = self.password_edit.text()
        if not password:
            self._invalid(self.password_edit, _tr("Type the app password."))
            return None
        settings = ImapSettings(
            host=host,
            username=self.username.text().strip() or address,
            port=self.port.value(),
            security=Security(self.security.currentData()),
            smtp_host=self.smtp_host.text().strip(),
            smtp_port=self.smtp_port.value(),
            smtp_security=Security(self.smtp_security.currentData()),
            ca_file=self.ca_file.text().strip(),
            sent_folder=self.sent_folder.text().strip(),
        )
        return settings, password

    def _invalid(self, widget: QWidget, text: str) -> None:
        self.show_error(text)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.status.hide()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.address, self.provider, self.password_edit, self.servers):
            widget.setEnabled(not busy)
        self.test_button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def on_test(self) -> None:
        if self.busy:
            return
        edited = self.edited()
        if edited is None:
            return
        settings, password = edited
        self.error.hide()
        self.status.setText(
            _tr("Testing {0} and {1}…").format(
                f"{settings.host}:{settings.port}",
                f"{settings.outgoing_host}:{settings.smtp_port}",
            )
        )
        self.status.show()
        self._set_busy(True)
        self._pending = (settings, password)
        self.ops.network(
            accounts_setup.check_imap,
            settings,
            password,
            self.checker,
            success=self.on_tested,
            failure=self.on_test_failed,
        )

    def on_test_failed(self, exc: BaseException) -> None:
        """On the GUI thread: the connection test failed; the dialog says why."""
        self._set_busy(False)
        self._pending = None
        if isinstance(exc, ProviderError):
            self.show_error(str(exc))
            self._focus_for(exc)
            return
        log.error("the IMAP connection test failed unexpectedly", exc_info=exc)
        self.show_error(f"{type(exc).__name__}: {exc}")

    def on_tested(self, report: ConnectionReport) -> None:
        """On the GUI thread: the connection test's answer."""
        self._set_busy(False)
        pending, self._pending = self._pending, None
        assert pending is not None
        self.settings, self.password = pending
        self.report = report
        self.status.setText(_tr("Connected."))
        self.accept()

    def _focus_for(self, exc: ProviderError) -> None:
        problem = getattr(exc, "problem", None)
        smtp = getattr(exc, "where", "IMAP") == "SMTP"
        target: QWidget = self.host
        if problem is SetupProblem.LOGIN:
            target = self.password_edit
        elif problem in (SetupProblem.REFUSED, SetupProblem.WRONG_SERVICE, SetupProblem.TIMEOUT):
            target = self.smtp_port if smtp else self.port
        elif problem in (SetupProblem.NOT_TLS, SetupProblem.NO_STARTTLS, SetupProblem.INSECURE):
            target = self.smtp_security if smtp else self.security
        elif problem is SetupProblem.TLS:
            target = self.ca_file
        elif problem is SetupProblem.FOLDER:
            target = self.sent_folder
        elif smtp:
            target = self.smtp_host
        target.setFocus(Qt.FocusReason.OtherFocusReason)


class ImapConnector:
    """A ui.welcome.MailboxConnector for any IMAP/SMTP mailbox. Signals are on ``events``."""

    kind = "imap"

    def __init__(
        self,
        ctx: AppContext,
        *,
        checker: Checker = check_connection,
        exec_dialog: Callable[[ImapAccountDialog], bool] | None = None,
        ops: Ops | None = None,
    ) -> None:
        """``ops``: the window's (desktop.app); by default one of its own."""
        self.ctx = ctx
        self.ops = ops or Ops(ctx.tasks, ctx.paths.profile)
        self.events = ConnectorEvents()
        self.checker = checker
        self.exec_dialog = exec_dialog or (
            lambda dialog: dialog.exec() == QDialog.DialogCode.Accepted
        )
        self.error = ""

    def connect(self, parent: QWidget, domain: str = "") -> bool:
        """Show the dialog; on a tested connection keep the password in the keyring and add the
        account with its settings. True when an account was added. ``domain``: start with that
        provider's preset (``gmail.com`` from the Gmail guide's app-password route)."""
        from mail.auth import AuthError

        self.error = ""
        dialog = ImapAccountDialog(self.ctx, parent, checker=self.checker, ops=self.ops)
        preset = preset_for(f"x@{domain}") if domain else None
        if preset is not None:
            dialog.provider.setCurrentIndex(dialog.provider.findData(preset.name))
        while True:
            if not self.exec_dialog(dialog):
                return False
            assert dialog.settings is not None and dialog.report is not None
            address = dialog.address.text().strip().lower()
            try:
                accounts_setup.save_imap_password(address, dialog.password)
            except AuthError as exc:  # no keyring: say so in the dialog, keep what was typed
                self.error = str(exc)
                dialog.show_error(self.error)
                continue
            break
        user_name, settings = self.ctx.settings.user_name, dialog.settings
        account = self.ops.db_now(
            lambda store: accounts_setup.record_account(
                store, AccountKind.IMAP, address, user_name, settings
            )
        )
        log.info("IMAP account connected (IDLE: %s)", dialog.report.idle)
        self.events.account_added.emit(account.id)
        return True
