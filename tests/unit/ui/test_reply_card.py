"""The reply card on the demo profile, driven with the keyboard and with the mouse: accept ->
confirm + invitation (read back with icalendar), propose other times -> pick -> confirm, decline
with a referral -> thanks + new target drafted, a correction kept, and a threaded template reply.
Real parts: the demo mailbox, the real sync, SQLite files; the Undo window is left by calling
the controller's ``release`` (its timer is injected), never by sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop import demo_story, replies, settings
from desktop.context import AppContext
from desktop.domain.model import Stage
from desktop.domain.slots import Slot
from desktop.jobs import sync_round
from desktop.storage import Store
from desktop.tasks import Tasks
from mail import intent as intents
from mail.demo import DemoMailbox
from mail.provider import Folder, MailMessage
from tests.helpers.demo_profile import START, open_demo
from tests.helpers.windows import open_window
from ui.composer import ComposerDialog
from ui.main_window import MainWindow
from ui.models.due import CONTACT_ID_ROLE
from ui.reply_card import InvitePreviewDialog, ReplyCard

WAIT_MS = 20_000
PLACE = "Phone: +1 555 0100"


class Setup:
    def __init__(self, tmp_path: Path) -> None:
        self.demo, self.clock, self.paths = open_demo(tmp_path / "demo", START)
        self.ctx = AppContext(
            paths=self.paths,
            settings=settings.load(self.paths.settings),
            store=Store.open(self.paths.profile, read_only=True),
            clock=self.clock,
            tasks=Tasks(),
            providers=(self.demo.mailbox,),
            demo=True,
            sync_interval_s=3600,
        )

    def sync(self) -> None:
        store = Store.open(self.paths.profile)
        try:
            sync_round(store, (self.demo.mailbox,), self.clock)
        finally:
            store.close()

    def id(self, name: str) -> int:
        return next(r.id for r in self.demo.store.contacts.all() if r.contact.name == name)

    def id_of(self, address: str) -> int:
        return next(r.id for r in self.demo.store.contacts.all() if address in r.contact.emails)

    def close(self) -> None:
        self.ctx.tasks.shutdown()
        self.ctx.store.close()
        self.demo.store.close()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path)
    yield made
    made.close()


@pytest.fixture
def window(qtbot: QtBot, setup: Setup) -> Iterator[MainWindow]:
    win = open_window(setup.ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()


def _answered(setup: Setup, behaviour: str, hours: float) -> None:
    """The user asked ``behaviour`` for a call; ``hours`` later their reply has been synced."""
    if behaviour != "accepts":  # Maya's request is seeded
        demo_story.send_requests(setup.demo, (behaviour,), setup.clock.now())
    setup.sync()
    setup.clock.advance(timedelta(hours=hours))
    setup.sync()


def _card(qtbot: QtBot, window: MainWindow, contact_id: int) -> ReplyCard:
    window.reload_all()  # as after the window's own sync round
    window.select_contact(contact_id)
    window.replies.refresh(contact_id)
    card = window.panel.reply_card
    qtbot.wait_until(card.isVisible, timeout=WAIT_MS)
    return card


def _press(qtbot: QtBot, card: ReplyCard, how: str) -> None:
    """The card's one click, with the keyboard (focus, then Space) or the mouse."""
    if how == "keyboard":
        card.primary.setFocus()
        qtbot.keyClick(card.primary, Qt.Key.Key_Space)
    else:
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)


def _answer_preview(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]
) -> None:
    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, InvitePreviewDialog)
        seen["warning"] = dialog.warning.text()
        seen["their"] = dialog.their_time.text()
        seen["your"] = dialog.your_time.text()
        seen["attendee"] = dialog.attendee.text()
        dialog.place.setText(PLACE)
        seen["warning_after"] = dialog.warning.isVisible()
        return True

    monkeypatch.setattr(window, "exec_dialog", run)


def _sent(mailbox: DemoMailbox, address: str) -> list[MailMessage]:
    return [msg for _thread, msg in _sent_in_threads(mailbox, address)]


def _sent_in_threads(mailbox: DemoMailbox, address: str) -> list[tuple[str, MailMessage]]:
    """(provider thread id, message) of each message sent to ``address``."""
    out = []
    for ref in mailbox.fetch_changes(None).refs:
        if ref.folder is Folder.SENT:
            msg = mailbox.fetch_message(ref)
            if address in msg.to:
                out.append((ref.thread_id, msg))
    return out


def _release(qtbot: QtBot, window: MainWindow) -> None:
    assert window.replies.held is not None and window.replies.timer.isActive()
    assert window.banner.isVisible()
    with qtbot.wait_signal(window.replies.sent, timeout=WAIT_MS):
        window.replies.release()  # the Undo window has passed
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)


