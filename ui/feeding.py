"""Feeding the window's item models: the one reader of the store on the GUI thread.

Every contact is read once, at start; afterwards only the rows that changed are fed (a command's
contact, a sync round's touched contacts), each signalled on its own. What follows from the
records (Today, next actions, the sidebar's counts, empty states) is recomputed from the models.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.actions import all_due
from desktop.domain.due import DueAction
from desktop.jobs import SyncRound
from desktop.storage import ContactRecord
from ui.banner import BANNER_MS
from ui.format import next_action_text
from ui.models.contacts import ContactFilterProxy
from ui.models.due import DueRow
from ui.pages import escape, set_text
from ui.selection import ContactSelection
from ui.shell import Shell
from ui.status_badges import StatusBadges
from ui.window_layout import View, WindowLayout


class ModelFeeder(QObject):
    """Feeds the contacts and due models from the store and from sync rounds.

    Signals:
        round_applied(object): a round's ``SyncRound`` was applied to models, status and
            notices (None if the round failed as a whole).
    """

    round_applied = Signal(object)

    def __init__(
        self,
        shell: Shell,
        ui: WindowLayout,
        proxy: ContactFilterProxy,
        selection: ContactSelection,
        badges: StatusBadges,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.shell = shell
        self.ui = ui
        self.proxy = proxy
        self.selection = selection
        self.badges = badges
        for signal in (proxy.rowsInserted, proxy.rowsRemoved):
            signal.connect(self.update_empty_states)
        proxy.modelReset.connect(self.update_empty_states)
        proxy.layoutChanged.connect(self.update_empty_states)

    def reload_all(self) -> None:
        """Read every contact (once, at start), with their next actions, in one reset."""
        shell = self.shell
        records = shell.ctx.store.contacts.all()
        actions = shell.marks.visible(all_due(records, shell.now(), shell.ctx.settings.reminders()))
        first: dict[int, str] = {}
        for a in actions:
            first.setdefault(a.contact_id, self.tr(next_action_text(a.kind)))  # never an event
        with self.selection.feeding():
            shell.model.reset_records(records, first)
        self.refresh_derived(actions)

    def refresh_contact(self, contact_id: int) -> None:
        """Re-read one contact after a change: one row signalled, the panel redrawn if shown."""
        shell = self.shell
        try:
            record = shell.ctx.store.contacts.get(contact_id)
        except KeyError:
            with self.selection.feeding():
                shell.model.remove(contact_id)
            if shell.current_id == contact_id:
                self.selection.select(None)
        else:
            self.feed_record(record)
            if shell.current_id == contact_id:
                self.selection.show_panel(record)
        self.refresh_derived()

    def feed_record(self, record: ContactRecord) -> None:
        with self.selection.feeding():
            self.shell.model.upsert(record)

    def refresh_derived(self, actions: list[DueAction] | None = None) -> None:
        """Recompute what follows from the records: Today, next actions, counts, empty states.

        Snoozed and dismissed actions are left out of all of them until they are due again."""
        shell, model = self.shell, self.shell.model
        now = shell.now()
        model.set_time_context(shell.zone, now)
        self.ui.board.delegate.today = now
        shell.panel.now = now
        if actions is None:
            actions = all_due(model.records(), now, shell.ctx.settings.reminders())
        actions = shell.marks.visible(actions)
        first: dict[int, str] = {}
        rows: list[DueRow] = []
        for a in actions:
            first.setdefault(a.contact_id, self.tr(next_action_text(a.kind)))  # never an event
            record = model.record(a.contact_id)
            rows.append(DueRow(a, record.contact.name if record is not None else "?"))
        with self.selection.feeding():
            shell.due_model.set_rows(rows)
            model.set_next_actions(first)
        n, count = len(actions), model.rowCount()
        sidebar = self.ui.sidebar
        sidebar.item(View.TODAY).setText(self.tr("Today") + (f"  ({n})" if n else ""))
        contacts = sidebar.item(View.CONTACTS)
        contacts.setText(self.tr("Contacts") + (f"  ({count})" if count else ""))
        self.ui.today_page.title.setText(
            self.tr("Today — {0} to do").format(n) if n else self.tr("Today")
        )
        self.update_empty_states()

    def update_empty_states(self) -> None:
        """Show the empty-state texts where a list is empty (called on every filter keystroke:
        labels are only touched when their text changes, rich text is costly to lay out)."""
        none_yet = self.shell.model.rowCount() == 0
        add_hint = self.tr(
            "<p style='font-size:large'><b>No contacts yet</b></p>"
            "<p>Add someone you read about, met, or were introduced to (Ctrl+N), or import "
            "your connections with File → Import contacts… (Ctrl+I). Connect your mailbox and "
            "Coffeechat follows every request, reply and meeting.</p>"
        )
        nothing_due = self.tr(
            "<p style='font-size:large'><b>Nothing due today</b></p>"
            "<p>Replies, follow-ups, meetings to prepare and thank-yous will appear here "
            "when they need you.</p>"
        )
        today, contacts = self.ui.today_page, self.ui.contacts_page
        due_rows = self.shell.due_model.rowCount()
        set_text(today.empty, add_hint if none_yet else nothing_due)
        today.empty_state.show_buttons(none_yet)
        contacts.empty_state.show_buttons(none_yet)
        today.stack.setCurrentIndex(1 if due_rows else 0)
        today.hint.setVisible(due_rows > 0)
        has_rows = self.proxy.rowCount() > 0
        if none_yet:
            set_text(contacts.empty, add_hint)
        elif not has_rows:
            set_text(
                contacts.empty,
                self.tr(
                    "<p><b>No contacts match “{0}”</b></p><p>Press Esc to clear the filter.</p>"
                ).format(escape(self.ui.filter_edit.text())),
            )
        contacts.setCurrentIndex(1 if has_rows else 0)

    def apply_round(self, result: SyncRound) -> None:
        """On the GUI thread: one round's outcome applied to models, status and notices."""
        shell, model = self.shell, self.shell.model
        changed: set[int] = {c.contact_id for c in result.time_changes}
        notices: list[str] = []
        for outcome in result.outcomes:
            if outcome.result is not None:
                changed.update(c.contact_id for c in outcome.result.changes)
                changed.update(n.contact_id for n in outcome.result.notices)
                notices.extend(n.text for n in outcome.result.notices)
        # The worker read the touched contacts after its commit: the GUI thread only feeds their
        # rows (each signalled on its own), it does not read every contact again.
        fresh = {record.id for record in result.updated}
        with self.selection.feeding():
            for fresh_record in result.updated:
                model.upsert(fresh_record)
            for contact_id in changed - fresh:  # not re-read by the worker: deleted meanwhile
                try:
                    model.upsert(shell.ctx.store.contacts.get(contact_id))
                except KeyError:
                    model.remove(contact_id)
        if shell.current_id is not None and shell.current_id in fresh | changed:
            record = model.record(shell.current_id)
            if record is not None:
                self.selection.show_panel(record)
            else:
                self.selection.select(None)
        self.refresh_derived(list(result.due) if result.due is not None else None)
        self.badges.update()
        if notices:
            more = len(notices) - 1
            text = notices[0] + (self.tr("  (and {0} more)").format(more) if more else "")
            shell.tell(text)
            shell.show_status(notices[0], BANNER_MS)
        self.round_applied.emit(result)

    def on_round_failed(self, text: str) -> None:
        self.shell.tell(self.tr("Sync failed: {0}").format(text))
        self.round_applied.emit(None)
