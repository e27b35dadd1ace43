"""Connecting an IMAP mailbox from the window, against a real Dovecot: presets fill the servers,
the connection test runs off the GUI thread, each failure is said in the dialog next to the field
to fix, success adds the account (password in the keyring) and IDLE then brings a reply in within
seconds."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop import outbox
from desktop.context import AppContext
from desktop.domain.model import Contact, Stage
from desktop.jobs import SyncRound
from desktop.storage import Store
from mail.auth.tokens import PasswordStore
from mail.imap import ConnectionReport, ImapProvider, ImapSettings, Security, check_connection
from mail.provider import AccountKind, OutgoingMessage, SentRef
from tests.helpers.dovecot import Dovecot, SmtpServer, free_port, mail_servers
from tests.helpers.memory_keyring import MemoryKeyring
from tests.helpers.windows import open_window
from ui.connect_imap import ImapAccountDialog, ImapConnector
from ui.welcome import WelcomeDialog

ME = "sam@mail.test"
PASSWORD = "app-pass-1"


@pytest.fixture
def servers() -> Iterator[tuple[Dovecot, SmtpServer]]:
    with mail_servers(users={ME: PASSWORD}) as pair:
        yield pair


class RecordingChecker:
    """The real connection test, noting the thread it ran on."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def __call__(self, settings: ImapSettings, password: str) -> ConnectionReport:
        self.threads.append(threading.current_thread())
        return check_connection(settings, password)


def fill(dialog: ImapAccountDialog, d: Dovecot, s: SmtpServer, password: str = PASSWORD) -> None:
    dialog.address.setText(ME)
    dialog.provider.setCurrentIndex(dialog.provider.findData("other"))
    dialog.password_edit.setText(password)
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentIndex(dialog.security.findData(Security.STARTTLS.value))
    dialog.port.setValue(d.port)
    dialog.smtp_host.setText("127.0.0.1")
    dialog.smtp_security.setCurrentIndex(dialog.smtp_security.findData(Security.PLAIN.value))
    dialog.smtp_port.setValue(s.port)
    dialog.ca_file.setText(str(d.cert))


