"""What the user is told, and where: native notifications, else tray messages, else the window's
banner. The rules (quiet hours, no duplicates, one summary after a gap) are desktop.reminders';
this object only shows their decisions and handles the answers (Open, Draft, Snooze)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from desktop.actions import all_due
from desktop.context import AppContext
from desktop.domain.due import DueAction
from desktop.jobs import SyncRound
from desktop.notify import (
    CLICKED,
    DRAFT,
    OPEN,
    SNOOZE,
    Note,
    NoteAction,
    Notifier,
    NotifierUnavailableError,
)
from desktop.reminders import Decision, ReminderPolicy, Reminders, Snooze
from desktop.settings import Settings
from desktop.storage import Store
from desktop.storage.codec import iso
from desktop.sync import Notice
from ui.format import when_text
from ui.marks import Then, dismiss_mark, policy_for, restore_mark, snooze_mark
from ui.navigation import Navigator

if TYPE_CHECKING:
    from ui.tray import Tray

log = logging.getLogger(__name__)

#: Which channel the user was last told about (reminder_state key).
TOLD_CHANNEL = "notify.channel"
#: The snooze timer looks again at least this often: the wall clock can jump (a suspended
#: laptop, a changed time) while a Qt timer counts only the time that passed awake.
SNOOZE_CHECK_MS = 10 * 60 * 1000


class Channel(StrEnum):
    PENDING = "pending"  # still asking the notification service
    NATIVE = "native"
    TRAY = "tray"
    BANNER = "banner"


ANNOUNCEMENTS = {
    Channel.NATIVE: "Reminders will appear as desktop notifications.",
    Channel.TRAY: "No notification service was found: reminders will appear as messages from "
    "Coffeechat's tray icon.",
    Channel.BANNER: "No notification service or tray was found: reminders will appear here, "
    "in this window.",
}


class NotificationCenter(QObject):
    """Shows the reminders' decisions after each sync round and acts on the user's answer.

    It is also the window's ``ActionMarks`` (ui.marks): Today's snoozes and dismissals go
    through it, so the tray's count follows them at once.

    Signals:
        action_received(str, str): (note key, action id), emitted on the notifier's own thread
            and handled on the GUI thread.
        channel_chosen(str): the channel now in use (a ``Channel`` value).
        due_count_changed(int): how many due actions wait (neither snoozed nor dismissed).
        note_shown(object): a ``Note`` was shown, by whichever channel.
    """

    action_received = Signal(str, str)
    channel_chosen = Signal(str)
    due_count_changed = Signal(int)
    note_shown = Signal(object)

    def __init__(
        self,
        navigator: Navigator,
        ctx: AppContext,
        notifier: Notifier,
        *,
        tray: Tray | None = None,
        policy: ReminderPolicy | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``navigator``: what the center may ask of the window (ui.navigation). Call
        ``follow`` with the window's round and settings signals."""
        super().__init__(parent or (navigator if isinstance(navigator, QObject) else None))
        self.window = navigator
        self.ops = navigator.ops
        self.ctx = ctx
        self.notifier = notifier
        self.tray = tray
        self.reminders = Reminders(ctx.store, policy or policy_for(ctx.settings))
        self.channel = Channel.PENDING
        self.paused = False
        #: The user's "Show reminders as notifications" setting.
        self.enabled = ctx.settings.notifications
        self.due_count = 0
        #: What each shown note is about: a due action, or None for a summary (opens Today).
        self.notes: dict[str, DueAction | None] = {}
        self._waiting: list[SyncRound] = []
        self._last_tray_key = ""
        #: Brings a snoozed action back when its snooze ends, without waiting for a sync round.
        self.snooze_timer = QTimer(self)
        self.snooze_timer.setSingleShot(True)
        self.snooze_timer.timeout.connect(self.on_snooze_timer)
        self.max_wait_ms = SNOOZE_CHECK_MS
        self._snoozes_checked_at: datetime | None = None
        self.action_received.connect(self.on_action)
        if tray is not None:
            tray.message_clicked.connect(self.on_tray_message_clicked)

    def follow(self, sync_finished: SignalInstance, settings_changed: SignalInstance) -> None:
        """Decide after each applied sync round; apply new settings."""
        sync_finished.connect(self.on_sync_finished)
        settings_changed.connect(self.on_settings_changed)

    # ------------------------------------------------------------------ start, stop
    def start(self) -> None:
        """Ask for the notification service; rounds that finish meanwhile wait for the answer."""
        self._emit_count(self.reminders.visible(self._all_due(), self.ctx.clock.now()))
        self.ops.follow(
            self.notifier.start(self.on_notifier_action),
            success=self.on_probe_finished,
            failure=self.on_probe_failed,
        )
        self.arm_snooze_timer()

    def close(self) -> None:
        self.snooze_timer.stop()
        self.notifier.close()

    # ------------------------------------------------------------------ snoozes ending
    def arm_snooze_timer(self) -> None:
        """Wake up when the next snooze ends (or after ``max_wait_ms``, to look again)."""
        now = self.ctx.clock.now()
        self._snoozes_checked_at = now
        ends = [
            m.snoozed_until
            for m in self.ctx.store.marks.actions().values()
            if m.snoozed_until is not None and m.snoozed_until > now and not m.dismissed
        ]
        if not ends:
            self.snooze_timer.stop()
            return
        wait_ms = math.ceil((min(ends) - now).total_seconds() * 1000)
        self.snooze_timer.start(max(1, min(wait_ms, self.max_wait_ms)))

    def on_snooze_timer(self) -> None:
        """A snooze may have ended: the action is back in Today and told again, at its time."""
        now = self.ctx.clock.now()
        since = self._snoozes_checked_at or now
        ended = any(
            m.snoozed_until is not None and since < m.snoozed_until <= now and not m.dismissed
            for m in self.ctx.store.marks.actions().values()
        )
        if ended:
            due = self._all_due()
            self.window.refresh_derived(due)
            if self.channel is Channel.PENDING or self.paused or not self.enabled:
                self._emit_count(self.reminders.visible(due, now))
            else:
                self._decide(due, now, complete=False)
                return  # the timer is armed again once the decision is recorded
        self.arm_snooze_timer()

    def on_notifier_action(self, key: str, action: str) -> None:
        """Called on the notifier's thread: hand over to the GUI thread."""
        self.action_received.emit(key, action)

    def on_probe_failed(self, _error: BaseException) -> None:
        self.on_probe_finished(False)

    def on_probe_finished(self, native: bool) -> None:
        self._choose(Channel.NATIVE if native else self._fallback())
        waiting, self._waiting = self._waiting, []
        for round_ in waiting:
            self.on_sync_finished(round_)

    def _fallback(self) -> Channel:
        return Channel.TRAY if self.tray is not None and self.tray.available else Channel.BANNER

    def _choose(self, channel: Channel) -> None:
        """Use a channel; the user hears which one, once (again only if it changes)."""
        self.channel = channel
        log.info("reminders are shown by: %s", channel.value)
        if self.ctx.store.marks.reminder_value(TOLD_CHANNEL) != channel.value:
            value = channel.value
            self.ops.db(lambda store: store.marks.set_reminder_value(TOLD_CHANNEL, value))
            self.window.tell(self.tr(ANNOUNCEMENTS[channel]))
        self.channel_chosen.emit(channel.value)

    def set_paused(self, paused: bool) -> None:
        """While paused nothing is shown or recorded: what was due is told (summarised) after."""
        self.paused = paused

    def on_settings_changed(self, settings: Settings) -> None:
        """New settings: time zone, quiet hours and digest apply from the next round on."""
        self.reminders.policy = policy_for(settings)
        self.enabled = settings.notifications
        self._emit_count(self.visible(self._all_due()))

    # ------------------------------------------------------------------ deciding
    def on_sync_finished(self, round_: SyncRound | None) -> None:
        if round_ is None or round_.due is None:
            return
        if self.channel is Channel.PENDING:
            self._waiting.append(round_)
            return
        now = self.ctx.clock.now()
        if self.paused or not self.enabled:
            self._emit_count(self.reminders.visible(round_.due, now))
            return
        notices: list[Notice] = [
            n for o in round_.outcomes if o.result is not None for n in o.result.notices
        ]
        self._decide(round_.due, now, notices=notices)

    def _decide(
        self,
        due: Sequence[DueAction],
        now: datetime,
        *,
        notices: Sequence[Notice] = (),
        complete: bool = True,
    ) -> None:
        """Decide on the database worker (the decision records what was told), then show it."""
        policy = self.reminders.policy

        def decide(store: Store) -> Decision:
            return Reminders(store, policy).decide(due, now, notices=notices, complete=complete)

        self.ops.db(decide, success=self.on_decided)

    def on_decided(self, decision: Decision) -> None:
        self._emit_count(list(decision.visible))
        self.show_decision(decision)
        self.arm_snooze_timer()

    def show_decision(self, decision: Decision) -> None:
        for action in decision.notify:
            self.show(self.note_for(action), action)
        if decision.summary is not None:
            now = iso(self.ctx.clock.now())
            note = Note(
                f"summary:{now}",
                self.tr(decision.summary.title),
                decision.summary.body,
                (NoteAction(OPEN, self.tr("Open")),),
            )
            self.show(note, None)

    def note_for(self, action: DueAction) -> Note:
        name = self.ctx.store.contacts.names().get(action.contact_id, "")
        body = f"{name}: {self.tr(action.detail)}" if name else self.tr(action.detail)
        return Note(
            f"{action.contact_id}:{action.kind.value}:{iso(action.due_at)}",
            self.tr(action.title),
            body,
            (
                NoteAction(OPEN, self.tr("Open")),
                NoteAction(DRAFT, self.tr("Draft")),
                NoteAction(SNOOZE, self.tr("Snooze")),
            ),
        )

    # ------------------------------------------------------------------ showing
    def show(self, note: Note, about: DueAction | None) -> None:
        self.notes[note.key] = about
        if self.channel is Channel.NATIVE:
            self.ops.follow(
                self.notifier.send(note),
                success=lambda _none: self.on_note_sent(note),
                failure=lambda error: self.on_note_failed(note, error),
            )
            return
        if self.channel is Channel.TRAY and self.tray is not None:
            self._last_tray_key = note.key
            self.tray.show_message(note.title, note.body)
        else:
            self.window.tell(f"{note.title} — {note.body}")
        self.note_shown.emit(note)

    def on_note_sent(self, note: Note) -> None:
        self.note_shown.emit(note)

    def on_note_failed(self, note: Note, error: BaseException) -> None:
        # The service went away (or refused): fall back for this note and the ones after.
        if isinstance(error, NotifierUnavailableError):
            log.warning("native notification failed (%s); falling back", error)
        else:
            log.warning("native notification failed; falling back", exc_info=error)
        if self.channel is Channel.NATIVE:
            self._choose(self._fallback())
        self.show(note, self.notes.get(note.key))

    # ------------------------------------------------------------------ answers
    def on_tray_message_clicked(self) -> None:
        if self._last_tray_key:
            self.on_action(self._last_tray_key, OPEN)

    def on_action(self, key: str, action: str) -> None:
        """The user answered a note (on the GUI thread)."""
        if key not in self.notes:
            log.info("action %s on an unknown notification", action)
            return
        about = self.notes[key]
        if about is None:  # a summary: its actions are on Today
            self.raise_window()
            self.window.show_view("today")
            return
        if action in (OPEN, CLICKED):
            self.raise_window()
            # The contact, and for a meeting near the Prepare tab (the workspace follows).
            self.window.open_action(about)
        elif action == DRAFT:
            self.raise_window()
            self.window.select_contact(about.contact_id)
            self.window.write_to(about.contact_id, about.kind)
        elif action == SNOOZE:
            until: list[datetime] = []

            def snoozed() -> None:
                self.window.refresh_derived()  # it leaves Today too
                when = when_text(until[0], self.reminders.policy.zone, self.ctx.clock.now())
                self.window.show_status(self.tr("Snoozed until {0}").format(when), 5000)

            until.append(self.snooze(about, Snooze.DAY, snoozed))

    # ------------------------------------------------------------------ ActionMarks
    def visible(self, due: Sequence[DueAction]) -> list[DueAction]:
        return self.reminders.visible(due, self.ctx.clock.now())

    def snooze(self, action: DueAction, choice: Snooze, then: Then) -> datetime:
        now = self.ctx.clock.now()
        return snooze_mark(self.ops, self.reminders.policy, action, choice, now, self._marked(then))

    def dismiss(self, action: DueAction, then: Then) -> None:
        dismiss_mark(self.ops, self.reminders.policy, action, self._marked(then))

    def restore(self, action: DueAction, then: Then) -> None:
        restore_mark(self.ops, self.reminders.policy, action, self._marked(then))

    def _marked(self, then: Then) -> Then:
        """Once a mark is written: the count and the snooze timer follow, then ``then``."""

        def marked() -> None:
            self._emit_count(self.visible(self._all_due()))
            self.arm_snooze_timer()
            then()

        return marked

    def raise_window(self) -> None:
        self.window.bring_to_front()

    # ------------------------------------------------------------------ helpers
    def _all_due(self) -> list[DueAction]:
        # From the window's records, already in memory: reading every contact from the
        # database here cost 0.4 s on the GUI thread with 10,000 contacts.
        return all_due(self.window.records(), self.ctx.clock.now(), self.ctx.settings.reminders())

    def _emit_count(self, visible: list[DueAction]) -> None:
        self.due_count = len(visible)
        self.due_count_changed.emit(self.due_count)
