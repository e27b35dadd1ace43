"""The composer's proposed times: the calendars read on the network pool (``ops.network``), then
times proposed, regenerated, swapped or changed by hand through desktop/drafting.py, and shown in
the slots panel."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QListWidgetItem

from desktop import compose, drafting
from desktop.domain.slots import Slot
from ui.composer.part import Part

log = logging.getLogger(__name__)

#: Times proposed in one message.
SLOT_COUNT = drafting.SLOT_COUNT


class Proposing(Part):
    """The proposed times, as a part of the composer dialog."""

    # ================================================================ calendar and slots
    def _start_calendar_read(self) -> None:
        now = self.now()
        self.slots_box.show_reading()
        started = self.run_network(
            compose.read_calendars,
            tuple(self.ctx.providers),
            now,
            now + compose.BUSY_WINDOW,
            success=self.on_calendar_read,
            failure=self.on_calendar_failed,
        )
        if not started:  # the pool is shut down: the app is closing
            self.calendar = compose.CalendarRead((), 0)

    def on_calendar_read(self, calendar: compose.CalendarRead) -> None:
        self.calendar = calendar
        self.propose()
        self.calendar_loaded.emit()

    def on_calendar_failed(self, error: BaseException) -> None:
        log.error("reading the calendars failed", exc_info=error)
        problem = self.tr("the calendar could not be read")
        self.on_calendar_read(compose.CalendarRead((), 0, (problem,)))

    def slot_inputs(self) -> drafting.SlotInputs:
        record = self.record()
        assert record is not None and self.calendar is not None
        return compose.slot_inputs(
            self.ctx.store,
            record,
            self.user,
            self.calendar,
            self.now(),
            self.meeting_kind(),
            SLOT_COUNT,
        )

    def propose(self) -> None:
        """Propose a fresh set of times for the contact, meeting and calendar."""
        if self.calendar is None or self.record() is None or not self.uses_slots():
            self.slots = []
        else:
            proposal = drafting.propose(self.slot_inputs(), self.excluded)
            self.slots, self.excluded = list(proposal.slots), list(proposal.excluded)
        self.show_slots()
        self.message_inputs_changed(now=True)

    def regenerate_slots(self) -> None:
        self.excluded.extend(self.slots)
        self.propose()

    def swap_selected(self) -> None:
        row = self.slots_box.current_row()
        if not 0 <= row < len(self.slots) or self.calendar is None:
            return
        proposal = drafting.swap(self.slot_inputs(), self.slots, row, self.excluded)
        self.excluded = list(proposal.excluded)
        if list(proposal.slots) == self.slots:
            self.status_label.setText(self.tr("No other free time within the next two weeks."))
            return
        new = next(s for s in proposal.slots if s not in self.slots)
        self.slots = list(proposal.slots)
        self.show_slots(select=self.slots.index(new))
        self.message_inputs_changed(now=True)

    def replace_slot(self, row: int, slot: Slot) -> None:
        """Put a time chosen by hand in place of the one at ``row``."""
        self.slots = list(drafting.replace_slot(self.slots, row, slot))
        self.show_slots(select=self.slots.index(slot))
        self.message_inputs_changed(now=True)

    def on_slot_double_clicked(self, item: QListWidgetItem) -> None:
        self.edit_selected()

    def show_slots(self, select: int = -1) -> None:
        self.slots_box.show_slots(self.slots, self.user.timezone, self.contact_tz(), select)
        self.slots_box.setVisible(self.uses_slots())
        self.kind_combo.setEnabled(self.uses_slots())
        self.update_slot_source()
        self.update_slot_buttons()

    def update_slot_source(self) -> None:
        record = self.record()
        name = record.contact.name if record is not None else None
        found_none = not self.slots and self.uses_slots()
        self.slots_box.show_source(self.calendar, name, self.contact_tz(), found_none)

    def update_slot_buttons(self) -> None:
        ready = self.calendar is not None and not self.busy()
        self.slots_box.set_enabled_buttons(
            ready, 0 <= self.slots_box.current_row() < len(self.slots)
        )
