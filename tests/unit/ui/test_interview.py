"""Interview mode, driven like a user with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Event, EventKind, Evidence, Stage
from desktop.domain.workspace import SourceKind
from desktop.storage import Store
from ui.interview import InterviewWindow
from ui.ops import Ops


def _scheduled(store: Store, ctx: AppContext, minutes: int) -> int:
    cid = store.contacts.add(Contact(None, "Ana Silva", ("ana@figma.example",), company="Figma"))
    assert cid.id is not None
    start = ctx.clock.now()
    store.pipeline.apply(
        cid.id,
        Event(
            EventKind.MEETING_SET,
            start - timedelta(days=2),
            Evidence("set"),
            "m1",
            meeting_start=start,
            meeting_end=start + timedelta(minutes=minutes),
        ),
    )
    return cid.id


def test_an_interview_from_start_to_thank_you(qtbot: QtBot, ctx: AppContext, db: Store) -> None:
    clock = ctx.clock
    assert isinstance(clock, ManualClock)
    ana = _scheduled(db, ctx, 20)
    ops = Ops(ctx.tasks, ctx.paths.profile)
    window = InterviewWindow(
        ctx.store, ops, clock, ana, ctx.settings, bank=["What drew you to the field?", "Who else?"]
    )
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_until(ops.idle)  # the list, seeded from the bank on the worker
    assert window.minutes == 20  # the meeting's agreed length
    times_up: list[None] = []
    window.time_up.connect(lambda: times_up.append(None))
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    clock.advance(timedelta(minutes=19, seconds=59))
    window.tick()
    assert times_up == [] and window.timer_label.text() == "0:01"
    assert window.time_banner.isHidden()
    clock.advance(timedelta(seconds=1))
    with qtbot.wait_signal(window.time_up, timeout=1000):
        window.tick()
    assert window.time_banner.isVisible() and "20 minutes" in window.time_banner.text()
    clock.advance(timedelta(minutes=3))
    window.tick()
    assert len(times_up) == 1 and window.timer_label.text() == "+3:00"  # said once

    window.check_question(0)
    qtbot.wait_until(ops.idle)
    assert [q.checked for q in ctx.store.workspace.questions(ana)] == [True, False]
    qtbot.keyClicks(window.notes, "Growth PMs own the funnel end to end.")
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    window.referrals_edit.setPlainText("Raj Patel <raj@stripe.example>\nMei Chen (Canva)\n")
    window.their_edit.setPlainText("the team's reading list\n- an intro to the design lead")
    window.mine_edit.setPlainText("send my case study")
    with qtbot.wait_signal(window.interview_finished, timeout=1000) as finished:
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    done = finished.args[0]

    [record] = ctx.store.workspace.interviews(ana)
    assert record.ended_at == clock.now()
    assert record.notes == "Growth PMs own the funnel end to end."
    assert record.their_promises == ("the team's reading list", "an intro to the design lead")
    assert record.my_promises == ("send my case study",)
    new = [r for r in done.referrals if r.created]
    assert [r.name for r in new] == ["Raj Patel", "Mei Chen"]
    for referral in new:
        target = ctx.store.contacts.get(referral.contact_id)
        assert target.contact.referrer_id == ana
        assert target.state.stage is Stage.TARGET
        assert ctx.store.workspace.sources()[referral.contact_id].kind is SourceKind.REFERRAL
        [draft] = ctx.store.workspace.drafts(referral.contact_id)
        assert draft.subject == "Ana Silva suggested I get in touch"
    assert ctx.store.contacts.get(new[0].contact_id).contact.emails == ("raj@stripe.example",)
    text = window.thank_you_preview.toPlainText()
    assert "- the team's reading list\n- an intro to the design lead" in text
    assert "Raj Patel, Mei Chen" in window.summary.text()
    with qtbot.wait_signal(window.thank_you_requested) as asked:
        window.on_write_thank_you()
    assert asked.args == [ana]


def test_closing_an_unsaved_interview_asks(
    qtbot: QtBot, ctx: AppContext, db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = _scheduled(db, ctx, 15)
    ops = Ops(ctx.tasks, ctx.paths.profile)
    window = InterviewWindow(ctx.store, ops, ctx.clock, ana, ctx.settings, bank=["Q?"])
    qtbot.add_widget(window)
    window.show()
    window.start()
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    window.close()
    assert window.isVisible()  # kept open: nothing lost
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    window.close()
    assert not window.isVisible()
    qtbot.wait_until(ops.idle)
    assert ctx.store.workspace.interviews(ana) == []
