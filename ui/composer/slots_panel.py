"""The proposed times: the list as the user reads them, the buttons that change them, where they
come from; and the small dialog that changes one by hand. Which times are free is decided in
desktop/drafting.py; this panel shows them and reports clicks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.compose import CalendarRead
from desktop.domain.slots import Slot, render_slot
from desktop.drafting import SLOT_COUNT
from ui.dialogs import lay_out_time_dialog


class SlotEditDialog(QDialog):
    """Change one proposed time by hand (in the user's time zone)."""

    def __init__(self, slot: Slot, zone: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.length = slot.length
        self.setWindowTitle(self.tr("Change a proposed time"))
        local = slot.start.astimezone(zone)
        self.start_edit = QDateTimeEdit()
        self.start_edit.setAccessibleName(self.tr("Start of the proposed time"))
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.start_edit.setDateTime(
            QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        )
        form = QFormLayout()
        form.addRow(self.tr("&Starts:"), self.start_edit)
        hint = QLabel(
            self.tr("Your time zone ({0}); it lasts {1} minutes.").format(
                getattr(zone, "key", str(zone)), int(self.length.total_seconds() // 60)
            )
        )
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        lay_out_time_dialog(self, form, hint, self.start_edit)

    def set_start(self, when: datetime) -> None:
        local = when.astimezone(self.zone)
        self.start_edit.setDateTime(
            QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        )

    def slot(self) -> Slot:
        qdt = self.start_edit.dateTime()
        d, t = qdt.date(), qdt.time()
        start = datetime.combine(
            date(d.year(), d.month(), d.day()), time(t.hour(), t.minute()), tzinfo=self.zone
        )
        return Slot(start, start + self.length)


class SlotsPanel(QGroupBox):
    """The "Proposed times" box (the dialog connects to its buttons and list)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Proposed times"))
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        self.slot_list = QListWidget()
        self.slot_list.setAccessibleName(self.tr("Proposed times"))
        self.slot_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.slot_list.setFixedHeight(fm.lineSpacing() * SLOT_COUNT + pad * 3)
        self.regenerate_button = QPushButton(self.tr("&New times"))
        self.regenerate_button.setAccessibleName(self.tr("Propose other times"))
        self.regenerate_button.setToolTip(self.tr("Propose a fresh set of times"))
        self.swap_button = QPushButton(self.tr("S&wap"))
        self.swap_button.setAccessibleName(self.tr("Swap the selected time"))
        self.swap_button.setToolTip(self.tr("Replace the selected time with another free one"))
        self.edit_slot_button = QPushButton(self.tr("&Change…"))
        self.edit_slot_button.setAccessibleName(self.tr("Change the selected time by hand"))
        self.slot_source = QLabel()
        self.slot_source.setWordWrap(True)
        self.slot_source.setAccessibleName(self.tr("Where the times come from"))
        self.slot_source.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        slot_buttons = QHBoxLayout()
        slot_buttons.addWidget(self.regenerate_button)
        slot_buttons.addWidget(self.swap_button)
        slot_buttons.addWidget(self.edit_slot_button)
        slot_buttons.addStretch(1)
        slots_layout = QVBoxLayout(self)
        slots_layout.addWidget(self.slot_list)
        slots_layout.addLayout(slot_buttons)
        slots_layout.addWidget(self.slot_source)

    def show_slots(
        self, slots: Sequence[Slot], user_tz: str, contact_tz: str | None, select: int = -1
    ) -> None:
        """The times as the user reads them (their zone, then the contact's)."""
        self.slot_list.clear()
        for slot in slots:
            text = render_slot(slot, user_tz, contact_tz)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.slot_list.addItem(item)
        if select >= 0:
            self.slot_list.setCurrentRow(select)

    def current_row(self) -> int:
        return self.slot_list.currentRow()

    def set_enabled_buttons(self, ready: bool, selected: bool) -> None:
        self.regenerate_button.setEnabled(ready)
        self.swap_button.setEnabled(ready and selected)
        self.edit_slot_button.setEnabled(ready and selected)

    def show_reading(self) -> None:
        self.slot_source.setText(self.tr("Reading your calendar…"))

    def show_source(
        self,
        calendar: CalendarRead | None,
        contact_name: str | None,
        contact_tz: str | None,
        found_none: bool,
    ) -> None:
        """Where the times come from: the calendar or working hours alone, and whose hours
        (``contact_name`` is None without a contact; ``contact_tz`` None when unknown)."""
        if calendar is None:
            self.show_reading()
            return
        name = contact_name.split()[0] if contact_name else ""
        if calendar.source == "calendar":
            text = self.tr("Free in your calendar, inside your working hours")
        else:
            text = self.tr(
                "No calendar access: these times come from your working hours alone. Check "
                "them against your calendar"
            )
        if contact_name is not None and contact_tz:
            text += self.tr(" and {0}'s ({1})").format(name, contact_tz)
        elif contact_name is not None:
            text += self.tr("; {0}'s time zone is unknown").format(name)
        text += "."
        for problem in calendar.problems:
            text += " " + self.tr("Could not read {0}.").format(problem)
        if found_none:
            text = self.tr("No free time found in the next two weeks: try another meeting.")
        self.slot_source.setText(text)
