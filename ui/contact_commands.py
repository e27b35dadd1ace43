"""What the user does to a contact: move it, undo, correct a message, notes, add and edit, set a
meeting, send the invitation, write to them. Each command changes the store on the database
worker (ui.ops), then, once it is written, asks the window to show the change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from desktop.actions import all_due, correct_classification, override_stage, set_meeting
from desktop.domain.due import TEMPLATE_FOR_ACTION, ActionKind
from desktop.domain.model import Contact, Stage, Transition
from desktop.domain.pipeline import Step
from desktop.domain.slots import Slot
from desktop.jobs import invite_job
from desktop.storage import HistoryEntry, Store, StoredMessage
from desktop.storage.contacts import DeletedContact
from desktop.storage.imports import UndoneImport
from ui.banner import BANNER_MS
from ui.dialogs import ContactDialog, MeetingDialog
from ui.format import when_text
from ui.shell import Shell

if TYPE_CHECKING:
    from desktop.invites import AcceptedSlot

log = logging.getLogger(__name__)

Saved = Callable[[Contact], object]
Failed = Callable[[BaseException], object]


class ContactCommands(QObject):
    """The contact commands of one window."""

    def __init__(self, shell: Shell, parent: QObject) -> None:
        super().__init__(parent)
        self.shell = shell
        self.ctx = shell.ctx
        self.ops = shell.ops
        self.closed = False
        #: The contact deleted last, while its Undo is offered (Ctrl+Z or the notice's button).
        self.deleted: DeletedContact | None = None

    def _status(self, text: str) -> None:
        self.shell.statusBar().showMessage(text, BANNER_MS)

    # ------------------------------------------------------------------ stages
    def on_card_dropped(self, contact_id: int, stage: Stage) -> None:
        if stage is Stage.SCHEDULED:
            # The meeting dialog opens after the drop has finished: a modal dialog inside a
            # drop event would nest its event loop in the drag's.
            QTimer.singleShot(0, self, lambda: self.move_contact(contact_id, stage))
        else:
            self.move_contact(contact_id, stage)

    def move_contact(self, contact_id: int, stage: Stage) -> bool:
        """The user moved a contact to a stage (a drop on the board, a menu choice).

        Scheduled needs a time: it asks for the meeting (cancelling leaves the contact where it
        was). True if the contact moved."""
        record = self.shell.model.record(contact_id)
        if record is None or record.state.stage is stage:
            return False
        if stage is Stage.SCHEDULED:
            return self.set_meeting_for(contact_id)
        now, name = self.shell.now(), record.contact.name

        def moved(step: Step | None) -> None:
            self.shell.undoable_mark = None  # Ctrl+Z now undoes this move
            self.shell.refresh_contact(contact_id)
            if step is not None and step.transition is not None:
                self._status(
                    self.tr("Moved {0} to {1}. Undo with Ctrl+Z.").format(
                        name, self.tr(stage.label)
                    )
                )

        self.ops.db(lambda store: override_stage(store, contact_id, stage, now), success=moved)
        return True

    def on_move_action(self) -> None:
        act = self.sender()
        if isinstance(act, QAction) and self.shell.current_id is not None:
            self.move_contact(self.shell.current_id, Stage(act.data()))

    def undo_last_change(self, contact_id: int) -> None:
        self.ops.db(
            lambda store: store.pipeline.undo_last(contact_id),
            success=lambda entry: self.on_undone(contact_id, entry),
        )

    def on_undone(self, contact_id: int, entry: HistoryEntry | None) -> None:
        if entry is None:
            self._status(self.tr("Nothing to undo."))
            return
        self.shell.refresh_contact(contact_id)
        if entry.from_stage is not None:
            self._status(self.tr("Undone: back to {0}.").format(self.tr(entry.from_stage.label)))

    def correct_message(self, contact_id: int, message: StoredMessage, kind: str) -> None:
        """The user said what a message really is: re-run the pipeline, remember the sender."""
        now = self.shell.now()

        def corrected(transition: Transition | None) -> None:
            self.shell.refresh_contact(contact_id)
            text = self.tr("Noted: mail from {0} will be read that way from now on.").format(
                message.sender
            )
            if transition is not None:
                text += " " + self.tr("Moved to {0}.").format(self.tr(transition.to_stage.label))
            self._status(text)

        self.ops.db(
            lambda store: correct_classification(store, contact_id, message, kind, now),
            success=corrected,
        )

    # ------------------------------------------------------------------ the contact itself
    def save_notes(self, contact_id: int, text: str) -> Future[None]:
        """Save the notes on the database worker; the row follows once they are written."""
        return self.ops.db(
            lambda store: store.contacts.set_notes(contact_id, text),
            success=lambda _none: self.on_notes_saved(contact_id),
        )

    def on_notes_saved(self, contact_id: int) -> None:
        try:
            record = self.ctx.store.contacts.get(contact_id)
        except KeyError:
            return
        self.shell.feed_record(record)  # the row only: the panel is being typed in

    def new_contact(self) -> None:
        shell = self.shell
        dialog = ContactDialog(shell.model.records(), self._add_contact, None, shell.widget())
        if shell.exec_dialog(dialog) and dialog.saved is not None and dialog.saved.id is not None:
            shell.refresh_contact(dialog.saved.id)
            shell.select_contact(dialog.saved.id)

    def edit_contact(self, contact_id: int) -> None:
        shell = self.shell
        record = shell.model.record(contact_id)
        if record is None:
            return
        dialog = ContactDialog(
            shell.model.records(), self._update_contact, record.contact, shell.widget()
        )
        if shell.exec_dialog(dialog):
            shell.refresh_contact(contact_id)
        elif dialog.delete_requested:
            self.delete_contact(contact_id)

    def _add_contact(self, contact: Contact, saved: Saved, failed: Failed) -> None:
        self.ops.db(lambda store: store.contacts.add(contact), success=saved, failure=failed)

    def _update_contact(self, contact: Contact, saved: Saved, failed: Failed) -> None:
        def update(store: Store) -> Contact:
            store.contacts.update(contact)
            return contact

        self.ops.db(update, success=saved, failure=failed)

    # ------------------------------------------------------------------ people and targets
    def add_to_targets(self, contact_ids: list[int]) -> None:
        """Pick people (imported connections) into the pipeline as targets."""
        if not contact_ids:
            return

        def picked(ids: list[int]) -> None:
            for cid in ids:
                self.shell.refresh_contact(cid)
            if ids:
                self._status(
                    self.tr("Added {0} to your targets.").format(
                        self.shell.model.record(ids[0]).contact.name  # type: ignore[union-attr]
                        if len(ids) == 1
                        else self.tr("{0} people").format(len(ids))
                    )
                )
            else:
                self._status(self.tr("Already among your targets."))

        ids = list(contact_ids)
        self.ops.db(lambda store: store.contacts.add_to_targets(ids), success=picked)

    # ------------------------------------------------------------------ delete and undo
    def delete_contact(self, contact_id: int) -> None:
        """Delete a contact with everything that was theirs; the notice offers Undo for a while
        (and Ctrl+Z undoes it), which puts all of it back."""
        self.ops.db(
            lambda store: store.contacts.delete_keeping_undo(contact_id), success=self.on_deleted
        )

    def on_deleted(self, deleted: DeletedContact) -> None:
        self.deleted = deleted
        self.shell.undoable_mark = None  # Ctrl+Z now undoes this deletion
        self.shell.refresh_contact(deleted.contact_id)
        self.shell.banner.show_text(
            self.tr("Deleted {0}, with their history and notes.").format(deleted.name),
            action=self.tr("&Undo"),
        )
        self.shell.update_contact_actions()

    def undo_delete(self) -> bool:
        """Put the last deleted contact back; True if there was one to put back."""
        deleted, self.deleted = self.deleted, None
        if deleted is None:
            return False
        self.shell.update_contact_actions()

        def restored(_none: None) -> None:
            self.shell.banner.hide()
            self.shell.refresh_contact(deleted.contact_id)
            self.shell.select_contact(deleted.contact_id)
            self._status(self.tr("{0} is back.").format(deleted.name))

        self.ops.db(lambda store: store.contacts.restore(deleted), success=restored)
        return True

    def undo_import(self) -> bool:
        """Contact → Undo last import: after asking, remove the contacts the last import added
        and restore those it merged into. True if it was asked for."""
        batch = self.ctx.store.imports.last()
        if batch is None:
            self._status(self.tr("No import to undo."))
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Undo import"),
            self.tr(
                "Undo the import of {0}? The {1} contact(s) it added are removed, with anything "
                "done with them since; the {2} it merged into get their details back."
            ).format(
                when_text(batch.imported_at, self.shell.zone), len(batch.added), len(batch.merged)
            ),
            QMessageBox.StandardButton.Cancel,
            self.shell.widget(),
        )
        undo = box.addButton(self.tr("&Undo import"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.shell.exec_dialog(box)
        if box.clickedButton() is not undo:
            return False
        now = self.shell.now()
        self.ops.db(lambda store: store.imports.undo_last(now), success=self.on_import_undone)
        return True

    def on_import_undone(self, undone: UndoneImport | None) -> None:
        self.shell.reload_all()
        if undone is not None:
            self.shell.tell(
                self.tr("Import undone: {0} contact(s) removed, {1} restored.").format(
                    undone.removed, undone.restored
                )
            )

    # ------------------------------------------------------------------ meetings
    def set_meeting_for(self, contact_id: int) -> bool:
        """Ask for a meeting's time and set it; True if the user set one."""
        record = self.shell.model.record(contact_id)
        if record is None:
            return False
        proposal = record.state.meeting_start or self._next_morning()
        dialog = MeetingDialog(record.contact.name, self.shell.zone, proposal, self.shell.widget())
        if not self.shell.exec_dialog(dialog):
            return False
        start, end = dialog.interval()
        self.apply_meeting(contact_id, start, end)
        return True

    def apply_meeting(self, contact_id: int, start: datetime, end: datetime) -> None:
        now, zone = self.shell.now(), self.shell.zone
        self.ops.db(
            lambda store: set_meeting(store, contact_id, start, end, now, zone),
            success=lambda _step: self.on_meeting_set(contact_id),
        )

    def on_meeting_set(self, contact_id: int) -> None:
        self.shell.undoable_mark = None
        self.shell.refresh_contact(contact_id)

    def _next_morning(self) -> datetime:
        local = self.shell.now().astimezone(self.shell.zone) + timedelta(days=1)
        while local.weekday() >= 5:
            local += timedelta(days=1)
        return local.replace(hour=10, minute=0, second=0, microsecond=0)

    def send_invitation(self, contact_id: int) -> bool:
        """One click: invite a scheduled contact through the account's calendar, off the GUI
        thread (on the sync worker, which has its own database connection)."""
        record = self.shell.model.record(contact_id)
        state = record.state if record is not None else None
        if state is None or state.meeting_start is None or state.meeting_end is None:
            return False
        if not self.ctx.providers:
            self.shell.tell(self.tr("Connect a mailbox to send invitations."))
            return False
        self.shell.panel.invite_button.setEnabled(False)
        slot = Slot(state.meeting_start, state.meeting_end)
        prefs, provider, now = self.ctx.settings, self.ctx.providers[0], self.shell.now()

        def invite(store: Store) -> AcceptedSlot:  # on the sync worker: network, then the DB
            return invite_job(
                store,
                provider,
                contact_id,
                slot,
                now,
                prefs.user_name,
                phone=prefs.phone,
                user_tz=prefs.timezone,
                lang=prefs.message_language,
            )

        self.ops.db(invite, success=self.on_invitation_sent, failure=self.on_invitation_failed)
        return True

    def on_invitation_failed(self, error: BaseException) -> None:
        self.shell.panel.invite_button.setEnabled(True)
        if self.closed:
            return
        log.error("sending the invitation failed", exc_info=error)
        self.shell.tell(self.tr("The invitation could not be sent: {0}").format(error))

    def on_invitation_sent(self, sent: AcceptedSlot) -> None:
        self.shell.panel.invite_button.setEnabled(True)
        if not self.closed:
            self.invitation_sent(sent)

    def invitation_sent(self, sent: AcceptedSlot) -> None:
        name = sent.invite.attendees[0] if sent.invite.attendees else ""
        if sent.error:
            self.shell.tell(
                self.tr(
                    "The meeting is set, but the invitation could not be sent ({0}). Try "
                    "again later."
                ).format(sent.error)
            )
        elif sent.emailed is not None:
            self.shell.tell(
                self.tr(
                    "Invitation e-mailed to {0} with a calendar file (the account has no "
                    "calendar Coffeechat can use)."
                ).format(name)
            )
        else:
            self.shell.tell(self.tr("Invitation sent to {0}.").format(name))

    # ------------------------------------------------------------------ writing
    def write_due(self, contact_id: int) -> bool:
        """Ctrl+R from Contacts or the Pipeline: what the contact's due action calls for. A
        reply waiting on the user opens the threaded reply its intent calls for (the reply
        card's template), never a new request; else the composer opens on the template of the
        contact's most urgent due action (a met contact not yet thanked: the thank-you; a target:
        the request)."""
        flow = getattr(self.shell, "replies", None)
        case = flow.refresh(contact_id) if flow is not None else None
        if flow is not None and case is not None:
            return bool(flow.write_reply(case, case.template.value))
        return self.write_to(contact_id, self.due_kind(contact_id))

    def due_kind(self, contact_id: int) -> ActionKind | None:
        """The due action a message to this contact answers, if any."""
        record = self.shell.model.record(contact_id)
        if record is None:
            return None
        if record.state.stage is Stage.MET and record.state.thanked_at is None:
            return ActionKind.THANK_YOU_MISSING  # due or not yet, it is what comes next
        due = all_due([record], self.shell.now(), self.ctx.settings.reminders())
        return next((a.kind for a in due if a.kind in TEMPLATE_FOR_ACTION), None)

    def write_to(self, contact_id: int, action: ActionKind | None = None) -> bool:
        """Open the composer for a contact; True if a draft was saved or the message sent."""
        shell = self.shell
        if shell.model.record(contact_id) is None:
            return False
        from ui.composer import ComposerDialog  # Jinja2 and the templates load on first use

        dialog = ComposerDialog(
            self.ctx,
            shell.model.records(),
            contact_id,
            ops=self.ops,
            action=action,
            parent=shell.widget(),
        )
        dialog.message_sent.connect(self.on_message_sent)
        dialog.draft_saved.connect(self.on_draft_saved)
        try:
            return shell.exec_dialog(dialog)
        finally:
            dialog.release()

    def on_message_sent(self, contact_id: int) -> None:
        """The pipeline learns of the message from Sent mail: sync now to see it there."""
        record = self.shell.model.record(contact_id)
        name = record.contact.name if record is not None else ""
        self._status(self.tr("Message to {0} sent.").format(name))
        self.shell.sync_soon()

    def on_draft_saved(self, contact_id: int) -> None:
        record = self.shell.model.record(contact_id)
        name = record.contact.name if record is not None else ""
        self._status(
            self.tr("Draft to {0} saved in your mailbox: send it from there when ready.").format(
                name
            )
        )
