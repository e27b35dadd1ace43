"""The ask composer: one message to one contact, with real proposed times and live coaching.

Everything that talks to a mailbox runs on a worker (``ctx.tasks``): the calendar's busy blocks
on the network pool, *Save as draft* (``create_draft``) on the network pool, *Send now* through
the outbox on the sync worker, which owns the database writes of sending. Results come back
through a ``FutureBridge``. What the dialog computes itself (fields, slots, the message, the
coaching) is the Qt-free code of desktop/compose.py, shared with ``coffeechat draft``.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFontMetrics,
    QKeyEvent,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import compose, outbox, templates
from desktop.context import AppContext
from desktop.domain.coaching import Finding, Severity, blocking
from desktop.domain.due import ActionKind
from desktop.domain.model import Stage
from desktop.domain.slots import (
    LANGUAGE_NAMES,
    LANGUAGES,
    MeetingKind,
    Slot,
    SlotRules,
    candidates,
    propose_slots,
    render_slot,
)
from desktop.storage import ContactRecord
from desktop.templates import MessageTemplate, RenderedMessage, TemplateKind
from mail.mime import html_to_text
from mail.provider import MailProvider, OutgoingMessage, ProviderError
from ui.board import mix
from ui.bridge import FutureBridge
from ui.dialogs import lay_out_time_dialog, name_helper_controls

log = logging.getLogger(__name__)

#: Coaching (and the message, after a field changes) is recomputed this long after the last
#: keystroke.
DEBOUNCE_MS = 250
SLOT_COUNT = 3
#: How much of an automatic reply (from mail tips) the away warning quotes.
TIP_CHARS = 160

TEMPLATE_LABELS = {
    "request_referral": "Request — someone referred you",
    "request_article": "Request — an article about them",
    "request_affiliation": "Request — a shared school or association",
    "request_cold": "Request — no introduction",
    "follow_up": "Follow-up",
    "close_the_loop": "Close the loop",
    "thank_you": "Thank-you",
    "check_in": "Check-in",
    "referrer_update": "Update the referrer",
}
_KIND_ORDER = (
    TemplateKind.REQUEST,
    TemplateKind.FOLLOW_UP,
    TemplateKind.CLOSE_THE_LOOP,
    TemplateKind.THANK_YOU,
    TemplateKind.CHECK_IN,
    TemplateKind.REFERRER_UPDATE,
    TemplateKind.OTHER,
)
#: What each field is called in the form, and an example of what goes in it.
_FIELD_TEXTS: dict[str, tuple[str, str]] = {
    "referrer_name": ("Referred by", "Who suggested you write"),
    "article_title": ("Article title", "The title of the piece you read"),
    "article_source": ("Published in", "e.g. Wired, the company blog"),
    "affiliation": ("Shared affiliation", "e.g. the Lakeside University alumni network"),
    "reason": ("Why them", "e.g. your talk on data teams at PyData"),
    "background": ("About you", "One or two sentences about where you are now"),
    "objective": ("What you are exploring", "e.g. a move into data science"),
    "company": ("Company", ""),
    "role": ("Role", ""),
    "original_subject": ("Original subject", "The subject of your request"),
    "loose_ends": ("Loose ends", "One per line: names or documents they mentioned"),
    "news": ("Your news", "What has happened since you spoke"),
    "learned": ("What you learned", "e.g. how their team hires juniors"),
    "meeting_day": ("Meeting day", "e.g. Tuesday"),
    "last_topic": ("Last topic", "What you talked about"),
    "user_name": ("Your name", "Set it once in Settings"),
    "name": ("Their name", ""),
    "first_name": ("Their first name", ""),
}
_MULTILINE = templates.MULTILINE_FIELDS | {"loose_ends"}
_LIST_FIELDS = frozenset({"loose_ends"})
#: Computed from other inputs (the times, the meeting, a name), never typed.
_NEVER_ASKED = frozenset(
    {
        "slots",
        "meeting",
        "meeting_kind",
        "length_minutes",
        "thread_id",
        "first_name",
        "referrer_first_name",
    }
)


def _label(field: str) -> str:
    return _FIELD_TEXTS.get(field, (field.replace("_", " ").capitalize(), ""))[0]


def _tint(widget: QWidget, rgb: tuple[int, int, int], share: float) -> str:
    """A colour between the window background and ``rgb``: readable in light and dark."""
    pal = widget.palette()
    return mix(pal.color(QPalette.ColorRole.Window), QColor(*rgb), share).name()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Relay:
    """The done-callback given to a worker's future: it holds the dialog's bridge weakly.

    A future outlives the dialog on the worker's side; a strong reference from it would let the
    bridge's Python wrapper be released on a worker thread after Qt deleted the object. The
    dialog is deleted only once no future is pending (``release``), so the bridge is alive
    whenever a future completes.
    """

    def __init__(self, bridge: FutureBridge) -> None:
        self._bridge = weakref.ref(bridge)

    def __call__(self, future: Future[Any]) -> None:
        bridge = self._bridge()
        if bridge is not None:
            bridge.deliver(future)


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


class ComposerDialog(QDialog):
    """Write a request (or a follow-up, thank-you, check-in…) to one contact.

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
        action: ActionKind | None = None,
        template: str | None = None,
        daily_cap: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: Requests a day at most: the user's setting unless given.
        self.daily_cap = ctx.settings.daily_request_cap if daily_cap is None else daily_cap
        self.records: dict[int, ContactRecord] = {r.id: r for r in records}
        self.user = compose.user_party(ctx.settings)
        self.zone = self.user.zone
        self.templates: dict[str, MessageTemplate] = templates.available(
            ctx.paths.profile / "templates"
        )
        self.calendar: compose.CalendarRead | None = None
        self.slots: list[Slot] = []
        #: Times the user swapped away or regenerated past: not proposed again.
        self.excluded: list[Slot] = []
        self.rendered: RenderedMessage | None = None
        self.fields: dict[str, object] = {}
        self.error = ""
        self.recipient_error = ""
        self.findings: list[Finding] = []
        self.attachments: list[str] = []
        self.hand_edited = False
        self._writing = False
        self._operation = ""  # "draft" or "send" while one is in flight
        self._pending: set[Future[Any]] = set()
        self._release_when_idle = False
        self._field_inputs: dict[str, QLineEdit | QPlainTextEdit] = {}
        self._required: set[str] = set()
        self._initial_action = action
        self._calendar_future: Future[Any] | None = None
        self._sent_today = 0
        self.conversation: compose.Thread | None = None
        #: Automatic replies from the account's mail tips: (account id, address) -> text.
        self.mail_tips: dict[tuple[int, str], str] = {}
        self._tips_futures: dict[Future[Any], tuple[int, str]] = {}
        #: Contacts written to in this dialog (saved or sent), with "then the next target".
        self.written: list[int] = []
        #: What was done before the current message ("Sent to Erin Park. Now writing to…").
        self.done_note = ""

        self.bridge = FutureBridge(self)
        self.bridge.finished.connect(self.on_future_finished)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(DEBOUNCE_MS)
        self.refresh_timer.timeout.connect(self.on_refresh_timer)
        self._rerender_due = False

        self.setWindowTitle(self.tr("Write a request"))
        self.setObjectName("composer")
        self._build()
        self._fill_contacts(contact_id)
        self._select_template(template)
        self._start_calendar_read()
        self._contact_changed()
        name_helper_controls(self)

    # ================================================================ building
    def _build(self) -> None:
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        char = fm.averageCharWidth()

        # --- left: who, what, when, fields
        self.contact_combo = QComboBox()
        self.contact_combo.setAccessibleName(self.tr("Contact"))
        self.contact_combo.setMinimumContentsLength(28)
        self.contact_combo.currentIndexChanged.connect(self.on_contact_changed)
        self.account_combo = QComboBox()
        self.account_combo.setAccessibleName(self.tr("Send from"))
        for provider in self.ctx.providers:
            account = provider.account
            text = (
                f"{account.display_name} <{account.address}>"
                if account.display_name
                else account.address
            )
            self.account_combo.addItem(text, account.id)
        if not self.ctx.providers:
            self.account_combo.addItem(self.tr("No mailbox connected"), None)
        self.account_combo.setEnabled(len(self.ctx.providers) > 1)
        self.account_combo.currentIndexChanged.connect(self.on_account_changed)
        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName(self.tr("Template"))
        for kind in _KIND_ORDER:
            for name, tpl in sorted(self.templates.items()):
                if tpl.kind is kind:
                    label = self.tr(TEMPLATE_LABELS.get(name, name))
                    if not tpl.builtin:
                        label = self.tr("{0} (yours)").format(label)
                    self.template_combo.addItem(label, name)
        self.template_combo.currentIndexChanged.connect(self.on_template_changed)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(self.tr("Meeting"))
        for meeting, text in (
            (MeetingKind.CALL, self.tr("Phone call — 15 minutes")),
            (MeetingKind.COFFEE, self.tr("Coffee — 30 minutes")),
            (MeetingKind.LUNCH, self.tr("Lunch — 60 minutes")),
        ):
            self.kind_combo.addItem(text, meeting.value)
        self.kind_combo.currentIndexChanged.connect(self.on_kind_changed)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName(self.tr("Language of the dates"))
        self.language_combo.setToolTip(
            self.tr("Weekday and month names in the proposed times follow this language")
        )
        for code in LANGUAGES:
            self.language_combo.addItem(LANGUAGE_NAMES[code], code)
        self.language_combo.setCurrentIndex(
            max(self.language_combo.findData(self.ctx.settings.message_language), 0)
        )
        self.language_combo.currentIndexChanged.connect(self.on_language_changed)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&To:"), self.contact_combo)
        form.addRow(self.tr("&From:"), self.account_combo)
        form.addRow(self.tr("T&emplate:"), self.template_combo)
        form.addRow(self.tr("&Meeting:"), self.kind_combo)
        form.addRow(self.tr("&Dates in:"), self.language_combo)
        self.away_label = self._note_label("away", (214, 150, 20))
        self.cap_label = self._note_label("cap", (200, 60, 40))

        # Proposed times.
        self.slots_box = QGroupBox(self.tr("Proposed times"))
        self.slot_list = QListWidget()
        self.slot_list.setAccessibleName(self.tr("Proposed times"))
        self.slot_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.slot_list.setFixedHeight(fm.lineSpacing() * SLOT_COUNT + pad * 3)
        self.slot_list.itemSelectionChanged.connect(self.update_slot_buttons)
        self.slot_list.itemDoubleClicked.connect(self.on_slot_double_clicked)
        self.regenerate_button = QPushButton(self.tr("&New times"))
        self.regenerate_button.setAccessibleName(self.tr("Propose other times"))
        self.regenerate_button.setToolTip(self.tr("Propose a fresh set of times"))
        self.regenerate_button.clicked.connect(self.regenerate_slots)
        self.swap_button = QPushButton(self.tr("S&wap"))
        self.swap_button.setAccessibleName(self.tr("Swap the selected time"))
        self.swap_button.setToolTip(self.tr("Replace the selected time with another free one"))
        self.swap_button.clicked.connect(self.swap_selected)
        self.edit_slot_button = QPushButton(self.tr("&Change…"))
        self.edit_slot_button.setAccessibleName(self.tr("Change the selected time by hand"))
        self.edit_slot_button.clicked.connect(self.edit_selected)
        self.slot_source = QLabel()
        self.slot_source.setWordWrap(True)
        self.slot_source.setAccessibleName(self.tr("Where the times come from"))
        self.slot_source.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        slot_buttons = QHBoxLayout()
        slot_buttons.addWidget(self.regenerate_button)
        slot_buttons.addWidget(self.swap_button)
        slot_buttons.addWidget(self.edit_slot_button)
        slot_buttons.addStretch(1)
        slots_layout = QVBoxLayout(self.slots_box)
        slots_layout.addWidget(self.slot_list)
        slots_layout.addLayout(slot_buttons)
        slots_layout.addWidget(self.slot_source)

        # Template fields.
        self.fields_box = QGroupBox(self.tr("Details for this template"))
        self.fields_form = QFormLayout(self.fields_box)
        self.fields_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.field_error = QLabel()
        self.field_error.setWordWrap(True)
        self.field_error.setAccessibleName(self.tr("Missing detail"))
        self.field_error.setTextFormat(Qt.TextFormat.PlainText)
        self.field_error.setStyleSheet(f"color: {_tint(self, (200, 40, 30), 0.85)};")
        self.field_error.hide()

        # Attachments (only ever coaching input: a request carries none).
        self.attach_box = QGroupBox(self.tr("Attachments"))
        self.attach_list = QListWidget()
        self.attach_list.setAccessibleName(self.tr("Attachments"))
        self.attach_list.setFixedHeight(fm.lineSpacing() * 2 + pad * 2)
        self.attach_button = QPushButton(self.tr("&Attach…"))
        self.attach_button.setAccessibleName(self.tr("Attach a file"))
        self.attach_button.clicked.connect(self.choose_attachment)
        self.remove_attach_button = QPushButton(self.tr("&Remove"))
        self.remove_attach_button.setAccessibleName(self.tr("Remove the selected attachment"))
        self.remove_attach_button.clicked.connect(self.remove_selected_attachment)
        self.attach_hint = QLabel(self.tr("None. A request goes best without: never a résumé."))
        self.attach_hint.setWordWrap(True)
        self.attach_hint.setAccessibleName(self.tr("About attachments"))
        self.attach_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.attach_list.hide()
        self.remove_attach_button.hide()
        attach_buttons = QHBoxLayout()
        attach_buttons.addWidget(self.attach_button)
        attach_buttons.addWidget(self.remove_attach_button)
        attach_buttons.addStretch(1)
        attach_layout = QVBoxLayout(self.attach_box)
        attach_layout.addWidget(self.attach_hint)
        attach_layout.addWidget(self.attach_list)
        attach_layout.addLayout(attach_buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, pad, 0)
        left_layout.setSpacing(pad)
        left_layout.addLayout(form)
        left_layout.addWidget(self.away_label)
        left_layout.addWidget(self.slots_box)
        left_layout.addWidget(self.fields_box)
        left_layout.addWidget(self.field_error)
        left_layout.addWidget(self.attach_box)
        left_layout.addStretch(1)
        self.left_scroll = QScrollArea()
        self.left_scroll.setAccessibleName(self.tr("Message settings"))
        self.left_scroll.setWidget(left)
        self.left_scroll.setWidgetResizable(True)
        self.left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # --- right: the message as sent, and the coaching
        self.to_label = QLabel()
        self.to_label.setTextFormat(Qt.TextFormat.PlainText)
        self.to_label.setAccessibleName(self.tr("Recipient"))
        self.to_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject_edit = QLineEdit()
        self.subject_edit.setAccessibleName(self.tr("Subject"))
        self.subject_edit.textEdited.connect(self.on_message_edited)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setAccessibleName(self.tr("Message"))
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.textChanged.connect(self.on_body_changed)
        self.body_edit.setMinimumHeight(fm.lineSpacing() * 12)
        self.thread_label = QLabel()
        self.thread_label.setWordWrap(True)
        self.thread_label.setAccessibleName(self.tr("Conversation"))
        self.thread_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.edited_label = QLabel(
            self.tr("You edited the message: new times and details are not written into it.")
        )
        self.edited_label.setWordWrap(True)
        self.edited_label.setAccessibleName(self.tr("Edited by hand"))
        self.rewrite_button = QPushButton(self.tr("Re&write from template"))
        self.rewrite_button.setAccessibleName(self.tr("Rewrite the message from the template"))
        self.rewrite_button.clicked.connect(self.rewrite_from_template)
        edited_row = QWidget()
        self.edited_row = edited_row
        edited_layout = QHBoxLayout(edited_row)
        edited_layout.setContentsMargins(0, 0, 0, 0)
        edited_layout.addWidget(self.edited_label, 1)
        edited_layout.addWidget(self.rewrite_button)
        edited_row.hide()

        preview = QWidget()
        preview_layout = QVBoxLayout(preview)
        preview_layout.setContentsMargins(pad, 0, 0, 0)
        preview_layout.setSpacing(pad)
        caption = QLabel(self.tr("The message, exactly as it will be sent"))
        bold = caption.font()
        bold.setBold(True)
        caption.setFont(bold)
        preview_layout.addWidget(caption)
        header = QGridLayout()
        preview_layout.addLayout(header)  # parented before it is filled
        header.setHorizontalSpacing(pad)
        to_caption = QLabel(self.tr("To:"))
        subject_caption = QLabel(self.tr("&Subject:"))
        subject_caption.setBuddy(self.subject_edit)
        header.addWidget(to_caption, 0, 0)
        header.addWidget(self.to_label, 0, 1)
        header.addWidget(subject_caption, 1, 0)
        header.addWidget(self.subject_edit, 1, 1)
        header.setColumnStretch(1, 1)

        preview_layout.addWidget(self.thread_label)
        preview_layout.addWidget(self.body_edit, 3)
        preview_layout.addWidget(edited_row)

        self.coaching_box = QGroupBox(self.tr("Coaching"))
        self.coaching_label = QLabel()
        self.coaching_label.setWordWrap(True)
        self.coaching_label.setTextFormat(Qt.TextFormat.RichText)
        self.coaching_label.setAccessibleName(self.tr("Coaching"))
        self.coaching_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for three findings before the message gives up any height.
        self.coaching_label.setMinimumHeight(QFontMetrics(self.font()).lineSpacing() * 5)
        self.coaching_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        coaching_layout = QVBoxLayout(self.coaching_box)
        coaching_layout.addWidget(self.coaching_label)
        preview_layout.addWidget(self.coaching_box)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("composer-splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.left_scroll)
        self.splitter.addWidget(preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)

        # --- bottom: why sending is off, progress, the buttons
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Status"))
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        # The buttons are made here, not by the box: a button the box creates is a C++ object
        # whose Python wrapper may outlive it.
        self.buttons = QDialogButtonBox()
        self.draft_button = QPushButton(self.tr("Save as &draft in my mailbox"))
        self.draft_button.setAccessibleName(self.tr("Save as draft in my mailbox"))
        self.draft_button.setDefault(True)
        self.draft_button.clicked.connect(self.save_draft)
        self.send_button = QPushButton(self.tr("Send &now"))
        self.send_button.setAccessibleName(self.tr("Send now"))
        self.send_button.clicked.connect(self.send_now)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.next_check = QCheckBox(self.tr("Then write to the ne&xt target"))
        self.next_check.setAccessibleName(self.tr("Then write to the next target"))
        self.next_check.setToolTip(
            self.tr(
                "After this message is saved or sent, stay open for the next contact not yet "
                "asked: one person, one message at a time"
            )
        )
        self.buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.clicked.connect(self.reject)

        # Layouts get their parent before their widgets: a widget put in a layout that has no
        # parent yet stays owned by Python, and Qt would delete it behind Python's back.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad * 2)
        layout.setSpacing(pad)
        layout.addWidget(self.cap_label)
        layout.addWidget(self.splitter, 1)
        bottom = QHBoxLayout()
        layout.addLayout(bottom)
        bottom.setSpacing(pad * 2)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.next_check)
        bottom.addWidget(self.buttons)
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

    def _note_label(self, name: str, rgb: tuple[int, int, int]) -> QLabel:
        """A tinted line for a warning (away, send cap), from the palette in light and dark."""
        fm = QFontMetrics(self.font())
        pad = fm.height() // 3
        label = QLabel()
        label.setObjectName(f"composer-{name}")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleName(self.tr("Warning"))
        text = self.palette().color(QPalette.ColorRole.WindowText).name()
        label.setStyleSheet(
            f"QLabel#composer-{name} {{ background: {_tint(self, rgb, 0.18)}; color: {text}; "
            f"border: 1px solid {_tint(self, rgb, 0.5)}; border-radius: {pad}px; "
            f"padding: {pad}px {pad * 2}px; }}"
        )
        label.hide()
        return label

    def _fill_contacts(self, contact_id: int | None) -> None:
        ordered = sorted(self.records.values(), key=lambda r: r.contact.name.casefold())
        self.contact_combo.blockSignals(True)
        for record in ordered:
            text = record.contact.name
            if record.contact.company:
                text += f" — {record.contact.company}"
            self.contact_combo.addItem(text, record.id)
        found = self.contact_combo.findData(contact_id) if contact_id is not None else -1
        self.contact_combo.setCurrentIndex(max(found, 0))
        self.contact_combo.blockSignals(False)

    def _select_template(self, name: str | None) -> None:
        record = self.record()
        if name is None and record is not None:
            names = [
                str(self.template_combo.itemData(i)) for i in range(self.template_combo.count())
            ]
            source = self.ctx.store.workspace.source(record.id)
            name = compose.default_template(
                record, names, self._initial_action, source.kind if source else None
            )
        index = self.template_combo.findData(name)
        self.template_combo.blockSignals(True)
        self.template_combo.setCurrentIndex(max(index, 0))
        self.template_combo.blockSignals(False)

    # ================================================================ state
    def record(self) -> ContactRecord | None:
        contact_id = self.contact_combo.currentData()
        return self.records.get(contact_id) if isinstance(contact_id, int) else None

    def template(self) -> MessageTemplate | None:
        return self.templates.get(str(self.template_combo.currentData()))

    def language(self) -> str:
        """The message's language (weekday and month names of the proposed times)."""
        return str(self.language_combo.currentData() or "en")

    def meeting_kind(self) -> MeetingKind:
        return MeetingKind(str(self.kind_combo.currentData()))

    def provider(self) -> MailProvider | None:
        account_id = self.account_combo.currentData()
        for provider in self.ctx.providers:
            if provider.account.id == account_id:
                return provider
        return None

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def uses_slots(self) -> bool:
        tpl = self.template()
        return tpl is not None and tpl.kind in compose.SLOT_KINDS

    def is_request(self) -> bool:
        tpl = self.template()
        return tpl is not None and tpl.kind is TemplateKind.REQUEST

    def busy(self) -> bool:
        """True while a draft is being saved or the message sent."""
        return bool(self._operation)

    def finding_codes(self) -> list[str]:
        return [f.code for f in self.findings]

    # ================================================================ calendar and slots
    def _start_calendar_read(self) -> None:
        now = self.now()
        self.slot_source.setText(self.tr("Reading your calendar…"))
        try:
            future = self.ctx.tasks.submit_network(
                compose.read_calendars,
                tuple(self.ctx.providers),
                now,
                now + compose.BUSY_WINDOW,
            )
        except RuntimeError:  # the pool is shut down: the app is closing
            self.calendar = compose.CalendarRead((), 0)
            return
        self._calendar_future = future
        self._pending.add(future)
        future.add_done_callback(_Relay(self.bridge))

    def on_calendar_read(self, future: Future[compose.CalendarRead]) -> None:
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or error is not None:
            if error is not None:
                log.error("reading the calendars failed", exc_info=error)
            self.calendar = compose.CalendarRead(
                (), 0, (self.tr("the calendar could not be read"),)
            )
        else:
            self.calendar = future.result()
        self.propose()
        self.calendar_loaded.emit()

    def _slot_inputs(self) -> tuple[Any, Any, list[Any], list[Any], SlotRules]:
        record = self.record()
        assert record is not None and self.calendar is not None
        contact = compose.contact_party(record)
        busy = [
            *self.calendar.blocks,
            *compose.app_busy(self.ctx.store, record.id),
            *self.excluded,
        ]
        offered = compose.offered_elsewhere(self.ctx.store, record.id)
        rules = SlotRules(count=SLOT_COUNT, length=timedelta(minutes=self.meeting_kind().minutes))
        return self.user, contact, busy, offered, rules

    def propose(self) -> None:
        """Propose a fresh set of times for the contact, meeting and calendar."""
        if self.calendar is None or self.record() is None or not self.uses_slots():
            self.slots = []
        else:
            user, contact, busy, offered, rules = self._slot_inputs()
            self.slots = propose_slots(self.now(), user, contact, busy, offered, rules)
            if len(self.slots) < rules.count and self.excluded:
                self.excluded = []  # everything was seen once: start over
                user, contact, busy, offered, rules = self._slot_inputs()
                self.slots = propose_slots(self.now(), user, contact, busy, offered, rules)
        self.show_slots()
        self.message_inputs_changed(now=True)

    def regenerate_slots(self) -> None:
        self.excluded.extend(self.slots)
        self.propose()

    def swap_selected(self) -> None:
        row = self.slot_list.currentRow()
        if not 0 <= row < len(self.slots) or self.calendar is None:
            return
        old = self.slots[row]
        others = [s for n, s in enumerate(self.slots) if n != row]
        self.excluded.append(old)
        user, contact, busy, offered, rules = self._slot_inputs()
        by_day = candidates(self.now(), user, contact, busy, [*offered, *others], rules)
        used_days = {s.start.astimezone(self.zone).date() for s in others}
        fresh_days = [d for d in sorted(by_day) if d not in used_days] or sorted(by_day)
        if not fresh_days:
            self.status_label.setText(self.tr("No other free time within the next two weeks."))
            return
        aim = old.start.astimezone(self.zone).time()

        def distance(slot: Slot) -> float:
            clock = slot.start.astimezone(self.zone)
            minutes = clock.hour * 60 + clock.minute
            return abs(minutes - (aim.hour * 60 + aim.minute))

        day = fresh_days[0]
        new = min(by_day[day], key=distance)
        self.slots = sorted([*others, new], key=lambda s: s.start)
        self.show_slots(select=self.slots.index(new))
        self.message_inputs_changed(now=True)

    def edit_selected(self) -> None:
        row = self.slot_list.currentRow()
        if not 0 <= row < len(self.slots):
            return
        dialog = SlotEditDialog(self.slots[row], self.zone, self)
        if not self.exec_dialog(dialog):
            return
        self.replace_slot(row, dialog.slot())

    def replace_slot(self, row: int, slot: Slot) -> None:
        """Put a time chosen by hand in place of the one at ``row``."""
        self.slots[row] = slot
        self.slots.sort(key=lambda s: s.start)
        self.show_slots(select=self.slots.index(slot))
        self.message_inputs_changed(now=True)

    def on_slot_double_clicked(self, item: QListWidgetItem) -> None:
        self.edit_selected()

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a small dialog modally (tests replace this to answer it)."""
        return bool(dialog.exec())

    def show_slots(self, select: int = -1) -> None:
        record = self.record()
        contact_tz = compose.zone_or_none(record.contact.timezone) if record else None
        self.slot_list.clear()
        for slot in self.slots:
            text = render_slot(slot, self.user.timezone, contact_tz)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.slot_list.addItem(item)
        if select >= 0:
            self.slot_list.setCurrentRow(select)
        self.slots_box.setVisible(self.uses_slots())
        self.kind_combo.setEnabled(self.uses_slots())
        self.update_slot_source()
        self.update_slot_buttons()

    def update_slot_source(self) -> None:
        record = self.record()
        name = record.contact.name.split()[0] if record and record.contact.name else ""
        if self.calendar is None:
            self.slot_source.setText(self.tr("Reading your calendar…"))
            return
        parts: list[str] = []
        if self.calendar.source == "calendar":
            parts.append(self.tr("Free in your calendar, inside your working hours"))
        else:
            parts.append(
                self.tr(
                    "No calendar access: these times come from your working hours alone. Check "
                    "them against your calendar"
                )
            )
        if record is not None and compose.zone_or_none(record.contact.timezone):
            parts[-1] += self.tr(" and {0}'s ({1})").format(name, record.contact.timezone)
        elif record is not None:
            parts[-1] += self.tr("; {0}'s time zone is unknown").format(name)
        text = parts[0] + "."
        for problem in self.calendar.problems:
            text += " " + self.tr("Could not read {0}.").format(problem)
        if not self.slots and self.uses_slots():
            text = self.tr("No free time found in the next two weeks: try another meeting.")
        self.slot_source.setText(text)

    def update_slot_buttons(self) -> None:
        ready = self.calendar is not None and not self.busy()
        selected = 0 <= self.slot_list.currentRow() < len(self.slots)
        self.regenerate_button.setEnabled(ready)
        self.swap_button.setEnabled(ready and selected)
        self.edit_slot_button.setEnabled(ready and selected)

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

    def on_template_changed(self, *_: object) -> None:
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

    def _base_fields(self) -> dict[str, object]:
        record = self.record()
        if record is None:
            return {}
        return compose.contact_fields(self.ctx.store, record, self.ctx.settings, {})

    def _rebuild_fields(self) -> None:
        """One input per detail the template asks for, filled with what is known already."""
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self._field_inputs = {}
        tpl = self.template()
        if tpl is None:
            self.fields_box.hide()
            return
        base = self._base_fields()
        try:
            used = templates.fields_used(tpl)
        except templates.TemplateError as exc:
            self.error = str(exc)
            self.fields_box.hide()
            return
        source = tpl.source
        wanted = [
            f
            for f in used
            if f not in _NEVER_ASKED and (f not in compose.COMPUTED_FIELDS or not base.get(f))
        ]
        wanted.sort(key=lambda f: m.start() if (m := re.search(rf"\b{f}\b", source)) else 0)
        self._required = self._required_fields(tpl, base, wanted)
        fm = QFontMetrics(self.font())
        for field in wanted:
            label, example = _FIELD_TEXTS.get(field, (_label(field), ""))
            value = base.get(field)
            edit: QLineEdit | QPlainTextEdit
            if field in _MULTILINE:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(fm.lineSpacing() * 3 + fm.height() // 2 * 2)
                if isinstance(value, list):
                    edit.setPlainText("\n".join(str(v) for v in value))
                elif value:
                    edit.setPlainText(str(value))
                edit.textChanged.connect(self.on_field_edited)
            else:
                edit = QLineEdit()
                edit.setText("" if value is None else str(value))
                edit.textEdited.connect(self.on_field_edited)
            hint = self.tr(example) if example else ""
            if field not in self._required:
                hint = self.tr("{0} (optional)").format(hint) if hint else self.tr("Optional")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(self.tr(label))
            edit.setObjectName(f"field-{field}")
            self._field_inputs[field] = edit
            self.fields_form.addRow(self.tr(label) + ":", edit)
        self.fields_box.setVisible(bool(wanted))

    @staticmethod
    def _required_fields(
        tpl: MessageTemplate, base: dict[str, object], wanted: list[str]
    ) -> set[str]:
        """The details without which the template cannot be written (probed by leaving each
        out in turn, everything else filled)."""
        filler: dict[str, object] = {f: "x" for f in wanted}
        filler.update({k: v for k, v in base.items() if v})
        filler.update({"slots": ["x"], "meeting": "x", "first_name": "x", "user_name": "x"})
        filler.setdefault("referrer_first_name", "x")
        filler.setdefault("name", "x")
        required: set[str] = set()
        for field in wanted:
            trial = {k: v for k, v in filler.items() if k != field}
            try:
                templates.render(tpl, trial)
            except templates.MissingFieldError as exc:
                if exc.field == field:
                    required.add(field)
            except templates.TemplateError:
                continue
        return required

    def field_values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for field, edit in self._field_inputs.items():
            if isinstance(edit, QPlainTextEdit):
                text = edit.toPlainText()
                out[field] = (
                    [line for line in text.splitlines() if line.strip()]
                    if (field in _LIST_FIELDS)
                    else text
                )
            else:
                out[field] = edit.text()
        return out

    def set_field(self, field: str, value: str) -> None:
        """Fill a detail as the user would (tests and scripts)."""
        edit = self._field_inputs[field]
        if isinstance(edit, QPlainTextEdit):
            edit.setPlainText(value)
        else:
            edit.setText(value)
            self.on_field_edited()

    def on_field_edited(self, *_: object) -> None:
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
        if self._writing:
            return
        self.hand_edited = True
        self.edited_row.show()
        self.refresh_timer.start()

    def on_body_changed(self) -> None:
        self.on_message_edited()

    def rewrite_from_template(self) -> None:
        self.hand_edited = False
        self.edited_row.hide()
        self.message_inputs_changed(now=True)

    def on_refresh_timer(self) -> None:
        if self._rerender_due:
            self._rerender_due = False
            self.render_message()
        self.update_coaching()

    # ================================================================ the message
    def render_message(self) -> None:
        """Write the message from the template, unless the user has edited it by hand."""
        record, tpl = self.record(), self.template()
        self.error = ""
        self.recipient_error = ""
        if record is None or tpl is None:
            self.rendered = None
            self.error = self.tr("Choose a contact and a template.")
            self._show_message()
            return
        try:
            name, address = compose.recipient(self.ctx.store, record, tpl.kind)
            self.to_label.setText(f"{name} <{address}>")
        except ValueError as exc:
            self.recipient_error = str(exc)
            self.to_label.setText(self.tr("(nobody: {0})").format(exc))
        fields = self._base_fields()
        for key, value in self.field_values().items():
            if (isinstance(value, str) and not value.strip()) or (
                isinstance(value, list) and not value
            ):
                fields.pop(key, None)
            else:
                fields[key] = value
        if fields.get("referrer_name"):
            fields["referrer_first_name"] = templates.first_name(str(fields["referrer_name"]))
        contact_tz = compose.zone_or_none(record.contact.timezone)
        if tpl.kind in compose.SLOT_KINDS:
            if self.slots:
                asked, _texts = compose.slot_fields(
                    self.slots, self.user.timezone, contact_tz, self.language(), self.meeting_kind()
                )
                fields.update(asked)
            else:
                fields.pop("slots", None)
                asked, _texts = compose.slot_fields(
                    [], self.user.timezone, contact_tz, self.language(), self.meeting_kind()
                )
                asked.pop("slots")
                fields.update(asked)
        self.fields = fields
        self.conversation = (
            compose.last_thread(
                self.ctx.store,
                record.id,
                None if (sender := self.provider()) is None else sender.account.id,
            )
            if (tpl.kind in compose.THREAD_KINDS)
            else None
        )
        try:
            self.rendered = templates.render(tpl, fields)
        except templates.MissingFieldError as exc:
            self.rendered = None
            if exc.field == "slots":
                if self.calendar is None:
                    self.error = self.tr("Finding free times in your calendar…")
                else:
                    self.error = self.tr(
                        "No free time was found in the next two weeks, and this template needs "
                        "proposed times: try another meeting, or change a time by hand."
                    )
            else:
                self.error = self.tr("Fill in “{0}”: the template “{1}” needs it.").format(
                    self.tr(_label(exc.field)), self.template_combo.currentText()
                )
                edit = self._field_inputs.get(exc.field)
                if edit is not None:
                    edit.setAccessibleDescription(self.error)
            self._mark_missing(exc.field)
        except templates.TemplateError as exc:
            self.rendered = None
            self.error = str(exc)
            self._mark_missing(None)
        else:
            self._mark_missing(None)
        self._show_message()

    def _mark_missing(self, field: str | None) -> None:
        color = _tint(self, (200, 40, 30), 0.7)
        for name, edit in self._field_inputs.items():
            edit.setStyleSheet(f"border: 1px solid {color};" if name == field else "")
            if name != field:
                edit.setAccessibleDescription("")
        self.field_error.setText(self.error if field else "")
        self.field_error.setVisible(bool(field) and bool(self.error))

    def _show_message(self) -> None:
        if self.hand_edited:
            self.edited_row.show()
            return
        self._writing = True
        try:
            if self.rendered is None:
                self.subject_edit.setText("")
                self.body_edit.setPlainText("")
                self.body_edit.setPlaceholderText(self.error)
            else:
                subject = self.rendered.subject
                if self.conversation is not None and not subject.lower().startswith("re:"):
                    subject = compose.reply_subject(self.conversation)
                self.subject_edit.setText(subject)
                self.body_edit.setPlainText(self.rendered.body)
        finally:
            self._writing = False
        self.edited_row.hide()
        if self.conversation is not None:
            self.thread_label.setText(
                self.tr("Goes into your conversation “{0}”.").format(self.conversation.subject)
            )
        elif self.template() is not None and self.template_kind() in compose.THREAD_KINDS:
            self.thread_label.setText(self.tr("No earlier conversation: starts a new one."))
        else:
            self.thread_label.setText("")
        self.thread_label.setVisible(bool(self.thread_label.text()))

    def template_kind(self) -> TemplateKind:
        tpl = self.template()
        return tpl.kind if tpl is not None else TemplateKind.OTHER

    def has_message(self) -> bool:
        if self.hand_edited:
            return bool(self.body_edit.toPlainText().strip())
        return self.rendered is not None

    # ================================================================ coaching
    def update_coaching(self) -> None:
        record = self.record()
        if record is None or not self.has_message():
            self.findings = []
        else:
            self.findings = compose.coach(
                self.template_kind(),
                self.subject_edit.text(),
                self.body_edit.toPlainText(),
                record.contact.name,
                self.fields,
                len(self.slots),
                [Path(a).name for a in self.attachments],
            )
        self._show_findings()
        self.update_buttons()
        self.coaching_updated.emit()

    def _show_findings(self) -> None:
        if not self.has_message():
            self.coaching_label.setText(
                f"<p>{_escape(self.error or self.tr('The coaching appears with the message.'))}</p>"
            )
            return
        if not self.findings:
            good = _tint(self, (40, 150, 70), 0.9)
            self.coaching_label.setText(
                f"<p><span style='color:{good}'>✓</span> "
                + _escape(self.tr("Nothing to improve: short, personal, with a concrete ask."))
                + "</p>"
            )
            return
        colours = {
            Severity.BLOCK: (_tint(self, (200, 40, 30), 0.85), self.tr("Blocks sending")),
            Severity.STRONG: (_tint(self, (210, 90, 20), 0.85), self.tr("Important")),
            Severity.WARN: (_tint(self, (165, 110, 0), 0.9), self.tr("Suggestion")),
            Severity.INFO: (_tint(self, (60, 110, 200), 0.85), self.tr("Note")),
        }
        rows = []
        for finding in self.findings:
            colour, label = colours[finding.severity]
            rows.append(
                f"<p style='margin-bottom:6px'><b style='color:{colour}'>{_escape(label)}</b>"
                f" — {_escape(self.tr(finding.message))}</p>"
            )
        self.coaching_label.setText("".join(rows))

    # ================================================================ warnings
    def _tip_key(self) -> tuple[int, str] | None:
        """(account, address) whose mail tip counts now: the chosen account and the recipient."""
        provider, record = self.provider(), self.record()
        if provider is None or record is None or not compose.can_tell_away(provider):
            return None
        address = record.contact.primary_email.strip().lower()
        return (provider.account.id, address) if address else None

    def _start_mail_tips(self) -> None:
        """Ask the account (Outlook's getMailTips) whether the recipient has an automatic reply
        on, on the network pool; the answer arrives in ``on_mail_tips``."""
        key = self._tip_key()
        provider = self.provider()
        if key is None or provider is None or key in self.mail_tips:
            return
        if key in self._tips_futures.values():
            return
        try:
            future = self.ctx.tasks.submit_network(compose.mail_tips, provider, [key[1]])
        except RuntimeError:  # shutting down
            return
        self._tips_futures[future] = key
        self._pending.add(future)
        future.add_done_callback(_Relay(self.bridge))

    def on_mail_tips(self, future: Future[dict[str, str]]) -> None:
        account_id, address = self._tips_futures.pop(future)
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or error is not None:
            if error is not None:
                log.error("reading mail tips failed", exc_info=error)
            return
        self.mail_tips[(account_id, address)] = future.result().get(address, "")
        self.update_away()

    def update_away(self) -> None:
        record = self.record()
        away = record.state.away_until if record is not None else None
        today = self.now().astimezone(self.zone).date()
        if record is None or away is None or away < today:
            key = self._tip_key()
            tip = self.mail_tips.get(key, "") if key is not None else ""
            if record is None or not tip:
                self.away_label.hide()
                return
            said = templates.one_line(html_to_text(tip))
            if len(said) > TIP_CHARS:
                said = said[: TIP_CHARS - 1].rstrip() + "…"
            self.away_label.setText(
                self.tr(
                    "{0} has an automatic reply on (Outlook mail tips): “{1}” A message now "
                    "waits in their inbox; consider writing after they are back."
                ).format(record.contact.name, said)
            )
            self.away_label.show()
            return
        self.away_label.setText(
            self.tr(
                "{0} is away until {1} (automatic reply). A message now waits in their inbox; "
                "a follow-up is better after they are back."
            ).format(record.contact.name, f"{away:%a} {away.day} {away:%b}")
        )
        self.away_label.show()

    def requests_today(self) -> int:
        local_now = self.now().astimezone(self.zone)
        pending = compose.pending_requests(self.ctx.store, self.ctx.providers)
        return compose.requests_today(self.ctx.store.contacts.all(), pending, local_now)

    def cap_reached(self) -> bool:
        return self.is_request() and self._sent_today >= self.daily_cap

    def update_cap(self) -> None:
        self._sent_today = self.requests_today()
        if self.cap_reached():
            self.cap_label.setText(
                self.tr(
                    "You have sent {0} requests today, your daily limit ({1}; change it in "
                    "Settings → Messages). Requests written one at a time get answers; save "
                    "this one as a draft and send it tomorrow."
                ).format(self._sent_today, self.daily_cap)
            )
            self.cap_label.show()
        else:
            self.cap_label.hide()

    # ================================================================ buttons
    def send_blocked_reason(self) -> str:
        """Why *Send now* is off, in one sentence ("" when it is on)."""
        if self.busy():
            return self.tr("Working…")
        if not self.ctx.providers:
            return self.tr("No mailbox is connected: connect one to save or send.")
        if self.recipient_error:
            return self.recipient_error
        if not self.has_message():
            return self.error
        if self.refresh_timer.isActive():
            return ""
        for finding in self.findings:
            if finding.severity is Severity.BLOCK:
                return self.tr("Sending is off: {0}").format(self.tr(finding.message))
        if self.attachments:
            return self.tr(
                "Coffeechat sends no attachments: remove it, or save a draft and attach it in "
                "your mail app."
            )
        if self.cap_reached():
            return self.tr("Daily limit of {0} requests reached: save it as a draft.").format(
                self.daily_cap
            )
        return ""

    def update_buttons(self) -> None:
        reason = self.send_blocked_reason()
        can_draft = (
            not self.busy()
            and bool(self.ctx.providers)
            and not self.recipient_error
            and self.has_message()
        )
        self.draft_button.setEnabled(can_draft)
        self.send_button.setEnabled(not reason and not blocking(self.findings))
        self.send_button.setToolTip(reason)
        if not self.busy():
            self.status_label.setText(" ".join(t for t in (self.done_note, reason) if t))
        for widget in (
            self.contact_combo,
            self.template_combo,
            self.kind_combo,
            self.subject_edit,
            self.body_edit,
            self.attach_button,
        ):
            widget.setEnabled(not self.busy())
        self.kind_combo.setEnabled(not self.busy() and self.uses_slots())
        self.update_slot_buttons()

    # ================================================================ attachments
    def choose_attachment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach a file"))
        if path:
            self.add_attachment(path)

    def add_attachment(self, path: str) -> None:
        self.attachments.append(path)
        item = QListWidgetItem(Path(path).name)
        item.setToolTip(path)
        self.attach_list.addItem(item)
        self._show_attachments()
        self.update_coaching()

    def _show_attachments(self) -> None:
        some = bool(self.attachments)
        self.attach_list.setVisible(some)
        self.remove_attach_button.setVisible(some)
        self.attach_hint.setVisible(not some)

    def remove_selected_attachment(self) -> None:
        row = self.attach_list.currentRow()
        if 0 <= row < len(self.attachments):
            del self.attachments[row]
            self.attach_list.takeItem(row)
            self._show_attachments()
            self.update_coaching()

    # ================================================================ saving and sending
    @property
    def outbox_key(self) -> str:
        """One key for this dialog: clicking Send again after an error (offline, say) resends
        the same message, which the outbox then sends at most once."""
        key: str | None = getattr(self, "_outbox_key", None)
        if key is None:
            key = self._outbox_key = outbox.new_key()
        return key

    def outgoing(self) -> OutgoingMessage | None:
        record, tpl = self.record(), self.template()
        if record is None or tpl is None or not self.has_message():
            return None
        try:
            _name, address = compose.recipient(self.ctx.store, record, tpl.kind)
        except ValueError:
            return None
        body = self.body_edit.toPlainText()
        if not body.endswith("\n"):
            body += "\n"
        return OutgoingMessage(
            to=(address,),
            subject=templates.one_line(self.subject_edit.text()),
            text=body,
            outbox_key=self.outbox_key,
            thread_id=self.conversation.thread_id if self.conversation is not None else None,
            in_reply_to=self.conversation.in_reply_to if self.conversation is not None else "",
            references=self.conversation.references if self.conversation is not None else (),
        )

    def offers(self) -> list[tuple[datetime, datetime]]:
        if not self.uses_slots():
            return []
        return [(s.start, s.end) for s in self.slots]

    def _flush(self) -> None:
        if self.refresh_timer.isActive():
            self.refresh_timer.stop()
            self.on_refresh_timer()

    def save_draft(self) -> None:
        """Create the draft in the mailbox (on a worker); the offered times are recorded when it
        is there."""
        self._flush()
        provider, msg, record = self.provider(), self.outgoing(), self.record()
        if provider is None or msg is None or record is None or not self.draft_button.isEnabled():
            return
        self._submit(
            "draft", msg, record.id, self.ctx.tasks.submit_network, provider.create_draft, msg
        )

    def send_now(self) -> None:
        """Send through the outbox on the sync worker, which owns the database writes."""
        self._flush()
        provider, msg, record = self.provider(), self.outgoing(), self.record()
        if provider is None or msg is None or record is None or self.send_blocked_reason():
            self.update_buttons()
            return
        self._submit(
            "send",
            msg,
            record.id,
            self.ctx.tasks.submit_sync,
            compose.send_job,
            self.ctx.paths.profile,
            provider,
            msg,
            contact_id=record.id,
            purpose=self.template_kind().value,
            now=self.now(),
            offers=self.offers(),
        )

    def _submit(
        self,
        operation: str,
        msg: OutgoingMessage,
        for_contact: int,
        submit: Callable[..., Future[Any]],
        fn: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        try:
            future = submit(fn, *args, **kwargs)
        except RuntimeError:  # shutting down
            return
        self._operation = operation
        self._op_message = msg
        self._op_contact = for_contact
        self._op_offers = self.offers()
        self._op_at = self.now()
        self.status_label.setText(
            self.tr("Saving the draft in your mailbox…")
            if operation == "draft"
            else self.tr("Sending…")
        )
        self.update_buttons()
        self._pending.add(future)
        future.add_done_callback(_Relay(self.bridge))

    def on_future_finished(self, future: Future[Any]) -> None:
        """On the GUI thread: a calendar read, a draft or a send has finished."""
        self._pending.discard(future)
        try:
            if future is self._calendar_future:
                self.on_calendar_read(future)
            elif future in self._tips_futures:
                self.on_mail_tips(future)
            elif self._operation == "draft":
                self._on_draft_done(future)
            elif self._operation == "send":
                self._on_send_done(future)
        finally:
            if self._release_when_idle and not self._pending:
                self.deleteLater()

    def _on_draft_done(self, future: Future[Any]) -> None:
        self._operation = ""
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or error is not None:
            if error is not None and not isinstance(error, ProviderError):
                log.error("saving the draft failed", exc_info=error)
            self.update_buttons()
            self.status_label.setText(
                self.tr("The draft could not be saved: {0}").format(
                    str(error) or type(error).__name__
                )
            )
            return
        if self._op_offers:
            self.ctx.store.messages.add_offers(
                self._op_contact, self._op_offers, self._op_at, self._op_message.outbox_key
            )
        self.draft_saved.emit(self._op_contact)
        self.finish_or_next(self.tr("Draft saved for {0}."))

    def _on_send_done(self, future: Future[Any]) -> None:
        self._operation = ""
        error = None if future.cancelled() else future.exception()
        if isinstance(error, ProviderError):
            # The outbox row is written before the provider is called: the next sync sends it.
            log.warning("send deferred to the outbox: %s", type(error).__name__)
            self.message_sent.emit(self._op_contact)
            self.finish_or_next(self.tr("The message to {0} waits in the outbox."))
            return
        if future.cancelled() or error is not None:
            if error is not None:
                log.error("sending failed", exc_info=error)
            self.update_buttons()
            self.status_label.setText(
                self.tr("The message could not be sent: {0}").format(
                    str(error) or type(error).__name__
                )
            )
            return
        self.message_sent.emit(self._op_contact)
        self.finish_or_next(self.tr("Sent to {0}."))

    # ================================================================ one at a time
    def next_target(self) -> int | None:
        """The next contact, in the list's order after the current one, who is still a target
        with an address and was not written to in this dialog."""
        count = self.contact_combo.count()
        start = self.contact_combo.currentIndex()
        for step in range(1, count):
            contact_id = self.contact_combo.itemData((start + step) % count)
            record = self.records.get(contact_id) if isinstance(contact_id, int) else None
            if (
                record is not None
                and record.id not in self.written
                and record.state.stage is Stage.TARGET
                and record.contact.primary_email
            ):
                return record.id
        return None

    def finish_or_next(self, done_text: str) -> None:
        """The message is saved or sent: close, or, with "then the next target", start the
        next one (a new message with its own outbox key and fresh times)."""
        self.written.append(self._op_contact)
        record = self.records.get(self._op_contact)
        name = record.contact.name if record is not None else ""
        following = self.next_target() if self.next_check.isChecked() else None
        if following is None:
            self.accept()
            return
        self._outbox_key = outbox.new_key()
        self.contact_combo.setCurrentIndex(self.contact_combo.findData(following))
        nxt = self.records[following].contact.name
        self.done_note = done_text.format(name) + " " + self.tr("Now writing to {0}.").format(nxt)
        self.update_buttons()

    # ================================================================ closing
    def reject(self) -> None:
        if self.busy():  # the message is on its way: wait for the answer
            return
        if self.written:  # stopping after some were written: those count
            self.accept()
            return
        super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.draft_button.setDefault(True)  # showing hands the default to the focused button

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy():
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.busy():
            return
        super().keyPressEvent(event)

    def release(self) -> None:
        """The caller is done with the dialog: delete it once no worker can still answer it."""
        if self._pending:
            self._release_when_idle = True
        else:
            self.deleteLater()
