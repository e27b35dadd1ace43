"""GmailProvider against the emulator: limiter, backoff, error kinds, header-first batches,
threading of drafts, the outbox's crash recovery, calendar. Time is simulated (SimClock)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mail.gmail import GmailProvider, TokenBucket
from mail.http_retry import GMAIL_RETRY
from mail.provider import (
    Account,
    AccountKind,
    Folder,
    MeetingInvite,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    ProviderError,
    ThrottledError,
)
from tests.helpers.gmail_emulator import (
    GmailEmulator,
    SimClock,
    endpoints_for,
    grant_for,
    mail,
    parse_fields,
)

ME = "me@example.test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACCOUNT = Account(1, AccountKind.GMAIL, ME, "Sam Rivera")


@pytest.fixture
def emulator(gmail: GmailEmulator) -> GmailEmulator:
    """The shared Gmail emulator (tests/conftest.py) under this file's name for it."""
    return gmail


@pytest.fixture
def tracked() -> set[str]:
    return set()


@pytest.fixture
def provider(emulator: GmailEmulator, sim: SimClock, tracked: set[str]) -> Iterator[GmailProvider]:
    grant = grant_for(emulator)
    emulator.wall = lambda: T0  # the service's time is the account's
    p = GmailProvider(
        ACCOUNT, lambda: grant, endpoints=endpoints_for(emulator),
        tracked_threads=lambda: tracked, known_addresses=lambda: {"ada@contact.test"},
        clock=sim.now, sleep=sim.sleep, now=lambda: T0, retry=replace(GMAIL_RETRY, attempts=4),
    )  # fmt: skip
    yield p
    p.close()


def _incoming(emulator: GmailEmulator, n: int, sender: str = "news@list.test") -> list[str]:
    ids = []
    for i in range(n):
        raw = mail(sender, ME, f"Issue {i}", "text", message_id=f"<m{i}-{sender}>", when=T0)
        ids.append(emulator.deliver(raw)[0])
    return ids


# ------------------------------------------------------------------------- limiter
def test_the_gmail_bucket_can_never_exceed_the_per_user_quota(sim: SimClock) -> None:
    bucket = TokenBucket.for_gmail(clock=sim.now, sleep=sim.sleep)
    assert bucket.worst_minute <= 6000
    for _ in range(40):
        bucket.acquire(1000)
    assert bucket.max_units_per_minute() <= bucket.worst_minute
    assert sum(sim.slept) == pytest.approx(39 * 1000 / bucket.rate, rel=1e-3)
    with pytest.raises(ValueError):
        bucket.acquire(5000)


def test_a_pause_holds_every_caller(sim: SimClock) -> None:
    bucket = TokenBucket(10, 100, clock=sim.now, sleep=sim.sleep)
    bucket.pause(7)
    assert bucket.acquire(1) == pytest.approx(7)


# ------------------------------------------------------------------------- backoff and errors
def test_retry_after_is_honoured(
    provider: GmailProvider, emulator: GmailEmulator, sim: SimClock
) -> None:
    cursor = provider.fetch_changes(None).cursor
    emulator.fail_next("429", retry_after=7)
    emulator.fail_next("403", retry_after=3)
    provider.fetch_changes(cursor)
    assert sim.slept[-2:] == [pytest.approx(7), pytest.approx(3)]


@pytest.mark.parametrize("kind", ["500", "503", "reset"])
def test_server_errors_and_resets_are_retried(
    provider: GmailProvider, emulator: GmailEmulator, kind: str
) -> None:
    cursor = provider.fetch_changes(None).cursor
    emulator.fail_next(kind, count=2)
    assert provider.fetch_changes(cursor).cursor == cursor


