"""The composer's warnings before anything is sent: the recipient is away (their automatic reply,
recorded or read from Outlook's mail tips on the network pool), and the daily limit of
requests."""

from __future__ import annotations

import logging
from functools import partial

from desktop import compose, drafting, templates
from mail.mime import html_to_text
from ui.composer.part import Part

log = logging.getLogger(__name__)

#: How much of an automatic reply (from mail tips) the away warning quotes.
TIP_CHARS = 160


class AwayCap(Part):
    """Mixed into the composer dialog (listed after QDialog): the away and daily-limit notes.

    The dialog provides the context, the two note labels, and its choices (``record``,
    ``provider``, ``template_kind``, ``now``), and runs the mail tips with ``run_network``.
    """

    def init_warnings(self) -> None:
        self._sent_today = 0
        #: Automatic replies from the account's mail tips: (account id, address) -> text.
        self.mail_tips: dict[tuple[int, str], str] = {}
        #: (account id, address) whose mail tips are being read.
        self._tips_asked: set[tuple[int, str]] = set()

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
        if key in self._tips_asked:
            return
        if self.run_network(
            compose.mail_tips,
            provider,
            [key[1]],
            success=partial(self.on_mail_tips, key),
            failure=partial(self.on_mail_tips_failed, key),
        ):
            self._tips_asked.add(key)

    def on_mail_tips(self, key: tuple[int, str], tips: dict[str, str]) -> None:
        self._tips_asked.discard(key)
        self.mail_tips[key] = tips.get(key[1], "")
        self.update_away()

    def on_mail_tips_failed(self, key: tuple[int, str], error: BaseException) -> None:
        self._tips_asked.discard(key)
        log.error("reading mail tips failed", exc_info=error)

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
        return drafting.cap_reached(self.template_kind(), self._sent_today, self.daily_cap)

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
