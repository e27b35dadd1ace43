"""Several accounts at once: one account's failure is its own state, never the round's."""

from __future__ import annotations

from pathlib import Path

from desktop.jobs import SyncState, sync_round
from desktop.storage import Store
from mail.provider import (
    AccountKind,
    NeedsSignInError,
    OfflineError,
    ThrottledError,
)
from tests.helpers.demo_profile import open_demo
from tests.helpers.failing_provider import FailingProvider


def test_each_account_gets_its_own_state(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path)
    store = Store.open(tmp_path)
    gmail = store.accounts.add(AccountKind.GMAIL, "me@gmail.example")
    outlook = store.accounts.add(AccountKind.OUTLOOK, "me@outlook.example")
    imap = store.accounts.add(AccountKind.IMAP, "me@imap.example")
    providers = (
        FailingProvider(gmail, OfflineError("no route to host")),
        demo.mailbox,
        FailingProvider(outlook, ThrottledError(retry_after=30)),
        FailingProvider(imap, NeedsSignInError("invalid_grant")),
    )
    rounds = Store.open(paths.profile)
    try:
        round_ = sync_round(rounds, providers, clock)
    finally:
        rounds.close()
    states = {o.account_id: o.state for o in round_.outcomes}
    assert states == {
        gmail.id: SyncState.OFFLINE,
        demo.mailbox.account.id: SyncState.IDLE,
        outlook.id: SyncState.THROTTLED,
        imap.id: SyncState.NEEDS_SIGN_IN,
    }
    throttled = next(o for o in round_.outcomes if o.account_id == outlook.id)
    assert throttled.retry_after == 30
    assert store.pipeline.event_count() > 0  # the demo account's pass landed despite the others
    assert store.accounts.cursor(gmail.id) is None


def test_an_unexpected_error_is_an_error_state_not_a_crash(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path)
    store = Store.open(tmp_path)
    broken = store.accounts.add(AccountKind.GMAIL, "me@gmail.example")
    rounds = Store.open(paths.profile)
    try:
        round_ = sync_round(
            rounds,
            (FailingProvider(broken, RuntimeError("bug")), demo.mailbox),
            clock,
        )
    finally:
        rounds.close()
    assert [o.state for o in round_.outcomes] == [SyncState.ERROR, SyncState.IDLE]
    assert "RuntimeError" in round_.outcomes[0].message


def test_accounts_without_a_grant_need_sign_in(tmp_path: Path) -> None:
    """The Gmail and Outlook providers are built for stored accounts; with no grant in the
    keyring the first pass is the *needs sign-in* state, never a crash at start-up."""
    import keyring
    from keyring.backends import fail

    from desktop.domain.clock import ManualClock
    from desktop.paths import Paths
    from desktop.providers import build
    from mail.gmail import GmailProvider
    from mail.outlook import OutlookProvider
    from tests.helpers.demo_profile import START

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = Store.open(tmp_path)
        store.accounts.add(AccountKind.GMAIL, "me@gmail.example")
        store.accounts.add(AccountKind.OUTLOOK, "me@outlook.example")
        paths = Paths(profile=tmp_path, logs=tmp_path / "logs")
        clock = ManualClock(START)
        providers = build(store, paths, clock)
        assert [type(p) for p in providers] == [GmailProvider, OutlookProvider]
        rounds = Store.open(paths.profile)
        try:
            round_ = sync_round(rounds, providers, clock)
        finally:
            rounds.close()
    finally:
        keyring.set_keyring(previous)
    assert [o.state for o in round_.outcomes] == [SyncState.NEEDS_SIGN_IN] * 2
    assert all(o.message for o in round_.outcomes)  # says why, for the status bar's tooltip
