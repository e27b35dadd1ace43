"""The Settings dialog: you, working time, reminders, notifications, accounts and startup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, QTime
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import RANGES, Settings, parse_hhmm
from ui.dialogs import error_label, name_helper_controls, valid_zone, zone_combo
from ui.settings_dialog_accounts import AccountsPage
from ui.settings_messages import MessagesPage

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _spin(name: str, low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setAccessibleName(name)
    box.setRange(low, high)
    box.setValue(min(high, max(low, value)))
    if suffix:
        box.setSuffix(suffix)
    return box


def _time_edit(name: str, text: str) -> QTimeEdit:
    edit = QTimeEdit()
    edit.setAccessibleName(name)
    edit.setDisplayFormat("HH:mm")
    try:
        at = parse_hhmm(text)
    except ValueError:
        at = parse_hhmm("00:00")
    edit.setTime(QTime(at.hour, at.minute))
    return edit


def _hhmm(edit: QTimeEdit) -> str:
    t = edit.time()
    return f"{t.hour():02d}:{t.minute():02d}"


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``result_settings()`` is the edited copy once accepted.

    ``accounts`` are (account, status, key) lines, shown read-only, each with its switch for flags
    in the mailbox when it has a key (``desktop.mailflags.account_key``); ``start_at_login`` is
    the current state of the login item (kept by desktop.autostart, not in the settings file).
    """

    def __init__(
        self,
        settings: Settings,
        accounts: Sequence[tuple[str, str, str]] = (),
        start_at_login: bool = False,
        parent: QWidget | None = None,
        *,
        open_templates: Callable[[], object] | None = None,
        account_ids: Sequence[int] = (),
        add_account: Callable[[str], Sequence[tuple[int, tuple[str, str, str]]] | None]
        | None = None,
        remove_account: Callable[[int], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = settings
        self.saved: Settings | None = None
        self.setWindowTitle(self.tr("Settings"))
        fm = QFontMetrics(self.font())
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self.tabs.addTab(self._you_page(settings), self.tr("&You"))
        self.tabs.addTab(self._reminders_page(settings), self.tr("&Reminders"))
        self.accounts_page = AccountsPage(
            settings,
            accounts,
            start_at_login,
            account_ids=account_ids,
            add_account=add_account,
            remove_account=remove_account,
        )
        #: The page's parts, by their old names.
        self.accounts = self.accounts_page.accounts
        self.flag_boxes = self.accounts_page.flag_boxes
        self.sync_minutes = self.accounts_page.sync_minutes
        self.history_months = self.accounts_page.history_months
        self.start_login = self.accounts_page.start_login
        self.tabs.addTab(self.accounts_page, self.tr("&Accounts"))
        self.messages_page = MessagesPage(settings, open_templates)
        self.tabs.addTab(self.messages_page, self.tr("&Messages"))
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.accepted.connect(self.on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(fm.averageCharWidth() * 72)
        name_helper_controls(self)

    # ------------------------------------------------------------------ pages
    def _you_page(self, s: Settings) -> QWidget:
        self.user_name = QLineEdit(s.user_name)
        self.user_name.setAccessibleName(self.tr("Your name"))
        self.user_name.setPlaceholderText(self.tr("As you sign your messages"))
        self.timezone = zone_combo(self.tr("Your time zone"))
        self.timezone.setCurrentText(s.timezone)
        days = QWidget()
        days_row = QHBoxLayout(days)
        days_row.setContentsMargins(0, 0, 0, 0)
        self.day_boxes: list[QCheckBox] = []
        for n, label in enumerate(DAY_NAMES):
            box = QCheckBox(self.tr(label))
            box.setAccessibleName(self.tr("Work on {0}").format(self.tr(label)))
            box.setChecked(n in s.work_days)
            self.day_boxes.append(box)
            days_row.addWidget(box)
        days_row.addStretch(1)
        hours = QWidget()
        hours_row = QHBoxLayout(hours)
        hours_row.setContentsMargins(0, 0, 0, 0)
        self.work_start = _spin(self.tr("Working hours start"), 0, 23, s.work_start_hour, ":00")
        self.work_end = _spin(self.tr("Working hours end"), 1, 24, s.work_end_hour, ":00")
        hours_row.addWidget(self.work_start)
        hours_row.addWidget(QLabel(self.tr("to")))
        hours_row.addWidget(self.work_end)
        hours_row.addStretch(1)

        self.holidays = QListWidget()
        self.holidays.setAccessibleName(self.tr("Holidays"))
        self.holidays.setSortingEnabled(True)
        for text in s.holidays:
            self.holidays.addItem(QListWidgetItem(text))
        self.holidays.setMaximumHeight(QFontMetrics(self.font()).lineSpacing() * 6)
        self.holiday_date = QDateEdit()
        self.holiday_date.setAccessibleName(self.tr("Holiday to add"))
        self.holiday_date.setCalendarPopup(True)
        self.holiday_date.setDisplayFormat("yyyy-MM-dd")
        self.holiday_date.setDate(QDate.currentDate())
        self.add_holiday_button = QPushButton(self.tr("Add"))
        self.add_holiday_button.setAccessibleName(self.tr("Add holiday"))
        self.add_holiday_button.clicked.connect(self.on_add_holiday)
        self.remove_holiday_button = QPushButton(self.tr("Remove"))
        self.remove_holiday_button.setAccessibleName(self.tr("Remove selected holiday"))
        self.remove_holiday_button.clicked.connect(self.on_remove_holiday)
        add_row = QHBoxLayout()
        add_row.addWidget(self.holiday_date)
        add_row.addWidget(self.add_holiday_button)
        add_row.addWidget(self.remove_holiday_button)
        add_row.addStretch(1)
        holidays = QWidget()
        holidays_box = QVBoxLayout(holidays)
        holidays_box.setContentsMargins(0, 0, 0, 0)
        holidays_box.addWidget(self.holidays)
        holidays_box.addLayout(add_row)
        self.holiday_date.calendarWidget()  # the popup exists from here on, to be named too

        page = QWidget()
        form = QFormLayout(page)
        form.addRow(self.tr("&Name:"), self.user_name)
        form.addRow(self.tr("&Time zone:"), self.timezone)
        form.addRow(self.tr("Working days:"), days)
        hours_label = QLabel(self.tr("Working &hours:"))
        hours_label.setBuddy(self.work_start)
        form.addRow(hours_label, hours)
        holidays_label = QLabel(self.tr("Ho&lidays:"))
        holidays_label.setBuddy(self.holidays)
        form.addRow(holidays_label, holidays)
        hint = QLabel(
            self.tr(
                "Proposed meeting times fall inside your working days and hours; follow-ups "
                "are counted in your working days, holidays skipped."
            )
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        form.addRow(hint)
        return page

    def _reminders_page(self, s: Settings) -> QWidget:
        delays = QGroupBox(self.tr("When to remind you"))
        form = QFormLayout(delays)
        self.follow_up_days = _spin(
            self.tr("Follow up after business days"),
            1,
            60,
            s.follow_up_business_days,
            self.tr(" business days"),
        )
        self.max_followups = _spin(self.tr("At most follow-ups"), 0, 10, s.max_followups)
        self.needs_answer_hours = _spin(
            self.tr("Needs your answer after hours"), 1, 720, s.needs_answer_hours, self.tr(" h")
        )
        self.thank_you_hours = _spin(
            self.tr("Thank-you missing after hours"), 1, 336, s.thank_you_hours, self.tr(" h")
        )
        self.check_in_days = _spin(
            self.tr("Check in after days"), 7, 1095, s.check_in_days, self.tr(" days")
        )
        form.addRow(self.tr("&Follow up after:"), self.follow_up_days)
        form.addRow(self.tr("At &most:"), self.max_followups)
        form.addRow(self.tr("&Needs your answer after:"), self.needs_answer_hours)
        form.addRow(self.tr("&Thank-you missing after:"), self.thank_you_hours)
        form.addRow(self.tr("&Check in after:"), self.check_in_days)
        low, high = RANGES["offer_expiry_days"]
        self.offer_expiry_days = _spin(
            self.tr("Release an offered time after days"),
            low,
            high,
            s.offer_expiry_days,
            self.tr(" days"),
        )
        self.offer_expiry_days.setToolTip(
            self.tr(
                "A time you offered in a request is kept free for that person, and not offered "
                "to anyone else, until they take it or this many days have passed."
            )
        )
        form.addRow(self.tr("Release offered &times after:"), self.offer_expiry_days)

        notify = QGroupBox(self.tr("Notifications"))
        nform = QFormLayout(notify)
        self.notifications = QCheckBox(self.tr("Show reminders as notifications"))
        self.notifications.setAccessibleName(self.tr("Show reminders as notifications"))
        self.notifications.setChecked(s.notifications)
        self.quiet = QCheckBox(self.tr("Quiet hours, from"))
        self.quiet.setAccessibleName(self.tr("Quiet hours"))
        self.quiet.setChecked(s.quiet_hours)
        self.quiet_start = _time_edit(self.tr("Quiet hours start"), s.quiet_start)
        self.quiet_end = _time_edit(self.tr("Quiet hours end"), s.quiet_end)
        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet)
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel(self.tr("to")))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        self.digest = QCheckBox(self.tr("One daily digest instead, at"))
        self.digest.setAccessibleName(self.tr("Daily digest"))
        self.digest.setChecked(s.daily_digest)
        self.digest_hour = _spin(self.tr("Daily digest hour"), 0, 23, s.digest_hour, ":00")
        digest_row = QHBoxLayout()
        digest_row.addWidget(self.digest)
        digest_row.addWidget(self.digest_hour)
        digest_row.addStretch(1)
        nform.addRow(self.notifications)
        nform.addRow(quiet_row)
        nform.addRow(digest_row)
        self.notifications.toggled.connect(self.on_toggles)
        self.quiet.toggled.connect(self.on_toggles)
        self.digest.toggled.connect(self.on_toggles)
        self.on_toggles()

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(delays)
        layout.addWidget(notify)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ events
    def on_toggles(self) -> None:
        on = self.notifications.isChecked()
        self.quiet.setEnabled(on)
        self.digest.setEnabled(on)
        self.quiet_start.setEnabled(on and self.quiet.isChecked())
        self.quiet_end.setEnabled(on and self.quiet.isChecked())
        self.digest_hour.setEnabled(on and self.digest.isChecked())

    def on_add_holiday(self) -> None:
        d = self.holiday_date.date()
        text = date(d.year(), d.month(), d.day()).isoformat()
        if text not in self.holiday_texts():
            self.holidays.addItem(QListWidgetItem(text))

    def on_remove_holiday(self) -> None:
        for item in self.holidays.selectedItems():
            self.holidays.takeItem(self.holidays.row(item))

    def holiday_texts(self) -> list[str]:
        return [self.holidays.item(n).text() for n in range(self.holidays.count())]

    def start_at_login(self) -> bool:
        return self.accounts_page.start_at_login()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def edited(self) -> Settings | None:
        """The settings the form describes, or None (with the error shown) if not valid."""
        zone = self.timezone.currentText().strip()
        if not valid_zone(zone):
            self.tabs.setCurrentIndex(0)
            self.show_error(self.tr("Unknown time zone: {0}").format(zone))
            self.timezone.setFocus()
            return None
        days = tuple(n for n, box in enumerate(self.day_boxes) if box.isChecked())
        if not days:
            self.tabs.setCurrentIndex(0)
            self.show_error(self.tr("Pick at least one working day."))
            return None
        if self.work_start.value() >= self.work_end.value():
            self.tabs.setCurrentIndex(0)
            self.show_error(self.tr("Working hours must end after they start."))
            self.work_end.setFocus()
            return None
        return replace(
            self.original,
            user_name=self.user_name.text().strip(),
            timezone=zone,
            work_days=days,
            work_start_hour=self.work_start.value(),
            work_end_hour=self.work_end.value(),
            holidays=tuple(sorted(self.holiday_texts())),
            follow_up_business_days=self.follow_up_days.value(),
            max_followups=self.max_followups.value(),
            needs_answer_hours=self.needs_answer_hours.value(),
            thank_you_hours=self.thank_you_hours.value(),
            check_in_days=self.check_in_days.value(),
            notifications=self.notifications.isChecked(),
            quiet_hours=self.quiet.isChecked(),
            quiet_start=_hhmm(self.quiet_start),
            quiet_end=_hhmm(self.quiet_end),
            daily_digest=self.digest.isChecked(),
            digest_hour=self.digest_hour.value(),
            offer_expiry_days=self.offer_expiry_days.value(),
            **self.accounts_page.values(),
            **self.messages_page.values(),
        )

    def flags_off(self) -> tuple[str, ...]:
        return self.accounts_page.flags_off()

    def on_save(self) -> None:
        edited = self.edited()
        if edited is None:
            return
        self.saved = edited
        self.accept()
