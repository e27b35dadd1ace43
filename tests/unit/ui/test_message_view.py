"""The message view explains a verdict and takes the user's correction: stored in its own
table (and for the sender), and the contact moves."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.domain.model import Stage
from desktop.storage import Store
from mail.mime import parse_message
from mail.provider import AccountKind, MessageRef
from ui.main_window import MainWindow
from ui.message_view import VerdictBar

OOO = (
    b"From: Grace Hopper <grace@navy.example>\r\nTo: me@example.org\r\n"
    b"Subject: Automatic reply: a call?\r\nDate: Tue, 10 Mar 2026 09:00:00 +0000\r\n"
    b"Message-ID: <ooo-1@navy.example>\r\nAuto-Submitted: auto-replied\r\n\r\n"
    b"I am away until Monday.\r\n"
)


def test_the_bar_explains_the_verdict_and_offers_only_other_kinds(qtbot: QtBot) -> None:
    bar = VerdictBar()
    qtbot.add_widget(bar)
    bar.show_verdict("auto_reply", "header Auto-Submitted: auto-replied")
    assert not bar.isHidden()
    assert "an automatic reply" in bar.label.text()
    assert "header Auto-Submitted: auto-replied" in bar.label.text()
    offered = [a.data() for a in bar.menu.actions()]
    assert offered == ["human", "bulk"]
    with qtbot.wait_signal(bar.corrected) as signal:
        bar.menu.actions()[0].trigger()
    assert signal.args == ["human"]
    bar.show_verdict("sent", "in your Sent mail", incoming=False)
    assert bar.isHidden()


def test_correcting_from_the_message_view_is_stored_and_moves_the_contact(
    qtbot: QtBot, window: MainWindow, db: Store, seeded: dict[str, int]
) -> None:
    grace = seeded["grace"]
    account = db.accounts.add(AccountKind.GMAIL, "me@example.org")
    msg = parse_message(OOO, MessageRef("ooo-1", "t-1"))
    db.messages.save(
        account.id, msg, kind="auto_reply", evidence="header Auto-Submitted: auto-replied",
        contact_id=grace,
    )  # fmt: skip
    window.select_contact(grace)
    panel = window.panel
    row = next(n for n, m in enumerate(panel._messages) if m.subject.startswith("Automatic"))
    panel.message_list.setCurrentRow(row)
    assert not panel.verdict.isHidden()  # (its tab need not be the one in front)
    assert "Auto-Submitted" in panel.verdict.label.text()
    before = window.ctx.store.pipeline.state(grace).stage
    real = next(a for a in panel.verdict.menu.actions() if a.data() == "human")
    real.trigger()
    qtbot.wait_until(window.ops.idle)
    assert window.ctx.store.corrections.for_sender("grace@navy.example") == "human"
    [correction] = window.ctx.store.corrections.all()
    assert (correction.was, correction.kind) == ("auto_reply", "human")
    after = window.ctx.store.pipeline.state(grace).stage
    assert before is not Stage.REPLIED and after is Stage.REPLIED
