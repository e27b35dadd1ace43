"""The ask composer on the demo profile: live coaching, send and save through the provider, the
pipeline seeing the request once, missing fields named, and no provider call on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl, QUrlQuery
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from desktop import demo_story, settings
from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.due import ActionKind
from desktop.domain.model import Event, EventKind, Evidence, Stage
from desktop.domain.slots import Slot
from desktop.jobs import sync_round
from desktop.paths import Paths
from desktop.storage import Store
from desktop.tasks import Tasks
from mail.demo import DemoMailbox
from mail.mime import OUTBOX_HEADER
from mail.provider import (
    DraftRef,
    Folder,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    OutgoingMessage,
    SentRef,
)
from mail.relevance import Relevance
from tests.helpers.demo_profile import START
from tests.helpers.windows import open_window
from ui.composer import ComposerDialog
from ui.main_window import MainWindow
from ui.ops import Ops

WAIT_MS = 15_000


@dataclass
class ThreadRecorder:
    """The demo mailbox, noting which thread each call ran on."""

    inner: DemoMailbox
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.account = self.inner.account

    def _note(self, name: str) -> None:
        self.calls.append((name, threading.current_thread().name))

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> Any:
        self._note("fetch_changes")
        return self.inner.fetch_changes(cursor, relevance)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        self._note("fetch_message")
        return self.inner.fetch_message(ref, full=full)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        self._note("create_draft")
        return self.inner.create_draft(msg)

    def send_draft(self, draft: DraftRef) -> SentRef:
        self._note("send_draft")
        return self.inner.send_draft(draft)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        self._note("find_sent")
        return self.inner.find_sent(outbox_key)

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        self._note("busy_blocks")
        return self.inner.busy_blocks(start, end)

    def create_event(self, event: MeetingInvite) -> Any:
        self._note("create_event")
        return self.inner.create_event(event)

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        self._note("set_thread_flag")
        self.inner.set_thread_flag(thread_id, flag, on)


@dataclass
class DemoSetup:
    ctx: AppContext
    demo: demo_story.Demo
    recorder: ThreadRecorder
    _ops: Ops | None = None

    @property
    def ops(self) -> Ops:
        """Operations for a composer opened without the window (made on first use)."""
        if self._ops is None:
            self._ops = Ops(self.ctx.tasks, self.ctx.paths.profile)
        return self._ops

    def sync_round(self) -> None:
        """A sync round, run here on a connection of its own."""
        store = Store.open(self.ctx.paths.profile)
        try:
            sync_round(store, self.ctx.providers, self.ctx.clock)
        finally:
            store.close()

    def contact(self, name: str) -> int:
        return next(r.id for r in self.demo.store.contacts.all() if r.contact.name == name)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[DemoSetup]:
    paths = Paths(profile=tmp_path / "demo", logs=tmp_path / "demo" / "logs")
    clock = ManualClock(START)
    demo = demo_story.prepare(paths, clock)
    recorder = ThreadRecorder(demo.mailbox)
    ctx = AppContext(
        paths=paths,
        settings=settings.load(paths.settings),
        store=demo.store,
        clock=clock,
        tasks=Tasks(),
        providers=(recorder,),  # type: ignore[arg-type]
        demo=True,
        sync_interval_s=3600,
    )
    made = DemoSetup(ctx, demo, recorder)
    yield made
    if made._ops is not None:
        made._ops.close()
    ctx.tasks.shutdown()
    demo.store.close()


@pytest.fixture
def window(qtbot: QtBot, setup: DemoSetup) -> Iterator[MainWindow]:
    win = open_window(setup.ctx)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    yield win
    win.shutdown()


def _ready(qtbot: QtBot, dialog: ComposerDialog) -> None:
    qtbot.wait_until(lambda: dialog.calendar is not None and dialog.has_message(), timeout=WAIT_MS)
    qtbot.wait_until(lambda: not dialog.refresh_timer.isActive(), timeout=WAIT_MS)


def _type_body(qtbot: QtBot, dialog: ComposerDialog, text: str) -> None:
    """Replace the body as a user would, then wait for the debounced coaching."""
    with qtbot.wait_signal(dialog.coaching_updated, timeout=WAIT_MS):
        dialog.body_edit.setPlainText(text)


def _sent_to(mailbox: DemoMailbox, address: str) -> list[MailMessage]:
    changes = mailbox.fetch_changes(None)
    out = []
    for ref in changes.refs:
        if ref.folder is Folder.SENT:
            msg = mailbox.fetch_message(ref)
            if address in msg.to:
                out.append(msg)
    return out


def _drafts(setup: DemoSetup) -> list[Any]:
    folder = setup.ctx.paths.demo_mailbox / "drafts"
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.wait_signal(window.sync_finished, timeout=WAIT_MS):
        assert window.sync_now()


def test_referral_request_coached_live_then_sent_once(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = setup.contact("Erin Park")
    seen: dict[str, Any] = {}

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        dialog.show()
        _ready(qtbot, dialog)
        assert dialog.template_combo.currentData() == "request_referral"
        assert dialog.to_label.text() == "Erin Park <erin.park@northwind.example>"
        assert dialog.subject_edit.text() == "Daniel Okafor suggested I get in touch"
        assert len(dialog.slots) == 3
        assert dialog.finding_codes() == []
        assert dialog.send_button.isEnabled()
        original = dialog.body_edit.toPlainText()

        # Live coaching: a very long message is flagged as the user types.
        _type_body(qtbot, dialog, original + "\n" + "I would also like to add " * 60)
        assert "too_long" in dialog.finding_codes()
        assert dialog.send_button.isEnabled()  # strong advice, not a block

        # A résumé said in the text is a strong warning (Send asks); an attached one blocks.
        _type_body(qtbot, dialog, original + "\nPlease find my résumé attached.\n")
        assert "resume_mentioned" in dialog.finding_codes()
        assert dialog.send_button.isEnabled()
        _type_body(qtbot, dialog, original)
        assert dialog.finding_codes() == []
        dialog.add_attachment(str(Path("documents") / "resume.pdf"))
        assert "resume_attached" in dialog.finding_codes()
        assert not dialog.send_button.isEnabled()
        dialog.attach_list.setCurrentRow(0)
        dialog.remove_selected_attachment()
        assert dialog.send_button.isEnabled()

        seen["slots"] = [(s.start, s.end) for s in dialog.slots]
        seen["body"] = dialog.body_edit.toPlainText()
        with qtbot.wait_signal(dialog.message_sent, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", drive)
    window.select_contact(erin)
    with qtbot.wait_signal(window.sync_finished, timeout=WAIT_MS):
        window.write_action.trigger()  # the sent message triggers a sync round

    qtbot.wait_until(
        lambda: setup.ctx.store.contacts.get(erin).state.stage is Stage.REQUESTED, timeout=WAIT_MS
    )
    assert window.model.record(erin).state.stage is Stage.REQUESTED  # type: ignore[union-attr]
    sent = _sent_to(setup.demo.mailbox, "erin.park@northwind.example")
    assert len(sent) == 1  # one copy in Sent, carrying our outbox marker
    assert sent[0].header(OUTBOX_HEADER)
    assert sent[0].subject == "Daniel Okafor suggested I get in touch"
    assert sent[0].text.replace("\r\n", "\n") == seen["body"]
    history = [h for h in setup.ctx.store.pipeline.history(erin) if h.to_stage is Stage.REQUESTED]
    assert len(history) == 1
    assert setup.ctx.store.messages.offers_for(erin) == seen["slots"]

    _sync(qtbot, window)  # another round finds nothing new to send or count
    assert len(_sent_to(setup.demo.mailbox, "erin.park@northwind.example")) == 1
    assert setup.ctx.store.contacts.get(erin).state.stage is Stage.REQUESTED


def test_save_as_draft_leaves_the_contact_a_target(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = setup.contact("Erin Park")
    seen: dict[str, Any] = {}

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        dialog.show()
        _ready(qtbot, dialog)
        assert dialog.draft_button.isDefault()
        seen["slots"] = [(s.start, s.end) for s in dialog.slots]
        with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", drive)
    assert window.write_to(erin)
    drafts = _drafts(setup)
    assert len(drafts) == 1
    assert drafts[0]["To"] == "erin.park@northwind.example"
    assert drafts[0]["Subject"] == "Daniel Okafor suggested I get in touch"
    assert drafts[0][OUTBOX_HEADER]
    assert setup.ctx.store.messages.offers_for(erin) == seen["slots"]

    _sync(qtbot, window)
    assert setup.ctx.store.contacts.get(erin).state.stage is Stage.TARGET
    assert _sent_to(setup.demo.mailbox, "erin.park@northwind.example") == []


def test_a_missing_field_is_named_and_blocks_sending(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops, template="request_article"
    )
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_until(lambda: dialog.calendar is not None, timeout=WAIT_MS)
    qtbot.wait_until(lambda: dialog.field_error.isVisible(), timeout=WAIT_MS)
    assert "Article title" in dialog.field_error.text()
    assert dialog.body_edit.toPlainText() == ""  # never a message with a blank in it
    assert not dialog.send_button.isEnabled()
    assert not dialog.draft_button.isEnabled()

    with qtbot.wait_signal(dialog.coaching_updated, timeout=WAIT_MS):
        dialog.set_field("article_title", "Shipping software in hospitals")
    assert not dialog.field_error.isVisible()
    assert 'I read "Shipping software in hospitals"' in dialog.body_edit.toPlainText()
    assert dialog.send_button.isEnabled()


def test_the_composer_never_calls_the_provider_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calendar, draft and send all run on workers; the GUI thread only waits for signals."""
    gui = threading.current_thread().name
    names = ("Erin Park", "Priya Nair")

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        dialog.show()
        qtbot.wait_until(lambda: dialog.calendar is not None, timeout=WAIT_MS)
        if "reason" in dialog.field_values():  # the cold request asks why this person
            dialog.set_field("reason", "your talk on learning design stayed with me")
        _ready(qtbot, dialog)
        contact = dialog.record()
        assert contact is not None
        if contact.contact.name == names[0]:
            with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
                dialog.draft_button.click()
        else:
            with qtbot.wait_signal(dialog.message_sent, timeout=WAIT_MS):
                dialog.send_button.click()
        return True

    monkeypatch.setattr(window, "exec_dialog", drive)
    for name in names:
        window.write_to(setup.contact(name))
    qtbot.wait_until(lambda: not window.sync.running, timeout=WAIT_MS)
    called = {name for name, _ in setup.recorder.calls}
    assert {"busy_blocks", "create_draft", "send_draft"} <= called
    assert "find_sent" not in called  # a first attempt never looks in Sent first
    assert all(thread != gui for _, thread in setup.recorder.calls), setup.recorder.calls


