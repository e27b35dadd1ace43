"""The reply loop in the window: reads the current contact's reply case, shows it on the reply
cards (Today's and the contact panel's), and runs what a card asks for off the GUI thread.

Confirming a time opens the invitation's preview; once the user sends, the confirmation and the
invitation are held for ``hold_ms`` (the banner offers Undo, as Ctrl+Z does) and only then sent
through the outbox on the database worker (desktop/replies.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from desktop.domain import due
from desktop.domain.due import DueAction
from desktop.domain.slots import Slot
from desktop.storage import Store
from mail import intent as intents
from mail.provider import MailProvider
from ui.reply_card import InvitePreviewDialog, ReplyCard
from ui.shell import Shell
from ui.today import DueDelegate

if TYPE_CHECKING:
    from desktop import invites, replies
    from desktop.replies import ReplyCase

# The reply loop (desktop.replies, and the compose, invitation and template modules behind it:
# icalendar, Jinja2) loads when a reply is first read or answered, after the window is shown.

log = logging.getLogger(__name__)

#: How long a confirmed send waits for Undo.
UNDO_SEND_MS = 6000


@dataclass
class HeldSend:
    """A send waiting for its Undo window to pass."""

    label: str
    job: Callable[[Store], Any]
    success: Callable[[Any], object]


def reply_line_of(case: ReplyCase) -> str:
    """What the reply says, for Today: who, the recognised intent, what answers it."""
    who = case.name.split(" ")[0] or case.name
    kind, when, referral = case.intent.kind, "", ""
    accepted = case.accepted
    if accepted is not None:
        when = f"{accepted.start.astimezone(ZoneInfo(case.user_tz)):%a %H:%M}"
    elif kind == intents.PROPOSE and case.proposed:
        when = f" ({len(case.proposed)})"
    if kind == intents.REFER:
        referral = case.intent.referral_name or case.intent.referral_address
    return due.reply_line(who, kind, when=when, referral=referral)


class ReplyController(QObject):
    """Signals:
    case_shown(object): the ReplyCase now on the cards (None when there is none).
    sent(object): a held send went out (its job's result).
    """

    case_shown = Signal(object)
    sent = Signal(object)

    def __init__(self, shell: Shell, parent: QObject | None = None, hold_ms: int = UNDO_SEND_MS):
        super().__init__(parent)
        self.shell = shell
        self.ctx = shell.ctx
        self.ops = shell.ops
        self.case: ReplyCase | None = None
        #: What Today's card shows: the current contact's reply, else the oldest waiting.
        self.today_case: ReplyCase | None = None
        #: Every reply still waiting on the user, by contact: Today's reply rows read them.
        self.waiting: dict[int, ReplyCase] = {}
        self.waiting_read = False
        self.held: HeldSend | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(hold_ms)
        self.timer.timeout.connect(self.release)
        self.panel_card: ReplyCard = shell.panel.reply_card
        self.today_card = ReplyCard()
        self.today_card.setObjectName("todayReplyCard")
        self._place_in_today()
        self.cards = (self.today_card, self.panel_card)
        # The window's own signals: the contact shown changed; a sync round was applied.
        selected = getattr(shell, "contact_selected", None)
        if selected is not None:
            selected.connect(self.refresh)
        feeder = getattr(shell, "feeder", None)
        if feeder is not None:
            feeder.round_applied.connect(lambda _round: self.refresh())
        # The panel's "Send invitation" previews and holds its send too (one flow, with Undo).
        commands = getattr(shell, "commands", None)
        if commands is not None:
            shell.panel.invite_requested.disconnect(commands.send_invitation)
            shell.panel.invite_requested.connect(self.invite)
        today_view = getattr(shell, "today_view", None)
        delegate = today_view.itemDelegate() if today_view is not None else None
        if isinstance(delegate, DueDelegate):
            delegate.reply_text = self.reply_text
        for card in self.cards:
            card.confirm_requested.connect(self.confirm)
            card.refer_requested.connect(self.refer)
            card.reply_requested.connect(self.write_reply)
            card.correction_made.connect(self.correct)

    def _place_in_today(self) -> None:
        """Under Today's list: the card of the selected action's contact."""
        page: QWidget | None = getattr(self.shell, "today_page", None)
        layout = page.layout() if page is not None else None
        if isinstance(layout, QBoxLayout):
            layout.addWidget(self.today_card)

    # ------------------------------------------------------------------ reading
    def own_addresses(self) -> tuple[str, ...]:
        return tuple(p.account.address for p in self.ctx.providers)

    def refresh(self, contact_id: int | None = None) -> ReplyCase | None:
        """Read the contact's reply case (the current contact by default) onto the cards."""
        from desktop import replies

        contact_id = self.shell.current_id if contact_id is None else contact_id
        case = None
        if contact_id is not None:
            try:
                case = replies.read_case(
                    self.ctx.store, contact_id, self.ctx.settings, self.own_addresses()
                )
            except KeyError:
                case = None
        self.case = case
        self.panel_card.show_case(case)
        found = self.read_waiting()
        # Today shows the selected contact's reply, else the oldest reply still waiting.
        waiting = case if case is not None else (found[0] if found else None)
        self.today_case = waiting
        self.today_card.show_case(waiting)
        today_view = getattr(self.shell, "today_view", None)
        if today_view is not None:
            today_view.viewport().update()  # the reply rows say what was read
        self.case_shown.emit(case)
        return case

    def read_waiting(self) -> list[ReplyCase]:
        """Every reply still waiting on the user, oldest first, kept by contact for Today."""
        from desktop import replies

        found = replies.waiting_cases(self.ctx.store, self.ctx.settings, self.own_addresses())
        self.waiting = {c.contact_id: c for c in found}
        self.waiting_read = True
        return found

    def reply_text(self, action: DueAction) -> tuple[str, str] | None:
        """Today's line for a reply and the start of what they wrote: "Maya accepted Thu
        14:00 — confirm and invite"; None when there is no reply to read."""
        if not self.waiting_read:  # Today is painted before any contact was shown
            try:
                self.read_waiting()
            except Exception:  # the line falls back to the action's own words
                log.exception("the waiting replies could not be read")
                self.waiting_read = True
        case = self.waiting.get(action.contact_id)
        if case is None:
            return None
        return reply_line_of(case), due.excerpt(case.text)

    def focus_card(self) -> bool:
        """Enter on a reply in Today: the card's one click gets the keyboard."""
        card = self.today_card if self.today_card.isVisible() else self.panel_card
        if card.case is None:
            return False
        card.primary.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def provider(self) -> MailProvider | None:
        return self.ctx.providers[0] if self.ctx.providers else None

    # ------------------------------------------------------------------ the clicks
    def confirm(self, case: ReplyCase, slot: Slot) -> bool:
        """Preview the invitation; on Send, hold the confirmation and invitation for Undo."""
        from desktop import invites, replies

        provider = self.provider()
        if provider is None:
            self.shell.tell(self.tr("Connect a mailbox to confirm and send the invitation."))
            return False
        prefs = self.ctx.settings
        record = self.ctx.store.contacts.get(case.contact_id)
        try:
            preview = invites.preview(
                record.contact, slot, user_name=prefs.user_name or provider.account.display_name,
                user_tz=case.user_tz, location=replies.location_for(slot, prefs),
            )  # fmt: skip
        except ValueError as exc:
            self.shell.tell(str(exc))
            return False
        dialog = InvitePreviewDialog(preview, self.shell.widget())
        if not self.shell.exec_dialog(dialog):
            return False
        place, now = dialog.location(), self.shell.now()

        def job(store: Store) -> replies.Confirmed:
            from desktop import replies

            return replies.confirm_and_invite(
                store, provider, case, slot, prefs, now, location=place
            )

        self.hold(
            self.tr("Confirmation and invitation to {0}: {1}").format(
                case.name, case.both_zones(slot)
            ),
            job,
            self.on_confirmed,
        )
        return True

    def invite(self, contact_id: int) -> bool:
        """Send invitation (the contact panel): the scheduled meeting's invitation, previewed
        and held for Undo like the reply card's; through the account's calendar when it has
        one, else e-mailed with the .ics."""
        from desktop import drafting, invites, replies

        provider = self.provider()
        record = self.ctx.store.contacts.get(contact_id)
        state = record.state
        if state.meeting_start is None or state.meeting_end is None:
            return False
        if provider is None:
            self.shell.tell(self.tr("Connect a mailbox to send invitations."))
            return False
        prefs = self.ctx.settings
        slot = Slot(state.meeting_start, state.meeting_end)
        user_tz = drafting.zone_or_none(prefs.timezone) or "UTC"
        try:
            preview = invites.preview(
                record.contact, slot, user_name=prefs.user_name or provider.account.display_name,
                user_tz=user_tz, location=replies.location_for(slot, prefs),
            )  # fmt: skip
        except ValueError as exc:
            self.shell.tell(str(exc))
            return False
        dialog = InvitePreviewDialog(preview, self.shell.widget())
        dialog.send_button.setText(self.tr("&Send invitation"))
        if not self.shell.exec_dialog(dialog):
            return False
        place, now = dialog.location(), self.shell.now()

        def job(store: Store) -> invites.AcceptedSlot:
            from desktop import invites

            return invites.accept_slot(
                store, provider, contact_id, slot, now, user_name=prefs.user_name,
                location=place, user_tz=user_tz, lang=prefs.message_language,
            )  # fmt: skip

        self.hold(
            self.tr("Invitation to {0}: {1}").format(record.contact.name, preview.when),
            job,
            self.on_invited,
        )
        return True

    def refer(self, case: ReplyCase, name: str, address: str) -> bool:
        from desktop import replies

        provider = self.provider()
        if provider is None:
            self.shell.tell(self.tr("Connect a mailbox to reply."))
            return False
        if not name and not address:
            self.shell.tell(self.tr("Type the referred person's name or address first."))
            return False
        prefs, now = self.ctx.settings, self.shell.now()

        def job(store: Store) -> replies.Referred:
            return replies.thank_and_refer(
                store, provider, case, prefs, now, name=name, address=address
            )

        self.ops.db(job, success=self.on_referred, failure=self.on_failed)
        return True

    def write_reply(self, case: ReplyCase, template: str) -> bool:
        """A threaded reply from a template, in the composer (its title and templates follow)."""
        from ui.composer import ComposerDialog  # Jinja2 and the templates load on first use

        dialog = ComposerDialog(
            self.ctx,
            self.shell.model.records(),
            case.contact_id,
            ops=self.ops,
            template=template,
            parent=self.shell.widget(),
        )
        dialog.message_sent.connect(lambda _id: self.after_send())
        try:
            return self.shell.exec_dialog(dialog)
        finally:
            dialog.release()

    def correct(self, case: ReplyCase, kind: str, slot: int | None) -> None:
        from desktop import replies

        now = self.shell.now()

        def job(store: Store) -> None:
            replies.correct(store, case, kind, slot, now)

        self.ops.db(
            job, success=lambda _none: self.refresh(case.contact_id), failure=self.on_failed
        )

    # ------------------------------------------------------------------ held sends (Undo)
    def hold(
        self, label: str, job: Callable[[Store], Any], success: Callable[[Any], object]
    ) -> None:
        if self.held is not None:
            self.release()
        self.held = HeldSend(label, job, success)
        self.timer.start()
        seconds = max(1, round(self.timer.interval() / 1000))
        self.shell.banner.show_text(
            self.tr("Sending in {0} s — {1}. Ctrl+Z or Undo keeps it unsent.").format(
                seconds, label
            ),
            ms=self.timer.interval(),
            action=self.tr("Undo send"),
        )

    def undo_send(self) -> bool:
        """Undo send: the held confirmation and invitation are dropped, nothing was sent."""
        held, self.held = self.held, None
        if held is None:
            return False
        self.timer.stop()
        self.shell.banner.hide()
        self.shell.show_status(self.tr("Not sent: {0}.").format(held.label), 5000)
        return True

    def release(self) -> None:
        """The Undo window passed: send now."""
        held, self.held = self.held, None
        self.timer.stop()
        if held is None:
            return
        self.shell.banner.hide()
        self.ops.db(held.job, success=held.success, failure=self.on_failed)

    # ------------------------------------------------------------------ answers
    def on_confirmed(self, done: replies.Confirmed) -> None:
        error = done.invitation.error
        self.shell.tell(
            self.tr("Confirmed, and the invitation is on its way to {0}.").format(
                ", ".join(done.message.to)
            )
            if not error
            else self.tr("Confirmed; the invitation will be sent again later ({0}).").format(error)
        )
        self.sent.emit(done)
        self.after_send()

    def on_invited(self, sent: invites.AcceptedSlot) -> None:
        commands = getattr(self.shell, "commands", None)
        if commands is not None:
            commands.invitation_sent(sent)  # says how it went, as the one-click send did
        self.sent.emit(sent)
        self.after_send()

    def on_referred(self, done: replies.Referred) -> None:
        target = self.ctx.store.contacts.get(done.target_id).contact
        self.shell.tell(
            self.tr("Thanked, and {0} is a new target; the request to them is in Drafts.").format(
                target.name
            )
            if done.draft is not None
            else self.tr("Thanked, and {0} is a new target ({1}).").format(
                target.name, done.draft_error
            )
        )
        self.sent.emit(done)
        reload_all = getattr(self.shell, "reload_all", None)
        if callable(reload_all):
            reload_all()  # the new target joins the contacts
        self.after_send()

    def after_send(self) -> None:
        current = self.shell.current_id
        if current is not None:
            self.shell.refresh_contact(current)
        self.refresh()
        self.shell.sync_soon()

    def on_failed(self, error: BaseException) -> None:
        log.error("the reply could not be sent", exc_info=error)
        self.shell.tell(self.tr("The reply could not be sent: {0}").format(error))