def test_persistent_throttling_is_throttled_error_with_retry_after(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    cursor = provider.fetch_changes(None).cursor
    emulator.fail_next("429", count=10, retry_after=5)
    with pytest.raises(ThrottledError) as caught:
        provider.fetch_changes(cursor)
    assert caught.value.retry_after == 5


def test_a_long_retry_after_ends_the_pass_without_waiting(
    provider: GmailProvider, emulator: GmailEmulator, sim: SimClock
) -> None:
    cursor = provider.fetch_changes(None).cursor
    emulator.fail_next("429", retry_after=600)
    waited = sum(sim.slept)
    with pytest.raises(ThrottledError) as caught:
        provider.fetch_changes(cursor)
    assert caught.value.retry_after == 600 and sum(sim.slept) == waited


def test_persistent_5xx_is_offline(provider: GmailProvider, emulator: GmailEmulator) -> None:
    cursor = provider.fetch_changes(None).cursor
    emulator.fail_next("503", count=10)
    with pytest.raises(OfflineError):
        provider.fetch_changes(cursor)


def test_invalid_grant_needs_sign_in(provider: GmailProvider, emulator: GmailEmulator) -> None:
    emulator.revoke_grants()
    with pytest.raises(NeedsSignInError, match="Reconnect"):
        provider.fetch_changes(None)


def test_an_api_not_enabled_in_the_users_project_says_what_to_do(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    emulator.fail_next("disabled")
    with pytest.raises(ProviderError, match="not enabled in your Google Cloud project"):
        provider.fetch_changes(None)


def test_a_missing_grant_needs_sign_in(emulator: GmailEmulator) -> None:
    p = GmailProvider(ACCOUNT, lambda: None, endpoints=endpoints_for(emulator))
    with pytest.raises(NeedsSignInError, match="no saved Google sign-in"):
        p.fetch_changes(None)


# ------------------------------------------------------------------------- fetching
def test_headers_first_in_batches_of_at_most_50_and_bodies_only_for_known_addresses(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    cursor = provider.fetch_changes(None).cursor
    _incoming(emulator, 120)
    (ada,) = _incoming(emulator, 1, "ada@contact.test")
    emulator.reset_counters()
    changes = provider.fetch_changes(cursor)
    assert len(changes.refs) == 121
    assert emulator.batch_sizes and max(emulator.batch_sizes) <= 50
    gets = [t for name, t in emulator.requests_seen if name == "gmail.users.messages.get"]
    metadata = [t for t in gets if "format=metadata" in t]
    raw = [t for t in gets if "format=raw" in t]
    assert len(metadata) == 121 and len(raw) == 1 and ada in raw[0]
    assert all("metadataHeaders=From" in t and "fields=" in t for t in metadata)
    emulator.reset_counters()
    head = provider.fetch_message(changes.refs[0], full=False)
    full = provider.fetch_message(changes.refs[-1], full=True)
    assert head.subject == "Issue 0" and not head.complete
    assert full.sender == "ada@contact.test" and full.text.strip() == "text"
    assert emulator.total_calls == 0  # both were fetched ahead


def test_tracked_threads_are_fetched_in_full_at_once(
    provider: GmailProvider, emulator: GmailEmulator, tracked: set[str]
) -> None:
    cursor = provider.fetch_changes(None).cursor
    request = mail(ME, "bob@contact.test", "Chat?", "Hi", message_id="<q@me>", when=T0)
    _, thread = emulator.deliver(request, labels=("SENT",))
    tracked.add(thread)
    reply = mail("bob@other.test", ME, "Re: Chat?", "Yes!", message_id="<a@b>", when=T0,
                 in_reply_to="<q@me>")  # fmt: skip
    emulator.deliver(reply)
    emulator.reset_counters()
    changes = provider.fetch_changes(cursor)
    assert [r.folder for r in changes.refs] == [Folder.SENT, Folder.INBOX]
    assert emulator.calls == {"gmail.users.history.list": 1, "gmail.users.messages.get": 2}
    assert all("format=raw" in t for n, t in emulator.requests_seen if "messages.get" in n)


def test_drafts_never_show_as_changes(provider: GmailProvider, emulator: GmailEmulator) -> None:
    cursor = provider.fetch_changes(None).cursor
    provider.create_draft(
        OutgoingMessage(to=("ada@contact.test",), subject="Hi", text="x", outbox_key="k")
    )
    assert provider.fetch_changes(cursor).refs == ()


# ------------------------------------------------------------------------- sending
def test_a_follow_up_lands_in_the_thread_only_with_all_three_threading_parts(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    first = provider.send_draft(
        provider.create_draft(
            OutgoingMessage(to=("ada@contact.test",), subject="Chat?", text="Hi", outbox_key="a")
        )
    )
    follow = OutgoingMessage(
        to=("ada@contact.test",), subject="Chat?", text="Following up", outbox_key="b",
        in_reply_to=first.message_id, references=(first.message_id,), thread_id=first.thread_id,
    )  # fmt: skip
    sent = provider.send_draft(provider.create_draft(follow))
    assert sent.thread_id == first.thread_id
    raw = emulator.message_raw(sent.id).decode()
    assert f"In-Reply-To: {first.message_id}" in raw and f"References: {first.message_id}" in raw
    # Without the headers Gmail (and the emulator) starts a new thread despite the threadId.
    bare = OutgoingMessage(
        to=("ada@contact.test",), subject="Chat?", text="x", outbox_key="c",
        thread_id=first.thread_id,
    )  # fmt: skip
    assert provider.send_draft(provider.create_draft(bare)).thread_id != first.thread_id


def test_a_lost_send_answer_is_found_not_sent_twice(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    draft = provider.create_draft(
        OutgoingMessage(to=("ada@contact.test",), subject="Hi", text="x", outbox_key="key-1")
    )
    emulator.fail_next("lost")  # drafts.send is done, its answer dropped; httplib2 resends
    sent = provider.send_draft(draft)
    assert len(emulator.sent_messages()) == 1
    assert sent.id == emulator.sent_messages()[0].id


def test_find_sent_survives_a_rewritten_message_id(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    emulator.rewrite_message_id = True
    draft = provider.create_draft(
        OutgoingMessage(to=("ada@contact.test",), subject="Hi", text="x", outbox_key="key-2")
    )
    sent = provider.send_draft(draft)
    found = provider.find_sent("key-2")
    assert found is not None and found.id == sent.id
    assert provider.find_sent("never-sent") is None


# ------------------------------------------------------------------------- calendar and labels
def test_busy_blocks_are_cached_and_served_offline(
    provider: GmailProvider, emulator: GmailEmulator, sim: SimClock
) -> None:
    emulator.busy.append(("2026-03-03T12:00:00Z", "2026-03-03T13:00:00Z"))
    start, end = T0, T0 + timedelta(days=5)
    blocks = provider.busy_blocks(start, end)
    assert [(b.start.hour, b.end.hour) for b in blocks] == [(12, 13)]
    provider.busy_blocks(start, end)
    assert emulator.calls["calendar.freebusy.query"] == 1  # cached
    sim.sleep(20 * 60)
    emulator.fail_next("503", count=10)
    assert provider.busy_blocks(start + timedelta(days=1), end) == blocks  # offline: stale cache


def test_invitations_are_sent_by_google_and_retries_do_not_duplicate(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    invite = MeetingInvite("Coffee chat", T0, T0 + timedelta(minutes=30), ("ada@contact.test",))
    ref = provider.create_event(invite)
    assert emulator.events[0]["sendUpdates"] == "all"
    assert emulator.events[0]["attendees"] == [{"email": "ada@contact.test"}]
    assert provider.create_event(invite) == ref and len(emulator.events) == 1


def test_an_unreadable_calendar_in_freebusy_is_an_error_not_free_time(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    emulator.busy.append(("2026-03-03T12:00:00Z", "2026-03-03T13:00:00Z"))
    emulator.freebusy_errors["primary"] = "notFound"
    with pytest.raises(ProviderError, match="notFound"):
        provider.busy_blocks(T0, T0 + timedelta(days=5))


@pytest.mark.parametrize(("status", "reason"), [(400, "badRequest"), (403, "forbidden")])
def test_a_refused_event_is_a_provider_error(
    provider: GmailProvider, emulator: GmailEmulator, status: int, reason: str
) -> None:
    emulator.event_error_status, emulator.event_error_reason = status, reason
    invite = MeetingInvite("Coffee chat", T0, T0 + timedelta(minutes=30), ("ada@contact.test",))
    with pytest.raises(ProviderError):
        provider.create_event(invite)
    emulator.event_error_reason = "requiredAccessLevel"
    with pytest.raises(ProviderError):
        provider.create_event(invite)


def test_thread_flags_are_labels(provider: GmailProvider, emulator: GmailEmulator) -> None:
    msg_id, thread = emulator.deliver(mail("a@b.test", ME, "x", "y", message_id="<f@b>", when=T0))
    provider.set_thread_flag(thread, "starred", True)
    provider.set_thread_flag(thread, "followup", True)
    labels = emulator.messages[msg_id].labels
    assert "STARRED" in labels
    assert any(emulator.labels.get(i) == "Coffeechat/followup" for i in labels)


def test_a_flag_label_is_nested_under_coffeechat(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    _, thread = emulator.deliver(mail("a@b.test", ME, "x", "y", message_id="<n@b>", when=T0))
    provider.set_thread_flag(thread, "Thank-you due", True)
    assert emulator.label_id("Coffeechat") is not None
    assert emulator.is_nested("Coffeechat/Thank-you due")


def test_a_label_that_differs_only_in_case_is_used_not_created_again(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    emulator.labels.update({"Label_91": "COFFEECHAT", "Label_92": "coffeechat/follow-up due"})
    msg_id, thread = emulator.deliver(mail("a@b.test", ME, "x", "y", message_id="<c@b>", when=T0))
    provider.set_thread_flag(thread, "Follow-up due", True)
    assert "Label_92" in emulator.messages[msg_id].labels
    assert len(emulator.labels) == 2 and emulator.calls["gmail.users.labels.create"] == 0


def test_a_label_deleted_in_gmail_is_made_again(
    provider: GmailProvider, emulator: GmailEmulator
) -> None:
    _, one = emulator.deliver(mail("a@b.test", ME, "x", "y", message_id="<d1@b>", when=T0))
    second, two = emulator.deliver(mail("c@d.test", ME, "z", "w", message_id="<d2@b>", when=T0))
    provider.set_thread_flag(one, "Follow-up due", True)
    old = emulator.label_id("Coffeechat/Follow-up due")
    assert old is not None
    emulator.delete_label(old)
    provider.set_thread_flag(two, "Follow-up due", True)  # the cached id is gone in Gmail
    new = emulator.label_id("Coffeechat/Follow-up due")
    assert new not in (None, old) and new in emulator.messages[second].labels
    assert emulator.is_nested("Coffeechat/Follow-up due")
    emulator.delete_label(new)
    provider.set_thread_flag(two, "Follow-up due", False)  # nothing left to take off
    assert emulator.label_id("Coffeechat/Follow-up due") is None


# ------------------------------------------------------------------------- threads and emulator
def test_each_thread_gets_its_own_http(provider: GmailProvider) -> None:
    provider.fetch_changes(None)
    mine = provider._session().http
    theirs: list[object] = []
    worker = threading.Thread(target=lambda: theirs.append(provider._session().http))
    worker.start()
    worker.join()
    assert theirs and theirs[0] is not mine


def test_the_emulator_reads_partial_response_fields() -> None:
    assert parse_fields("history(messagesAdded(message(id,threadId))),historyId") == {
        "history": {"messagesAdded": {"message": {"id": None, "threadId": None}}},
        "historyId": None,
    }
    assert parse_fields("id,payload/headers") == {"id": None, "payload": {"headers": None}}


def test_the_draft_keys_kept_for_lost_answers_stay_bounded(
    provider: GmailProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mail.gmail import mail as gmail_mail

    monkeypatch.setattr(gmail_mail, "DRAFT_KEYS_MAX", 5, raising=False)
    drafts = [
        provider.create_draft(
            OutgoingMessage(to=("ada@contact.test",), subject="Hi", text="x", outbox_key=f"k{n}")
        )
        for n in range(12)  # saved, never sent
    ]
    assert len(provider._draft_keys) == 5
    assert provider._draft_keys[drafts[-1].id] == "k11"  # the newest are kept
