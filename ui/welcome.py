"""The first-run welcome: connect a mailbox or try the demo, and say who you are once."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt, QTimeZone, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import launch
from desktop.settings import Settings
from ui.dialogs import error_label, name_helper_controls, valid_zone, zone_combo

log = logging.getLogger(__name__)

#: The mailbox kinds the welcome offers, in order, with their button texts.
MAILBOXES: tuple[tuple[str, str], ...] = (
    ("gmail", "Connect &Gmail"),
    ("outlook", "Connect &Outlook"),
    ("imap", "Connect another &mailbox"),
)


class MailboxConnector(Protocol):
    """A way to connect one kind of mailbox (the hook for Gmail, Outlook and IMAP sign-in).

    ``kind`` is one of the MAILBOXES kinds; ``connect`` runs the sign-in (it may show its own
    dialogs on ``parent``) and says whether an account was added.
    """

    kind: str

    def connect(self, parent: QWidget) -> bool: ...


def system_zone() -> str:
    """The system's time zone name when Python knows it too, else UTC."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def demo_command() -> list[str]:
    return launch.own_command("demo")


def launch_demo() -> bool:
    """Open the demo in its own process (its own profile); True if it started."""
    try:
        subprocess.Popen(demo_command(), start_new_session=True)
    except OSError as exc:
        log.warning("the demo could not be started: %s", exc)
        return False
    return True


