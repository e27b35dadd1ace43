"""A thread's messages are found without ``SEARCH HEADER References``, which finds nothing on some
large providers: a real Dovecot behind a proxy that makes that search come back empty."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from mail.imap import ImapProvider, ImapSettings, Security
from mail.provider import Account, AccountKind
from tests.helpers.dovecot import Dovecot, SmtpServer, mail_servers
from tests.helpers.imap_proxy import ImapProxy

ME = "sam@mail.test"
ADA = "ada@contact.test"
PASSWORD = "app-pass-1"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def servers() -> Iterator[tuple[Dovecot, SmtpServer]]:
    with mail_servers(users={ME: PASSWORD}) as pair:
        yield pair


def _message(sender: str, to: str, n: int, refs: list[str]) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, "Coffee chat?" if n == 0 else "Re: Coffee"
    msg["Date"] = format_datetime(T0 + timedelta(hours=n))
    msg["Message-ID"] = mid = f"<m{n}@{sender.split('@')[1]}>"
    if refs:
        msg["In-Reply-To"] = refs[-1]
        msg["References"] = " ".join(refs)
    msg.set_content(f"Message {n}\n")
    return mid, msg.as_bytes()


def _deliver(d: Dovecot, raw: bytes, folder: str, hours: int) -> None:
    """Delivered with its arrival time (a Maildir file's mtime is its INTERNALDATE)."""
    key = d.deliver(ME, raw, folder)
    base = d.root / "mail" / ME / "Maildir"
    path = (base / f".{folder}" if folder else base) / "new" / key
    stamp = (T0 + timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


def _thread(d: Dovecot) -> list[str]:
    """Our request, Ada's reply, our answer, Ada's second reply: the latest replies to a reply."""
    r, raw = _message(ME, ADA, 0, [])
    _deliver(d, raw, "Sent", 0)
    a1, raw = _message(ADA, ME, 1, [r])
    _deliver(d, raw, "", 1)
    s2, raw = _message(ME, ADA, 2, [r, a1])
    _deliver(d, raw, "Sent", 2)
    a3, raw = _message(ADA, ME, 3, [r, a1, s2])
    _deliver(d, raw, "", 3)
    other, raw = _message("x@else.test", ME, 4, [])
    _deliver(d, raw, "", 4)
    return [r, a1, s2, a3, other]


def _provider(port: int, security: Security, d: Dovecot, s: SmtpServer) -> ImapProvider:
    settings = ImapSettings(
        host="127.0.0.1", username=ME, port=port, security=security,
        smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
        ca_file=str(d.cert), timeout=10,
    )  # fmt: skip
    return ImapProvider(Account(1, AccountKind.IMAP, ME), settings, lambda: PASSWORD)


def _flags(d: Dovecot) -> dict[str, str]:
    return {
        m["Message-ID"]: m.get_flags() for folder in ("", "Sent") for m in d.messages(ME, folder)
    }


@pytest.mark.parametrize("references_search", ["works", "finds nothing"])
def test_the_latest_message_of_a_thread_is_found_by_walking_the_replies(
    servers: tuple[Dovecot, SmtpServer], references_search: str, tmp_path: Path
) -> None:
    d, s = servers
    r, a1, s2, a3, other = _thread(d)
    with ImapProxy(d.port) as proxy:
        if references_search == "works":
            provider = _provider(d.port, Security.STARTTLS, d, s)
        else:
            provider = _provider(proxy.port, Security.PLAIN, d, s)
        provider.set_thread_flag(r, "Thank-you due", True)
        flagged = _flags(d)
        assert "F" in flagged[a3]  # Ada's second reply: the thread's latest
        assert [flagged[m] for m in (r, a1, s2, other)] == ["", "", "", ""]
        provider.set_thread_flag(r, "Thank-you due", False)
        assert set(_flags(d).values()) == {""}
        provider.close()
        assert proxy.references_refused == (0 if references_search == "works" else 4)
