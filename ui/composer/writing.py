"""The composer's message: written from the template by desktop/drafting.py when an input changes,
coached, and the buttons set from what the pipeline says may be saved or sent."""

from __future__ import annotations

from desktop import compose, drafting
from ui.composer.common import label
from ui.composer.part import Part


class Writing(Part):
    """The message and its coaching, as a part of the composer dialog."""

    # ================================================================ the message
    def render_message(self) -> None:
        """Write the message from the template, unless the user has edited it by hand."""
        record, tpl = self.record(), self.template()
        self.error = ""
        self.recipient_error = ""
        if record is None or tpl is None:
            self.draft = None
            self.error = self.tr("Choose a contact and a template.")
            self._show_message()
            return
        try:
            name, address = compose.recipient(self.ctx.store, record, tpl.kind)
            self.to_label.setText(f"{name} <{address}>")
        except ValueError as exc:
            self.recipient_error = str(exc)
            self.to_label.setText(self.tr("(nobody: {0})").format(exc))
        self.draft = drafting.render(
            tpl,
            self._known_fields(),
            self.field_values(),
            self.slots,
            user_tz=self.user.timezone,
            contact_tz=self.contact_tz(),
            lang=self.language(),
            kind=self.meeting_kind(),
        )
        self.fields = dict(self.draft.fields)
        sender = self.provider()
        self.conversation = (
            compose.last_thread(
                self.ctx.store, record.id, None if sender is None else sender.account.id
            )
            if tpl.kind in drafting.THREAD_KINDS
            else None
        )
        missing: str | None = None
        if self.draft.problem is drafting.Problem.NO_SLOTS:
            missing = self.draft.missing
            if self.calendar is None:
                self.error = self.tr("Finding free times in your calendar…")
            else:
                self.error = self.tr(
                    "No free time was found in the next two weeks, and this template needs "
                    "proposed times: try another meeting, or change a time by hand."
                )
        elif self.draft.problem is drafting.Problem.MISSING_FIELD:
            missing = self.draft.missing
            self.error = self.tr("Fill in “{0}”: the template “{1}” needs it.").format(
                self.tr(label(missing)), self.template_combo.currentText()
            )
            self.fields_box.describe_missing(missing, self.error)
        elif self.draft.problem is drafting.Problem.TEMPLATE:
            self.error = self.draft.error
        self.fields_box.mark_missing(missing, self.error)
        self._show_message()

    def _show_message(self) -> None:
        if self.hand_edited:
            self.edited_row.show()
            return
        message = self.draft.message if self.draft is not None else None
        if message is None:
            # The reason is said once, beside the detail or in the status line, not here too.
            self.message_panel.write(
                "", "", self.tr("The message is written here once the template has what it needs.")
            )
        else:
            subject = drafting.subject_for(message, self.conversation)
            self.message_panel.write(subject, message.body)
        self.edited_row.hide()
        if self.conversation is not None:
            thread = self.tr("Goes into your conversation “{0}”.").format(self.conversation.subject)
        elif self.template() is not None and self.template_kind() in drafting.THREAD_KINDS:
            thread = self.tr("No earlier conversation: starts a new one.")
        else:
            thread = ""
        self.message_panel.show_thread(thread)

    def has_message(self) -> bool:
        return drafting.has_message(self.draft, self.hand_edited, self.message_panel.body())

    # ================================================================ coaching
    def update_coaching(self) -> None:
        record = self.record()
        if record is None or not self.has_message():
            self.findings = []
        else:
            self.findings = drafting.coach(
                self.template_kind(),
                self.message_panel.subject(),
                self.message_panel.body(),
                record.contact.name,
                self.fields,
                len(self.slots),
                self.attach_box.names(),
            )
        if not self.has_message():
            self.coaching_box.show_waiting("")
        else:
            self.coaching_box.show_findings(self.findings)
        self.update_buttons()
        self.coaching_updated.emit()

    # ================================================================ buttons
    def send_state(self) -> drafting.SendState:
        return drafting.SendState(
            busy=self.busy(),
            has_mailbox=bool(self.ctx.providers),
            recipient_error=self.recipient_error,
            has_message=self.has_message(),
            coaching_due=self.refresh_timer.isActive(),
            findings=tuple(self.findings),
            attachments=len(self.attachments),
            cap_reached=self.cap_reached(),
        )

    def send_blocked_reason(self) -> str:
        """Why *Send now* is off, in one sentence ("" when it is on)."""
        return self.footer.reason_text(
            drafting.send_blocked(self.send_state()),
            self.recipient_error,
            self.error,
            self.daily_cap,
        )

    def update_buttons(self) -> None:
        state = self.send_state()
        reason = self.send_blocked_reason()
        by_hand = not self.ctx.providers  # no mailbox: saved here, copied, or opened elsewhere
        ready = not self.busy() and not self.recipient_error and self.has_message()
        self.draft_button.setEnabled(ready if by_hand else drafting.can_save_draft(state))
        self.draft_button.setText(
            self.tr("Save &draft in Coffeechat")
            if by_hand
            else self.tr("Save as &draft in my mailbox")
        )
        for button in (self.footer.copy_button, self.footer.mailto_button):
            button.setVisible(by_hand)
            button.setEnabled(ready)
        self.send_button.setEnabled(not reason and drafting.can_send(state))
        self.send_button.setToolTip(reason)
        if not self.busy():
            # A missing detail is named under the details already: the status line does not
            # repeat it (one error, shown once).
            shown = not self.field_error.isHidden() and reason == self.field_error.text()
            said = "" if shown else reason
            self.status_label.setText(" ".join(t for t in (self.done_note, said) if t))
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
        self.attach_box.choose()

    def add_attachment(self, path: str) -> None:
        self.attach_box.add(path)

    def remove_selected_attachment(self) -> None:
        self.attach_box.remove_selected()
