"""One message can never stop an account's sync: whatever goes wrong with it is recorded on it,
and the pass goes on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop import sync
from desktop.domain.model import EventKind, Stage
from desktop.sync import MAX_ATTEMPTS, run_once
from mail.provider import Folder, MailMessage
from tests.helpers.builders import event
from tests.helpers.demo_profile import open_demo

LENA = "lena.svensson@fjord.example"
TOMAS = "tomas.ortega@solara.example"


def _reply(sender: str, message_id: str, when: str, body: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: Sam Rivera <sam.rivera@demo.example>\r\n"
        f"Subject: Re: A 15-minute call about your work?\r\nDate: {when}\r\n"
        f"Message-ID: {message_id}\r\n\r\n{body}\r\n"
    ).encode()


def test_a_message_that_breaks_the_pass_is_kept_unreadable_and_not_retried_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena, tomas = demo.ids_by_email[LENA], demo.ids_by_email[TOMAS]
    for contact in (lena, tomas):
        demo.store.pipeline.apply(
            contact, event(EventKind.REQUEST_SENT, clock.now(), key=f"request-{contact}")
        )
    when = f"{clock.now():%a, %d %b %Y %H:%M:%S +0000}"
    poison = "<poison@fjord.example>"
    demo.mailbox.add_raw_message(
        _reply(f"Lena Svensson <{LENA}>", poison, when, "Happy to talk on Thursday."), Folder.INBOX
    )
    demo.mailbox.add_raw_message(
        _reply(f"Tomas Ortega <{TOMAS}>", "<fine@solara.example>", when, "Sure, next week!"),
        Folder.INBOX,
    )
    real = sync.classify
    seen: list[str] = []

    def breaks_on_one(msg: MailMessage, **kwargs: Any) -> Any:
        seen.append(msg.message_id)
        if msg.message_id == poison:
            raise RecursionError("a bug we have not met yet")
        return real(msg, **kwargs)

    monkeypatch.setattr(sync, "classify", breaks_on_one)
    clock.advance(timedelta(minutes=10))
    result = run_once(demo.store, demo.mailbox, clock)

    account = demo.mailbox.account.id
    assert demo.store.accounts.cursor(account) == result.cursor
    assert demo.store.pipeline.state(tomas).stage is Stage.REPLIED
    assert demo.store.pipeline.state(lena).stage is Stage.REQUESTED
    (kept,) = [m for m in demo.store.messages.for_contact(lena) if m.folder == "inbox"]
    assert kept.kind == "unreadable"
    assert "RecursionError" in kept.failure
    assert "Happy to talk on Thursday." in kept.text
    assert lena in result.touched

    # Passes that see it again (a replayed cursor) give up on it after a few attempts.
    for _ in range(MAX_ATTEMPTS + 2):
        demo.store.accounts.set_cursor(account, "0", clock.now())
        run_once(demo.store, demo.mailbox, clock)
    assert seen.count(poison) == MAX_ATTEMPTS
    assert seen.count("<fine@solara.example>") == MAX_ATTEMPTS + 3
    assert demo.store.pipeline.state(tomas).stage is Stage.REPLIED


def test_an_error_of_the_database_still_fails_the_whole_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    demo, clock, _ = open_demo(tmp_path)

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(demo.store.pipeline, "apply", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        run_once(demo.store, demo.mailbox, clock)
    assert demo.store.accounts.cursor(demo.mailbox.account.id) is None


def test_messages_are_classified_before_the_write_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo, clock, _ = open_demo(tmp_path)
    real = sync.classify
    in_transaction: list[bool] = []

    def watching(msg: MailMessage, **kwargs: Any) -> Any:
        in_transaction.append(demo.store.database.connection.in_transaction)
        return real(msg, **kwargs)

    monkeypatch.setattr(sync, "classify", watching)
    result = run_once(demo.store, demo.mailbox, clock)
    assert result.events and in_transaction
    assert not any(in_transaction)  # a slow message never holds the database
