"""OutlookProvider and the Microsoft token cache without any network: a scripted session."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import keyring
import pytest
import requests

from mail.auth.microsoft import PART_SIZE, KeyringCache
from mail.auth.tokens import KeyringUnavailableError, TokenStore
from mail.http_retry import RetryPolicy
from mail.outlook import OutlookProvider
from mail.provider import (
    Account,
    AccountKind,
    Folder,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    ThrottledError,
)
from tests.helpers.memory_keyring import MemoryKeyring

ACCOUNT = Account(1, AccountKind.OUTLOOK, "me@outlook.test")


class _Answer:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status_code = status
        self.headers = headers or {}
        self.content = b"" if body is None else json.dumps(body).encode()
        self._body = body

    def json(self) -> Any:
        return self._body


class _Session:
    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method: str, url: str, **kw: Any) -> Any:
        self.calls.append((method, url, kw["headers"]))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self) -> None:
        pass


class _Auth:
    def __init__(self) -> None:
        self.forced = 0

    def access_token(self, *, force_refresh: bool = False) -> str:
        self.forced += force_refresh
        return "token"


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.t += s


def _provider(answers: list[Any], **kw: Any) -> tuple[OutlookProvider, _Session, _Clock]:
    session, clock = _Session(answers), _Clock()
    provider = OutlookProvider(
        ACCOUNT, _Auth(), base_url="https://graph.test/v1.0", session=session,  # type: ignore[arg-type]
        clock=clock.now, sleep=clock.sleep, now=lambda: datetime(2026, 3, 2, tzinfo=UTC), **kw,
    )  # fmt: skip
    return provider, session, clock


def _delta(items: list[dict[str, Any]], token: str) -> _Answer:
    return _Answer(200, {"value": items, "@odata.deltaLink": f"https://graph.test/d?t={token}"})


def test_the_first_pass_is_a_baseline_and_asks_for_immutable_ids_and_select() -> None:
    provider, session, _ = _provider([_delta([{"id": "a"}], "1"), _delta([], "2")])
    changes = provider.fetch_changes(None)
    assert changes.refs == ()
    assert json.loads(changes.cursor) == {
        "inbox": "https://graph.test/d?t=1",
        "sent": "https://graph.test/d?t=2",
        "at": "2026-03-02T00:00:00+00:00",  # when this round started (a resync starts there)
    }
    for _, url, headers in session.calls:
        assert "$select=" in url and 'IdType="ImmutableId"' in headers["Prefer"]
        # new mail only, from now on (less a margin for clock skew): no walk through the folder
        assert "changeType=created" in url
        assert "$filter=receivedDateTime%20ge%202026-03-01T23%3A50%3A00Z" in url


def test_changes_come_with_heads_that_need_no_request() -> None:
    item = {
        "id": "m1", "conversationId": "c1", "internetMessageId": "<x@y>", "subject": "Hi",
        "from": {"emailAddress": {"address": "Ada@Contact.test", "name": "Ada"}},
        "toRecipients": [{"emailAddress": {"address": "me@outlook.test"}}],
        "receivedDateTime": "2026-03-02T10:00:00Z",
    }  # fmt: skip
    cursor = json.dumps({"inbox": "https://graph.test/i?changeType=created",
                         "sent": "https://graph.test/s?changeType=created"})  # fmt: skip
    provider, session, _ = _provider([_delta([item, {"id": "gone", "@removed": {}}], "3"),
                                      _delta([], "4")])  # fmt: skip
    changes = provider.fetch_changes(cursor)
    assert changes.refs == (MessageRef("m1", "c1", Folder.INBOX),)
    head = provider.fetch_message(changes.refs[0], full=False)
    assert head.sender == "ada@contact.test" and head.message_id == "<x@y>"
    assert len(session.calls) == 2


def test_retry_after_is_honoured_then_throttled_error() -> None:
    throttled = [_Answer(429, {}, {"Retry-After": "7"}) for _ in range(3)]
    provider, _, clock = _provider(throttled, retry=RetryPolicy(attempts=3))
    with pytest.raises(ThrottledError) as caught:
        provider.fetch_changes(None)
    assert caught.value.retry_after == 7
    assert clock.slept == [7.0, 7.0]


def test_backoff_is_capped_at_two_minutes() -> None:
    answers: list[Any] = [_Answer(429, {}) for _ in range(9)] + [_delta([], "1"), _delta([], "2")]
    provider, _, clock = _provider(answers, retry=RetryPolicy(attempts=10))
    provider.fetch_changes(None)
    assert max(clock.slept) == 120.0 and clock.slept[:3] == [1.0, 2.0, 4.0]


def test_connection_errors_are_offline_and_401_refreshes_once() -> None:
    errors: list[Any] = [requests.ConnectionError() for _ in range(2)]
    provider, _, _ = _provider(errors, retry=RetryPolicy(attempts=2))
    with pytest.raises(OfflineError):
        provider.fetch_changes(None)
    provider, _, _ = _provider([_Answer(401, {}), _Answer(401, {})])
    with pytest.raises(NeedsSignInError):
        provider.fetch_changes(None)
    assert provider.auth.forced == 1  # type: ignore[attr-defined]


def test_a_damaged_cursor_starts_a_baseline() -> None:
    provider, _, _ = _provider([_delta([], "1"), _delta([], "2")])
    assert provider.fetch_changes("not json").refs == ()


def test_full_message_keeps_internet_headers_for_classification() -> None:
    item = {
        "id": "m1", "conversationId": "c1", "internetMessageId": "<x@y>", "subject": "Away",
        "from": {"emailAddress": {"address": "bob@contact.test", "name": "Bob"}},
        "toRecipients": [{"emailAddress": {"address": "me@outlook.test"}}],
        "receivedDateTime": "2026-03-02T10:00:00Z",
        "internetMessageHeaders": [{"name": "Auto-Submitted", "value": "auto-replied"},
                                   {"name": "In-Reply-To", "value": "<req@outlook.test>"}],
        "body": {"contentType": "text", "content": "I am out of the office.\n"},
    }  # fmt: skip
    provider, _, _ = _provider([_Answer(200, item)])
    msg = provider.fetch_message(MessageRef("m1", "c1"), full=True)
    assert msg.header("Auto-Submitted") == "auto-replied"
    assert msg.in_reply_to == "<req@outlook.test>"
    assert "out of the office" in msg.text and msg.sender == "bob@contact.test"


def test_token_cache_is_split_under_the_windows_limit(memory_keyring: MemoryKeyring) -> None:
    cache = KeyringCache(TokenStore())
    blob = "x" * (PART_SIZE * 3 + 5)
    cache.save("Me@Outlook.test", "cid", "https://login/common", blob)
    assert all(len(v) <= 2560 for v in memory_keyring.entries.values())
    assert len(memory_keyring.entries) == 5
    assert cache.load("me@outlook.test") == ("cid", "https://login/common", blob)
    cache.delete("me@outlook.test")
    assert memory_keyring.entries == {}
    assert cache.load("me@outlook.test") is None


def test_no_keyring_no_cache() -> None:
    from keyring.backends.fail import Keyring as Fail

    previous = keyring.get_keyring()
    keyring.set_keyring(Fail())
    try:
        with pytest.raises(KeyringUnavailableError):
            KeyringCache(TokenStore()).save("me@outlook.test", "cid", "a", "b")
    finally:
        keyring.set_keyring(previous)


def test_a_link_from_before_new_mail_only_rounds_is_read_once_then_replaced() -> None:
    old = "https://graph.test/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=7"
    cursor = json.dumps({"inbox": old, "sent": old.replace("inbox", "sentitems")})
    provider, session, _ = _provider([
        _delta([], "i1"), _Answer(200, {"value": [], "@odata.deltaLink": "https://graph.test/"
                                                  "d?changeType=created&t=i2"}),
        _delta([], "s1"), _Answer(200, {"value": [], "@odata.deltaLink": "https://graph.test/"
                                                  "d?changeType=created&t=s2"}),
    ])  # fmt: skip
    changes = provider.fetch_changes(cursor)
    urls = [url for _, url, _ in session.calls]
    assert urls[0] == old and "changeType=created" in urls[1]
    links = json.loads(changes.cursor)
    assert "changeType=created" in links["inbox"] and "changeType=created" in links["sent"]
    assert not changes.reset
