"""Which folders an IMAP pass looks at, while IDLE watches the Inbox and when it does not
(mail.imap.push), on a manual clock; the watcher is a real ``InboxWatcher`` that is not run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.clock import ManualClock
from mail.imap import ImapSettings, InboxWatcher
from mail.imap.push import SENT_EVERY, PushState
from mail.provider import Folder

INBOX, SENT = Folder.INBOX, Folder.SENT


State = tuple[PushState, InboxWatcher, ManualClock]


@pytest.fixture
def state() -> Iterator[State]:
    clock = ManualClock(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    push = PushState(clock.now)
    watcher = InboxWatcher(ImapSettings(host="127.0.0.1", username="sam"), lambda: "pw",
                           push.announced)  # fmt: skip
    push.watcher = watcher
    yield push, watcher, clock
    for sock in watcher._wake:  # closed by run(), which these tests do not call
        sock.close()


def test_without_a_watching_watcher_every_pass_looks_at_both_folders(
    state: State,
) -> None:
    push, watcher, clock = state
    for _ in range(3):
        assert push.wants_poll()
        assert push.folders() == (INBOX, SENT)
        clock.advance(timedelta(minutes=1))
    watcher.watching = True
    watcher.stop()  # a stopped watcher watches nothing
    assert push.folders() == (INBOX, SENT)


def test_while_watching_the_inbox_waits_for_an_announcement_and_sent_for_its_schedule(
    state: State,
) -> None:
    push, watcher, clock = state
    watcher.watching = True
    assert push.folders() == (INBOX, SENT)  # the first pass looks everywhere
    clock.advance(timedelta(minutes=1))
    assert not push.wants_poll() and push.folders() == ()
    watcher.on_mail()  # what the watcher calls on EXISTS
    assert push.wants_poll() and push.folders() == (INBOX,)
    assert push.folders() == ()
    clock.advance(SENT_EVERY - timedelta(minutes=1))
    assert push.wants_poll() and push.folders() == (SENT,)
    push.sent_changed()  # Coffeechat sent: the copy is looked at now
    assert push.folders() == (SENT,)
    push.look_again()  # the user asked
    assert push.folders() == (INBOX, SENT)


def test_a_failed_pass_leaves_its_folders_due_and_a_lost_idle_brings_polling_back(
    state: State,
) -> None:
    push, watcher, _clock = state
    watcher.watching = True
    push.folders()
    watcher.on_mail()
    due = push.folders()
    push.failed(due)  # the connection dropped mid-pass
    assert push.folders() == (INBOX,)
    watcher.watching = False  # the IDLE connection is lost
    assert push.wants_poll() and push.folders() == (INBOX, SENT)
