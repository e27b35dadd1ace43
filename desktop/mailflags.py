"""Flags in the mailbox: a thread that waits for a thank-you or a follow-up is flagged where the
user reads mail (a Gmail label, the Outlook follow-up flag, IMAP \\Flagged) and unflagged when the
action is done or dismissed. Qt-free; runs on the sync worker after a round has computed the due
actions.

Only what Coffeechat set is ever cleared: each flag set is a row in ``mailbox_flags`` (schema v6),
written after the provider said yes and deleted after it cleared it, so a flag is set once and
cleared once however many rounds run, and a round that fails half-way is simply repeated. A label
or flag the user set themselves has no row, and nothing here touches it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.due import ActionKind, DueAction
from desktop.reminders import key_of
from desktop.storage import ActionMark, MailboxFlagKey, Store
from mail.provider import Account, MailProvider, ProviderError

log = logging.getLogger(__name__)

THANK_YOU_DUE = "Thank-you due"
FOLLOW_UP_DUE = "Follow-up due"

#: The flag each kind of due action puts on the contact's conversation (providers name it:
#: Gmail labels the thread ``Coffeechat/<flag>``).
FLAG_FOR_ACTION: dict[ActionKind, str] = {
    ActionKind.THANK_YOU_MISSING: THANK_YOU_DUE,
    ActionKind.FOLLOW_UP: FOLLOW_UP_DUE,
    ActionKind.CLOSE_THE_LOOP: FOLLOW_UP_DUE,
}


def account_key(account: Account) -> str:
    """How Settings names an account for its mailbox-flags switch."""
    return f"{account.kind.value}:{account.address.lower()}"


@dataclass(frozen=True, slots=True)
class FlagRound:
    """What one pass over the flags did (for the log and the tests)."""

    set: tuple[MailboxFlagKey, ...] = ()
    cleared: tuple[MailboxFlagKey, ...] = ()
    #: Calls the mailbox refused or could not take; tried again next round.
    failed: tuple[tuple[MailboxFlagKey, str], ...] = ()


def wanted_flags(
    due: Iterable[DueAction],
    marks: Mapping[tuple[int, str, datetime], ActionMark],
    threads: Mapping[int, tuple[int, str]],
    accounts_on: Collection[int],
) -> dict[MailboxFlagKey, int]:
    """The flags that should be in the mailboxes now: (account, thread, flag) -> contact.

    A due action flags its contact's latest conversation unless the user dismissed it (a snooze
    only delays the reminder: the thread still waits for them)."""
    out: dict[MailboxFlagKey, int] = {}
    for action in due:
        flag = FLAG_FOR_ACTION.get(action.kind)
        where = threads.get(action.contact_id)
        if flag is None or where is None or where[0] not in accounts_on:
            continue
        mark = marks.get(key_of(action))
        if mark is not None and mark.dismissed:
            continue
        out.setdefault((where[0], where[1], flag), action.contact_id)
    return out


def update_flags(
    store: Store,
    providers: Iterable[MailProvider],
    due: Iterable[DueAction],
    now: datetime,
    *,
    off: Collection[str] = (),
) -> FlagRound:
    """Bring the mailboxes of ``providers`` in line with ``due`` (every action due now).

    ``off``: accounts (``account_key``) whose switch is off; what we set there is cleared."""
    by_account = {p.account.id: p for p in providers}
    on = {i for i, p in by_account.items() if account_key(p.account) not in off}
    due = [a for a in due if a.kind in FLAG_FOR_ACTION]
    threads = store.messages.latest_threads(a.contact_id for a in due)
    wanted = wanted_flags(due, store.marks.actions(), threads, on)
    have = store.marks.mailbox_flags()
    done_set: list[MailboxFlagKey] = []
    done_cleared: list[MailboxFlagKey] = []
    failed: list[tuple[MailboxFlagKey, str]] = []

    def call(key: MailboxFlagKey, turn_on: bool) -> bool:
        provider = by_account[key[0]]
        try:
            provider.set_thread_flag(key[1], key[2], turn_on)
        except ProviderError as exc:
            failed.append((key, str(exc) or type(exc).__name__))
            log.info("mailbox flag %r not %s yet: %s", key[2], "set" if turn_on else "cleared", exc)
            return False
        except Exception as exc:  # a bug in one provider must not stop the round
            failed.append((key, f"{type(exc).__name__}: {exc}"))
            log.exception("mailbox flag %r could not be changed", key[2])
            return False
        return True

    for key in sorted(set(have) - set(wanted)):
        if key[0] in by_account and call(key, False):
            store.marks.mailbox_flag_cleared(key)
            done_cleared.append(key)
    for key in sorted(set(wanted) - set(have)):
        if call(key, True):
            store.marks.mailbox_flag_set(key, wanted[key], now)
            done_set.append(key)
    return FlagRound(tuple(done_set), tuple(done_cleared), tuple(failed))
