"""Push, not polling, in the window: a real Dovecot IMAP account beside another account. While
IDLE watches the Inbox the timer leaves it alone (the Sent folder keeps a slower schedule), an
announcement syncs its own account only, and polling resumes when IDLE stops working."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.jobs import SyncRound
from desktop.storage import Store
from mail.imap import ImapProvider, ImapSettings, Security
from mail.provider import AccountKind
from tests.helpers.dovecot import Dovecot, SmtpServer, mail_servers
from tests.helpers.windows import open_window
from ui.main_window import MainWindow

ME = "sam@mail.test"
PASSWORD = "app-pass-1"
WAIT = 15_000


def _imap(ctx: AppContext, db: Store, d: Dovecot, s: SmtpServer) -> ImapProvider:
    account = db.accounts.add(AccountKind.IMAP, ME, "Sam")
    settings = ImapSettings(
        host="127.0.0.1", username=ME, port=d.port, security=Security.STARTTLS,
        smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
        ca_file=str(d.cert), timeout=10,
    )  # fmt: skip
    provider = ImapProvider(account, settings, lambda: PASSWORD, now=ctx.clock.now)
    ctx.providers = (*ctx.providers, provider)
    return provider


def _note(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ada@contact.test", ME, f"Note {n}"
    msg["Message-ID"] = f"<note-{n}@contact.test>"
    msg.set_content("Hello\n")
    return msg.as_bytes()


class Window:
    """The window, started, with what its sync controller did."""

    def __init__(self, qtbot: QtBot, ctx: AppContext) -> None:
        self.qtbot = qtbot
        self.win: MainWindow = open_window(ctx)
        qtbot.add_widget(self.win)
        self.rounds: list[SyncRound] = []
        self.states: list[str] = []
        self.announced: list[int] = []
        self.win.sync.round_finished.connect(self.rounds.append)
        self.win.sync.push.state_changed.connect(lambda _a, state, _m: self.states.append(state))
        self.win.sync.push.mail_arrived.connect(self.announced.append)

    def settle(self) -> None:
        """Wait until no round runs and none is waiting to run."""
        sync = self.win.sync

        def quiet() -> bool:
            return not sync.running and not sync._again

        self.qtbot.wait_until(quiet, timeout=WAIT)
        QCoreApplication.processEvents()  # a round queued for right after a round starts now
        self.qtbot.wait_until(quiet, timeout=WAIT)
        self.qtbot.wait_until(self.win.ops.idle, timeout=WAIT)

    def timer_round(self) -> SyncRound:
        with self.qtbot.wait_signal(self.win.sync.round_finished, timeout=WAIT) as done:
            self.win.sync.on_timer()
        round_ = done.args[0]
        assert isinstance(round_, SyncRound)
        return round_


def _accounts(round_: SyncRound) -> set[int]:
    return {o.account_id for o in round_.outcomes}


@pytest.fixture
def servers() -> Iterator[tuple[Dovecot, SmtpServer]]:
    with mail_servers(users={ME: PASSWORD}) as pair:
        yield pair


def test_while_idle_watches_the_timer_polls_only_the_others_and_sent_on_its_schedule(
    qtbot: QtBot, ctx: AppContext, db: Store, servers: tuple[Dovecot, SmtpServer]
) -> None:
    d, s = servers
    (quiet,) = ctx.providers
    imap = _imap(ctx, db, d, s)
    w = Window(qtbot, ctx)
    w.win.start()
    qtbot.wait_until(lambda: "watching" in w.states and len(w.announced) >= 1, timeout=WAIT)
    w.settle()

    imap.commands, fetched = 0, len(quiet.threads)  # type: ignore[attr-defined]
    round_ = w.timer_round()
    assert _accounts(round_) == {quiet.account.id}  # the Inbox is IDLE's: not polled
    assert imap.commands == 0
    assert len(quiet.threads) == fetched + 1  # type: ignore[attr-defined]

    ctx.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    round_ = w.timer_round()
    assert _accounts(round_) == {quiet.account.id, imap.account.id}
    assert imap.commands == 1  # the Sent folder's STATUS, on its own schedule
    imap.commands = 0
    assert _accounts(w.timer_round()) == {quiet.account.id}  # not due again yet
    assert imap.commands == 0
    w.win.shutdown()
    w.settle()
    imap.close()


def test_an_announcement_syncs_its_own_account_only(
    qtbot: QtBot, ctx: AppContext, db: Store, servers: tuple[Dovecot, SmtpServer]
) -> None:
    d, s = servers
    (quiet,) = ctx.providers
    imap = _imap(ctx, db, d, s)
    w = Window(qtbot, ctx)
    w.win.start()
    qtbot.wait_until(lambda: "watching" in w.states and len(w.announced) >= 1, timeout=WAIT)
    w.settle()
    fetched, rounds = len(quiet.threads), len(w.rounds)  # type: ignore[attr-defined]

    d.deliver(ME, _note(1))
    qtbot.wait_until(lambda: len(w.announced) >= 2, timeout=WAIT)
    w.settle()
    assert len(w.rounds) == rounds + 1
    assert _accounts(w.rounds[-1]) == {imap.account.id}
    assert w.rounds[-1].outcomes[0].result is not None
    assert w.rounds[-1].outcomes[0].result.seen == 1  # the new note, read
    assert len(quiet.threads) == fetched  # type: ignore[attr-defined]  # the other: untouched
    w.win.shutdown()
    w.settle()
    imap.close()


def test_when_idle_stops_working_polling_resumes_and_stops_again_when_it_is_back(
    qtbot: QtBot, ctx: AppContext, db: Store, servers: tuple[Dovecot, SmtpServer]
) -> None:
    d, s = servers
    (quiet,) = ctx.providers
    imap = _imap(ctx, db, d, s)
    w = Window(qtbot, ctx)
    w.win.start()
    qtbot.wait_until(lambda: "watching" in w.states and len(w.announced) >= 1, timeout=WAIT)
    w.settle()
    assert _accounts(w.timer_round()) == {quiet.account.id}

    d.kill()  # the IDLE connection is lost
    qtbot.wait_until(lambda: w.states[-1] == "offline", timeout=WAIT)
    round_ = w.timer_round()
    assert _accounts(round_) == {quiet.account.id, imap.account.id}  # polled again
    d.start()
    w.win.sync.on_woke("network")  # the watcher reconnects at once
    qtbot.wait_until(lambda: w.states[-1] == "watching", timeout=WAIT)
    w.settle()
    assert _accounts(w.timer_round()) == {quiet.account.id}
    w.win.shutdown()
    w.settle()
    imap.close()


def test_a_server_without_idle_is_polled_by_the_timer_on_both_folders(
    qtbot: QtBot, ctx: AppContext, db: Store
) -> None:
    with mail_servers(users={ME: PASSWORD}, idle=False) as (d, s):
        (quiet,) = ctx.providers
        imap = _imap(ctx, db, d, s)
        w = Window(qtbot, ctx)
        w.win.start()
        qtbot.wait_until(lambda: "unsupported" in w.states, timeout=WAIT)
        w.settle()
        imap.commands = 0
        assert _accounts(w.timer_round()) == {quiet.account.id, imap.account.id}
        assert imap.commands == 2  # STATUS of the Inbox and of the Sent folder
        d.deliver(ME, _note(2))
        round_ = w.timer_round()
        (outcome,) = [o for o in round_.outcomes if o.account_id == imap.account.id]
        assert outcome.result is not None and outcome.result.seen == 1
        w.win.shutdown()
        w.settle()
        imap.close()


def test_an_announcement_during_a_round_syncs_its_account_right_after(
    qtbot: QtBot, ctx: AppContext, db: Store, servers: tuple[Dovecot, SmtpServer]
) -> None:
    d, s = servers
    (quiet,) = ctx.providers
    imap = _imap(ctx, db, d, s)
    w = Window(qtbot, ctx)
    rounds = len(w.rounds)
    assert w.win.sync.sync_now()  # a round runs (on the worker) ...
    w.win.sync.on_mail_arrived(imap.account.id)  # ... when the server announces mail
    qtbot.wait_until(lambda: len(w.rounds) == rounds + 2, timeout=WAIT)
    w.settle()
    assert [_accounts(r) for r in w.rounds[rounds:]] == [
        {quiet.account.id, imap.account.id},
        {imap.account.id},  # right after: the announced account only
    ]
    rounds = len(w.rounds)
    assert w.win.sync.sync_now(frozenset((imap.account.id,)))
    w.win.sync.on_mail_arrived(imap.account.id)
    w.win.sync.sync_soon()  # a send asks for every account: the union is every account
    qtbot.wait_until(lambda: len(w.rounds) == rounds + 2, timeout=WAIT)
    w.settle()
    assert [_accounts(r) for r in w.rounds[rounds:]] == [
        {imap.account.id},
        {quiet.account.id, imap.account.id},
    ]
    w.win.shutdown()
    w.settle()
    imap.close()