def test_a_follow_up_goes_into_the_thread_and_away_is_shown(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup
) -> None:
    _sync(qtbot, window)  # the seeded requests are seen in Sent
    jonas = setup.contact("Jonas Weber")
    until = (START + timedelta(days=4)).date()
    setup.ctx.store.pipeline.apply(
        jonas,
        Event(
            EventKind.AUTO_REPLY,
            START,
            Evidence("Automatic reply", "test"),
            "test-away",
            away_until=until,
        ),
    )
    window.refresh_contact(jonas)
    messages = setup.ctx.store.messages.for_contact(jonas)
    request = next(m for m in messages if m.folder == "sent")
    dialog = ComposerDialog(
        setup.ctx,
        window.model.records(),
        jonas,
        ops=window.ops,
        action=ActionKind.FOLLOW_UP,
        parent=window,
    )
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    assert dialog.template_combo.currentData() == "follow_up"
    assert dialog.subject_edit.text() == f"Re: {request.subject}"
    msg = dialog.outgoing()
    assert msg is not None and msg.thread_id == messages[-1].thread_id == request.thread_id
    # Threaded by headers too, as the contact's mail client needs: it answers the request,
    # not the out-of-office that came after it.
    assert request.message_id and msg.in_reply_to == request.message_id
    assert msg.references == (request.message_id,)
    assert dialog.away_label.isVisible()
    assert "Jonas Weber is away until" in dialog.away_label.text()


