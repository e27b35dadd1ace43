"""IMAP/SMTP end to end on a real Dovecot (started by the test on a loopback port) with aiosmtpd as
the SMTP peer delivering into Dovecot's Maildir; the real Store and sync pass."""

from __future__ import annotations

import argparse
import io
import logging
import smtplib
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from desktop import logs, outbox, providers
from desktop.cli import account as cli_account
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind, Stage
from desktop.jobs import SyncRound, SyncState, sync_round
from desktop.paths import resolve
from desktop.storage import Store
from desktop.sync import run_once
from desktop.tasks import Tasks
from mail.auth.tokens import PasswordStore
from mail.imap import (
    ImapProvider,
    ImapSettings,
    LoginRefusedError,
    RecipientRefusedError,
    Security,
    ServerSetupError,
    ServerUnreachableError,
    SetupProblem,
    check_connection,
)
from mail.provider import Account, AccountKind, MessageRef, OfflineError, OutgoingMessage
from mail.relevance import Relevance
from tests.helpers.dovecot import Dovecot, SmtpServer, free_port, mail_servers
from tests.helpers.loop_checks import assert_replies_count_and_the_out_of_office_does_not
from tests.helpers.memory_keyring import MemoryKeyring

ME = "sam@mail.test"
PASSWORD = "app-pass-1"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

Servers = tuple[Dovecot, SmtpServer]


@pytest.fixture
def servers() -> Iterator[Servers]:
    with mail_servers(users={ME: PASSWORD}) as pair:
        yield pair


def settings_for(d: Dovecot, s: SmtpServer, **changes: object) -> ImapSettings:
    """STARTTLS on the plain port, trusting the test certificate; SMTP in plaintext (loopback)."""
    base = ImapSettings(
        host="127.0.0.1",
        username=ME,
        port=d.port,
        security=Security.STARTTLS,
        smtp_host="127.0.0.1",
        smtp_port=s.port,
        smtp_security=Security.PLAIN,
        ca_file=str(d.cert),
        timeout=10,
    )
    return _replace(base, **changes)


def _replace(settings: ImapSettings, **changes: object) -> ImapSettings:
    from dataclasses import replace

    return replace(settings, **changes)  # type: ignore[arg-type]


Setup = tuple[Store, ImapProvider, Account]


def _open(tmp_path: Path, d: Dovecot, s: SmtpServer, clock: ManualClock) -> Setup:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    settings = ImapSettings(
        host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
        smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
        ca_file=str(d.cert), timeout=10,
    )  # fmt: skip
    store.accounts.set_settings(account.id, settings.to_json())
    PasswordStore().save(ME, PASSWORD)
    provider = ImapProvider.from_keyring(
        account,
        settings,
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: list(store.contacts.address_index()),
        now=clock.now,
    )
    return store, provider, account


@pytest.fixture
def opened(
    tmp_path: Path, servers: Servers, clock: ManualClock, memory_keyring: MemoryKeyring
) -> Iterator[Setup]:
    d, s = servers
    store, provider, account = _open(tmp_path, d, s, clock)
    yield store, provider, account
    provider.close()
    store.close()


def _request(to: str, subject: str = "Coffee chat?") -> OutgoingMessage:
    return OutgoingMessage(
        to=(to,), subject=subject, text="Hello!\n\nSam\n", outbox_key=outbox.new_key()
    )


