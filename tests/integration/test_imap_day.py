"""A full working day of an IMAP account on a real Dovecot, in simulated minutes: requests sent,
replies coming in over IDLE, another client reading and flagging, a stale UIDVALIDITY cursor and
an unreadable one, a server restart with a reply delivered while it was down. The app's own
parts run it: the IDLE watcher on its thread, ``sync_round`` for an announced account, the timer
round of ``polled_accounts`` every minute, the outbox. Every event lands once, nothing is sent
twice, and the IMAP commands stay those of push (the Sent schedule), not of polling."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient  # type: ignore[import-untyped]

from desktop import outbox
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind, Stage
from desktop.jobs import SyncRound, SyncState, look_again, polled_accounts, sync_round
from desktop.storage import Store
from desktop.tasks import Tasks
from mail.auth.tokens import PasswordStore
from mail.imap import IDLE_REISSUE_S, ImapProvider, ImapSettings, Security
from mail.imap.push import SENT_EVERY
from mail.provider import AccountKind, OutgoingMessage, SentRef
from tests.helpers.dovecot import Dovecot, SmtpServer, mail_servers
from tests.helpers.memory_keyring import MemoryKeyring

ME = "sam@mail.test"
PASSWORD = "app-pass-1"
MORNING = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # a Tuesday
WAIT = 10.0


class Day:
    """The app's sync loop for one account, minute by minute on a manual clock."""

    def __init__(self, tmp_path: Path, d: Dovecot, s: SmtpServer) -> None:
        self.d, self.s = d, s
        self.clock = ManualClock(MORNING)
        self.store = Store.open(tmp_path / "profile")
        self.account = self.store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
        settings = ImapSettings(
            host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
            smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
            ca_file=str(d.cert), timeout=10,
        )  # fmt: skip
        PasswordStore().save(ME, PASSWORD)
        self.provider = ImapProvider.from_keyring(self.account, settings, now=self.clock.now)
        self.providers = (self.provider,)
        self.announced = threading.Semaphore(0)
        self.states: list[str] = []
        self.watcher = self.provider.watcher(self.announced.release, self._state)
        self.idled = threading.Semaphore(0)
        self.watcher.on_idle = lambda _n: self.idled.release()
        self.watcher.max_pause_s = 0.5
        self.tasks = Tasks()
        self.rounds: list[tuple[str, SyncRound]] = []
        self.sent: list[SentRef] = []
        self.contacts: dict[str, int] = {}
        self._reissued = MORNING

    def _state(self, state: str, _message: str) -> None:
        self.states.append(state)

    def start(self) -> None:
        look_again(self.providers)
        self.sync("start", None)
        self.tasks.start_service("imap-idle", self.watcher)
        assert self.idled.acquire(timeout=WAIT), "the IDLE watcher did not start"

    def close(self) -> None:
        self.tasks.shutdown()
        self.provider.close()
        self.store.close()

    def sync(self, why: str, only: frozenset[int] | None) -> SyncRound:
        round_ = sync_round(self.store, self.providers, self.clock, only=only)
        self.rounds.append((why, round_))
        return round_

    def announcement(self) -> SyncRound:
        """Wait for the watcher's announcement, then sync the announced account, as the window
        does."""
        assert self.announced.acquire(timeout=WAIT), "no IDLE announcement"
        return self.sync("idle", frozenset((self.account.id,)))

    def minutes(self, n: int) -> None:
        """``n`` minutes of the app's timer (and of IDLE, re-issued on its schedule)."""
        for _ in range(n):
            self.clock.advance(timedelta(minutes=1))
            while self.announced.acquire(blocking=False):  # a (re)connection's announcement
                self.sync("idle", frozenset((self.account.id,)))
            if (self.clock.now() - self._reissued).total_seconds() >= IDLE_REISSUE_S:
                self._reissued = self.clock.now()
                if self.watcher.watching:
                    self.watcher.reissue()
                    assert self.idled.acquire(timeout=WAIT), "IDLE was not re-issued"
            self.sync("timer", polled_accounts(self.providers))

    def until(self, hour: int, minute: int = 0) -> None:
        target = MORNING.replace(hour=hour, minute=minute)
        self.minutes(round((target - self.clock.now()).total_seconds() // 60))

    def add_contacts(self, *names: str) -> None:
        for name in names:
            contact = self.store.contacts.add(
                Contact(None, name.title(), (f"{name}@contact.test",))
            )
            assert contact.id is not None
            self.contacts[name] = contact.id

    def request(self, name: str) -> SentRef:
        msg = OutgoingMessage(
            (f"{name}@contact.test",), "Coffee chat?", "Hello!\n\nSam\n", outbox.new_key()
        )
        sent = outbox.send(self.store, self.provider, msg, contact_id=self.contacts[name],
                           purpose="request", now=self.clock.now())  # fmt: skip
        self.sent.append(sent)
        return sent

    def reply(self, name: str, to: SentRef, text: str) -> bytes:
        msg = EmailMessage()
        msg["From"], msg["To"] = f"{name}@contact.test", ME
        msg["Subject"], msg["Date"] = "Re: Coffee chat?", format_datetime(self.clock.now())
        msg["Message-ID"] = f"<{name}-reply@contact.test>"
        msg["In-Reply-To"] = msg["References"] = to.message_id
        msg.set_content(text)
        return msg.as_bytes()

    def other_client(self, folder: str, message_id: str, flags: list[bytes]) -> None:
        """The user's phone reads and flags a message (its own connection)."""
        client = IMAPClient("127.0.0.1", port=self.d.port, ssl=False, timeout=10)
        try:
            client.starttls(self.d.ssl_context())
            client.login(ME, PASSWORD)
            client.select_folder(folder)
            uids = client.search(["HEADER", "Message-ID", message_id])
            assert uids, f"{message_id} is not in {folder}"
            client.add_flags(uids, flags)
        finally:
            client.logout()

    def stage(self, name: str) -> Stage:
        return self.store.pipeline.state(self.contacts[name]).stage

    def kinds(self, name: str) -> Counter[EventKind]:
        return Counter(e.kind for e in self.store.pipeline.history(self.contacts[name]))

    def wait_state(self, state: str) -> None:
        deadline = threading.Event()
        for _ in range(int(WAIT * 20)):
            if self.states and self.states[-1] == state:
                return
            deadline.wait(0.05)  # the watcher's own thread reports it
        raise AssertionError(f"the watcher never became {state!r}: {self.states}")


@pytest.fixture
def day(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Day]:
    with mail_servers(users={ME: PASSWORD}) as (d, s):
        the_day = Day(tmp_path, d, s)
        try:
            yield the_day
        finally:
            the_day.close()


def test_a_full_day_with_idle_every_event_once_no_duplicate_send_and_push_costs(
    day: Day,
) -> None:
    p, d = day.provider, day.d
    day.add_contacts("ada", "bob", "cleo", "dan", "eve")
    day.start()

    # 09:00 four requests go out; the Sent copies move the contacts at the next minute's round.
    day.until(9)
    to = {name: day.request(name) for name in ("ada", "bob", "cleo", "dan")}
    day.minutes(1)
    assert {name: day.stage(name) for name in to} == dict.fromkeys(to, Stage.REQUESTED)

    # 10:30 Ada replies: IDLE announces it, and the round syncs this account only.
    day.until(10, 30)
    d.deliver(ME, day.reply("ada", to["ada"], "Happy to! Tuesday at 10?\n"))
    answered = day.announcement()
    assert [o.account_id for o in answered.outcomes] == [day.account.id]
    assert day.stage("ada") is Stage.REPLIED

    # 11:00 the phone reads and flags Ada's reply, and labels a sent request: no event, no new
    # message read; IDLE announces no new mail for flags.
    day.until(11)
    day.other_client("INBOX", "<ada-reply@contact.test>", [b"\\Seen", b"\\Flagged", b"$label1"])
    day.other_client("Sent", to["bob"].message_id, [b"\\Seen", b"$label2"])
    before = len(day.rounds)
    day.minutes(30)
    looked = [r for _why, r in day.rounds[before:] if r.outcomes]
    assert looked and all(o.result and o.result.seen == 0 for r in looked for o in r.outcomes)

    # 12:00 a restored profile brings a stale cursor (another UIDVALIDITY): the user syncs; the
    # recent mail is rescanned and nothing is applied twice. Then an unreadable one.
    day.until(12)
    stale = json.loads(day.store.accounts.cursor(day.account.id) or "")
    stale["folders"]["inbox"]["v"] += 1
    day.store.accounts.set_cursor(day.account.id, json.dumps(stale), day.clock.now())
    look_again(day.providers)
    rescanned = day.sync("user", None)
    assert rescanned.outcomes[0].state is SyncState.IDLE
    assert rescanned.outcomes[0].result and rescanned.outcomes[0].result.reset
    day.store.accounts.set_cursor(day.account.id, "{not json", day.clock.now())
    look_again(day.providers)
    assert day.sync("user", None).outcomes[0].state is SyncState.IDLE

    # 13:00 the server restarts; Bob's reply is delivered while it is down. Polling takes over
    # while IDLE is lost, and finds the reply as soon as the server is back.
    day.until(13)
    d.kill()
    day.wait_state("offline")
    d.deliver(ME, day.reply("bob", to["bob"], "Sure, Thursday works for me.\n"))
    day.minutes(1)
    assert day.rounds[-1][1].outcomes[0].state is SyncState.OFFLINE  # polled, not pushed
    d.start()
    day.minutes(1)
    assert day.stage("bob") is Stage.REPLIED
    day.wait_state("watching")  # the watcher comes back by itself (its pause is short here)
    day.minutes(1)

    # 14:00 one more request, after the restart.
    day.until(14)
    to["eve"] = day.request("eve")
    day.minutes(1)
    assert day.stage("eve") is Stage.REQUESTED

    # 15:00-16:00 a quiet hour: only the Sent schedule reaches the server (and IDLE re-issues).
    day.until(15)
    p.commands, idles = 0, day.watcher.idles
    day.minutes(60)
    assert p.commands == round(timedelta(hours=1) / SENT_EVERY)  # one STATUS per Sent look
    # Every 25 minutes on the same connection: 2 or 3 in an hour; on a loaded machine one more
    # when the 14:00 request's late wake-up lands inside the hour (still no Inbox poll).
    assert 2 <= day.watcher.idles - idles <= 4
    day.until(18)

    # Every event once; nothing sent twice.
    for name in ("ada", "bob", "cleo", "dan", "eve"):
        assert day.kinds(name)[EventKind.REQUEST_SENT] == 1, name
    assert day.kinds("ada")[EventKind.GENUINE_REPLY] == 1
    assert day.kinds("bob")[EventKind.GENUINE_REPLY] == 1
    assert {n: day.stage(n) for n in ("cleo", "dan", "eve")} == dict.fromkeys(
        ("cleo", "dan", "eve"), Stage.REQUESTED
    )
    assert len(day.s.received) == 5 and len(d.messages(ME, "Sent")) == 5
    assert len({m["Message-ID"] for m in d.messages(ME, "Sent")}) == 5
    # The Inbox was never polled by the timer while IDLE watched it: the timer rounds that
    # reached the account were the Sent schedule's (every 15 of 600 minutes), one after each of
    # the two sends, and the two while IDLE was lost (not one a minute: 600).
    timer_looks = sum(1 for why, r in day.rounds if why == "timer" and r.outcomes)
    assert timer_looks <= (18 - 8) * 60 / 15 + 2 + 2
    assert [why for why, _r in day.rounds].count("idle") == 3  # connect, Ada, reconnect