def test_the_daily_cap_stops_requests_but_not_drafts(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    setup.sync_round()  # 3 seen today
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops, daily_cap=3
    )
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    assert dialog.cap_label.isVisible()
    assert "3 requests today" in dialog.cap_label.text()
    assert not dialog.send_button.isEnabled()
    assert dialog.draft_button.isEnabled()


def test_every_control_has_an_accessible_name(qtbot: QtBot, setup: DemoSetup) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit

    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), setup.contact("Erin Park"), ops=setup.ops
    )
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    for kind in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit):
        for widget in dialog.findChildren(kind):
            if widget.isVisible():
                assert widget.accessibleName(), widget


def test_correcting_a_message_from_the_panel_moves_the_contact(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup
) -> None:
    """Not the composer, but the same demo window: "this was a real reply" on an out-of-office."""
    _sync(qtbot, window)
    jonas = next(r.id for r in setup.ctx.store.contacts.all() if r.contact.name == "Jonas Weber")
    window.select_contact(jonas)
    panel = window.panel
    row = next(n for n, m in enumerate(panel._messages) if m.kind == "auto_reply")
    panel.message_list.setCurrentRow(row)
    kinds = [kind for kind, _ in panel.correction_choices()]
    assert kinds == ["human", "bulk"]  # never offers what it already is
    panel.correct_current("human")
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert setup.ctx.store.pipeline.state(jonas).stage is Stage.REPLIED
    assert "Moved to Replied" in window.statusBar().currentMessage()
    record = window.model.record(jonas)
    assert record is not None and record.state.stage is Stage.REPLIED  # the board follows


