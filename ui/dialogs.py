"""Dialogs: add/edit contact, set meeting, about (the shortcuts sheet: ui.shortcuts)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QSize, Qt, QTime, QUrl
from PySide6.QtGui import QDesktopServices, QFontMetrics, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import resources
from desktop.domain.model import Contact
from desktop.storage import ContactRecord, StorageError

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def parse_emails(text: str) -> tuple[list[str], list[str]]:
    """Addresses separated by commas, semicolons or lines: (valid lower-cased, invalid)."""
    good: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[,;\n]+", text):
        address = part.strip()
        if not address:
            continue
        if _EMAIL.match(address):
            if address.lower() not in good:
                good.append(address.lower())
        else:
            bad.append(address)
    return good, bad


def _tr(text: str) -> str:
    return QCoreApplication.translate("Accessibility", text)


#: Qt's calendar (a date edit's popup) names its parts only by object name.
_CALENDAR_PARTS = {
    "qt_calendar_prevmonth": "Previous month",
    "qt_calendar_nextmonth": "Next month",
    "qt_calendar_monthbutton": "Month",
    "qt_calendar_yearbutton": "Year",
    "qt_calendar_yearedit": "Year",
    "qt_calendar_calendarview": "Days of the month",
}


def lay_out_time_dialog(
    dialog: QDialog, form: QFormLayout, hint: QLabel, start_edit: QDateTimeEdit
) -> None:
    """The shared tail of the small time dialogs: the form, a hint, OK and Cancel with names a
    screen reader can say, and the calendar popup's own controls named too."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    for button in buttons.buttons():
        button.setAccessibleName(button.text().replace("&", ""))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(hint)
    layout.addWidget(buttons)
    start_edit.calendarWidget()  # the popup exists from here on, to be named too
    name_helper_controls(dialog)


def name_helper_controls(root: QWidget) -> None:
    """Name the helper controls Qt builds inside composite widgets, which it leaves unnamed for
    screen readers: the text field of a spin box, date edit or editable combo box (named like
    its owner), a calendar popup's buttons and day grid, table headers and corner buttons, tab
    bar scroll buttons, and the overflow buttons of tool bars and menu bars."""
    for calendar in root.findChildren(QCalendarWidget):
        if not calendar.accessibleName():
            calendar.setAccessibleName(_tr("Calendar"))
        for child in calendar.findChildren(QWidget):
            part = _CALENDAR_PARTS.get(child.objectName())
            if part and not child.accessibleName():
                child.setAccessibleName(_tr(part))
    for edit in root.findChildren(QLineEdit):
        owner = edit.parentWidget()
        if (
            not edit.accessibleName()
            and isinstance(owner, QAbstractSpinBox | QComboBox)
            and owner.accessibleName()
        ):
            edit.setAccessibleName(owner.accessibleName())
    for header in root.findChildren(QHeaderView):
        if not header.accessibleName():
            vertical = header.orientation() == Qt.Orientation.Vertical
            header.setAccessibleName(_tr("Row headers") if vertical else _tr("Column headers"))
    for button in root.findChildren(QAbstractButton):
        if button.accessibleName():
            continue
        owner = button.parentWidget()
        if button.objectName() == "qt_toolbar_ext_button":
            button.setAccessibleName(_tr("More toolbar actions"))
        elif isinstance(owner, QMenuBar):
            button.setAccessibleName(_tr("More menus"))
        elif isinstance(owner, QTableView):
            button.setAccessibleName(_tr("Select all"))
        elif isinstance(owner, QTabBar) and isinstance(button, QToolButton):
            left = button.arrowType() in (Qt.ArrowType.LeftArrow, Qt.ArrowType.UpArrow)
            button.setAccessibleName(_tr("Scroll tabs back") if left else _tr("Scroll tabs on"))
        elif isinstance(owner, QLineEdit):
            button.setAccessibleName(_tr("Clear"))
    for combo in root.findChildren(QComboBox):
        view: QAbstractItemView | None = combo.view()
        if view is not None and not view.accessibleName() and combo.accessibleName():
            view.setAccessibleName(_tr("{0} choices").format(combo.accessibleName()))


def hide_empty_rows(root: QWidget) -> None:
    """A form row whose field was hidden (nothing to show) loses its label too: no "Mailbox
    flags:" standing over nothing."""
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = field.widget() if field is not None else None
            if widget is not None and widget.isHidden():
                form.setRowVisible(row, False)


