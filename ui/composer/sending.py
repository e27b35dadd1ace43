"""The composer's saving and sending: the message handed to ``compose.draft_job`` or
``compose.send_job`` on the sync worker with its store (``ops.db``; that store records the
offered times), the answer shown, then the dialog closes or moves on to the next target."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from desktop import actions, compose, drafting, outbox
from desktop.domain.model import Stage
from desktop.domain.workspace import Draft
from desktop.storage import Store
from mail.provider import OutgoingMessage, ProviderError
from ui.composer.part import Part

log = logging.getLogger(__name__)


class Sending(Part):
    """Saving and sending, as a part of the composer dialog."""

    # ================================================================ saving and sending
    @property
    def outbox_key(self) -> str:
        """One key for this message: clicking Send again after an error (offline, say) resends
        the same message, which the outbox then sends at most once."""
        return self._outbox_key

    def outgoing(self) -> OutgoingMessage | None:
        record, tpl = self.record(), self.template()
        if record is None or tpl is None or not self.has_message():
            return None
        try:
            _name, address = compose.recipient(self.ctx.store, record, tpl.kind)
        except ValueError:
            return None
        return drafting.outgoing(
            address,
            self.message_panel.subject(),
            self.message_panel.body(),
            self.outbox_key,
            self.conversation,
        )

    def offers(self) -> list[tuple[datetime, datetime]]:
        return drafting.offers(self.template_kind(), self.slots)

    def _flush(self) -> None:
        if self.refresh_timer.isActive():
            self.refresh_timer.stop()
            self.on_refresh_timer()

    def save_draft(self) -> None:
        """Save the draft in the mailbox on the sync worker, which records the offered times
        once the draft is there (``compose.draft_job``); with no mailbox, in Coffeechat (the
        contact's Prepare tab lists it)."""
        self._flush()
        if not self.draft_button.isEnabled():
            return
        if not self.ctx.providers:
            self._save_here()
            return
        self._submit("draft", compose.draft_job)

    def _save_here(self) -> None:
        record = self.record()
        if record is None:
            return
        draft = Draft(
            None,
            record.id,
            self.header.template_name() or "",
            self.message_panel.subject(),
            self.message_panel.body(),
            self.now(),
        )
        details = dict(self.fields)

        def write(store: Store) -> object:
            saved = store.workspace.add_draft(draft)
            actions.remember_details(store, draft.contact_id, details)
            return saved

        self._operation, self._op_contact = "draft", record.id
        self.update_buttons()
        if not self.run_db(write, success=self._on_written, failure=self._on_write_failed):
            self._operation = ""
            self.update_buttons()

    def by_hand(self) -> tuple[str, str, str] | None:
        """(address, subject, body) of the message as it stands, to send it by hand."""
        record, tpl = self.record(), self.template()
        if record is None or tpl is None or not self.has_message():
            return None
        try:
            _name, address = compose.recipient(self.ctx.store, record, tpl.kind)
        except ValueError:
            return None
        return address, self.message_panel.subject(), self.message_panel.body()

    def copy_message(self) -> None:
        """Put the subject and the message on the clipboard."""
        message = self.by_hand()
        if message is None:
            return
        address, subject, body = message
        QGuiApplication.clipboard().setText(f"To: {address}\nSubject: {subject}\n\n{body}")
        self.status_label.setText(
            self.tr("Copied: paste it into a new message to {0}.").format(address)
        )

    def mailto_url(self) -> QUrl | None:
        """The message as a mailto: link (RFC 6068), for the user's mail app."""
        message = self.by_hand()
        if message is None:
            return None
        address, subject, body = message
        query = urlencode({"subject": subject, "body": body}, quote_via=quote)
        return QUrl(f"mailto:{quote(address, safe='@')}?{query}")

    def open_in_mail_app(self) -> None:
        url = self.mailto_url()
        if url is None:
            return
        if self.open_url(url):
            self.status_label.setText(self.tr("Opened in your mail app: send it from there."))
        else:
            self.status_label.setText(
                self.tr("No mail app answered: use Copy message and paste it instead.")
            )

    def send_now(self) -> None:
        """Send through the outbox on the sync worker, which owns the database writes."""
        self._flush()
        if self.send_blocked_reason():
            self.update_buttons()
            return
        if "resume_mentioned" in self.finding_codes() and not self.ask(
            self.tr("Send with the résumé mentioned?"),
            self.tr(
                "The message says a résumé is attached, but Coffeechat sends no files and a "
                "request for advice goes best without one."
            ),
            self.tr("Send &anyway"),
            self.tr("&Keep editing"),
        ):
            return
        self._submit("send", compose.send_job, purpose=self.template_kind().value)

    def _submit(self, operation: str, job: Any, **extra: Any) -> None:
        """Hand the message to ``job`` on the sync worker with its store (``ops.db``), as sending
        always has."""
        provider, msg, record = self.provider(), self.outgoing(), self.record()
        if provider is None or msg is None or record is None:
            self.update_buttons()
            return
        contact_id, now, offers = record.id, self.now(), self.offers()
        details = dict(self.fields)

        def write(store: Store) -> object:
            done = job(store, provider, msg, contact_id=contact_id, now=now, offers=offers, **extra)
            actions.remember_details(store, contact_id, details)
            return done

        # Busy before the job is handed over: its answer may come back at once.
        self._operation, self._op_contact = operation, record.id
        self.status_label.setText(self.footer.working_text(operation))
        self.update_buttons()
        if not self.run_db(write, success=self._on_written, failure=self._on_write_failed):
            self._operation = ""  # shutting down
            self.update_buttons()

    def _on_write_failed(self, error: BaseException) -> None:
        operation, self._operation = self._operation, ""
        if operation == "send" and isinstance(error, ProviderError):
            # The outbox row is written before the provider is called: the next sync sends it.
            log.warning("send deferred to the outbox: %s", type(error).__name__)
            self.message_sent.emit(self._op_contact)
            self.finish_or_next(self.tr("The message to {0} waits in the outbox."))
            return
        if not (operation == "draft" and isinstance(error, ProviderError)):
            log.error(
                "%s failed",
                "saving the draft" if operation == "draft" else "sending",
                exc_info=error,
            )
        self.update_buttons()
        self.status_label.setText(self.footer.failed_text(operation, error))

    def _on_written(self, _ref: object) -> None:
        operation, self._operation = self._operation, ""
        if operation == "draft":
            self.draft_saved.emit(self._op_contact)
            self.finish_or_next(self.tr("Draft saved for {0}."))
        else:
            self.message_sent.emit(self._op_contact)
            self.finish_or_next(self.tr("Sent to {0}."))

    # ================================================================ one at a time
    def next_target(self) -> int | None:
        """The next contact, in the list's order after the current one, who is still a target
        with an address and was not written to in this dialog."""
        for contact_id in self.header.contact_ids_after():
            record = self.records.get(contact_id)
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
        self.typed = False
        record = self.records.get(self._op_contact)
        name = record.contact.name if record is not None else ""
        following = self.next_target() if self.next_check.isChecked() else None
        if following is None:
            self.accept()
            return
        self._outbox_key = outbox.new_key()
        self.header.select_contact(following)
        nxt = self.records[following].contact.name
        self.done_note = done_text.format(name) + " " + self.tr("Now writing to {0}.").format(nxt)
        self.update_buttons()
