"""Mail providers that fail the way a real service does: offline, throttled or needing sign-in
(or any other error a test names). ``FailingProvider`` implements the real ``MailProvider`` port
and fails every call; ``PartlyFailingProvider`` wraps a working provider and fails only the
calls a test names (the calendar is down, the mail still goes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

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
from mail.relevance import Relevance


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


class PartlyFailingProvider:
    """``inner`` as it is, except that the calls named in ``calls`` raise ``error``."""

    def __init__(self, inner: MailProvider, error: Exception, *calls: str) -> None:
        unknown = set(calls) - {n for n in dir(FailingProvider) if not n.startswith("_")}
        assert not unknown, f"not calls of a provider: {sorted(unknown)}"
        self._inner = inner
        self._calls = frozenset(calls)
        self.account = inner.account
        self.error = error

    def _fail(self, *args: object, **kwargs: object) -> NoReturn:
        raise self.error

    def __getattr__(self, name: str) -> Any:
        if name in self._calls:
            fail: Callable[..., NoReturn] = self._fail
            return fail
        return getattr(self._inner, name)


def _implements_the_port(provider: FailingProvider) -> MailProvider:
    return provider  # mypy (when it reads tests) checks the stub against the port