def zone_combo(name: str, *, optional: bool = False) -> QComboBox:
    """An editable combo of every time zone name, completed as the user types (any part)."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setEditable(True)
    if optional:
        combo.addItem("")
    combo.addItems(sorted(available_timezones()))
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    popup = completer.popup()
    if popup is not None:
        popup.setAccessibleName(_tr("Matching time zones"))
    combo.setCompleter(completer)
    line_edit = combo.lineEdit()
    if line_edit is not None:
        line_edit.setAccessibleName(name)
        line_edit.setPlaceholderText(_tr("e.g. Europe/London"))
    return combo


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return False
    return bool(name)


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName("Error")
    pal = label.palette()
    label.setStyleSheet("color: #c0392b; font-weight: 600")  # readable on light and dark
    label.setPalette(pal)
    label.hide()
    return label


#: Stores a contact off the GUI thread: ``saver(contact, saved, failed)`` calls ``saved`` with
#: the stored contact or ``failed`` with the error, on the GUI thread (ui.ops).
ContactSaver = Callable[
    [Contact, Callable[[Contact], object], Callable[[BaseException], object]], object
]


class ContactDialog(QDialog):
    """Add or edit a contact. ``saver`` stores it; a StorageError is shown inline."""

    def __init__(
        self,
        records: list[ContactRecord],
        saver: ContactSaver,
        contact: Contact | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.saver = saver
        self.original = contact
        self.saved: Contact | None = None
        self.setWindowTitle(self.tr("Edit contact") if contact else self.tr("New contact"))
        fm = QFontMetrics(self.font())

        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Name"))
        self.name.setPlaceholderText(self.tr("Required"))
        self.emails = QPlainTextEdit()
        self.emails.setAccessibleName(self.tr("Email addresses"))
        self.emails.setPlaceholderText(self.tr("One or more, separated by commas or lines"))
        self.emails.setTabChangesFocus(True)
        self.emails.setFixedHeight(fm.lineSpacing() * 3 + fm.height())
        self.company = QLineEdit()
        self.company.setAccessibleName(self.tr("Company"))
        self.role = QLineEdit()
        self.role.setAccessibleName(self.tr("Role"))
        self.timezone = zone_combo(self.tr("Time zone"), optional=True)
        self.source = QLineEdit()
        self.source.setAccessibleName(self.tr("Source"))
        self.source.setPlaceholderText(self.tr("Alumni list, article in …, LinkedIn…"))
        self.referrer = QComboBox()
        self.referrer.setAccessibleName(self.tr("Introduced by"))
        self.referrer.addItem(self.tr("Nobody"), None)
        for record in sorted(records, key=lambda r: r.contact.name.casefold()):
            if contact is None or record.id != contact.id:
                self.referrer.addItem(record.contact.name, record.id)
        self.error = error_label()

        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Email:"), self.emails)
        form.addRow(self.tr("&Company:"), self.company)
        form.addRow(self.tr("&Role:"), self.role)
        form.addRow(self.tr("&Time zone:"), self.timezone)
        form.addRow(self.tr("&Source:"), self.source)
        form.addRow(self.tr("&Introduced by:"), self.referrer)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        #: The user chose Delete (the dialog is rejected; the caller deletes, with Undo).
        self.delete_requested = False
        self.delete_button: QPushButton | None = None
        if contact is not None:
            self.delete_button = QPushButton(self.tr("&Delete contact"))
            self.delete_button.setToolTip(self.tr("Delete, with their history (Undo: Ctrl+Z)"))
            self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
            self.delete_button.clicked.connect(self.on_delete)
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.accepted.connect(self.on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(fm.averageCharWidth() * 60)
        name_helper_controls(self)

        if contact is not None:
            self.name.setText(contact.name)
            self.emails.setPlainText("\n".join(contact.emails))
            self.company.setText(contact.company)
            self.role.setText(contact.role)
            self.timezone.setCurrentText(contact.timezone)
            self.source.setText(contact.source)
            found = self.referrer.findData(contact.referrer_id)
            self.referrer.setCurrentIndex(max(0, found))

    def on_delete(self) -> None:
        self.delete_requested = True
        self.reject()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def contact(self) -> Contact | None:
        """The contact the form describes, or None (with the error shown) if it is not valid."""
        name = self.name.text().strip()
        if not name:
            self.show_error(self.tr("A name is required."))
            self.name.setFocus()
            return None
        emails, bad = parse_emails(self.emails.toPlainText())
        if bad:
            self.show_error(self.tr("Not an email address: {0}").format(", ".join(bad)))
            self.emails.setFocus()
            return None
        zone = self.timezone.currentText().strip()
        if zone:
            try:
                ZoneInfo(zone)
            except (ValueError, KeyError):
                self.show_error(self.tr("Unknown time zone: {0}").format(zone))
                self.timezone.setFocus()
                return None
        base = self.original or Contact(id=None, name=name)
        return replace(
            base,
            name=name,
            emails=tuple(emails),
            company=self.company.text().strip(),
            role=self.role.text().strip(),
            timezone=zone,
            source=self.source.text().strip(),
            referrer_id=self.referrer.currentData(),
        )

    def on_save(self) -> None:
        contact = self.contact()
        if contact is None:
            return
        self.buttons.setEnabled(False)  # until the store has answered
        self.saver(contact, self.on_saved, self.on_save_failed)

    def on_saved(self, contact: Contact) -> None:
        self.buttons.setEnabled(True)
        self.saved = contact
        self.accept()

    def on_save_failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, StorageError):
            log.error("saving the contact failed", exc_info=error)
            self.show_error(f"{type(error).__name__}: {error}")
            return
        self.show_error(str(error))


class MeetingDialog(QDialog):
    """Pick a meeting's start (in the user's time zone) and length."""

    LENGTHS = (15, 20, 30, 45, 60, 90)

    def __init__(
        self, name: str, zone: ZoneInfo, start: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.zone = zone
        self.setWindowTitle(self.tr("Set meeting with {0}").format(name))
        local = start.astimezone(zone)
        self.start_edit = QDateTimeEdit()
        self.start_edit.setAccessibleName(self.tr("Meeting start"))
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.start_edit.setDateTime(
            QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        )
        self.length = QComboBox()
        self.length.setAccessibleName(self.tr("Meeting length"))
        for minutes in self.LENGTHS:
            self.length.addItem(self.tr("{0} minutes").format(minutes), minutes)
        form = QFormLayout()
        form.addRow(self.tr("&Starts:"), self.start_edit)
        form.addRow(self.tr("&Length:"), self.length)
        hint = QLabel(self.tr("Times are in your time zone ({0}).").format(zone.key))
        hint.setEnabled(False)
        lay_out_time_dialog(self, form, hint, self.start_edit)

    def interval(self) -> tuple[datetime, datetime]:
        qdt = self.start_edit.dateTime()
        d: QDate = qdt.date()
        t: QTime = qdt.time()
        start = datetime.combine(
            date(d.year(), d.month(), d.day()), time(t.hour(), t.minute()), tzinfo=self.zone
        )
        return start, start + timedelta(minutes=int(self.length.currentData()))


def app_icon() -> QIcon:
    """Coffeechat's icon, every shipped size (the window, the task bar, the About box)."""
    icon = QIcon()
    for size in resources.ICON_SIZES:
        file = resources.icon_file(size)
        if file.is_file():
            icon.addFile(str(file), QSize(size, size))
    return icon


