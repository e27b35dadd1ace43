"""The ask composer: one message to one contact, with real proposed times and live coaching.

Everything that talks to a mailbox runs off the GUI thread through the window's ``Ops``
(ui/ops.py): the calendar's busy blocks and the mail tips on the network pool (``ops.network``);
*Save as draft* (``compose.draft_job``) and *Send now* (``compose.send_job``, through the outbox)
on the sync worker with its own store (``ops.db``), which makes the database writes of both. The
answers come back to the dialog's success and failure callbacks on the GUI thread. What the
message says and whether it may be sent is the pure pipeline of desktop/drafting.py, shared with
``coffeechat draft``; this dialog lays out its panels, collects what the user chooses and shows
the pipeline's answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QFontMetrics, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import compose, drafting, outbox, templates
from desktop.context import AppContext
from desktop.domain.coaching import Finding
from desktop.domain.due import ActionKind
from desktop.domain.slots import MeetingKind, Slot
from desktop.storage import ContactRecord, Store
from desktop.templates import MessageTemplate, TemplateKind
from mail.provider import MailProvider
from ui.composer.common import TITLES, note_label
from ui.composer.fields_panel import AttachmentsPanel, FieldsPanel
from ui.composer.footer import Footer
from ui.composer.header import HeaderPanel
from ui.composer.message_panel import CoachingPanel, MessagePanel
from ui.composer.proposing import Proposing
from ui.composer.sending import Sending
from ui.composer.slots_panel import SlotEditDialog, SlotsPanel
from ui.composer.warnings import AwayCap
from ui.composer.writing import Writing
from ui.dialogs import name_helper_controls
from ui.ops import Ops

log = logging.getLogger(__name__)

#: Coaching (and the message, after a field changes) is recomputed this long after the last
#: keystroke.
DEBOUNCE_MS = 250

T = TypeVar("T")


class ComposerDialog(QDialog, Proposing, Writing, Sending, AwayCap):
    """Write a request (or a follow-up, thank-you, check-in…) to one contact.

    The shell: it builds the panels, keeps the state and runs the parts' operations through the
    window's ``ops`` (``run_db``, ``run_network``); the times, the message and the sending are
    its parts (proposing.py, writing.py, sending.py, warnings.py).

    Signals:
        calendar_loaded(): the accounts' busy blocks arrived and times were proposed.
        coaching_updated(): the findings were recomputed (after the debounce).
        draft_saved(int): a draft for this contact was created in the mailbox.
        message_sent(int): the message to this contact was sent (or waits in the outbox).
    """

    calendar_loaded = Signal()
    coaching_updated = Signal()
    draft_saved = Signal(int)
    message_sent = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        records: Sequence[ContactRecord],
        contact_id: int | None = None,
        *,
        ops: Ops,
        action: ActionKind | None = None,
        template: str | None = None,
        daily_cap: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        #: Requests a day at most: the user's setting unless given.
        self.daily_cap = ctx.settings.daily_request_cap if daily_cap is None else daily_cap
        self.records: dict[int, ContactRecord] = {r.id: r for r in records}
        self.user = compose.user_party(ctx.settings)
        self.zone = self.user.zone
        every = templates.available(ctx.paths.profile / "templates")
        #: A reply (confirm, answer...) lists the reply templates; anything else, the others.
        self.replying = template in every and every[template].kind in templates.REPLY_KINDS
        self.templates: dict[str, MessageTemplate] = {
            n: t for n, t in every.items() if (t.kind in templates.REPLY_KINDS) == self.replying
        }
        self.calendar: compose.CalendarRead | None = None
        self.slots: list[Slot] = []
        #: Times the user swapped away or regenerated past: not proposed again.
        self.excluded: list[Slot] = []
        self.draft: drafting.Draft | None = None
        self.fields: dict[str, object] = {}
        self.error = ""
        self.recipient_error = ""
        self.findings: list[Finding] = []
        self.hand_edited = False
        #: The user typed something (a detail or the message) not saved or sent yet.
        self.typed = False
        self._operation = ""  # "draft" or "send" while one is in flight
        #: Operations started by this dialog and not answered yet (``release`` waits for them).
        self._in_flight = 0
        self._release_when_idle = False
        self._initial_action = action
        self.conversation: compose.Thread | None = None
        #: Contacts written to in this dialog (saved or sent), with "then the next target".
        self.written: list[int] = []
        #: What was done before the current message ("Sent to Erin Park. Now writing to…").
        self.done_note = ""
        self._outbox_key = outbox.new_key()
        self.init_warnings()

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(DEBOUNCE_MS)
        self.refresh_timer.timeout.connect(self.on_refresh_timer)
        self._rerender_due = False

        self.setWindowTitle(self.tr("Write a request"))
        self.setObjectName("composer")
        self._build()
        self.header.fill_contacts(list(self.records.values()), contact_id)
        self._select_template(template)
        self.update_title()
        self._start_calendar_read()
        self._contact_changed()
        name_helper_controls(self)

    # ================================================================ building
    def _build(self) -> None:
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        char = fm.averageCharWidth()
        self.header = HeaderPanel(
            self.ctx.providers, self.templates, self.ctx.settings.message_language
        )
        self.slots_box = SlotsPanel()
        self.fields_box = FieldsPanel()
        self.attach_box = AttachmentsPanel()
        self.message_panel = MessagePanel()
        self.coaching_box = CoachingPanel()
        self.footer = Footer()
        self.away_label = note_label(self, "away", (214, 150, 20))
        self.cap_label = note_label(self, "cap", (200, 60, 40))
        # The panels' controls, by the names the dialog has always offered (tests, scripts).
        h, s, m, f = self.header, self.slots_box, self.message_panel, self.footer
        self.contact_combo, self.account_combo = h.contact_combo, h.account_combo
        self.template_combo, self.kind_combo = h.template_combo, h.kind_combo
        self.language_combo = h.language_combo
        self.slot_list, self.slot_source = s.slot_list, s.slot_source
        self.regenerate_button, self.swap_button = s.regenerate_button, s.swap_button
        self.edit_slot_button = s.edit_slot_button
        self.field_error = self.fields_box.field_error
        self.attach_list = self.attach_box.attach_list
        self.attach_button = self.attach_box.attach_button
        self.to_label, self.subject_edit, self.body_edit = m.to_label, m.subject_edit, m.body_edit
        self.thread_label, self.edited_row = m.thread_label, m.edited_row
        self.rewrite_button = m.rewrite_button
        self.coaching_label = self.coaching_box.coaching_label
        self.status_label, self.buttons, self.next_check = f.status_label, f.buttons, f.next_check
        self.draft_button, self.send_button = f.draft_button, f.send_button
        self.cancel_button = f.cancel_button

        h.contact_combo.currentIndexChanged.connect(self.on_contact_changed)
        h.account_combo.currentIndexChanged.connect(self.on_account_changed)
        h.template_combo.currentIndexChanged.connect(self.on_template_changed)
        h.kind_combo.currentIndexChanged.connect(self.on_kind_changed)
        h.language_combo.currentIndexChanged.connect(self.on_language_changed)
        s.slot_list.itemSelectionChanged.connect(self.update_slot_buttons)
        s.slot_list.itemDoubleClicked.connect(self.on_slot_double_clicked)
        s.regenerate_button.clicked.connect(self.regenerate_slots)
        s.swap_button.clicked.connect(self.swap_selected)
        s.edit_slot_button.clicked.connect(self.edit_selected)
        self.fields_box.edited.connect(self.on_field_edited)
        self.attach_box.changed.connect(self.update_coaching)
        m.edited.connect(self.on_message_edited)
        m.rewrite_button.clicked.connect(self.rewrite_from_template)
        f.draft_button.clicked.connect(self.save_draft)
        f.send_button.clicked.connect(self.send_now)
        f.copy_button.clicked.connect(self.copy_message)
        f.mailto_button.clicked.connect(self.open_in_mail_app)
        f.cancel_button.clicked.connect(self.cancel)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, pad, 0)
        left_layout.setSpacing(pad)
        for widget in (h, self.away_label, s, self.fields_box, self.field_error, self.attach_box):
            left_layout.addWidget(widget)
        left_layout.addStretch(1)
        self.left_scroll = QScrollArea()
        self.left_scroll.setAccessibleName(self.tr("Message settings"))
        self.left_scroll.setWidget(left)
        self.left_scroll.setWidgetResizable(True)
        self.left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        m.column.addWidget(self.coaching_box)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("composer-splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.left_scroll)
        self.splitter.addWidget(m)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)

        # Layouts get their parent before their widgets: a widget put in a layout that has no
        # parent yet stays owned by Python, and Qt would delete it behind Python's back.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad * 2)
        layout.setSpacing(pad)
        layout.addWidget(self.cap_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(f)
        # Wide enough for the settings column without a horizontal scroll, and for a message
        # line of about 90 characters; never larger than the screen.
        scroll_bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        left_width = max(char * 58, left.minimumSizeHint().width() + scroll_bar + pad)
        self.left_scroll.setMinimumWidth(left_width)
        width, height = left_width + char * 100 + pad * 6, fm.lineSpacing() * 52
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry()
            width = min(width, round(free.width() * 0.92))
            height = min(height, round(free.height() * 0.92))
        self.resize(width, height)
        self.splitter.setSizes([left_width, width - left_width])
        # Enter saves a draft, never sends: only the draft button is ever the default.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(button is self.draft_button)

    def _select_template(self, name: str | None) -> None:
        record = self.record()
        if name is None and record is not None:
            source = self.ctx.store.workspace.source(record.id)
            name = compose.default_template(
                record,
                self.header.template_names(),
                self._initial_action,
                source.kind if source else None,
            )
        self.header.select_template(name)

    # ================================================================ state
    def record(self) -> ContactRecord | None:
        contact_id = self.header.contact_id()
        return self.records.get(contact_id) if contact_id is not None else None

    def template(self) -> MessageTemplate | None:
        return self.templates.get(self.header.template_name())

    def language(self) -> str:
        """The message's language (weekday and month names of the proposed times)."""
        return self.header.language()

    def meeting_kind(self) -> MeetingKind:
        return self.header.meeting_kind()

    def provider(self) -> MailProvider | None:
        account_id = self.header.account_id()
        for provider in self.ctx.providers:
            if provider.account.id == account_id:
                return provider
        return None

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def template_kind(self) -> TemplateKind:
        tpl = self.template()
        return tpl.kind if tpl is not None else TemplateKind.OTHER

    def uses_slots(self) -> bool:
        return self.template() is not None and self.template_kind() in drafting.SLOT_KINDS

    def is_request(self) -> bool:
        return self.template() is not None and self.template_kind() is TemplateKind.REQUEST

    def busy(self) -> bool:
        """True while a draft is being saved or the message sent."""
        return bool(self._operation)

    def finding_codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def attachments(self) -> list[str]:
        return self.attach_box.paths

    def contact_tz(self) -> str | None:
        record = self.record()
        return drafting.zone_or_none(record.contact.timezone) if record is not None else None

    def edit_selected(self) -> None:
        row = self.slots_box.current_row()
        if not 0 <= row < len(self.slots):
            return
        dialog = SlotEditDialog(self.slots[row], self.zone, self)
        if not self.exec_dialog(dialog):
            return
        self.replace_slot(row, dialog.slot())

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a small dialog modally (tests replace this to answer it)."""
        return bool(dialog.exec())

    def open_url(self, url: QUrl) -> bool:
        """Hand a link to the desktop (tests replace this)."""
        return QDesktopServices.openUrl(url)

    def ask(self, title: str, text: str, yes: str, no: str) -> bool:
        """A yes-or-no question (tests replace this to answer it). True for ``yes``."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)
        box.exec()
        return box.clickedButton() is yes_button

    # ================================================================ inputs
    def on_contact_changed(self, *_: object) -> None:
        self._initial_action = None
        self._select_template(None)
        self._contact_changed()

    def _contact_changed(self) -> None:
        self.excluded = []
        self.hand_edited = False
        self._rebuild_fields()
        self.update_away()
        self._start_mail_tips()
        self.update_cap()
        self.propose()

    def update_title(self) -> None:
        """The title says what is being written: a request, a follow-up, a reply..."""
        kind = self.template_kind()
        self.setWindowTitle(self.tr(TITLES.get(kind, "Write a message")))

    def on_template_changed(self, *_: object) -> None:
        self.update_title()
        self.hand_edited = False
        self._rebuild_fields()
        self.update_cap()
        self.propose()

    def on_language_changed(self, *_: object) -> None:
        self.message_inputs_changed(now=True)

    def on_account_changed(self, *_: object) -> None:
        self.update_away()
        self._start_mail_tips()

    def on_kind_changed(self, *_: object) -> None:
        self.excluded = []
        self.propose()

    def _known_fields(self) -> dict[str, object]:
        record = self.record()
        if record is None:
            return {}
        return compose.contact_fields(self.ctx.store, record, self.ctx.settings, {})

    def _rebuild_fields(self) -> None:
        """One input per detail the template asks for, filled with what is known already."""
        tpl = self.template()
        if tpl is None:
            self.fields_box.clear()
            self.fields_box.hide()
            return
        known = self._known_fields()
        try:
            wanted = drafting.fields_to_ask(tpl, known)
        except templates.TemplateError as exc:
            self.fields_box.clear()
            self.error = str(exc)
            self.fields_box.hide()
            return
        required = drafting.required_fields(tpl, known, wanted)
        self.fields_box.rebuild(wanted, required, known)

    def field_values(self) -> dict[str, object]:
        return self.fields_box.values()

    def set_field(self, field: str, value: str) -> None:
        """Fill a detail as the user would (tests and scripts)."""
        self.fields_box.set_value(field, value)

    def on_field_edited(self, *_: object) -> None:
        self.typed = True
        self.message_inputs_changed()

    def message_inputs_changed(self, *, now: bool = False) -> None:
        """Fields, slots or template changed: write the message again (soon, or now)."""
        self._rerender_due = True
        if now:
            self.refresh_timer.stop()
            self.on_refresh_timer()
        else:
            self.refresh_timer.start()

    def on_message_edited(self, *_: object) -> None:
        self.hand_edited = True
        self.typed = True
        self.edited_row.show()
        self.refresh_timer.start()

    def rewrite_from_template(self) -> None:
        self.hand_edited = False
        self.edited_row.hide()
        self.message_inputs_changed(now=True)

    def on_refresh_timer(self) -> None:
        if self._rerender_due:
            self._rerender_due = False
            self.render_message()
        self.update_coaching()

    # ================================================================ operations
    def run_db(
        self,
        fn: Callable[[Store], T],
        *,
        success: Callable[[T], object],
        failure: Callable[[BaseException], object],
    ) -> bool:
        """``ops.db``: ``fn(store)`` on the sync worker with its store; the answer comes back to
        ``success`` or ``failure`` on the GUI thread. False if the app is shutting down."""
        self._in_flight += 1
        try:
            self.ops.db(fn, success=self._answer(success), failure=self._answer(failure))
        except RuntimeError:  # the workers are shut down: the app is closing
            self._in_flight -= 1
            return False
        return True

    def run_network(
        self,
        fn: Callable[..., T],
        *args: Any,
        success: Callable[[T], object],
        failure: Callable[[BaseException], object],
    ) -> bool:
        """``ops.network``: ``fn(*args)`` on the network pool, answered as ``run_db`` is."""
        self._in_flight += 1
        try:
            self.ops.network(
                fn, *args, success=self._answer(success), failure=self._answer(failure)
            )
        except RuntimeError:  # the pool is shut down: the app is closing
            self._in_flight -= 1
            return False
        return True

    def _answer(self, handler: Callable[[Any], object]) -> Callable[[Any], None]:
        """``handler``, counting the answer: once released, the dialog is deleted after the
        last one (a worker never answers a deleted dialog)."""

        def answer(value: Any) -> None:
            self._in_flight -= 1
            try:
                handler(value)
            finally:
                if self._release_when_idle and not self._in_flight:
                    self.deleteLater()

        return answer

    # ================================================================ closing
    def reject(self) -> None:
        if self.busy():  # the message is on its way: wait for the answer
            return
        if self.written:  # stopping after some were written: those count
            self.accept()
            return
        super().reject()

    def may_discard(self) -> bool:
        """The user is closing: true unless they typed something and want to keep it."""
        return not self.typed or self.ask(
            self.tr("Discard this message?"),
            self.tr("What you typed for this message is not saved or sent yet."),
            self.tr("&Discard"),
            self.tr("&Keep writing"),
        )

    def cancel(self) -> None:
        """The Cancel button: close, after asking if something typed would be lost."""
        if not self.busy() and self.may_discard():
            self.reject()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.draft_button.setDefault(True)  # showing hands the default to the focused button

    def closeEvent(self, event: QCloseEvent) -> None:
        # The title bar's close button (a spontaneous event) asks as Escape and Cancel do; a
        # close by the program (the window shutting down) does not.
        if self.busy() or (event.spontaneous() and not self.may_discard()):
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and (self.busy() or not self.may_discard()):
            return
        super().keyPressEvent(event)

    def release(self) -> None:
        """The caller is done with the dialog: delete it once no worker can still answer it."""
        if self._in_flight:
            self._release_when_idle = True
        else:
            self.deleteLater()