def test_a_preset_fills_the_servers_from_the_address(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ImapAccountDialog(ctx)
    qtbot.add_widget(dialog)
    qtbot.keyClicks(dialog.address, "sam@fastmail.com")
    assert (dialog.host.text(), dialog.port.value()) == ("imap.fastmail.com", 993)
    assert (dialog.smtp_host.text(), dialog.smtp_port.value()) == ("smtp.fastmail.com", 465)
    assert "app password" in dialog.note.text() and not dialog.note.isHidden()
    dialog.provider.setCurrentIndex(dialog.provider.findText("iCloud Mail"))
    assert dialog.host.text() == "imap.mail.me.com" and dialog.smtp_port.value() == 587
    # a usual port follows the encryption; a port typed by hand stays
    dialog.security.setCurrentIndex(dialog.security.findData(Security.STARTTLS.value))
    assert dialog.port.value() == 143
    dialog.port.setValue(10143)
    dialog.security.setCurrentIndex(dialog.security.findData(Security.TLS.value))
    assert dialog.port.value() == 10143


def test_missing_fields_are_said_before_any_connection(qtbot: QtBot, ctx: AppContext) -> None:
    checker = RecordingChecker()
    dialog = ImapAccountDialog(ctx, checker=checker)
    qtbot.add_widget(dialog)
    dialog.show()
    dialog.address.setText(ME)
    dialog.host.setText("imap.mail.test")
    dialog.test_button.click()
    assert "app password" in dialog.error.text() and dialog.focusWidget() is dialog.password_edit
    assert checker.threads == []


@pytest.mark.parametrize(
    ("case", "expected", "focus"),
    [
        ("wrong-password", "refused the user name or password", "password_edit"),
        ("wrong-port", "connection refused", "port"),
        ("tls-failure", "not trusted", "ca_file"),
        ("tls-on-a-plain-port", "does not speak TLS", "security"),
    ],
)
def test_each_failure_has_its_own_message_in_the_dialog(
    qtbot: QtBot,
    ctx: AppContext,
    servers: tuple[Dovecot, SmtpServer],
    case: str,
    expected: str,
    focus: str,
) -> None:
    d, s = servers
    checker = RecordingChecker()
    dialog = ImapAccountDialog(ctx, checker=checker)
    qtbot.add_widget(dialog)
    dialog.show()
    fill(dialog, d, s, "wrong" if case == "wrong-password" else PASSWORD)
    if case == "wrong-port":
        dialog.port.setValue(free_port())
    elif case == "tls-failure":
        dialog.security.setCurrentIndex(dialog.security.findData(Security.TLS.value))
        dialog.port.setValue(d.tls_port)
        dialog.ca_file.clear()
    elif case == "tls-on-a-plain-port":
        dialog.security.setCurrentIndex(dialog.security.findData(Security.TLS.value))
        dialog.port.setValue(d.port)
    dialog.test_button.click()
    assert dialog.busy and not dialog.test_button.isEnabled()
    qtbot.wait_until(lambda: not dialog.busy, timeout=15_000)
    assert checker.threads and checker.threads[0] is not threading.main_thread()
    assert expected in dialog.error.text()
    assert dialog.result() != ImapAccountDialog.DialogCode.Accepted
    assert dialog.focusWidget() is getattr(dialog, focus)
    assert dialog.test_button.isEnabled()  # fix it and try again


def test_connecting_adds_the_account_and_idle_brings_a_reply_in_seconds(
    qtbot: QtBot,
    ctx: AppContext,
    servers: tuple[Dovecot, SmtpServer],
    memory_keyring: MemoryKeyring,
    db: Store,
) -> None:
    d, s = servers
    ctx.providers = ()
    ada = db.contacts.add(Contact(None, "Ada Byron", ("ada@contact.test",))).id
    assert ada is not None

    def run(dialog: ImapAccountDialog) -> bool:
        fill(dialog, d, s)
        dialog.show()
        with qtbot.wait_signal(dialog.accepted, timeout=15_000):
            dialog.test_button.click()
        return True

    connector = ImapConnector(ctx, exec_dialog=run)
    window = open_window(ctx, connectors=(connector,))
    qtbot.add_widget(window)
    connector.events.account_added.connect(window.settings_ui.on_account_added)
    assert window.action_table.connect_mailbox_action.isEnabled()
    window.start()
    with qtbot.wait_signal(window.sync_finished, timeout=15_000):
        assert window.settings_ui.connect_mailbox()
    (account,) = [a for a in ctx.store.accounts.all() if a.kind is AccountKind.IMAP]
    assert PasswordStore().load(ME) == PASSWORD
    saved = ImapSettings.from_json(ctx.store.accounts.settings(account.id) or "")
    assert saved.port == d.port and saved.security is Security.STARTTLS
    assert PASSWORD not in (ctx.store.accounts.settings(account.id) or "")
    (provider,) = [p for p in ctx.providers if isinstance(p, ImapProvider)]
    assert account.id in window.sync.push.handles
    qtbot.wait_until(lambda: not window.sync.running, timeout=15_000)
    # The network comes back (or the machine wakes): the IDLE connection is opened anew.
    watcher = window.sync.push.handles[account.id].service
    qtbot.wait_until(lambda: watcher.idles >= 1, timeout=15_000)  # type: ignore[attr-defined]
    window.sync.on_woke("network")
    qtbot.wait_until(lambda: watcher.connections == 2, timeout=15_000)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: watcher.idles >= 2, timeout=15_000)  # type: ignore[attr-defined]
    qtbot.wait_until(lambda: not window.sync.running, timeout=15_000)

    # A request goes out, then Ada answers: IDLE announces it and the window syncs at once
    # (its timer would wait an hour).
    msg = OutgoingMessage(("ada@contact.test",), "Coffee chat?", "Hi Ada!\n", outbox.new_key())

    def send_on_the_worker(store: Store) -> SentRef:
        return outbox.send(store, provider, msg, contact_id=ada, purpose="request",
                           now=ctx.clock.now())  # fmt: skip

    sent = ctx.tasks.submit_store(ctx.paths.profile, send_on_the_worker).result(15)
    with qtbot.wait_signal(window.sync_finished, timeout=15_000):
        window.sync_now()
    assert ctx.store.pipeline.state(ada).stage is Stage.REQUESTED
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = "ada@contact.test", ME, "Re: Coffee chat?"
    reply["Date"] = format_datetime(ctx.clock.now())
    reply["Message-ID"], reply["In-Reply-To"] = "<ada-r@contact.test>", sent.message_id
    reply["References"] = sent.message_id
    reply.set_content("Happy to! Tuesday at 10?\n")

    def brought_the_reply(round_: SyncRound | None) -> bool:
        return round_ is not None and any(
            n.kind == "reply" for o in round_.outcomes if o.result for n in o.result.notices
        )

    arrived = qtbot.wait_signal(
        window.sync_finished, timeout=5_000, check_params_cb=brought_the_reply
    )
    with arrived, smtplib.SMTP("127.0.0.1", s.port, timeout=10) as smtp:
        smtp.sendmail("ada@contact.test", [ME], reply.as_bytes())
    assert ctx.store.pipeline.state(ada).stage is Stage.REPLIED
    assert "Ada Byron replied" in window.banner.text.text()
    window.shutdown()
    assert window.sync.push.handles == {}
    qtbot.wait_until(lambda: not window.sync.running, timeout=15_000)
    ctx.tasks.submit_store(ctx.paths.profile, lambda _store: provider.close()).result(10)


def test_the_welcome_offers_another_mailbox(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = WelcomeDialog(ctx.settings, (ImapConnector(ctx),))
    qtbot.add_widget(dialog)
    button = dialog.mailbox_buttons["imap"]
    assert button.isEnabled() and button.text().replace("&", "") == "Connect another mailbox"


def test_screenshot_of_the_dialog(
    qtbot: QtBot, ctx: AppContext, servers: tuple[Dovecot, SmtpServer], tmp_path: Path
) -> None:
    """Not an assertion on looks: it keeps the dialog's failure state renderable (and lets a
    developer look at it: COFFEECHAT_SHOTS=folder)."""
    import os

    d, s = servers
    dialog = ImapAccountDialog(ctx)
    qtbot.add_widget(dialog)
    dialog.show()
    fill(dialog, d, s, "wrong")
    dialog.test_button.click()
    qtbot.wait_until(lambda: not dialog.busy, timeout=15_000)
    folder = Path(os.environ.get("COFFEECHAT_SHOTS", str(tmp_path)))
    assert dialog.grab().save(str(folder / "imap-dialog-wrong-password.png"))
    dialog.address.setText("sam@icloud.com")
    dialog.on_address_edited("")
    dialog.provider.setCurrentIndex(0)
    dialog.error.hide()
    dialog.adjustSize()
    assert not dialog.note.isHidden() and "app-specific password" in dialog.note.text()
    assert dialog.grab().save(str(folder / "imap-dialog-icloud.png"))