class AboutDialog(QDialog):
    """The version, where the data and logs are, and how to back them up (in the words of the
    File menu's own Back up now… and Restore from backup…)."""

    def __init__(
        self, version: str, profile: Path, logs: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Coffeechat"))
        self.version = version
        self.profile = profile
        self.logs = logs
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(64, 64), self.devicePixelRatioF()))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        logo.setAccessibleName(self.tr("Coffeechat logo"))
        title = QLabel(
            self.tr("<h2 style='margin-bottom:0'>Coffeechat</h2>Version {0}").format(
                _escape(version)
            )
        )
        title.setAccessibleName(self.tr("Coffeechat version {0}").format(version))
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QLabel(
            self.tr(
                "<p>A local-first assistant for informational interviews, working from your own "
                "mailbox. Your data stays on this computer.</p>"
                "<p><b>Your data:</b> <a href='{0}'>{1}</a><br>"
                "<b>Logs:</b> <a href='{2}'>{3}</a></p>"
                "<p><b>Backing up:</b> File → Back up now… writes a safe copy of your data "
                "while Coffeechat runs; File → Restore from backup… puts one back.</p>"
            ).format(
                QUrl.fromLocalFile(str(profile)).toString(),
                _escape(str(profile)),
                QUrl.fromLocalFile(str(logs)).toString(),
                _escape(str(logs)),
            )
        )
        text.setWordWrap(True)
        text.setAccessibleName(self.tr("About Coffeechat and where your data is"))
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        text.setOpenExternalLinks(False)
        text.linkActivated.connect(self.on_link)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setDefault(True)
        self.copy_button = buttons.addButton(
            self.tr("&Copy details"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setAccessibleName(self.tr("Copy the version and folders"))
        self.copy_button.setToolTip(self.tr("For a bug report: the versions and the folders"))
        self.copy_button.clicked.connect(self.copy_details)
        body = QVBoxLayout()
        body.addWidget(title)
        body.addWidget(text)
        top = QHBoxLayout()
        top.setSpacing(QFontMetrics(self.font()).averageCharWidth() * 2)
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(body, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(QFontMetrics(self.font()).lineSpacing() // 2)
        layout.addWidget(buttons)
        name_helper_controls(self)
        self.setMinimumWidth(QFontMetrics(self.font()).averageCharWidth() * 72)

    def details(self) -> str:
        """Plain text for a bug report (no personal data beyond the folder names)."""
        import platform

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        return "\n".join(
            [
                f"Coffeechat {self.version}",
                f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}",
                f"System: {platform.platform()}",
                f"Data: {self.profile}",
                f"Logs: {self.logs}",
            ]
        )

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
        self.copy_button.setText(self.tr("Copied"))

    def on_link(self, link: str) -> None:
        QDesktopServices.openUrl(QUrl(link))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
