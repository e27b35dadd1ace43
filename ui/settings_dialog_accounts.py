"""The Accounts page of Settings: the connected mailboxes (add one, remove one), their mailbox
flags, how often and how far back mail is read, and start at login."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import RANGES, Settings

#: The kinds of mailbox "Add account…" offers, as ui.account_settings connects them.
ADD_KINDS = (
    ("gmail", "&Gmail…"),
    ("outlook", "&Outlook…"),
    ("imap", "Another mailbox (&IMAP)…"),
)

ACCOUNT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _spin(name: str, low: int, high: int, value: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setAccessibleName(name)
    box.setRange(low, high)
    box.setValue(min(high, max(low, value)))
    box.setSuffix(suffix)
    return box


class AccountsPage(QWidget):
    """``accounts``: (account, status, key) lines, each with its id in ``account_ids`` (same
    order; no id: the account cannot be removed here). ``add_account(kind)`` connects a mailbox
    of that kind (see ``ADD_KINDS``) and returns the new lines; ``remove_account(id)`` forgets
    one, once the user has confirmed, and returns whether it was done. ``values()`` gives the
    page's settings back for ``dataclasses.replace``."""

    def __init__(
        self,
        settings: Settings,
        accounts: Sequence[tuple[str, str, str]],
        start_at_login: bool,
        *,
        account_ids: Sequence[int] = (),
        add_account: Callable[[str], Sequence[tuple[int, tuple[str, str, str]]] | None]
        | None = None,
        remove_account: Callable[[int], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = settings
        self._add, self._remove = add_account, remove_account
        self.accounts = QListWidget()
        self.accounts.setAccessibleName(self.tr("Connected accounts"))
        self.add_button = QPushButton(self.tr("A&dd account…"))
        self.add_button.setAccessibleName(self.tr("Add account"))
        self.add_menu = QMenu(self.add_button)
        for kind, label in ADD_KINDS:
            action = self.add_menu.addAction(self.tr(label))
            action.setData(kind)
            action.triggered.connect(lambda _checked=False, k=kind: self.on_add(k))
        self.add_button.setMenu(self.add_menu)
        self.add_button.setEnabled(add_account is not None)
        self.remove_button = QPushButton(self.tr("Re&move…"))
        self.remove_button.setAccessibleName(self.tr("Remove the selected account"))
        self.remove_button.clicked.connect(self.on_remove)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        listing = QWidget()
        listing_box = QVBoxLayout(listing)
        listing_box.setContentsMargins(0, 0, 0, 0)
        listing_box.addWidget(self.accounts)
        listing_box.addLayout(buttons)

        #: account key -> its "flag threads in this mailbox" switch
        self.flag_boxes: dict[str, QCheckBox] = {}
        self.flags = QWidget()
        self.flag_rows = QVBoxLayout(self.flags)
        self.flag_rows.setContentsMargins(0, 0, 0, 0)
        self.flags_hint = QLabel(
            self.tr(
                "A thread that waits for your thank-you or follow-up gets a Coffeechat label "
                "(Gmail) or a flag (Outlook, IMAP), removed once it is done or dismissed. "
                "Flags and labels you set yourself are never touched."
            )
        )
        self.flags_hint.setWordWrap(True)
        self.flag_rows.addWidget(self.flags_hint)
        self.set_accounts(list(zip(account_ids, accounts, strict=False)) or accounts)
        self.accounts.currentRowChanged.connect(lambda _row: self.update_buttons())

        self.sync_minutes = _spin(
            self.tr("Check for new mail every minutes"),
            1,
            1440,
            max(1, round(settings.sync_interval_s / 60)),
            self.tr(" min"),
        )
        self._shown_minutes = self.sync_minutes.value()
        low, high = RANGES["history_months"]
        self.history_months = _spin(
            self.tr("Read past mail, months back"),
            low,
            high,
            settings.history_months,
            self.tr(" months"),
        )
        self.history_months.setToolTip(
            self.tr(
                "When a mailbox is connected, and for each contact added later, Coffeechat "
                "reads this far back for mail with your contacts (Past mail)."
            )
        )
        self.start_login = QCheckBox(self.tr("Start Coffeechat when I log in"))
        self.start_login.setAccessibleName(self.tr("Start at login"))
        self.start_login.setChecked(start_at_login)
        form = QFormLayout(self)
        form.addRow(self.tr("Accounts:"), listing)
        form.addRow(self.tr("Mailbox flags:"), self.flags)
        form.addRow(self.tr("Check for &new mail every:"), self.sync_minutes)
        form.addRow(self.tr("Read &past mail:"), self.history_months)
        form.addRow(self.start_login)

    # ------------------------------------------------------------------ the list
    def set_accounts(self, lines: Sequence[Any]) -> None:
        """Show ``lines``: (id, (account, status, key)) pairs, or bare (account, status, key)
        lines that cannot be removed here. A flag switch keeps its state across a refresh."""
        self.accounts.clear()
        shown: set[str] = set()
        for line in lines:
            account_id, (account, status, key) = line if len(line) == 2 else (None, line)
            item = QListWidgetItem(f"{account}\n{status}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData(ACCOUNT_ID_ROLE, account_id)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.accounts.addItem(item)
            if key:
                shown.add(key)
                if key not in self.flag_boxes:
                    self._add_flag_box(account, key)
        for key in list(self.flag_boxes):
            if key not in shown:
                self.flag_boxes.pop(key).deleteLater()
        if not lines:
            item = QListWidgetItem(
                self.tr(
                    "No mailbox connected yet: Add account… connects Gmail, Outlook or another."
                )
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.accounts.addItem(item)
        self.flags.setVisible(bool(self.flag_boxes))
        self.update_buttons()

    def _add_flag_box(self, account: str, key: str) -> None:
        address = key.partition(":")[2] or account
        box = QCheckBox(self.tr("Flag waiting threads in {0}").format(address))
        box.setAccessibleName(self.tr("Mailbox flags for {0}").format(account))
        box.setToolTip(
            self.tr(
                "A thread waiting for your thank-you or follow-up gets a flag (Outlook, IMAP) or "
                "a Coffeechat label (Gmail) in your mailbox; Coffeechat removes it when the "
                "action is done or dismissed. Flags you set yourself are never touched."
            )
        )
        box.setChecked(key not in self.original.mailbox_flags_off)
        self.flag_boxes[key] = box
        self.flag_rows.insertWidget(self.flag_rows.count() - 1, box)

    def selected_id(self) -> int | None:
        item = self.accounts.currentItem()
        value = item.data(ACCOUNT_ID_ROLE) if item is not None else None
        return int(value) if isinstance(value, int) else None

    def update_buttons(self) -> None:
        self.remove_button.setEnabled(self._remove is not None and self.selected_id() is not None)

    # ------------------------------------------------------------------ add and remove
    def on_add(self, kind: str) -> None:
        if self._add is None:
            return
        lines = self._add(kind)
        if lines is not None:
            self.set_accounts(lines)

    @staticmethod
    def removal_text(account: str) -> str:
        """What removing ``account`` keeps and drops, as the confirmation says it."""
        return (
            f"Remove {account} from Coffeechat?\n\n"
            "Kept: your contacts, their stages and history, your notes, and all of the mail "
            "in the mailbox itself (Coffeechat deletes nothing there).\n\n"
            "Dropped: Coffeechat's copy of this mailbox's messages, the place its sync had "
            "reached, messages still waiting in its outbox, its mailbox-flag setting and its "
            "sign-in kept in your system keyring. Connect it again at any time: its past mail "
            "is then read again."
        )

    def on_remove(self) -> None:
        account_id, item = self.selected_id(), self.accounts.currentItem()
        if self._remove is None or account_id is None or item is None:
            return
        account = item.text().split("\n", 1)[0]
        answer = QMessageBox.question(
            self,
            self.tr("Remove account"),
            self.removal_text(account),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes or not self._remove(account_id):
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        self.accounts.takeItem(self.accounts.row(item))
        if key in self.flag_boxes:
            self.flag_boxes.pop(key).deleteLater()
            self.flags.setVisible(bool(self.flag_boxes))
        self.update_buttons()

    # ------------------------------------------------------------------ the values
    def start_at_login(self) -> bool:
        return self.start_login.isChecked()

    def flags_off(self) -> tuple[str, ...]:
        """Accounts whose mailbox flags are off: those unticked here, and those not shown."""
        off = set(self.original.mailbox_flags_off) - set(self.flag_boxes)
        off |= {key for key, box in self.flag_boxes.items() if not box.isChecked()}
        return tuple(sorted(off))

    def values(self) -> dict[str, Any]:
        minutes = self.sync_minutes.value()
        interval = self.original.sync_interval_s if minutes == self._shown_minutes else minutes * 60
        return {
            "sync_interval_s": interval,
            "mailbox_flags_off": self.flags_off(),
            "history_months": self.history_months.value(),
        }