def _send_previewed_invitation(qtbot: QtBot, window: MainWindow) -> None:
    """Send invitation: the preview is accepted as shown, then the Undo window is left to pass
    (the controller's release, as its timer would)."""
    previews: list[QDialog] = []

    def accept(dialog: QDialog) -> bool:
        previews.append(dialog)
        return True

    window.exec_dialog = accept  # type: ignore[method-assign]
    window.panel.invite_button.click()
    assert previews and window.replies.held is not None  # nothing sent before the Undo window
    window.replies.release()
    qtbot.wait_until(window.ops.idle, timeout=WAIT_MS)


def test_one_click_invitation_for_a_scheduled_contact(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup
) -> None:
    from datetime import timedelta

    from desktop.actions import set_meeting

    _sync(qtbot, window)
    maya = next(r.id for r in setup.ctx.store.contacts.all() if r.contact.name == "Maya Chen")
    start = START + timedelta(days=2)
    set_meeting(setup.ctx.store, maya, start, start + timedelta(minutes=15), START)
    window.refresh_contact(maya)
    window.select_contact(maya)
    assert window.panel.invite_button.isVisibleTo(window.panel)
    _send_previewed_invitation(qtbot, window)
    events = setup.demo.mailbox.events()
    assert [(e.start, e.attendees) for e in events] == [(start, ("maya.chen@lumen.example",))]
    assert window.panel.invite_button.isEnabled()


