"""The composer with an Outlook account: the recipient's automatic reply, read from Graph's mail
tips off the GUI thread, is shown as a warning before anything is sent (Graph emulator, real
msal sign-in)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact
from desktop.paths import Paths
from desktop.settings import Settings
from desktop.storage import Store
from desktop.tasks import Tasks
from mail.outlook import OutlookProvider
from mail.provider import AccountKind
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import GraphEmulator, make_certificate
from tests.helpers.memory_keyring import MemoryKeyring
from tests.integration.test_outlook import ME, T0, _provider, _sign_in
from ui.composer import ComposerDialog
from ui.ops import Ops

WAIT_MS = 15_000
AWAY = "bob@contact.test"


class _Noting(OutlookProvider):
    """The real provider, noting the thread each mail-tips call runs on."""

    tips_threads: list[str]

    def away(self, addresses: Any) -> dict[str, str]:
        self.tips_threads.append(threading.current_thread().name)
        return super().away(addresses)


@pytest.fixture
def composer_setup(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[tuple[GraphEmulator, AppContext]]:
    (tmp_path / "tls").mkdir()
    cert, key = make_certificate(tmp_path / "tls")
    sim, clock = SimClock(), ManualClock(T0)
    with GraphEmulator(ME, cert, key, clock=sim.now, wall=clock.now) as emulator:
        _sign_in(emulator, (cert, key))
        paths = Paths(profile=tmp_path / "profile", logs=tmp_path / "profile" / "logs")
        store = Store.open(paths.profile)
        account = store.accounts.add(AccountKind.OUTLOOK, ME)
        provider = _provider(emulator, (cert, key), store, account, sim, clock)
        provider.__class__ = _Noting
        provider.tips_threads = []  # type: ignore[attr-defined]
        ctx = AppContext(
            paths, Settings(user_name="Sam Rivera"), store, clock, Tasks(), (provider,)
        )
        try:
            yield emulator, ctx
        finally:
            ctx.tasks.shutdown()
            provider.close()
            store.close()


def _open(qtbot: QtBot, ctx: AppContext, contact_id: int) -> ComposerDialog:
    ops = Ops(ctx.tasks, ctx.paths.profile)
    dialog = ComposerDialog(ctx, ctx.store.contacts.all(), contact_id, ops=ops)
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_until(lambda: dialog.calendar is not None, timeout=WAIT_MS)
    return dialog


def test_an_automatic_reply_from_mail_tips_is_shown_before_sending(
    qtbot: QtBot, composer_setup: tuple[GraphEmulator, AppContext]
) -> None:
    emulator, ctx = composer_setup
    emulator.away = {AWAY: "<p>I am <b>out of the office</b> until 14 March.</p>"}
    bob = ctx.store.contacts.add(Contact(None, "Bob Marsh", ("Bob@Contact.test",)))
    ada = ctx.store.contacts.add(Contact(None, "Ada Lovelace", ("ada@contact.test",)))

    dialog = _open(qtbot, ctx, bob.id)
    qtbot.wait_until(dialog.away_label.isVisible, timeout=WAIT_MS)
    text = dialog.away_label.text()
    assert "Bob Marsh has an automatic reply on" in text
    assert "I am out of the office until 14 March." in text and "<b>" not in text
    provider = ctx.providers[0]
    assert provider.tips_threads and all(  # type: ignore[attr-defined]
        name != threading.main_thread().name
        for name in provider.tips_threads  # type: ignore[attr-defined]
    )

    # Someone who is not away: no warning; back to Bob: the answer is remembered, not asked again.
    asked = len(provider.tips_threads)  # type: ignore[attr-defined]
    dialog.contact_combo.setCurrentIndex(dialog.contact_combo.findData(ada.id))
    account = provider.account.id
    qtbot.wait_until(lambda: (account, "ada@contact.test") in dialog.mail_tips, timeout=WAIT_MS)
    assert not dialog.away_label.isVisible()
    dialog.contact_combo.setCurrentIndex(dialog.contact_combo.findData(bob.id))
    assert dialog.away_label.isVisible()
    assert len(provider.tips_threads) == asked + 1  # type: ignore[attr-defined]


def test_mail_tips_that_fail_only_leave_the_warning_out(
    qtbot: QtBot, composer_setup: tuple[GraphEmulator, AppContext]
) -> None:
    emulator, ctx = composer_setup
    emulator.away = {AWAY: "Away"}
    emulator.mail_tips_status = 403
    bob = ctx.store.contacts.add(Contact(None, "Bob Marsh", (AWAY,)))
    dialog = _open(qtbot, ctx, bob.id)
    account = ctx.providers[0].account.id
    qtbot.wait_until(lambda: (account, AWAY) in dialog.mail_tips, timeout=WAIT_MS)
    assert dialog.mail_tips[(account, AWAY)] == ""
    assert not dialog.away_label.isVisible()
    assert dialog.has_message() or dialog.error  # the composer carries on
