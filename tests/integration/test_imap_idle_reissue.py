"""The IDLE watcher on a real Dovecot: mail that arrives around a re-issue of IDLE (after the last
look, before DONE, or between DONE and the next IDLE) is announced all the same."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage

import pytest

from desktop.tasks import Tasks
from mail.imap import ImapSettings, InboxWatcher, Security
from tests.helpers.dovecot import Dovecot, SmtpServer, mail_servers

ME = "sam@mail.test"
PASSWORD = "app-pass-1"


@pytest.fixture
def servers() -> Iterator[tuple[Dovecot, SmtpServer]]:
    with mail_servers(users={ME: PASSWORD}) as pair:
        yield pair


def _settings(d: Dovecot) -> ImapSettings:
    return ImapSettings(
        host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
        smtp_host="127.0.0.1", smtp_port=1, smtp_security=Security.PLAIN,
        ca_file=str(d.cert), timeout=10,
    )  # fmt: skip


def _note(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ada@contact.test", ME, f"Note {n}"
    msg["Message-ID"] = f"<note-{n}@contact.test>"
    msg.set_content("Hello\n")
    return msg.as_bytes()


def _watch(
    d: Dovecot, **hooks: Callable[[int], None]
) -> tuple[InboxWatcher, threading.Semaphore, threading.Semaphore]:
    mails, idled = threading.Semaphore(0), threading.Semaphore(0)
    watcher = InboxWatcher(
        _settings(d), lambda: PASSWORD, mails.release, on_idle=lambda _n: idled.release(), **hooks
    )  # type: ignore[arg-type]
    return watcher, mails, idled


def _run(watcher: InboxWatcher, mails: threading.Semaphore, idled: threading.Semaphore,
         tasks: Tasks) -> None:  # fmt: skip
    tasks.start_service("imap-idle", watcher)
    assert mails.acquire(timeout=10), "no announcement after connecting"
    assert idled.acquire(timeout=10), "no first IDLE"


def test_mail_delivered_between_done_and_the_next_idle_is_announced(
    servers: tuple[Dovecot, SmtpServer],
) -> None:
    d, _s = servers

    def before_idle(n: int) -> None:
        if n == 2:  # after the DONE of the first IDLE, before the second: no command running
            d.deliver(ME, _note(n))

    watcher, mails, idled = _watch(d, before_idle=before_idle)
    tasks = Tasks()
    try:
        _run(watcher, mails, idled, tasks)
        watcher.reissue()
        assert idled.acquire(timeout=10)
        # Dovecot reports the new message right after the IDLE continuation, often in the same
        # packet: it sits in the client's buffer, where select() on the socket cannot see it.
        assert mails.acquire(timeout=10), "mail delivered between two IDLE commands was missed"
        assert watcher.connections == 1
    finally:
        tasks.shutdown()


def test_mail_that_arrives_just_before_done_is_announced(
    servers: tuple[Dovecot, SmtpServer],
) -> None:
    d, _s = servers

    def before_done(n: int) -> None:
        if n == 1:  # after the last look at the socket, before DONE
            d.deliver(ME, _note(n))

    watcher, mails, idled = _watch(d, before_done=before_done)
    tasks = Tasks()
    try:
        _run(watcher, mails, idled, tasks)
        watcher.reissue()
        assert idled.acquire(timeout=10)
        # The EXISTS comes with the answer to DONE (or just before it): it counts too.
        assert mails.acquire(timeout=10), "mail announced in the answer to DONE was missed"
    finally:
        tasks.shutdown()
