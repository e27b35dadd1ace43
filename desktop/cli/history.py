"""``coffeechat history``: read the mail that came before Coffeechat (the last months, a
setting) for the contacts whose past was not read yet, with progress lines; ``--status`` says
where each account's pass stands, ``--cancel`` asks a running pass (in another process, or the
window) to stop after its current batch. Qt-free."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.cli.common import on_read_profile, positive_int, profile_option
from desktop.paths import Paths
from desktop.storage import Store

if TYPE_CHECKING:
    from mail.provider import MailProvider


def add_parser(subparsers: Any) -> None:
    history = subparsers.add_parser(
        "history",
        parents=[profile_option()],
        help="read your past mail with your contacts (resumes where it stopped)",
        description="Find the conversations with your contacts in the last months and replay "
        "them, so each contact is in the stage their history puts them in. Nothing is sent.",
    )
    what = history.add_mutually_exclusive_group()
    what.add_argument("--status", action="store_true", help="where each account's pass stands")
    what.add_argument("--cancel", action="store_true", help="stop a running pass")
    history.add_argument(
        "--months", type=positive_int, default=None, help="how far back (default: the setting)"
    )


def run(args: argparse.Namespace) -> int:
    return on_read_profile(args, lambda paths, store: _run(args, paths, store))


def _run(args: argparse.Namespace, paths: Paths, store: Store) -> int:
    from desktop.history import status_line

    if args.status:
        runs = store.past.runs()
        if not runs:
            print("No history pass yet: 'coffeechat history' or 'coffeechat sync' runs one.")
        for run in runs:
            print(status_line(run))
        return 0
    if args.cancel:
        asked = store.past.request_cancel()
        print(f"Asked {asked} running pass(es) to stop." if asked else "No pass is running.")
        return 0
    return run_pending(paths, store, months=args.months, always=True)


def run_pending(
    paths: Paths,
    store: Store,
    *,
    providers: tuple[MailProvider, ...] | None = None,
    months: int | None = None,
    always: bool,
) -> int:
    """The history pass of every connected account, for its contacts not read yet, printing a
    progress line per batch and the summary. With ``always`` False (sync), says nothing when
    there is nothing to read."""
    from desktop import settings
    from desktop.history import Progress, run_pass, status_line, summary_lines
    from desktop.providers import build, profile_clock
    from mail.provider import AccountKind, ProviderError

    clock = profile_clock(paths)
    if providers is None:
        built = build(store, paths, clock)
        try:
            return run_pending(paths, store, providers=built, months=months, always=always)
        finally:
            close_all(built)
    if not providers:
        if always:
            print("No account is connected: nothing to read.")
        return 0
    prefs = settings.load(paths.settings)
    own = frozenset(p.account.address for p in providers)
    failed = False
    runs = []
    for provider in providers:
        if provider.account.kind is AccountKind.DEMO:
            continue  # the demo mailbox plays a story of its own, from its first pass
        if not store.past.unread_contacts(provider.account.id):
            continue

        def show(p: Progress) -> None:
            print(
                f"account {p.account_id}: history {p.contacts_done}/{p.contacts_total} "
                f"contacts, {p.messages_read} messages read",
                flush=True,
            )

        try:
            runs.append(
                run_pass(
                    store,
                    provider,
                    clock,
                    months=months or prefs.history_months,
                    own_addresses=own,
                    on_progress=show,
                )
            )
        except ProviderError as exc:
            failed = True
            print(f"account {provider.account.id}: history stopped: {exc} (it resumes later)")
    for run in runs:
        print(status_line(run))
    if runs:
        print("While you were away: " + "; ".join(summary_lines(runs)))
    elif always and not failed:
        print("Every contact's past is read already.")
    return 1 if failed else 0


def close_all(providers: tuple[MailProvider, ...]) -> None:
    """Close the connections the providers keep (IMAP), once a command is done with them."""
    for provider in providers:
        close = getattr(provider, "close", None)
        if callable(close):
            close()
