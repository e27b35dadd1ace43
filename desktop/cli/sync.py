"""``coffeechat sync``: one sync pass over the connected accounts, then exit. Qt-free.

``--once`` (required before: the pass was the only thing ``sync`` did) is still accepted."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop import settings
from desktop.cli.common import on_read_profile, profile_option
from desktop.paths import Paths
from desktop.storage import Store

if TYPE_CHECKING:
    from mail.provider import MailProvider


def add_parser(subparsers: Any) -> None:
    sync = subparsers.add_parser(
        "sync", help="sync the connected accounts", parents=[profile_option()]
    )
    sync.add_argument("--once", action="store_true", help="one pass, then exit (the default)")


def run(args: argparse.Namespace) -> int:
    return on_read_profile(args, lambda paths, store: sync_once(store, paths))


def sync_once(store: Store, paths: Paths) -> int:
    from desktop.cli.history import close_all
    from desktop.providers import build, profile_clock

    providers = build(store, paths, profile_clock(paths))
    try:
        return _sync(store, paths, providers)
    finally:
        close_all(providers)


def _sync(store: Store, paths: Paths, providers: tuple[MailProvider, ...]) -> int:
    from desktop import outbox
    from desktop.jobs import SyncState, sync_round
    from desktop.providers import profile_clock

    clock = profile_clock(paths)
    if not providers:
        print("No account is connected: nothing to sync.")
        return 0
    for provider in providers:
        outbox.resume(store, provider, now=clock.now())
    # The past first (contacts added since the last pass, a newly connected account).
    from desktop.cli.history import run_pending

    history_failed = run_pending(paths, store, providers=providers, always=False) != 0
    prefs = settings.load(paths.settings)
    # The round has a connection of its own, as the window's database worker has.
    rounds = Store.open(paths.profile)
    try:
        # With the reminder settings, the round also flags waiting threads in the mailboxes.
        flags_off = frozenset(prefs.mailbox_flags_off)
        round_ = sync_round(rounds, providers, clock, prefs.reminders(), flags_off)
    finally:
        rounds.close()
    failed = history_failed
    for outcome in round_.outcomes:
        if outcome.result is not None:
            r = outcome.result
            print(
                f"account {outcome.account_id}: {r.seen} new messages, {r.relevant} relevant, "
                f"{r.events} events, {len(r.changes)} stage changes"
            )
        else:
            failed = failed or outcome.state is SyncState.ERROR
            print(f"account {outcome.account_id}: {outcome.state}: {outcome.message}")
    return 1 if failed else 0