def test_one_click_invitation_without_a_calendar_goes_by_mail_with_the_phone(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup
) -> None:
    from datetime import timedelta

    from icalendar import Calendar

    from desktop.actions import set_meeting

    _sync(qtbot, window)
    setup.demo.mailbox.has_calendar = False
    setup.ctx.settings = replace(setup.ctx.settings, phone="+1 555 0100")
    maya = next(r.id for r in setup.ctx.store.contacts.all() if r.contact.name == "Maya Chen")
    start = START + timedelta(days=2)
    set_meeting(setup.ctx.store, maya, start, start + timedelta(minutes=15), START)
    window.refresh_contact(maya)
    window.select_contact(maya)
    _send_previewed_invitation(qtbot, window)
    assert setup.demo.mailbox.events() == []
    assert "Invitation e-mailed to maya.chen@lumen.example" in window.banner.text.text()
    (sent,) = [
        m
        for m in _sent_to(setup.demo.mailbox, "maya.chen@lumen.example")
        if m.subject.startswith("Invitation:")
    ]
    assert "Where: Phone: +1 555 0100" in sent.text
    parts = BytesParser(policy=policy.default).parsebytes(sent.raw).walk()
    (part,) = [p for p in parts if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event["DTSTART"].dt == start
    assert str(event["LOCATION"]) == "Phone: +1 555 0100"


def test_the_daily_cap_is_the_users_setting(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    setup.sync_round()  # 3 seen today
    setup.ctx.settings = replace(setup.ctx.settings, daily_request_cap=4)
    dialog = ComposerDialog(setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    assert dialog.daily_cap == 4 and not dialog.cap_label.isVisible()
    assert dialog.send_button.isEnabled() or "limit" not in dialog.send_blocked_reason()

    setup.ctx.settings = replace(setup.ctx.settings, daily_request_cap=3)
    capped = ComposerDialog(setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(capped)
    capped.show()
    _ready(qtbot, capped)
    assert capped.cap_label.isVisible()
    assert "your daily limit (3; change it in Settings" in capped.cap_label.text()
    assert "Daily limit of 3 requests reached" in capped.send_blocked_reason()


def test_the_dates_follow_the_messages_language(qtbot: QtBot, setup: DemoSetup) -> None:
    setup.ctx.settings = replace(setup.ctx.settings, message_language="de")
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), setup.contact("Erin Park"), ops=setup.ops
    )
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    assert dialog.is_request() and dialog.language() == "de"
    german = ("Mo.", "Di.", "Mi.", "Do.", "Fr.")
    slot_lines = [t for t in dialog.fields["slots"]]  # type: ignore[union-attr]
    assert slot_lines and all(line.startswith(german) for line in slot_lines)
    assert slot_lines[0] in dialog.body_edit.toPlainText()

    french = ("lun.", "mar.", "mer.", "jeu.", "ven.")
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
    qtbot.wait_until(
        lambda: all(str(t).startswith(french) for t in dialog.fields["slots"]),  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    body = dialog.body_edit.toPlainText()
    assert all(str(t) in body for t in dialog.fields["slots"])  # type: ignore[union-attr]
    assert not any(line in body for line in slot_lines)


def test_one_contact_at_a_time_then_the_next_target(
    qtbot: QtBot, window: MainWindow, setup: DemoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = setup.contact("Erin Park")
    targets = {
        r.id
        for r in setup.ctx.store.contacts.all()
        if r.state.stage is Stage.TARGET and r.contact.primary_email and r.id != erin
    }
    assert targets  # the demo has more than one target
    seen: dict[str, Any] = {}

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, ComposerDialog)
        dialog.show()
        _ready(qtbot, dialog)
        first_key = dialog.outbox_key
        dialog.next_check.setChecked(True)
        with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        record = dialog.record()
        assert record is not None and record.id in targets
        seen["next"] = record.id
        assert dialog.status_label.text().startswith(
            f"Draft saved for Erin Park. Now writing to {record.contact.name}."
        )
        if "reason" in dialog.field_values():
            dialog.set_field("reason", "your talk on hospital data at PyData")
        _ready(qtbot, dialog)
        assert dialog.outbox_key != first_key
        erins = [Slot(a, b) for a, b in setup.ctx.store.messages.offers_for(erin)]
        assert erins and not any(s.overlaps(o) for s in dialog.slots for o in erins)
        # The last one: without "then the next", saving closes the dialog.
        dialog.next_check.setChecked(False)
        with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
        assert dialog.written == [erin, record.id]
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", drive)
    assert window.write_to(erin)
    drafts = _drafts(setup)
    assert len(drafts) == 2
    assert len({d[OUTBOX_HEADER] for d in drafts}) == 2
    assert setup.ctx.store.messages.offers_for(seen["next"])


def test_an_account_without_calendar_proposes_from_working_hours_and_says_so(
    qtbot: QtBot, setup: DemoSetup
) -> None:
    setup.demo.mailbox.has_calendar = False
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), setup.contact("Erin Park"), ops=setup.ops
    )
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    assert dialog.calendar is not None and dialog.calendar.source == "working hours"
    assert dialog.calendar.problems == ()  # no calendar is not a failure to report
    assert dialog.slot_source.text().startswith("No calendar access: these times come from")
    assert len(dialog.slots) == 3


def _shown_texts(dialog: QDialog) -> list[str]:
    """Every text a user can see in the dialog: labels, and the editors' placeholders."""
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog)]
    for edit in dialog.findChildren(QPlainTextEdit):
        if edit.isVisibleTo(dialog):
            texts.append(edit.toPlainText() or edit.placeholderText())
    return texts


def test_a_missing_detail_is_said_once(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops, template="request_article"
    )
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_until(lambda: dialog.calendar is not None, timeout=WAIT_MS)
    qtbot.wait_until(lambda: dialog.field_error.isVisible(), timeout=WAIT_MS)
    qtbot.wait_until(lambda: not dialog.refresh_timer.isActive(), timeout=WAIT_MS)
    said = [t for t in _shown_texts(dialog) if "Fill in" in t or "needs it" in t]
    assert said == [dialog.field_error.text()]