def _event(msg: MailMessage) -> Any:
    """The VEVENT of the invitation's text/calendar part, read back with icalendar."""
    parsed = BytesParser(policy=policy.default).parsebytes(msg.raw)
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return event


def _check_confirmed(
    setup: Setup, reply_key: str, address: str, slot: Slot, *, calendar: bool = False
) -> None:
    sent = _sent_in_threads(setup.demo.mailbox, address)
    thread, confirm = next((t, m) for t, m in sent if "calendar invitation" in m.text)
    if calendar:
        _check_calendar_event(setup, address, slot, sent)
        thread, invitation = None, None
    else:
        thread, invitation = next((t, m) for t, m in sent if m.subject.startswith("Invitation:"))
    reply = next(
        m for m in setup.demo.store.messages.for_contact(setup.id_of(address)) if m.key == reply_key
    )
    reply_id, _sender = setup.demo.store.messages.identity(reply_key) or ("", "")
    # Threaded: In-Reply-To their reply, in its References, in the same provider thread.
    assert confirm.in_reply_to == reply_id and reply_id in confirm.references
    assert confirm.subject.startswith("Re: ")
    assert "it is. I will send you a calendar invitation" in confirm.text  # template "confirm"
    confirm_thread = next(t for t, m in sent if m is confirm)
    assert confirm_thread == reply.thread_id  # the provider's thread id
    if invitation is None:
        return
    assert invitation.in_reply_to == reply_id
    assert thread == reply.thread_id
    event = _event(invitation)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start, end) == (slot.start.astimezone(UTC), slot.end.astimezone(UTC))
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)  # written in UTC
    assert str(event["attendee"]) == f"mailto:{address}"
    assert str(event["location"]) == PLACE


def _check_calendar_event(
    setup: Setup, address: str, slot: Slot, sent: list[tuple[str, MailMessage]]
) -> None:
    """An account with a calendar: the event was created through it, once; no .ics mail."""
    assert not [m for _t, m in sent if m.subject.startswith("Invitation:")]
    (event,) = [e for e in setup.demo.mailbox.events() if address in e.attendees]
    assert (event.start, event.end) == (slot.start.astimezone(UTC), slot.end.astimezone(UTC))
    assert event.location == PLACE
    contact = setup.id_of(address)
    lines = [h.evidence.summary for h in setup.demo.store.pipeline.history(contact)]
    assert any(line.startswith("Invitation sent through your calendar") for line in lines)


@pytest.mark.parametrize("calendar", [False, True], ids=["mailed", "calendar"])
@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_accept_confirms_and_invites_after_a_preview(
    qtbot: QtBot,
    window: MainWindow,
    setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    calendar: bool,
) -> None:
    setup.demo.mailbox.has_calendar = calendar
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    card = _card(qtbot, window, maya)
    case = window.replies.case
    assert case is not None and case.intent.kind == intents.ACCEPT
    assert card.intent_combo.currentData() == intents.ACCEPT
    assert "accepts slot 2" in card.evidence.text()
    slot = case.accepted
    assert slot is not None and card.selected_slot() == slot
    # Both zones: New York's time and the user's (UTC) beside it.
    assert (
        "(EST)" in card.times.currentItem().text()
        and "your time" in card.times.currentItem().text()
    )
    seen: dict[str, Any] = {}
    _answer_preview(window, monkeypatch, seen)
    _press(qtbot, card, how)
    assert "no place or phone" in seen["warning"] and seen["warning_after"] is False
    assert "EST" in seen["their"] and "UTC" in seen["your"]
    assert "maya.chen@lumen.example" in seen["attendee"]
    assert not [
        m
        for m in _sent(setup.demo.mailbox, "maya.chen@lumen.example")
        if m.subject.startswith("Invitation")
    ]
    _release(qtbot, window)
    state = setup.demo.store.pipeline.state(maya)
    assert state.stage is Stage.SCHEDULED and state.meeting_start == slot.start
    _check_confirmed(setup, case.key, "maya.chen@lumen.example", slot, calendar=calendar)
    # The sent invitation comes back through the sync and shows under the contact's Messages
    # (through the calendar: in her history, checked above).
    setup.clock.advance(timedelta(minutes=5))
    setup.sync()
    subjects = [
        m.subject for m in setup.demo.store.messages.for_contact(maya) if m.folder == "sent"
    ]
    assert any(s.startswith("Invitation:") for s in subjects) is not calendar
    window.replies.refresh(maya)
    assert not card.isVisible()  # answered: the card is gone


