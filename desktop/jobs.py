"""Work that runs on the sync worker: each job is handed the worker's own Store (see
``Tasks.submit_store``) and returns plain values. Never touches Qt."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from desktop import outbox
from desktop.actions import all_due
from desktop.domain.clock import Clock
from desktop.domain.due import DueAction, ReminderSettings
from desktop.mailflags import update_flags
from desktop.storage import ContactRecord, Store
from desktop.storage.database import disk_full, is_damage
from mail.provider import MailProvider, NeedsSignInError, OfflineError, ThrottledError

if TYPE_CHECKING:
    from desktop.domain.slots import Slot
    from desktop.invites import AcceptedSlot
    from desktop.sync import Change, SyncResult

log = logging.getLogger(__name__)


class SyncState(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    THROTTLED = "throttled"
    NEEDS_SIGN_IN = "needs_sign_in"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AccountOutcome:
    account_id: int
    state: SyncState
    result: SyncResult | None = None
    message: str = ""
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class SyncRound:
    outcomes: tuple[AccountOutcome, ...]
    time_changes: tuple[Change, ...] = ()
    #: Fresh records of the contacts this round touched, read on the worker after the commit,
    #: so the GUI thread updates those rows without reading the database.
    updated: tuple[ContactRecord, ...] = ()
    #: Every due action at the end of the round, most urgent first (when reminders were given).
    due: tuple[DueAction, ...] | None = None


def sync_round(
    store: Store,
    providers: tuple[MailProvider, ...],
    clock: Clock,
    reminders: ReminderSettings | None = None,
    flags_off: Collection[str] | None = None,
    only: Collection[int] | None = None,
) -> SyncRound:
    """One pass per account (per account of ``only``, when given: an IDLE announcement syncs
    its own account, a timer round the accounts that want polling); an account's failure is its
    state, not the round's.

    Each account first finishes what a crash left in its outbox. Time events (meetings ending)
    are applied even when every account is offline. With ``reminders`` and ``flags_off`` (the
    accounts whose mailbox-flags switch is off), the threads that wait for the user are then
    flagged in the mailboxes of the accounts that synced (desktop.mailflags).
    """
    # The sync, and the mail understanding behind it (classify, bounces), load with the first
    # round, not with the window.
    from desktop.sync import pass_time_only, run_once

    own = frozenset(p.account.address for p in providers)
    outcomes: list[AccountOutcome] = []
    touched: set[int] = set()
    for provider in providers:
        account_id = provider.account.id
        if only is not None and account_id not in only:
            continue
        try:
            outbox.resume(store, provider, now=clock.now())
            zone = reminders.zone if reminders is not None else UTC
            result = run_once(store, provider, clock, own_addresses=own, user_zone=zone)
        except OfflineError as exc:
            outcomes.append(AccountOutcome(account_id, SyncState.OFFLINE, message=str(exc)))
        except ThrottledError as exc:
            outcomes.append(
                AccountOutcome(
                    account_id, SyncState.THROTTLED, message=str(exc), retry_after=exc.retry_after
                )
            )
        except NeedsSignInError as exc:
            outcomes.append(AccountOutcome(account_id, SyncState.NEEDS_SIGN_IN, message=str(exc)))
        except Exception as exc:
            if disk_full(exc) or is_damage(exc):
                raise  # the profile's trouble, not the account's: the caller says it once
            log.exception("sync of account %d failed", account_id)
            outcomes.append(
                AccountOutcome(account_id, SyncState.ERROR, message=f"{type(exc).__name__}: {exc}")
            )
        else:
            outcomes.append(AccountOutcome(account_id, SyncState.IDLE, result=result))
            touched.update(result.touched)
    time_changes = tuple(pass_time_only(store, clock))
    touched.update(c.contact_id for c in time_changes)
    updated: list[ContactRecord] = []
    for contact_id in sorted(touched):
        try:
            updated.append(store.contacts.get(contact_id))
        except KeyError:
            continue  # deleted meanwhile
    due = None
    if reminders is not None:
        due = tuple(all_due(store.contacts.all(), clock.now(), reminders))
        if flags_off is not None:
            synced = {o.account_id for o in outcomes if o.state is SyncState.IDLE}
            reachable = [p for p in providers if p.account.id in synced]
            update_flags(store, reachable, due, clock.now(), off=flags_off)
    return SyncRound(tuple(outcomes), time_changes, tuple(updated), due)


def polled_accounts(providers: tuple[MailProvider, ...]) -> frozenset[int]:
    """The accounts a timer round syncs: every account, except those whose server pushes new mail
    while nothing else is due (an IMAP account whose Inbox IDLE watches; see mail.imap.push)."""
    return frozenset(p.account.id for p in providers if wants_poll(p))


def wants_poll(provider: MailProvider) -> bool:
    ask = getattr(provider, "wants_poll", None)
    return True if ask is None else bool(ask())


def look_again(providers: tuple[MailProvider, ...]) -> None:
    """The user asked for a sync: pushed accounts look at every folder in the next pass too."""
    for provider in providers:
        again = getattr(provider, "look_again", None)
        if again is not None:
            again()


def invite_job(
    store: Store,
    provider: MailProvider,
    contact_id: int,
    slot: Slot,
    now: datetime,
    user_name: str,
    *,
    phone: str = "",
    user_tz: str = "UTC",
    lang: str = "en",
) -> AcceptedSlot:
    """On the sync worker: invite a scheduled contact through the account's calendar (or by
    e-mail with an .ics when the account has none), with the user's phone number for a call."""
    from desktop.invites import accept_slot, default_location

    return accept_slot(
        store,
        provider,
        contact_id,
        slot,
        now,
        user_name=user_name,
        location=default_location(slot, phone),
        user_tz=user_tz,
        lang=lang,
    )