def test_escape_asks_before_discarding_typed_text(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    asked: list[str] = []
    answer = {"discard": False}

    def ask(title: str, text: str, yes: str, no: str) -> bool:
        asked.append(title)
        return answer["discard"]

    dialog.ask = ask  # type: ignore[method-assign]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed yet: closes without a question
    assert asked == [] and not dialog.isVisible()

    dialog.show()
    typed = dialog.body_edit.toPlainText() + "\nA paragraph I spent ten minutes on."
    _type_body(qtbot, dialog, typed)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["Discard this message?"]
    assert dialog.isVisible() and dialog.body_edit.toPlainText() == typed
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # Cancel asks as well
    assert len(asked) == 2 and dialog.isVisible()
    answer["discard"] = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert len(asked) == 3 and not dialog.isVisible()


def test_a_titled_name_is_greeted_by_name_and_not_criticised(
    qtbot: QtBot, setup: DemoSetup
) -> None:
    erin = setup.contact("Erin Park")
    record = setup.demo.store.contacts.get(erin)
    setup.demo.store.contacts.update(replace(record.contact, name="Dr. Erin Park"))
    dialog = ComposerDialog(setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    body = dialog.body_edit.toPlainText()
    assert body.startswith("Hi Erin,"), body
    assert "Dr.," not in body
    assert "greeting_without_name" not in dialog.finding_codes()


def test_a_resume_mention_warns_and_send_anyway_sends(qtbot: QtBot, setup: DemoSetup) -> None:
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(dialog)
    dialog.show()
    _ready(qtbot, dialog)
    _type_body(qtbot, dialog, dialog.body_edit.toPlainText() + "\nI attached my CV.\n")
    assert "resume_mentioned" in dialog.finding_codes()
    assert dialog.send_button.isEnabled()
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def ask(title: str, text: str, yes: str, no: str) -> bool:
        asked.append(yes)
        return answers.pop(0)

    dialog.ask = ask  # type: ignore[method-assign]
    dialog.send_now()  # "Keep editing": nothing goes out
    assert asked == ["Send &anyway"] and not dialog.busy()
    assert _sent_to(setup.demo.mailbox, "erin.park@northwind.example") == []
    with qtbot.wait_signal(dialog.message_sent, timeout=WAIT_MS):
        dialog.send_now()  # "Send anyway"
    assert len(_sent_to(setup.demo.mailbox, "erin.park@northwind.example")) == 1


def test_the_article_typed_in_the_composer_is_kept_on_the_contact(
    qtbot: QtBot, setup: DemoSetup
) -> None:
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(
        setup.ctx, setup.ctx.store.contacts.all(), erin, ops=setup.ops, template="request_article"
    )
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_until(lambda: dialog.field_error.isVisible(), timeout=WAIT_MS)
    with qtbot.wait_signal(dialog.coaching_updated, timeout=WAIT_MS):
        dialog.set_field("article_title", "Shipping software in hospitals")
    with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
        dialog.save_draft()
    source = setup.ctx.store.workspace.source(erin)
    assert source is not None
    assert source.article_title == "Shipping software in hospitals"


def test_with_no_mailbox_the_message_is_copied_opened_or_saved_here(
    qtbot: QtBot, setup: DemoSetup
) -> None:
    ctx = replace(setup.ctx, providers=())
    erin = setup.contact("Erin Park")
    dialog = ComposerDialog(ctx, ctx.store.contacts.all(), erin, ops=setup.ops)
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_until(lambda: dialog.calendar is not None and dialog.has_message(), timeout=WAIT_MS)
    qtbot.wait_until(lambda: not dialog.refresh_timer.isActive(), timeout=WAIT_MS)
    footer = dialog.footer
    assert footer.copy_button.isVisible() and footer.copy_button.isEnabled()
    assert footer.mailto_button.isVisible() and footer.mailto_button.isEnabled()
    assert not dialog.send_button.isEnabled()
    subject, body = dialog.subject_edit.text(), dialog.body_edit.toPlainText()

    qtbot.mouseClick(footer.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "erin.park@northwind.example" in copied and subject in copied and body in copied

    opened: list[QUrl] = []
    dialog.open_url = lambda url: opened.append(url) or True  # type: ignore[method-assign]
    qtbot.mouseClick(footer.mailto_button, Qt.MouseButton.LeftButton)
    [url] = opened
    assert url.scheme() == "mailto" and url.path() == "erin.park@northwind.example"
    query = QUrlQuery(url)
    decoded = QUrl.ComponentFormattingOption.FullyDecoded
    assert query.queryItemValue("subject", decoded) == subject
    assert query.queryItemValue("body", decoded) == body

    assert dialog.draft_button.isEnabled()
    with qtbot.wait_signal(dialog.draft_saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    [saved] = setup.ctx.store.workspace.drafts(erin)
    assert (saved.subject, saved.body) == (subject, body)