def _mail(
    sender: str,
    subject: str,
    text: str,
    when: datetime,
    message_id: str,
    in_reply_to: str = "",
    extra: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ME
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


def _bounce(failed: str, original_id: str, when: datetime) -> bytes:
    boundary = "dsn-boundary-1"
    return (
        "From: MAILER-DAEMON@mx.mail.test (Mail Delivery System)\r\n"
        f"To: {ME}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: <dsn-1@mx.mail.test>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n\r\n"
        f"<{failed}>: host mx.contact.test said: 550 5.1.1 User unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.mail.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: User unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Sam Rivera <{ME}>\r\nTo: {failed}\r\nSubject: Coffee chat?\r\n"
        f"Message-ID: {original_id}\r\n\r\n--{boundary}--\r\n"
    ).encode()


def _smtp_deliver(s: SmtpServer, sender: str, raw: bytes) -> None:
    """A contact's mail arriving: through the SMTP peer, which delivers into the Maildir."""
    with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as smtp:
        smtp.sendmail(sender, [ME], raw)


def _stage(store: Store, contact_id: int) -> Stage:
    return store.pipeline.state(contact_id).stage


def _flags(d: Dovecot, folder: str = "") -> list[str]:
    return [m.get_flags() for m in d.messages(ME, folder)]


def _contacts(store: Store, *names: str) -> list[int]:
    ids = []
    for name in names:
        contact = store.contacts.add(Contact(None, name.title(), (f"{name}@contact.test",)))
        assert contact.id is not None
        ids.append(contact.id)
    return ids


def test_the_whole_loop_on_dovecot_drafts_smtp_replies_auto_reply_and_bounce(
    tmp_path: Path, servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, account = opened
    logs.setup(resolve(tmp_path / "profile").logs, level=logging.DEBUG)
    ada, bob, cleo, dan = _contacts(store, "ada", "bob", "cleo", "dan")
    first = run_once(store, provider, clock)
    assert first.seen == 0 and store.accounts.cursor(account.id) is not None

    # --- the request is appended to Drafts with \Draft: nothing moves yet --------------------
    request = _request("ada@contact.test", "A 15-minute chat about your work?")
    draft = provider.create_draft(request)
    assert _flags(d, "Drafts") == ["DS"]  # \Draft and \Seen, in Maildir letters
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.TARGET

    # --- sent through SMTP; the copy is filed in Sent, the draft removed --------------------
    sent = provider.send_draft(draft)
    assert [rcpts for _, rcpts, _ in s.received] == [["ada@contact.test"]]
    assert s.logins == [ME]
    assert s.parsed()[0]["Message-ID"] == sent.message_id
    assert len(d.messages(ME, "Sent")) == 1 and d.messages(ME, "Drafts") == []
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.REQUESTED
    sent_to = {}
    for contact_id, name in ((bob, "bob"), (cleo, "cleo"), (dan, "dan")):
        sent_to[contact_id] = outbox.send(
            store, provider, _request(f"{name}@contact.test"), contact_id=contact_id,
            purpose="request", now=clock.now(),
        )  # fmt: skip
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert {_stage(store, c) for c in (bob, cleo, dan)} == {Stage.REQUESTED}
    assert len(d.messages(ME, "Sent")) == 4

    # --- replies delivered into the Maildir -------------------------------------------------
    clock.advance(timedelta(hours=2))
    now = clock.now()
    _smtp_deliver(s, "ada@contact.test", _mail(
        "Ada Byron <ada@contact.test>", f"Re: {request.subject}",
        "Hi Sam,\n\nHappy to help. Thursday works for me.\n\nAda\n", now,
        "<r1@contact.test>", sent.message_id,
    ))  # fmt: skip
    _smtp_deliver(s, "bob@contact.test", _mail(
        "Bob Ooo <bob@contact.test>", "Automatic reply: Coffee chat?",
        "I am out of the office until Monday 9 March with limited access to email.\n", now,
        "<ooo@contact.test>", sent_to[bob].message_id,
        {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    ))  # fmt: skip
    _smtp_deliver(s, "cleo@contact.test", _mail(
        "Cleo New <cleo@contact.test>", "Coffee next week",
        "Hi Sam, sorry for the delay - yes, let's talk. Tuesday?\n\nCleo\n", now,
        "<cleo-new@contact.test>",
    ))  # fmt: skip
    _smtp_deliver(s, "", _bounce("dan@contact.test", sent_to[dan].message_id, now))
    _smtp_deliver(s, "news@else.test", _mail(
        "news@else.test", "Newsletter", "Unrelated\n", now, "<n1@else.test>",
    ))  # fmt: skip
    clock.advance(timedelta(minutes=5))
    result = run_once(store, provider, clock)
    assert_replies_count_and_the_out_of_office_does_not(
        store, result, replied=(ada, cleo), away=bob, relevant=4
    )
    dan_kinds = [e.kind for e in store.pipeline.history(dan)]
    assert EventKind.BOUNCE in dan_kinds and EventKind.GENUINE_REPLY not in dan_kinds
    assert _stage(store, dan) is Stage.BOUNCED

    # --- nothing was marked read; an idle pass is one STATUS per folder ----------------------
    inbox = _flags(d)
    assert len(inbox) == 5 and all("S" not in f for f in inbox)
    provider.commands = 0
    again = run_once(store, provider, clock)
    assert again.seen == 0 and again.events == 0
    assert provider.commands == 2

    # --- no password anywhere in the profile (database, WAL, logs) ---------------------------
    provider.close()
    store.close()
    logs.shutdown()
    files = [p for p in (tmp_path / "profile").rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), f"the password leaked into {path.name}"
    log_text = "".join(p.read_text(errors="replace") for p in files if p.suffix == ".log")
    assert "sync imap" in log_text  # the log is written, at DEBUG level...
    assert "Thursday works for me" not in log_text  # ...without message bodies


def test_implicit_tls_on_the_imaps_port_syncs_too(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, _s = servers
    store, provider, _ = opened
    provider.settings = _replace(provider.settings, port=d.tls_port, security=Security.TLS)
    assert run_once(store, provider, clock).seen == 0
    report = check_connection(provider.settings, PASSWORD)
    assert report.folders.sent == "Sent" and report.folders.drafts == "Drafts"
    assert report.idle and report.condstore


def test_killing_dovecot_mid_sync_is_offline_then_each_event_lands_exactly_once(
    tmp_path: Path, servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, account = opened
    ada, bob = _contacts(store, "ada", "bob")
    run_once(store, provider, clock)
    sent = {
        c: outbox.send(store, provider, _request(f"{n}@contact.test"), contact_id=c,
                       purpose="request", now=clock.now())
        for c, n in ((ada, "ada"), (bob, "bob"))
    }  # fmt: skip
    run_once(store, provider, clock)
    cursor = store.accounts.cursor(account.id)
    for c, n in ((ada, "ada"), (bob, "bob")):
        _smtp_deliver(s, f"{n}@contact.test", _mail(
            f"{n}@contact.test", "Re: Coffee chat?", "Yes, happy to talk. Tuesday?\n",
            clock.now(), f"<reply-{n}@contact.test>", sent[c].message_id,
        ))  # fmt: skip

    # Dovecot dies between the header fetch and the body fetch of this pass.
    killed: list[bool] = []
    prefetch = provider._prefetch

    def crash_then_prefetch(client: Any, refs: list[MessageRef], relevance: Relevance) -> Any:
        if not killed:
            killed.append(True)
            d.kill()
        return prefetch(client, refs, relevance)

    provider._prefetch = crash_then_prefetch  # type: ignore[method-assign]
    rounds = Store.open(tmp_path / "profile")
    round_ = sync_round(rounds, (provider,), clock)
    assert [o.state for o in round_.outcomes] == [SyncState.OFFLINE]
    assert killed and store.accounts.cursor(account.id) == cursor
    assert _stage(store, ada) is Stage.REQUESTED
    # still down: offline again, quietly, nothing moves
    round_ = sync_round(rounds, (provider,), clock)
    assert [o.state for o in round_.outcomes] == [SyncState.OFFLINE]
    assert "refused" in round_.outcomes[0].message

    d.start()
    round_ = sync_round(rounds, (provider,), clock)
    assert [o.state for o in round_.outcomes] == [SyncState.IDLE]
    assert {_stage(store, ada), _stage(store, bob)} == {Stage.REPLIED}
    for contact_id in (ada, bob):
        replies = [
            e for e in store.pipeline.history(contact_id) if e.kind is EventKind.GENUINE_REPLY
        ]
        assert len(replies) == 1
    again = sync_round(rounds, (provider,), clock)
    assert again.outcomes[0].result is not None and again.outcomes[0].result.events == 0
    rounds.close()


def test_a_uidvalidity_change_rescans_without_duplicates(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, _account = opened
    ada, cleo = _contacts(store, "ada", "cleo")
    run_once(store, provider, clock)
    sent = outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                       purpose="request", now=clock.now())  # fmt: skip
    outbox.send(store, provider, _request("cleo@contact.test"), contact_id=cleo,
                purpose="request", now=clock.now())  # fmt: skip
    run_once(store, provider, clock)
    _smtp_deliver(s, "ada@contact.test", _mail(
        "ada@contact.test", "Re: Coffee chat?", "Yes, gladly. Thursday?\n", clock.now(),
        "<a1@contact.test>", sent.message_id,
    ))  # fmt: skip
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.REPLIED
    history = store.pipeline.history(ada)
    messages = store.messages.for_contact(ada)

    # The server renumbers the Inbox (a restore, a migration): a new UIDVALIDITY. Meanwhile a
    # reply from Cleo and a stranger's mail arrive.
    before = d.doveadm("mailbox", "status", "-u", ME, "uidvalidity", "INBOX")
    d.doveadm("mailbox", "update", "-u", ME, "--uid-validity", "4242", "INBOX")
    assert before != d.doveadm("mailbox", "status", "-u", ME, "uidvalidity", "INBOX")
    _smtp_deliver(s, "cleo@contact.test", _mail(
        "cleo@contact.test", "Coffee", "Happy to chat next week.\n", clock.now(),
        "<c1@contact.test>",
    ))  # fmt: skip
    _smtp_deliver(s, "x@else.test", _mail("x@else.test", "Hi", "Hi\n", clock.now(), "<x@else>"))
    clock.advance(timedelta(minutes=5))
    result = run_once(store, provider, clock)
    assert result.reset
    assert _stage(store, cleo) is Stage.REPLIED
    assert store.pipeline.history(ada) == history  # Ada's reply seen again: no new event
    assert store.messages.for_contact(ada) == messages  # and no second copy of the message
    again = run_once(store, provider, clock)
    assert not again.reset and again.seen == 0 and again.events == 0


def test_a_crash_between_smtp_and_filing_the_copy_never_sends_twice(
    tmp_path: Path, servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, account = opened
    (ada,) = _contacts(store, "ada")
    run_once(store, provider, clock)

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the process dies right after SMTP accepted the message

    provider._file_sent = crash  # type: ignore[method-assign,assignment]
    with pytest.raises(KeyboardInterrupt):
        outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                    purpose="request", now=clock.now())  # fmt: skip
    assert len(s.received) == 1 and d.messages(ME, "Sent") == []
    # The app starts again: a new provider, the outbox resumes.
    fresh = ImapProvider.from_keyring(account, provider.settings, now=clock.now)
    assert outbox.resume(store, fresh) == 1
    assert len(s.received) == 1  # not sent a second time
    assert len(d.messages(ME, "Sent")) == 1 and d.messages(ME, "Drafts") == []
    run_once(store, fresh, clock)
    assert _stage(store, ada) is Stage.REQUESTED
    fresh.close()


def test_an_smtp_server_that_is_down_leaves_the_request_pending_and_it_goes_out_later(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, _account = opened
    (ada,) = _contacts(store, "ada")
    run_once(store, provider, clock)
    s.stop()
    with pytest.raises(OfflineError):
        outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                    purpose="request", now=clock.now())  # fmt: skip
    assert d.messages(ME, "Sent") == [] and len(d.messages(ME, "Drafts")) == 1
    s.start()
    assert outbox.resume(store, provider) == 1
    assert len(s.received) == 1  # sent now, once: the failed attempt was not taken as sent
    assert len(d.messages(ME, "Sent")) == 1 and d.messages(ME, "Drafts") == []
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.REQUESTED


def test_a_refused_recipient_fails_for_good_with_the_servers_words(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, _account = opened
    (ada,) = _contacts(store, "ada")
    s.refuse.add("ada@contact.test")
    request = _request("ada@contact.test")
    with pytest.raises(RecipientRefusedError, match=r"refused the recipient ada@contact\.test"):
        outbox.send(store, provider, request, contact_id=ada, purpose="request",
                    now=clock.now())  # fmt: skip
    assert store.outbox.pending(_account.id) == []  # failed for good, not retried
    assert s.received == [] and d.messages(ME, "Sent") == []


def test_a_server_that_files_the_sent_copy_itself_gets_no_second_one(
    tmp_path: Path, clock: ManualClock, memory_keyring: MemoryKeyring
) -> None:
    with mail_servers(users={ME: PASSWORD}) as (d, s):
        s.files_sent = True  # as Gmail does: the SMTP server files the copy in Sent
        store, provider, _account = _open(tmp_path, d, s, clock)
        (ada,) = _contacts(store, "ada")
        run_once(store, provider, clock)
        outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                    purpose="request", now=clock.now())  # fmt: skip
        assert len(d.messages(ME, "Sent")) == 1
        run_once(store, provider, clock)
        assert _stage(store, ada) is Stage.REQUESTED
        provider.close()
        store.close()


def test_without_idle_the_watcher_steps_aside_for_polling(memory_keyring: MemoryKeyring) -> None:
    from mail.imap import InboxWatcher

    with mail_servers(users={ME: PASSWORD}, idle=False) as (d, s):
        assert not check_connection(settings_for(d, s), PASSWORD).idle
        states: list[str] = []
        watcher = InboxWatcher(settings_for(d, s), lambda: PASSWORD, lambda: None,
                               lambda state, _m: states.append(state))  # fmt: skip
        watcher.run()  # returns at once: nothing to watch
        assert states == ["unsupported"] and not watcher.supported


def test_the_thread_flag_is_flagged_on_the_latest_message_and_nothing_else_changes(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, _ = opened
    (ada,) = _contacts(store, "ada")
    run_once(store, provider, clock)
    sent = outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                       purpose="request", now=clock.now())  # fmt: skip
    clock.advance(timedelta(hours=1))
    _smtp_deliver(s, "ada@contact.test", _mail(
        "ada@contact.test", "Re: Coffee chat?", "Sure!\n", clock.now(), "<a1@contact.test>",
        sent.message_id,
    ))  # fmt: skip
    d.deliver(ME, _mail("x@else.test", "Other", "Other\n", clock.now(), "<other@else.test>"))
    run_once(store, provider, clock)
    before_sent = _flags(d, "Sent")
    provider.set_thread_flag(sent.thread_id, "Thank-you due", True)
    flagged = {m["Message-ID"]: m.get_flags() for m in d.messages(ME)}
    assert "F" in flagged["<a1@contact.test>"]  # the reply, the thread's latest message
    assert flagged["<other@else.test>"] == ""  # another thread: untouched, still unread
    assert _flags(d, "Sent") == before_sent
    provider.set_thread_flag(sent.thread_id, "Thank-you due", False)
    assert {m["Message-ID"]: m.get_flags() for m in d.messages(ME)} == {
        "<a1@contact.test>": "",
        "<other@else.test>": "",
    }


def test_a_flag_the_user_set_themselves_is_never_cleared(
    servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    d, s = servers
    store, provider, _ = opened
    (ada,) = _contacts(store, "ada")
    run_once(store, provider, clock)
    sent = outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                       purpose="request", now=clock.now())  # fmt: skip
    clock.advance(timedelta(hours=1))
    _smtp_deliver(s, "ada@contact.test", _mail(
        "ada@contact.test", "Re: Coffee chat?", "Sure!\n", clock.now(), "<a1@contact.test>",
        sent.message_id,
    ))  # fmt: skip
    run_once(store, provider, clock)
    d.doveadm("flags", "add", "-u", ME, "\\Flagged", "mailbox", "INBOX", "ALL")
    before = {m["Message-ID"]: m.get_flags() for m in d.messages(ME)}
    assert before == {"<a1@contact.test>": "F"}
    provider.set_thread_flag(sent.thread_id, "Thank-you due", True)  # already flagged: theirs
    provider.set_thread_flag(sent.thread_id, "Thank-you due", False)
    assert {m["Message-ID"]: m.get_flags() for m in d.messages(ME)} == before


def test_the_sent_folder_is_found_by_name_without_special_use(
    memory_keyring: MemoryKeyring,
) -> None:
    with mail_servers(users={ME: PASSWORD}, sent_special_use=False) as (d, s):
        report = check_connection(settings_for(d, s), PASSWORD)
        assert report.folders.sent == "Sent"
        with pytest.raises(ServerSetupError) as missing:
            check_connection(_replace(settings_for(d, s), sent_folder="Archive/Sent"), PASSWORD)
        assert missing.value.problem is SetupProblem.FOLDER
        assert "no folder named “Archive/Sent”" in str(missing.value)


# ------------------------------------------------------------------------------- set-up failures
def _failure(settings: ImapSettings, password: str = PASSWORD) -> Exception:
    try:
        check_connection(settings, password)
    except Exception as exc:
        return exc
    raise AssertionError("the connection test passed")


def test_each_setup_failure_has_its_own_clear_message(servers: Servers) -> None:
    d, s = servers
    good = settings_for(d, s)
    wrong_password = _failure(good, "not-the-password")
    assert isinstance(wrong_password, LoginRefusedError)
    assert "refused the user name or password" in str(wrong_password)
    assert "app password" in str(wrong_password)

    closed = free_port()
    wrong_port = _failure(_replace(good, port=closed))
    assert isinstance(wrong_port, ServerUnreachableError)
    assert wrong_port.problem is SetupProblem.REFUSED
    assert f"port {closed}" in str(wrong_port) and "Check the port" in str(wrong_port)

    smtp_as_imap = _failure(_replace(good, port=s.port, security=Security.PLAIN))
    assert isinstance(smtp_as_imap, ServerSetupError)
    assert smtp_as_imap.problem is SetupProblem.WRONG_SERVICE
    assert "is not an IMAP server" in str(smtp_as_imap)

    tls_on_plain_port = _failure(_replace(good, security=Security.TLS))
    assert isinstance(tls_on_plain_port, ServerSetupError)
    assert tls_on_plain_port.problem is SetupProblem.NOT_TLS
    assert "does not speak TLS" in str(tls_on_plain_port)

    untrusted = _failure(_replace(good, port=d.tls_port, security=Security.TLS, ca_file=""))
    assert isinstance(untrusted, ServerSetupError) and untrusted.problem is SetupProblem.TLS
    assert "not trusted" in str(untrusted) and "self-signed" in str(untrusted)

    smtp_port = _failure(_replace(good, smtp_port=closed))
    assert isinstance(smtp_port, ServerUnreachableError) and smtp_port.where == "SMTP"
    assert "SMTP uses port 465" in str(smtp_port)

    insecure = _failure(_replace(good, host="imap.example.invalid", security=Security.PLAIN))
    assert isinstance(insecure, ServerSetupError) and insecure.problem is SetupProblem.INSECURE
    # the messages differ from one another: each failure says what failed
    texts = [str(e) for e in (wrong_password, wrong_port, smtp_as_imap, tls_on_plain_port,
                              untrusted, smtp_port, insecure)]  # fmt: skip
    assert len(set(texts)) == len(texts)


def _cli_args(d: Dovecot, s: SmtpServer, profile: Path, **changes: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "account_kind": "imap", "address": ME, "user": "", "host": "127.0.0.1",
        "port": d.port, "security": "starttls", "smtp_host": "127.0.0.1", "smtp_port": s.port,
        "smtp_security": "plain", "ca_file": str(d.cert), "preset": "", "sent_folder": "",
        "drafts_folder": "", "password_stdin": True, "profile": str(profile), "name": "Sam",
    }  # fmt: skip
    values.update(changes)
    return argparse.Namespace(**values)


@pytest.mark.parametrize(
    ("changes", "password", "expected"),
    [
        ({}, "wrong", "refused the user name or password"),
        ({"port": "CLOSED"}, PASSWORD, "connection refused"),
        ({"security": "tls"}, PASSWORD, "does not speak TLS"),
        ({"port": "TLS", "security": "tls", "ca_file": ""}, PASSWORD, "not trusted"),
    ],
    ids=["wrong-password", "wrong-port", "tls-on-a-plain-port", "untrusted-certificate"],
)
def test_account_add_imap_says_what_failed_and_adds_nothing(
    tmp_path: Path,
    servers: Servers,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, object],
    password: str,
    expected: str,
) -> None:
    d, s = servers
    ports = {"CLOSED": free_port(), "TLS": d.tls_port}
    changes = {k: ports.get(str(v), v) if k == "port" else v for k, v in changes.items()}
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    profile = tmp_path / "profile"
    assert cli_account.run_imap(_cli_args(d, s, profile, **changes)) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert memory_keyring.entries == {}
    store = Store.open(profile)
    assert store.accounts.all() == []
    store.close()


def test_account_add_imap_tests_the_connection_and_keeps_the_password_in_the_keyring(
    tmp_path: Path,
    servers: Servers,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d, s = servers
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    profile = tmp_path / "profile"
    assert cli_account.run_imap(_cli_args(d, s, profile)) == 0
    out = capsys.readouterr().out
    assert f"Connected {ME}" in out and "Sent" in out
    assert PasswordStore().load(ME) == PASSWORD
    store = Store.open(profile)
    (account,) = store.accounts.all()
    assert account.kind is AccountKind.IMAP
    saved = ImapSettings.from_json(store.accounts.settings(account.id) or "")
    assert saved.port == d.port and saved.security is Security.STARTTLS
    store.close()
    logs.shutdown()
    for path in (p for p in profile.rglob("*") if p.is_file()):
        assert PASSWORD.encode() not in path.read_bytes()


# ------------------------------------------------------------------------------- IDLE
def test_with_idle_a_reply_reaches_the_pipeline_within_seconds(
    tmp_path: Path, servers: Servers, opened: Setup, clock: ManualClock
) -> None:
    _d, s = servers
    store, provider, _account = opened
    (ada,) = _contacts(store, "ada")
    run_once(store, provider, clock)
    sent = outbox.send(store, provider, _request("ada@contact.test"), contact_id=ada,
                       purpose="request", now=clock.now())  # fmt: skip
    run_once(store, provider, clock)
    profile = tmp_path / "profile"
    # The app's own provider for the account (settings from the profile, password from the
    # keyring, look-ups on the sync worker's connection), as the window builds it.
    (app_provider,) = providers.build(store, resolve(profile), clock)
    assert isinstance(app_provider, ImapProvider)
    tasks = Tasks()
    watching = threading.Event()
    replied = threading.Event()

    def on_round(future: Future[SyncRound]) -> None:
        outcome = future.result().outcomes[0]
        if outcome.result is not None and any(n.kind == "reply" for n in outcome.result.notices):
            replied.set()

    def on_mail() -> None:  # what the window does: a sync round on the sync worker
        tasks.submit_store(
            profile, lambda store: sync_round(store, (app_provider,), clock)
        ).add_done_callback(on_round)

    def on_state(state: str, _message: str) -> None:
        if state == "watching":
            watching.set()

    watcher = app_provider.watcher(on_mail, on_state)
    handle = tasks.start_service("imap-idle", watcher)
    try:
        assert watching.wait(10), "the IDLE watcher did not connect"
        _smtp_deliver(s, "ada@contact.test", _mail(
            "ada@contact.test", "Re: Coffee chat?", "Yes! Tuesday at 10?\n", clock.now(),
            "<idle-reply@contact.test>", sent.message_id,
        ))  # fmt: skip
        assert replied.wait(5.0), "the reply did not reach the pipeline within 5 s"
        assert watcher.idles >= 1
    finally:
        tasks.stop_service(handle)
        tasks.submit_store(profile, lambda _store: app_provider.close()).result(10)
        tasks.shutdown()  # the worker's connection is closed there
    assert not handle.running
    assert _stage(store, ada) is Stage.REPLIED


def test_the_idle_watcher_reconnects_after_the_server_comes_back_and_on_restart(
    servers: Servers,
) -> None:
    d, s = servers
    connected = threading.Semaphore(0)
    offline = threading.Event()

    def on_state(state: str, _message: str) -> None:
        if state == "watching":
            connected.release()
        elif state == "offline":
            offline.set()

    from mail.imap import InboxWatcher

    mails: list[int] = []
    idled = threading.Semaphore(0)
    watcher = InboxWatcher(settings_for(d, s), lambda: PASSWORD, lambda: mails.append(1), on_state,
                           max_pause_s=0.2, reissue_s=0.3,
                           on_idle=lambda _n: idled.release())  # fmt: skip
    tasks = Tasks()
    handle = tasks.start_service("imap-idle", watcher)
    try:
        assert connected.acquire(timeout=10)
        d.kill()
        assert offline.wait(10), "a dead server was not noticed"
        d.start()
        assert connected.acquire(timeout=10), "the watcher did not come back"
        watcher.restart()  # the network changed: drop and re-establish at once
        assert connected.acquire(timeout=10)
        assert watcher.connections == 3
        assert len(mails) == 3  # a sync after each (re)connection, no mail meanwhile
        # The IDLE is re-issued on time, on the same connection.
        while idled.acquire(blocking=False):
            pass
        assert idled.acquire(timeout=10) and idled.acquire(timeout=10)
        assert watcher.connections == 3
    finally:
        tasks.shutdown()
    assert not handle.running


def test_a_missing_password_needs_sign_in_and_an_offline_start_is_offline(
    tmp_path: Path, memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.IMAP, ME)
    settings = ImapSettings(host="127.0.0.1", username=ME, port=free_port(),
                            security=Security.PLAIN)  # fmt: skip
    provider = ImapProvider.from_keyring(account, settings)
    rounds = Store.open(tmp_path / "profile")
    round_ = sync_round(rounds, (provider,), clock)
    assert round_.outcomes[0].state is SyncState.NEEDS_SIGN_IN
    PasswordStore().save(ME, PASSWORD)
    with pytest.raises(OfflineError):
        provider.fetch_changes(None)
    rounds.close()
    store.close()


def test_proposed_times_come_from_working_hours_without_a_calendar_problem(
    opened: Setup,
) -> None:
    from desktop.compose import read_calendars

    _store, provider, _account = opened
    read = read_calendars((provider,), T0, T0 + timedelta(days=7))
    assert read.accounts_read == 0 and read.problems == () and read.source == "working hours"
