"""The status bar's account badges: one label per mailbox, its sync state said in words, with
what to do next in the tooltip, and a problem state drawn as a tinted badge."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel, QStatusBar

from desktop.context import AppContext
from desktop.jobs import SyncState
from desktop.mailflags import account_key
from mail.provider import Account, AccountKind
from ui.board import mix


class StatusBadges(QObject):
    """Owns the account labels of one status bar and each account's last known sync state."""

    def __init__(self, ctx: AppContext, status_bar: QStatusBar, zone: ZoneInfo) -> None:
        super().__init__(status_bar)
        self.ctx = ctx
        self.status_bar = status_bar
        self.zone = zone
        self.labels: dict[int, QLabel] = {}
        self.states: dict[int, tuple[SyncState, str]] = {}
        self.no_account_label = QLabel(self.tr("No mailbox connected"))
        self.build()

    def accounts(self) -> list[Account]:
        seen: dict[int, Account] = {a.id: a for a in self.ctx.store.accounts.all()}
        for provider in self.ctx.providers:
            seen.setdefault(provider.account.id, provider.account)
        return list(seen.values())

    def build(self) -> None:
        self.status_bar.addPermanentWidget(self.no_account_label)
        self.status_bar.setSizeGripEnabled(True)
        for account in self.accounts():
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.labels[account.id] = label
            self.status_bar.addPermanentWidget(label)
            self.states[account.id] = (SyncState.IDLE, "")
        self.no_account_label.setVisible(not self.labels)
        self.update()

    def rebuild(self) -> None:
        """An account was added: a label for each account again."""
        for label in (*self.labels.values(), self.no_account_label):
            self.status_bar.removeWidget(label)
            label.deleteLater()
        self.labels = {}
        self.no_account_label = QLabel(self.tr("No mailbox connected"))
        self.build()

    def set_all(self, state: SyncState, message: str = "") -> None:
        for account_id in self.labels:
            self.states[account_id] = (state, message)

    def set_state(self, account_id: int, state: SyncState, message: str) -> None:
        self.states[account_id] = (state, message)

    def text(self, account: Account, state: SyncState, message: str) -> str:
        name = account.display_name or account.address
        if state is SyncState.SYNCING:
            return self.tr("{0}: syncing…").format(name)
        if state is SyncState.OFFLINE:
            return self.tr("{0}: offline").format(name)
        if state is SyncState.THROTTLED:
            return self.tr("{0}: throttled").format(name)
        if state is SyncState.NEEDS_SIGN_IN:
            return self.tr("{0}: needs sign-in").format(name)
        if state is SyncState.ERROR:
            return self.tr("{0}: error").format(name)
        last = self.ctx.store.accounts.last_sync_at(account.id)
        if last is None:
            return self.tr("{0}: idle · not synced yet").format(name)
        local = last.astimezone(self.zone)
        return self.tr("{0}: idle · last synced {1}").format(name, f"{local:%H:%M}")

    def tip(self, state: SyncState, message: str) -> str:
        """What happened and what to do next, for the label's tooltip."""
        if state is SyncState.OFFLINE:
            step = self.tr("Coffeechat will try again at the next sync.")
        elif state is SyncState.THROTTLED:
            step = self.tr("The mail service asked to slow down; the next sync waits longer.")
        elif state is SyncState.NEEDS_SIGN_IN:
            step = self.tr("Reconnect the account in Settings to resume syncing.")
        elif state is SyncState.ERROR:
            step = self.tr("Details are in the log: {0}").format(self.ctx.paths.log_file)
        else:
            return message
        return f"{message}\n{step}" if message else step

    def badge_style(self, state: SyncState) -> str:
        """A problem state is drawn as a tinted badge, from the palette (light and dark)."""
        if state in (SyncState.IDLE, SyncState.SYNCING):
            return ""
        pal = self.status_bar.palette()
        window = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.WindowText)
        alarm = state in (SyncState.NEEDS_SIGN_IN, SyncState.ERROR)
        tint = QColor(200, 60, 40) if alarm else QColor(200, 140, 20)
        fill = mix(window, tint, 0.22)
        pad = QFontMetrics(self.status_bar.font()).height() // 3
        return (
            f"QLabel {{ background: {fill.name()}; color: {text.name()}; "
            f"border: 1px solid {mix(window, tint, 0.55).name()}; "
            f"border-radius: {pad + 2}px; padding: 0 {pad * 2}px; }}"
        )

    def update(self) -> None:
        accounts = {a.id: a for a in self.accounts()}
        for account_id, label in self.labels.items():
            account = accounts.get(account_id)
            if account is None:
                continue
            state, message = self.states.get(account_id, (SyncState.IDLE, ""))
            label.setText(self.text(account, state, message))
            label.setStyleSheet(self.badge_style(state))
            tip = self.tip(state, message)
            label.setToolTip(tip)
            label.setAccessibleName(label.text())
            label.setAccessibleDescription(tip)

    def account_lines(self) -> list[tuple[str, str, str]]:
        """(account, status, key) for each connected account, as the status bar says them; the
        key names the account's mailbox-flags switch (none for the demo mailbox)."""
        lines = []
        for account in self.accounts():
            state, message = self.states.get(account.id, (SyncState.IDLE, ""))
            name = account.display_name or account.address
            title = f"{name} <{account.address}>" if account.display_name else name
            status = self.text(account, state, message)
            key = "" if account.kind is AccountKind.DEMO else account_key(account)
            lines.append((title, status.split(": ", 1)[-1], key))
        return lines
