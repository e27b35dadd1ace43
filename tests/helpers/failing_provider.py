"""A mail provider whose every call fails the way a real service does: offline, throttled or
needing sign-in (or any other error a test names). It implements the real ``MailProvider`` port,
so the sync round, the window and the CLI treat it as they would a live account."""

from __future__ import annotations

from datetime import datetime

from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    EventRef,
    Interval,
    MailMessage,
    MailProvider,
    MeetingInvite,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    SentRef,
    ThrottledError,
)


class FailingProvider:
    """Raises ``error`` from every call; set ``error`` again to change how it fails."""

    def __init__(self, account: Account, error: Exception) -> None:
        self.account = account
        self.error = error

    @classmethod
    def offline(cls, account: Account, why: str = "no network") -> FailingProvider:
        return cls(account, OfflineError(why))

    @classmethod
    def throttled(cls, account: Account, retry_after: float | None = 30) -> FailingProvider:
        return cls(account, ThrottledError(retry_after=retry_after))

    @classmethod
    def needs_sign_in(cls, account: Account, why: str = "invalid_grant") -> FailingProvider:
        return cls(account, NeedsSignInError(why))

    def fetch_changes(self, cursor: str | None) -> ChangeSet:
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


def _implements_the_port(provider: FailingProvider) -> MailProvider:
    return provider  # mypy (when it reads tests) checks the stub against the port