def test_undo_send_keeps_everything_unsent(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    card = _card(qtbot, window, maya)
    before = len(_sent(setup.demo.mailbox, "maya.chen@lumen.example"))
    _answer_preview(window, monkeypatch, {})
    _press(qtbot, card, "mouse")
    assert window.replies.held is not None
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)  # Undo send
    assert window.replies.held is None and not window.replies.timer.isActive()
    window.replies.release()  # the timer would have fired: nothing is held any more
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)
    assert len(_sent(setup.demo.mailbox, "maya.chen@lumen.example")) == before
    assert card.isVisible()


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_proposed_times_are_picked_in_both_zones_and_confirmed(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    setup.demo.mailbox.has_calendar = False  # the invitation is e-mailed in the thread
    _answered(setup, "proposes", 2)
    tomas = setup.id("Tomás Ortega")
    card = _card(qtbot, window, tomas)
    case = window.replies.case
    assert case is not None and case.intent.kind == intents.PROPOSE
    assert card.times.count() == 2 and "(CST)" in card.times.item(1).text()
    assert "your time" in card.times.item(1).text()
    _answer_preview(window, monkeypatch, {})
    if how == "keyboard":
        card.times.setFocus()
        qtbot.keyClick(card.times, Qt.Key.Key_Down)
        assert card.times.currentRow() == 1
        qtbot.keyClick(card.times, Qt.Key.Key_Return)  # Enter on a time confirms it
    else:
        rect = card.times.visualItemRect(card.times.item(1))
        qtbot.mouseClick(card.times.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)
    _release(qtbot, window)
    picked = case.proposed[1]
    local = picked.start.astimezone(case.proposed[1].start.tzinfo)
    assert (local.hour, local.minute) == (16, 30)
    state = setup.demo.store.pipeline.state(tomas)
    assert state.stage is Stage.SCHEDULED and state.meeting_start == picked.start
    _check_confirmed(setup, case.key, "tomas.ortega@solara.example", picked)
    # Another time was chosen: the times first offered to Tomás are free for others again.
    assert setup.demo.store.messages.offers_for(tomas) == []


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_decline_with_referral_thanks_and_drafts_to_the_new_target(
    qtbot: QtBot, window: MainWindow, setup: Setup, how: str
) -> None:
    _answered(setup, "declines_refers", 4)
    daniel = setup.id("Daniel Okafor")
    card = _card(qtbot, window, daniel)
    case = window.replies.case
    assert case is not None and case.intent.kind == intents.REFER
    assert card.referral_row.isVisible()
    assert card.primary.text().replace("&", "") == "Thank, draft to Erin"
    assert card.referral_name.text() == "Erin Park"
    assert card.referral_address.text() == "erin.park@northwind.example"
    drafts = setup.paths.demo_mailbox / "drafts"
    before = set(drafts.glob("*.eml")) if drafts.exists() else set()
    with qtbot.wait_signal(window.replies.sent, timeout=WAIT_MS):
        _press(qtbot, card, how)
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)
    (thanks,) = [
        m
        for m in _sent(setup.demo.mailbox, "daniel.okafor@northwind.example")
        if "pointing me to" in m.text
    ]
    reply_id, _ = setup.demo.store.messages.identity(case.key) or ("", "")
    assert thanks.in_reply_to == reply_id and thanks.subject.startswith("Re: ")
    assert "for pointing me to Erin Park" in thanks.text  # template "thank_referral"
    assert setup.demo.store.pipeline.state(daniel).stage is Stage.DECLINED
    erin = setup.demo.store.contacts.get(setup.id("Erin Park"))
    assert erin.contact.referrer_id == daniel and erin.state.stage is Stage.TARGET
    (new,) = set(drafts.glob("*.eml")) - before
    text = new.read_text(encoding="utf-8")
    assert "To: erin.park@northwind.example" in text or "erin.park@northwind.example" in text
    assert "Daniel Okafor suggested I" in text
    # The times in the draft are held for Erin.
    assert len(setup.demo.store.messages.offers_for(erin.id)) == 3


# The offscreen platform cannot raise a combo box's popup or grab the keyboard for it.
@pytest.mark.qt_log_ignore(
    r"^This plugin does not support raise\(\)$",
    r"^This plugin does not support grabbing the keyboard$",
)
@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_a_correction_is_kept_and_used(
    qtbot: QtBot, window: MainWindow, setup: Setup, how: str
) -> None:
    _answered(setup, "proposes", 2)
    tomas = setup.id("Tomás Ortega")
    card = _card(qtbot, window, tomas)
    index = card.intent_combo.findData(intents.DECLINE)
    with qtbot.wait_signal(window.replies.case_shown, timeout=WAIT_MS):
        if how == "keyboard":
            card.intent_combo.setFocus()
            while card.intent_combo.currentIndex() != index:
                qtbot.keyClick(card.intent_combo, Qt.Key.Key_Down)
        else:
            card.intent_combo.showPopup()
            view = card.intent_combo.view()
            rect = view.visualRect(view.model().index(index, 0))
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)
    case = window.replies.case
    assert case is not None and case.intent.kind == intents.DECLINE and case.corrected
    assert "correction" in card.evidence.text()
    assert card.primary.text().replace("&", "").startswith("Thank and close")
    # Kept: read again from the database, the reply is what the user said.
    again = replies.read_case(setup.demo.store, tomas, setup.ctx.settings)
    assert again is not None and again.intent.kind == intents.DECLINE
    assert again.detected.kind == intents.PROPOSE


