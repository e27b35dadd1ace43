"""Which threads get a flag; each is set once, cleared once, and retried after a failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.domain.due import ActionKind, DueAction
from desktop.domain.model import Contact
from desktop.mailflags import FOLLOW_UP_DUE, THANK_YOU_DUE, account_key, update_flags
from desktop.reminders import key_of
from desktop.storage import Store
from mail.provider import Account, AccountKind, Folder, MailMessage, MessageRef, OfflineError

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


class FlagBox:
    """The flag side of a provider: records each call; can fail the next ones."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.calls: list[tuple[str, str, bool]] = []
        self.error: Exception | None = None

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append((thread_id, flag, on))


def _message(thread: str, ident: str, when: datetime, sender: str) -> MailMessage:
    return MailMessage(
        ref=MessageRef(ident, thread, Folder.INBOX), message_id=f"<{ident}@x>", subject="s",
        sender=sender, sender_name="", to=("me@example.test",), cc=(), date=when, headers=(),
    )  # fmt: skip


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Store, FlagBox, int]:
    store = Store.open(tmp_path)
    account = store.accounts.add(AccountKind.GMAIL, "me@example.test")
    ada = store.contacts.add(Contact(None, "Ada", ("ada@x.test",))).id
    assert ada is not None
    old = NOW - timedelta(days=3)
    with store.transaction():
        store.messages.save(account.id, _message("t-old", "m1", old, "ada@x.test"),
                           kind="human", evidence="", contact_id=ada)  # fmt: skip
        store.messages.save(account.id, _message("t-new", "m2", NOW, "ada@x.test"),
                           kind="human", evidence="", contact_id=ada)  # fmt: skip
        store.messages.save(account.id, _message("t-bounce", "m3", NOW + timedelta(hours=1),
                           "mailer-daemon@x.test"), kind="bounce", evidence="",
                           contact_id=ada)  # fmt: skip
    return store, FlagBox(account), ada


def test_a_due_thank_you_flags_the_latest_real_conversation_once(
    setup: tuple[Store, FlagBox, int],
) -> None:
    store, box, ada = setup
    due = [DueAction(ActionKind.THANK_YOU_MISSING, ada, NOW)]
    first = update_flags(store, [box], due, NOW)
    assert box.calls == [("t-new", THANK_YOU_DUE, True)]  # not the bounce's thread
    assert first.set == ((box.account.id, "t-new", THANK_YOU_DUE),)
    update_flags(store, [box], due, NOW)
    assert len(box.calls) == 1
    update_flags(store, [box], [], NOW)
    assert box.calls[-1] == ("t-new", THANK_YOU_DUE, False)
    update_flags(store, [box], [], NOW)
    assert len(box.calls) == 2 and store.marks.mailbox_flags() == {}


def test_dismissed_clears_snoozed_keeps_and_other_kinds_never_flag(
    setup: tuple[Store, FlagBox, int],
) -> None:
    store, box, ada = setup
    follow = DueAction(ActionKind.FOLLOW_UP, ada, NOW)
    update_flags(store, [box], [follow, DueAction(ActionKind.PREPARE, ada, NOW)], NOW)
    assert box.calls == [("t-new", FOLLOW_UP_DUE, True)]
    store.marks.snooze(key_of(follow), NOW + timedelta(days=1))
    update_flags(store, [box], [follow], NOW)
    assert len(box.calls) == 1
    store.marks.dismiss(key_of(follow))
    update_flags(store, [box], [follow], NOW)
    assert box.calls[-1] == ("t-new", FOLLOW_UP_DUE, False)


def test_a_refused_call_is_not_recorded_and_is_tried_again(
    setup: tuple[Store, FlagBox, int],
) -> None:
    store, box, ada = setup
    due = [DueAction(ActionKind.THANK_YOU_MISSING, ada, NOW)]
    box.error = OfflineError("no route")
    failed = update_flags(store, [box], due, NOW)
    assert failed.failed and store.marks.mailbox_flags() == {}
    box.error = RuntimeError("a bug in the provider")  # logged, the round goes on
    assert update_flags(store, [box], due, NOW).failed
    box.error = None
    assert update_flags(store, [box], due, NOW).set
    box.error = OfflineError("no route")
    update_flags(store, [box], [], NOW)
    assert store.marks.mailbox_flags()  # still ours to clear next time
    box.error = None
    assert update_flags(store, [box], [], NOW).cleared


def test_the_switch_is_per_account(setup: tuple[Store, FlagBox, int]) -> None:
    store, box, ada = setup
    due = [DueAction(ActionKind.THANK_YOU_MISSING, ada, NOW)]
    off = {account_key(box.account)}
    assert account_key(box.account) == "gmail:me@example.test"
    update_flags(store, [box], due, NOW, off=off)
    assert box.calls == []
