"""Several accounts at once: one account's failure is its own state, never the round's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from desktop.jobs import SyncState, close_worker_store, sync_round
from desktop.storage import Store
from mail.provider import (
    Account,
    AccountKind,
    ChangeSet,
    DraftRef,
    EventRef,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    SentRef,
    ThrottledError,
)
from mail.relevance import Relevance
from tests.helpers.demo_profile import open_demo


class FailingMailbox:
    """A provider whose change feed fails the way a real service does."""

    def __init__(self, account: Account, error: Exception) -> None:
        self.account = account
        self.error = error

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        raise self.error

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        raise self.error

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        raise self.error

    def send_draft(self, draft: DraftRef) -> SentRef:
        raise self.error

    def find_sent(self, outbox_key: str) -> SentRef | None:
        raise self.error

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        raise self.error

    def create_event(self, event: MeetingInvite) -> EventRef:
        raise self.error

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        raise self.error


def test_each_account_gets_its_own_state(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path)
    store = Store.open(tmp_path)
    gmail = store.add_account(AccountKind.GMAIL, "me@gmail.example")
    outlook = store.add_account(AccountKind.OUTLOOK, "me@outlook.example")
    imap = store.add_account(AccountKind.IMAP, "me@imap.example")
    providers = (
        FailingMailbox(gmail, OfflineError("no route to host")),
        demo.mailbox,
        FailingMailbox(outlook, ThrottledError(retry_after=30)),
        FailingMailbox(imap, NeedsSignInError("invalid_grant")),
    )
    try:
        round_ = sync_round(paths.profile, providers, clock)
    finally:
        close_worker_store()
    states = {o.account_id: o.state for o in round_.outcomes}
    assert states == {
        gmail.id: SyncState.OFFLINE,
        demo.mailbox.account.id: SyncState.IDLE,
        outlook.id: SyncState.THROTTLED,
        imap.id: SyncState.NEEDS_SIGN_IN,
    }
    throttled = next(o for o in round_.outcomes if o.account_id == outlook.id)
    assert throttled.retry_after == 30
    assert store.event_count() > 0  # the demo account's pass landed despite the others
    assert store.account_cursor(gmail.id) is None


def test_an_unexpected_error_is_an_error_state_not_a_crash(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path)
    store = Store.open(tmp_path)
    broken = store.add_account(AccountKind.GMAIL, "me@gmail.example")
    try:
        round_ = sync_round(
            paths.profile, (FailingMailbox(broken, RuntimeError("bug")), demo.mailbox), clock
        )
    finally:
        close_worker_store()
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
        store.add_account(AccountKind.GMAIL, "me@gmail.example")
        store.add_account(AccountKind.OUTLOOK, "me@outlook.example")
        paths = Paths(profile=tmp_path, logs=tmp_path / "logs")
        clock = ManualClock(START)
        providers = build(store, paths, clock)
        assert [type(p) for p in providers] == [GmailProvider, OutlookProvider]
        try:
            round_ = sync_round(paths.profile, providers, clock)
        finally:
            close_worker_store()
    finally:
        keyring.set_keyring(previous)
    assert [o.state for o in round_.outcomes] == [SyncState.NEEDS_SIGN_IN] * 2
    assert all(o.message for o in round_.outcomes)  # says why, for the status bar's tooltip
