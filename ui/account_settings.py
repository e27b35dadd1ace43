"""Settings and accounts: the Settings and Templates dialogs, the first-run welcome, start at
login, and connecting a mailbox (Gmail, Outlook, any IMAP account)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from desktop import autostart
from desktop import settings as settings_file
from desktop.settings import Settings
from desktop.storage import Store
from mail.provider import Account, AccountKind
from ui.dialogs import hide_empty_rows
from ui.settings_dialog import SettingsDialog
from ui.shell import Shell
from ui.status_badges import StatusBadges
from ui.sync_controller import SyncController
from ui.welcome import MailboxConnector, WelcomeDialog, launch_demo, system_zone

log = logging.getLogger(__name__)


def forget_sign_in(account: Account) -> None:
    """Drop what the account's sign-in kept in the system keyring (a Google grant, the msal
    cache of an Outlook account, an IMAP app password); a keyring that refuses is logged."""
    from keyring.errors import KeyringError

    from mail.auth.tokens import PasswordStore, TokenStore

    tokens = TokenStore()
    try:
        if account.kind is AccountKind.GMAIL:
            tokens.delete_google(account.address)
        elif account.kind is AccountKind.OUTLOOK:
            from mail.auth.microsoft import KeyringCache

            KeyringCache(tokens).delete(account.address)
        elif account.kind is AccountKind.IMAP:
            PasswordStore(tokens).delete(account.address)
    except KeyringError as exc:
        log.warning("the sign-in of a removed account stays in the keyring: %s", exc)


class AccountSettings(QObject):
    """Signals:
    settings_saved(object): new ``Settings`` were written; the window applies them.
    """

    settings_saved = Signal(object)

    def __init__(
        self,
        shell: Shell,
        connectors: Sequence[MailboxConnector],
        badges: StatusBadges,
        sync: SyncController,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.shell = shell
        self.ctx = shell.ctx
        self.connectors = tuple(connectors)
        self.badges = badges
        self.sync = sync

    def show_settings(self) -> bool:
        """File → Settings…; True if the user saved."""
        dialog = SettingsDialog(
            self.ctx.settings,
            self.badges.account_lines(),
            autostart.is_enabled(),
            self.shell.widget(),
            open_templates=self.show_templates,
            account_ids=[a.id for a in self.badges.accounts()],
            add_account=self.add_from_settings,
            remove_account=self.remove_account,
        )
        hide_empty_rows(dialog)
        if not self.shell.exec_dialog(dialog) or dialog.saved is None:
            return False
        self.save_settings(dialog.saved)
        self.set_start_at_login(dialog.start_at_login())
        return True

    def show_templates(self) -> None:
        """File → Templates… (and Settings → Messages): edit the message templates."""
        from ui.templates_dialog import TemplatesDialog  # Jinja2 loads on first use

        # Over Settings when opened from there, so it is not hidden behind it.
        dialog = TemplatesDialog(self.ctx, QApplication.activeModalWidget() or self.shell.widget())
        try:
            self.shell.exec_dialog(dialog)
        finally:
            dialog.deleteLater()

    def save_settings(self, new: Settings) -> None:
        """Write settings.json (atomically) and apply the new settings at once."""
        try:
            settings_file.save(self.ctx.paths.settings, new)
        except OSError as exc:
            log.error("settings could not be saved: %s", exc)
            self.shell.tell(
                self.tr("Settings could not be saved ({0}); they apply until you quit.").format(exc)
            )
        self.settings_saved.emit(new)

    def set_start_at_login(self, on: bool) -> None:
        if on == autostart.is_enabled():
            return
        try:
            if on:
                autostart.enable()
            else:
                autostart.disable()
        except OSError as exc:
            log.warning("start at login could not be changed: %s", exc)
            self.shell.tell(self.tr("Start at login could not be changed: {0}").format(exc))

    def show_welcome(self) -> None:
        """The first-run welcome; asked once, whatever the answer."""
        dialog = WelcomeDialog(
            self.ctx.settings, self.connectors, system_zone(), self.shell.widget()
        )
        dialog.demo_requested.connect(self.on_demo_requested)
        accepted = self.shell.exec_dialog(dialog)
        if accepted and dialog.saved is not None:
            self.save_settings(dialog.saved)
        else:
            self.save_settings(replace(self.ctx.settings, welcome_done=True))

    def on_demo_requested(self) -> None:
        if not launch_demo():
            self.shell.tell(self.tr("The demo could not be started: see the log."))

    # ------------------------------------------------------------------ mailboxes
    def can_connect(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.connectors)

    def connect_gmail(self) -> bool:
        """File → Connect Gmail…: the same sign-in the welcome offers."""
        return self._connect("gmail", self.tr("Gmail sign-in is not available in this window."))

    def connect_outlook(self) -> bool:
        """File → Connect Outlook…: the same sign-in the welcome offers."""
        return self._connect("outlook", self.tr("Outlook sign-in is not available in this window."))

    def connect_mailbox(self) -> bool:
        """File → Connect another mailbox…: any IMAP/SMTP account, as the welcome offers."""
        return self._connect("imap", self.tr("IMAP accounts are not available in this window."))

    def _connect(self, kind: str, unavailable: str) -> bool:
        connector = next((c for c in self.connectors if c.kind == kind), None)
        if connector is None:
            self.shell.tell(unavailable)
            return False
        return connector.connect(self.shell.widget())

    def account_lines(self) -> list[tuple[int, tuple[str, str, str]]]:
        """Each account's id and its (account, status, key) line, as Settings lists them."""
        ids = [a.id for a in self.badges.accounts()]  # account_lines() goes in the same order
        return list(zip(ids, self.badges.account_lines(), strict=True))

    def add_from_settings(self, kind: str) -> list[tuple[int, tuple[str, str, str]]] | None:
        """Settings → Accounts → Add account…: the same sign-in as the File menu's; the
        accounts afterwards (None when the kind cannot be connected here)."""
        if not self.can_connect(kind):
            self.shell.tell(self.tr("This kind of mailbox cannot be connected in this window."))
            return None
        self._connect(kind, "")
        return self.account_lines()

    def remove_account(self, account_id: int) -> bool:
        """Settings → Accounts → Remove… (confirmed there): forget the account on the database
        worker, then its sign-in in the keyring, its provider and its status."""
        account = next((a for a in self.badges.accounts() if a.id == account_id), None)
        if account is None:
            return False
        if self.sync.running:
            self.shell.tell(self.tr("Mail is being checked: remove the account once it is done."))
            return False

        def job(store: Store) -> bool:
            return store.accounts.remove(account_id)

        def done(_removed: bool) -> None:
            forget_sign_in(account)
            self.ctx.providers = tuple(p for p in self.ctx.providers if p.account.id != account_id)
            self.badges.rebuild()
            self.sync.push.stop()  # its IDLE watch goes with it; the others start again
            self.sync.accounts_changed()
            self.shell.tell(self.tr("{0} was removed from Coffeechat.").format(account.address))

        self.shell.ops.db(job, success=done)
        return True

    def on_account_added(self, account_id: int) -> None:
        """A mailbox was connected: build its provider, show its status, sync at once."""
        from desktop import providers

        self.ctx.providers = providers.build(self.ctx.store, self.ctx.paths, self.ctx.clock)
        self.badges.rebuild()
        self.sync.accounts_changed()
        self.shell.tell(self.tr("Mailbox connected: syncing it now."))
        self.sync.sync_now()
