"""What every part of the composer dialog may use of the dialog: its context, state, panels and
choices. The parts (proposing.py, writing.py, sending.py, warnings.py) are mixed into
``ComposerDialog`` after ``QDialog``; this base only tells the type checker what they share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer, SignalInstance
    from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QWidget

    from desktop import compose, drafting
    from desktop.context import AppContext
    from desktop.domain.coaching import Finding
    from desktop.domain.slots import MeetingKind, Party, Slot
    from desktop.storage import ContactRecord, Store
    from desktop.templates import MessageTemplate, TemplateKind
    from mail.provider import MailProvider
    from ui.composer.fields_panel import AttachmentsPanel, FieldsPanel
    from ui.composer.footer import Footer
    from ui.composer.header import HeaderPanel
    from ui.composer.message_panel import CoachingPanel, MessagePanel
    from ui.composer.slots_panel import SlotsPanel
    from ui.ops import Ops

T = TypeVar("T")


class Part:
    """The dialog as its parts see it (declarations only)."""

    if TYPE_CHECKING:
        calendar_loaded: SignalInstance
        coaching_updated: SignalInstance
        draft_saved: SignalInstance
        message_sent: SignalInstance

        ctx: AppContext
        ops: Ops
        daily_cap: int
        records: dict[int, ContactRecord]
        user: Party
        zone: Any
        calendar: compose.CalendarRead | None
        slots: list[Slot]
        excluded: list[Slot]
        draft: drafting.Draft | None
        fields: dict[str, object]
        error: str
        recipient_error: str
        findings: list[Finding]
        hand_edited: bool
        typed: bool
        conversation: compose.Thread | None
        written: list[int]
        done_note: str
        refresh_timer: QTimer
        _operation: str
        _outbox_key: str
        _op_contact: int

        header: HeaderPanel
        slots_box: SlotsPanel
        fields_box: FieldsPanel
        attach_box: AttachmentsPanel
        message_panel: MessagePanel
        coaching_box: CoachingPanel
        footer: Footer
        away_label: QLabel
        field_error: QLabel
        cap_label: QLabel
        status_label: QLabel
        to_label: QLabel
        edited_row: QWidget
        contact_combo: QComboBox
        template_combo: QComboBox
        kind_combo: QComboBox
        draft_button: QPushButton
        send_button: QPushButton
        attach_button: QPushButton
        next_check: QCheckBox
        subject_edit: QWidget
        body_edit: QWidget

        def tr(self, text: str) -> str: ...
        def accept(self) -> None: ...
        def record(self) -> ContactRecord | None: ...
        def template(self) -> MessageTemplate | None: ...
        def template_kind(self) -> TemplateKind: ...
        def language(self) -> str: ...
        def meeting_kind(self) -> MeetingKind: ...
        def provider(self) -> MailProvider | None: ...
        def now(self) -> datetime: ...
        def uses_slots(self) -> bool: ...
        def busy(self) -> bool: ...
        def contact_tz(self) -> str | None: ...
        @property
        def attachments(self) -> list[str]: ...
        def exec_dialog(self, dialog: Any) -> bool: ...
        def ask(self, title: str, text: str, yes: str, no: str) -> bool: ...
        def open_url(self, url: Any) -> bool: ...
        def finding_codes(self) -> list[str]: ...
        def edit_selected(self) -> None: ...
        def field_values(self) -> dict[str, object]: ...
        def _known_fields(self) -> dict[str, object]: ...
        def message_inputs_changed(self, *, now: bool = False) -> None: ...
        def on_refresh_timer(self) -> None: ...
        def run_db(
            self,
            fn: Callable[[Store], T],
            *,
            success: Callable[[T], object],
            failure: Callable[[BaseException], object],
        ) -> bool: ...
        def run_network(
            self,
            fn: Callable[..., T],
            *args: Any,
            success: Callable[[T], object],
            failure: Callable[[BaseException], object],
        ) -> bool: ...
        # Across the parts.
        def update_buttons(self) -> None: ...
        def update_slot_buttons(self) -> None: ...
        def has_message(self) -> bool: ...
        def send_blocked_reason(self) -> str: ...
        def cap_reached(self) -> bool: ...