class WelcomeDialog(QDialog):
    """Shown once, on a profile without ``welcome_done``.

    Signals:
        demo_requested(): Try the demo was pressed.
        mailbox_connected(str): a connector added an account of that kind.
    """

    demo_requested = Signal()
    mailbox_connected = Signal(str)

    def __init__(
        self,
        settings: Settings,
        connectors: Sequence[MailboxConnector] = (),
        default_zone: str = "UTC",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = settings
        self.saved: Settings | None = None
        self.connectors = {c.kind: c for c in connectors}
        self.setWindowTitle(self.tr("Welcome to Coffeechat"))
        fm = QFontMetrics(self.font())

        title = QLabel(self.tr("<h2>Welcome to Coffeechat</h2>"))
        title.setAccessibleName(self.tr("Welcome to Coffeechat"))
        intro = QLabel(
            self.tr(
                "Coffeechat helps you ask for informational interviews and follow up on them, "
                "from your own mailbox. It watches for replies, reminds you of follow-ups, "
                "thank-yous and check-ins, and keeps everything on this computer."
            )
        )
        intro.setWordWrap(True)
        intro.setAccessibleName(self.tr("About Coffeechat"))

        # Step 1: a mailbox, or the demo.
        self.mailbox_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (kind, text) in enumerate(MAILBOXES):
            button = QPushButton(self.tr(text))
            plain = self.tr(text).replace("&", "")
            button.setAccessibleName(plain)
            if kind in self.connectors:
                button.setToolTip(self.tr("Sign in and let Coffeechat read your mail"))
                button.clicked.connect(self.on_connect_clicked)
            else:
                button.setEnabled(False)
                button.setToolTip(self.tr("Coming soon"))
                button.setAccessibleDescription(self.tr("Coming soon"))
            button.setProperty("mailbox_kind", kind)
            self.mailbox_buttons[kind] = button
            grid.addWidget(button, n // 2, n % 2)
        self.demo_button = QPushButton(self.tr("Try the &demo"))
        self.demo_button.setAccessibleName(self.tr("Try the demo"))
        self.demo_button.setToolTip(
            self.tr("Opens a separate demo with a simulated mailbox; your own data is untouched")
        )
        self.demo_button.clicked.connect(self.on_demo_clicked)
        grid.addWidget(self.demo_button, 1, 1)
        demo_hint = QLabel(
            self.tr(
                "The demo runs in its own window on a simulated mailbox and a fast clock; "
                "your own contacts and mailbox are not touched."
            )
        )
        demo_hint.setWordWrap(True)
        demo_hint.setEnabled(False)
        demo_hint.setAccessibleName(self.tr("About the demo"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Status"))
        self.status.hide()

        # Step 2: who you are.
        self.user_name = QLineEdit(settings.user_name)
        self.user_name.setAccessibleName(self.tr("Your name"))
        self.user_name.setPlaceholderText(self.tr("As you sign your messages"))
        self.timezone = zone_combo(self.tr("Your time zone"))
        zone = settings.timezone if settings.timezone != "UTC" else default_zone
        self.timezone.setCurrentText(zone)
        self.work_start = QSpinBox()
        self.work_start.setAccessibleName(self.tr("Working hours start"))
        self.work_start.setRange(0, 23)
        self.work_start.setSuffix(":00")
        self.work_start.setValue(settings.work_start_hour)
        self.work_end = QSpinBox()
        self.work_end.setAccessibleName(self.tr("Working hours end"))
        self.work_end.setRange(1, 24)
        self.work_end.setSuffix(":00")
        self.work_end.setValue(settings.work_end_hour)
        hours = QWidget()
        hours_row = QHBoxLayout(hours)
        hours_row.setContentsMargins(0, 0, 0, 0)
        hours_row.addWidget(self.work_start)
        hours_row.addWidget(QLabel(self.tr("to")))
        hours_row.addWidget(self.work_end)
        hours_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Your &name:"), self.user_name)
        form.addRow(self.tr("Your &time zone:"), self.timezone)
        hours_label = QLabel(self.tr("Working &hours:"))
        hours_label.setBuddy(self.work_start)
        form.addRow(hours_label, hours)
        later = QLabel(self.tr("You can change all of this later in Settings (Ctrl+,)."))
        later.setEnabled(False)
        later.setAccessibleName(self.tr("Settings hint"))

        self.error = error_label()
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            self.tr("&Get started"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setAccessibleName(self.tr("Get started"))
        self.start_button.setDefault(True)
        self.buttons.accepted.connect(self.on_accept)
        self.buttons.rejected.connect(self.reject)

        step1 = QLabel(self.tr("<b>1. Your mailbox</b>"))
        step1.setAccessibleName(self.tr("Your mailbox"))
        step2 = QLabel(self.tr("<b>2. About you</b>"))
        step2.setAccessibleName(self.tr("About you"))
        pad = fm.height() // 2
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(pad)
        layout.addWidget(step1)
        layout.addLayout(grid)
        layout.addWidget(demo_hint)
        layout.addWidget(self.status)
        layout.addSpacing(pad)
        layout.addWidget(step2)
        layout.addLayout(form)
        layout.addWidget(later)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(fm.averageCharWidth() * 70)
        name_helper_controls(self)
        self.user_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_demo_clicked(self) -> None:
        self.demo_requested.emit()
        self._say(self.tr("The demo is opening in its own window."))

    def on_connect_clicked(self) -> None:
        button = self.sender()
        kind = str(button.property("mailbox_kind")) if isinstance(button, QPushButton) else ""
        connector = self.connectors.get(kind)
        if connector is None:
            return
        if connector.connect(self):
            self.mailbox_buttons[kind].setText(self.tr("Connected ✓"))
            self.mailbox_buttons[kind].setEnabled(False)
            self.mailbox_connected.emit(kind)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    def edited(self) -> Settings | None:
        zone = self.timezone.currentText().strip()
        if not valid_zone(zone):
            self.error.setText(self.tr("Unknown time zone: {0}").format(zone))
            self.error.show()
            self.timezone.setFocus()
            return None
        if self.work_start.value() >= self.work_end.value():
            self.error.setText(self.tr("Working hours must end after they start."))
            self.error.show()
            self.work_end.setFocus()
            return None
        return replace(
            self.original,
            user_name=self.user_name.text().strip(),
            timezone=zone,
            work_start_hour=self.work_start.value(),
            work_end_hour=self.work_end.value(),
            welcome_done=True,
        )

    def on_accept(self) -> None:
        edited = self.edited()
        if edited is None:
            return
        self.saved = edited
        self.accept()
