"""A real IMAP mailbox (Dovecot) where hostile messages from one contact sit among genuine
replies from others: the shapes a sender can put in anyone's mailbox (a date at the end of the
calendar, a megabyte of unclosed tags, tens of thousands of RFC 2231 parameters, invalid text
and unknown charsets, broken MIME) and mutated real-shaped messages of the fuzz suite.

Used by tests/integration/test_hostile_imap.py (what lands) and bench/hostile_mail.py (how long
the pass takes); neither depends on the other.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind
from desktop.storage import Store
from mail.imap import ImapProvider, ImapSettings, Security
from mail.provider import Account, AccountKind
from tests.fuzz import messages
from tests.fuzz.syncing import from_contact
from tests.helpers.builders import event
from tests.helpers.dovecot import Dovecot, SmtpServer

ME = "sam@mail.test"
PASSWORD = "hostile-pass-1"
HOSTILE = "hal@contact.test"
GENUINE = ("ada@contact.test", "bob@contact.test", "cleo@contact.test")
#: Mutated real-shaped messages of the fuzz suite delivered as Hal's too (case numbers).
FUZZ_CASES = tuple(range(2040, 2060))


def _head(sender: str, when: datetime, mid: str, date: str = "") -> str:
    return (
        f"From: Hal <{sender}>\r\nTo: Sam Rivera <{ME}>\r\nSubject: Re: Coffee chat?\r\n"
        f"Date: {date or format_datetime(when)}\r\nMessage-ID: <{mid}@contact.test>\r\n"
        "MIME-Version: 1.0\r\n"
    )


def hostile_messages(sender: str, when: datetime) -> dict[str, bytes]:
    """Message-ID local part -> the raw message, each from ``sender``."""
    out: dict[str, bytes] = {}
    out["year-9999"] = (
        _head(sender, when, "year-9999", "Fri, 31 Dec 9999 23:59:59 -1200")
        + "Content-Type: text/plain; charset=utf-8\r\n\r\nThursday at 11:00?\r\n"
    ).encode()
    out["unclosed-tags"] = (
        _head(sender, when, "unclosed-tags")
        + "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hello Sam,</p>"
        + "<br " * 250_000
    ).encode()
    params = "".join(f";\r\n title*{i}*=utf-8''part{i}" for i in range(30_000))
    out["rfc2231-params"] = (
        _head(sender, when, "rfc2231-params")
        + f"Content-Type: text/plain; charset=utf-8{params}\r\n\r\nHello Sam\r\n"
    ).encode()
    out["lone-surrogates"] = (
        _head(sender, when, "lone-surrogates").replace("Subject: Re: Coffee chat?", "Subject: \xff")
        + "X-Note: =?unicode_escape?q?\\ud800?=\r\n"
        + "Content-Type: text/plain; charset=unicode_escape\r\n\r\n"
        + "Glad to help \\ud83d \\udfff - Thursday works.\r\n"
    ).encode("latin-1")
    out["unknown-charset"] = (
        _head(sender, when, "unknown-charset")
        + "Content-Type: text/plain; charset=x-no-such-charset\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes("Jeudi, ça me va. \udcff".encode("utf-8", "surrogateescape")).decode()
    ).encode()
    out["broken-mime"] = (
        _head(sender, when, "broken-mime")
        + 'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        + '--outer\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n'
        + "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8gU2Ft!!!===\r\n"
        + "--wrong\r\nContent-Type: text/html\r\n\r\n<div><div><div>\r\n"  # never closed
    ).encode()
    out["folded-content-type"] = (
        _head(sender, when, "folded-content-type")
        + 'Content-Type: multipart/alternative; boundary="b"'
        + "\r\n        Mon, 09 Mar 2026 10:00:00 +0000" * 2_000
        + "\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSure.\r\n--b--\r\n"
    ).encode()
    for number in FUZZ_CASES:
        mid = f"fuzz-{number}"
        out[mid] = from_contact(messages.case(number)[1], sender, f"{mid}@contact.test")
    return out


def genuine_reply(sender: str, when: datetime) -> bytes:
    name = sender.partition("@")[0].title()
    return (
        f"From: {name} <{sender}>\r\nTo: Sam Rivera <{ME}>\r\nSubject: Re: Coffee chat?\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: <genuine-{name}@contact.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hi Sam,\r\n\r\nHappy to talk. Tuesday works for me.\r\n\r\n{name}\r\n"
    ).encode()


@dataclass
class Mailroom:
    store: Store
    provider: ImapProvider
    account: Account
    #: Contact id by address: Hal's and the genuine contacts'.
    contacts: dict[str, int]

    def close(self) -> None:
        self.provider.close()
        self.store.close()


def open_mailroom(d: Dovecot, s: SmtpServer, profile: Path, clock: ManualClock) -> Mailroom:
    """A profile with an IMAP account on ``d`` and Hal and the genuine contacts, each waiting on
    a reply to a request (a first pass has set the cursor)."""
    store = Store.open(profile)
    account = store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    settings = ImapSettings(
        host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
        smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
        ca_file=str(d.cert), timeout=30,
    )  # fmt: skip
    store.accounts.set_settings(account.id, settings.to_json())
    provider = ImapProvider(account, settings, lambda: PASSWORD, now=clock.now)
    contacts: dict[str, int] = {}
    for address in (HOSTILE, *GENUINE):
        contact = store.contacts.add(Contact(None, address.partition("@")[0].title(), (address,)))
        assert contact.id is not None
        contacts[address] = contact.id
        store.pipeline.apply(
            contact.id, event(EventKind.REQUEST_SENT, clock.now(), key=f"request-{address}")
        )
    return Mailroom(store, provider, account, contacts)


def deliver(d: Dovecot, raw: bytes) -> None:
    """``raw`` into the Inbox byte for byte, as an MDA writes it (a new file in new/)."""
    home = d.root / "mail" / ME
    home.mkdir(exist_ok=True)
    os.chown(home, d.uid, d.gid)
    box = d.maildir(ME)  # made, owned by the mail user, on first use
    key = box.add(raw)
    os.chown(Path(box._path) / "new" / key, d.uid, d.gid)


def deliver_all(d: Dovecot, when: datetime) -> dict[str, str]:
    """Hal's hostile messages and the genuine replies delivered into the Inbox, interleaved;
    returns the hostile messages' Message-IDs by name."""
    hostile = hostile_messages(HOSTILE, when)
    genuine = [genuine_reply(address, when) for address in GENUINE]
    for n, raw in enumerate(hostile.values()):
        deliver(d, raw)
        if n % 3 == 0 and genuine:
            deliver(d, genuine.pop())
    for raw in genuine:
        deliver(d, raw)
    return {name: f"<{name}@contact.test>" for name in hostile}
