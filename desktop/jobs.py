"""Work that runs on the sync worker: each job opens its own Store (one connection per thread)
and returns plain values. Never touches Qt."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from desktop.domain.clock import Clock
from desktop.storage import Store
from desktop.sync import Change, SyncResult, pass_time_only, run_once
from mail.provider import MailProvider, NeedsSignInError, OfflineError, ThrottledError

log = logging.getLogger(__name__)

_local = threading.local()


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


def worker_store(profile: Path) -> Store:
    """This thread's own connection to the profile's database."""
    stores: dict[Path, Store] = getattr(_local, "stores", {})
    _local.stores = stores
    if profile not in stores:
        stores[profile] = Store.open(profile)
    return stores[profile]


def close_worker_store() -> None:
    for store in getattr(_local, "stores", {}).values():
        store.close()
    _local.stores = {}


def sync_round(profile: Path, providers: tuple[MailProvider, ...], clock: Clock) -> SyncRound:
    """One pass per account; an account's failure is its state, not the round's."""
    store = worker_store(profile)
    outcomes: list[AccountOutcome] = []
    for provider in providers:
        account_id = provider.account.id
        try:
            result = run_once(store, provider, clock)
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
            log.exception("sync of account %d failed", account_id)
            outcomes.append(
                AccountOutcome(account_id, SyncState.ERROR, message=f"{type(exc).__name__}: {exc}")
            )
        else:
            outcomes.append(AccountOutcome(account_id, SyncState.IDLE, result=result))
    time_changes = () if providers else tuple(pass_time_only(store, clock))
    return SyncRound(tuple(outcomes), time_changes)