def test_a_declined_reply_opens_the_threaded_template_reply(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered(setup, "proposes", 2)
    tomas = setup.id("Tomás Ortega")
    setup.demo.store.messages.correct_intent(
        replies.latest_reply(setup.demo.store, tomas).key,  # type: ignore[union-attr]
        tomas, intents.DECLINE, None, datetime.now(UTC),
    )  # fmt: skip
    card = _card(qtbot, window, tomas)
    seen: dict[str, Any] = {}

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        seen["title"] = dialog.windowTitle()
        seen["templates"] = dialog.header.template_names()
        seen["template"] = dialog.header.template_name()
        seen["thread"] = dialog.conversation
        return False

    monkeypatch.setattr(window, "exec_dialog", run)
    _press(qtbot, card, "keyboard")
    assert seen["title"] == "Reply: thank them and close"
    assert seen["template"] == "polite_close"
    assert seen["thread"] is not None  # written into their conversation, never a new one
    assert "request_cold" not in seen["templates"] and "answer" in seen["templates"]


def test_enter_and_ctrl_r_on_a_reply_in_today_answer_it_in_its_thread(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered(setup, "proposes", 2)
    tomas = setup.id("Tomás Ortega")
    window.reload_all()
    window.show_view("today")
    model = window.due_model
    rows = [r for r in range(model.rowCount()) if model.is_action(r)]
    row = next(r for r in rows if model.index(r).data(CONTACT_ID_ROLE) == tomas)
    window.today_view.setFocus()
    window.today_view.select_row(row)
    qtbot.wait_until(lambda: window.current_id == tomas, timeout=WAIT_MS)
    qtbot.keyClick(window.today_view, Qt.Key.Key_Return)  # Enter: the card's one click is next
    card = window.replies.today_card
    assert card.isVisible() and card.primary.hasFocus()
    seen: dict[str, Any] = {}

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        seen["title"] = dialog.windowTitle()
        seen["template"] = dialog.header.template_name()
        seen["thread"] = dialog.conversation
        return False

    monkeypatch.setattr(window, "exec_dialog", run)
    window.today_view.setFocus()
    qtbot.keyClick(window.today_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    # Ctrl+R on a reply writes the reply its intent calls for, never a new request.
    assert seen["template"] == "confirm" and seen["title"] == "Reply: confirm the time"
    assert seen["thread"] is not None


def test_today_shows_the_oldest_waiting_reply_when_no_one_with_one_is_selected(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync scheduled Maya at the time she accepted: with no contact selected, Today's card
    still offers her confirmation and invitation."""
    setup.demo.mailbox.has_calendar = False  # the invitation is e-mailed in the thread
    _answered(setup, "accepts", 1)
    window.show_view("today")
    window.select_contact(None)
    window.replies.refresh()
    card = window.replies.today_card
    qtbot.wait_until(card.isVisible, timeout=WAIT_MS)
    assert card.case is not None and card.case.name == "Maya Chen"
    assert not window.panel.reply_card.isVisible()
    _answer_preview(window, monkeypatch, {})
    qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)
    _release(qtbot, window)
    assert any(
        m.subject.startswith("Invitation:")
        for m in _sent(setup.demo.mailbox, "maya.chen@lumen.example")
    )
    window.replies.refresh()
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)
    assert not card.isVisible()  # nothing else waits


def test_writing_the_confirmation_by_hand_names_the_accepted_time(
    qtbot: QtBot, window: MainWindow, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered(setup, "accepts", 1)
    maya = setup.id("Maya Chen")
    card = _card(qtbot, window, maya)
    seen: dict[str, Any] = {}

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        dialog.show()
        qtbot.wait_until(lambda: not dialog.refresh_timer.isActive(), timeout=WAIT_MS)
        qtbot.wait_until(dialog.has_message, timeout=WAIT_MS)
        seen["body"] = dialog.body_edit.toPlainText()
        seen["subject"] = dialog.subject_edit.text()
        return False

    monkeypatch.setattr(window, "exec_dialog", run)
    qtbot.mouseClick(card.write_button, Qt.MouseButton.LeftButton)
    # Her time first (New York), then the user's: the template "confirm", in her thread.
    assert "Mon 30 Nov, 10:00\u201310:15 (EST) · 15:00 my time (UTC) it is." in seen["body"]
    assert seen["subject"].startswith("Re: ")
