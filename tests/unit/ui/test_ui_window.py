"""The main window against a real store: board columns, overrides and undo, filtering, Today,
sync off the GUI thread, safe message display, accessible names and remembered state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import uiseed
from PySide6.QtCore import QDate, QDateTime, QModelIndex, QSettings, Qt, QTime, QUrl
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.actions import all_due, set_meeting
from desktop.context import AppContext
from desktop.domain.due import ActionKind
from desktop.domain.model import Contact, Stage
from desktop.jobs import AccountOutcome, SyncRound, SyncState
from desktop.storage import StoredMessage
from desktop.storage.contacts import ContactRepo
from mail.provider import (
    Account,
    AccountKind,
    ChangeSet,
    MailMessage,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    ProviderError,
)
from mail.relevance import Relevance
from tests.helpers.failing_provider import FailingProvider
from tests.helpers.windows import open_window
from ui.dialogs import (
    AboutDialog,
    ContactDialog,
    ContactSaver,
    MeetingDialog,
    parse_emails,
)
from ui.main_window import MainWindow, View
from ui.message_view import SafeTextBrowser, sanitize_html
from ui.models.contacts import ID_ROLE, Column
from ui.ops import Failure, Ops
from ui.shortcuts import ShortcutsDialog, shortcut_rows

TRACKER = "http://tracker.example/pixel.gif"


def test_cards_sit_in_their_stage_columns(window: MainWindow, seeded: dict[str, int]) -> None:
    expected = {
        "ada": Stage.REPLIED,
        "grace": Stage.REQUESTED,
        "alan": Stage.SCHEDULED,
        "katherine": Stage.MET,
        "margaret": Stage.THANKED,
        "donald": Stage.TARGET,
        "barbara": Stage.BOUNCED,
        "frances": Stage.DECLINED,
        "hedy": Stage.IN_TOUCH,
    }
    for key, stage in expected.items():
        assert window.board.column_of(seeded[key]) is stage, key
    total = sum(c.proxy.rowCount() for c in window.board.column_list)
    assert total == len(seeded)


def test_closed_stages_share_one_column_with_a_stage_badge(
    qtbot: QtBot, window: MainWindow, ctx, seeded
) -> None:
    board = window.board
    titles = [c.label for c in board.column_list]
    assert titles == [
        "Target",
        "Requested",
        "Replied",
        "Scheduled",
        "Met",
        "Thanked",
        "In touch",
        "Closed",
    ]
    closed = board.columns[Stage.DECLINED]
    assert board.columns[Stage.BOUNCED] is closed and board.columns[Stage.NO_RESPONSE] is closed
    shown = {closed.proxy.index(r, 0).data(ID_ROLE) for r in range(closed.proxy.rowCount())}
    assert shown == {seeded["barbara"], seeded["frances"]}
    assert ("Declined", False) in board.delegate.badges(
        ctx.store.contacts.get(seeded["frances"]), ""
    )
    assert not any(
        text == "Replied"
        for text, _ in board.delegate.badges(ctx.store.contacts.get(seeded["ada"]), "")
    )
    # A drop on Closed declines.
    linus = seeded["linus"]
    row = window.model.row_of(linus)
    assert row is not None
    payload = window.model.mimeData([window.model.index(row, 0)])
    with qtbot.wait_signal(board.stage_change_requested):
        closed.proxy.dropMimeData(payload, closed.view.defaultDropAction(), -1, -1, QModelIndex())
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert ctx.store.contacts.get(linus).state.stage is Stage.DECLINED
    assert board.column_of(linus) is Stage.DECLINED


def test_card_badges_say_away_bounced_and_follow_ups(window: MainWindow, ctx, seeded) -> None:
    delegate = window.board.delegate
    grace = delegate.badges(ctx.store.contacts.get(seeded["grace"]), "")
    assert ("away until 19 Mar", False) in grace
    barbara = delegate.badges(ctx.store.contacts.get(seeded["barbara"]), "")
    assert barbara == [("Bounced", True)]  # the panel names the address
    linus = delegate.badges(ctx.store.contacts.get(seeded["linus"]), "")
    assert ("2 follow-ups", False) in linus


def test_dropping_a_card_overrides_the_stage_and_undo_restores_it(
    qtbot: QtBot, window: MainWindow, ctx, seeded
) -> None:
    donald = seeded["donald"]
    column = window.board.columns[Stage.REQUESTED]
    row = window.model.row_of(donald)
    assert row is not None
    # The exact path of a drop: the column's proxy receives the drag's payload.
    payload = window.model.mimeData([window.model.index(row, 0)])
    with qtbot.wait_signal(window.board.stage_change_requested):
        column.proxy.dropMimeData(
            payload, column.view.defaultDropAction(), -1, -1, column.proxy.index(-1, -1)
        )
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert window.board.column_of(donald) is Stage.REQUESTED
    assert ctx.store.contacts.get(donald).state.stage is Stage.REQUESTED

    window.select_contact(donald)
    entries = [
        window.panel.history.item(n).data(Qt.ItemDataRole.UserRole)
        for n in range(window.panel.history.count())
    ]
    newest = entries[0]
    assert (newest.from_stage, newest.to_stage) == (Stage.TARGET, Stage.REQUESTED)
    assert "You moved" in newest.evidence.summary
    assert "Target → Requested" in window.panel.history.item(0).text()
    assert window.panel.undo_button.isEnabled()

    qtbot.mouseClick(window.panel.undo_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert window.current_id == donald
    assert ctx.store.contacts.get(donald).state.stage is Stage.TARGET
    assert window.board.column_of(donald) is Stage.TARGET
    undone = window.panel.history.item(0).data(Qt.ItemDataRole.UserRole)
    assert undone.undone
    assert not window.panel.undo_button.isEnabled()


def test_moving_to_the_same_stage_does_nothing(window: MainWindow, ctx, seeded) -> None:
    before = len(ctx.store.pipeline.history(seeded["ada"]))
    assert not window.commands.move_contact(seeded["ada"], Stage.REPLIED)
    assert len(ctx.store.pipeline.history(seeded["ada"])) == before


def test_typing_in_the_filter_narrows_the_table(qtbot: QtBot, window: MainWindow) -> None:
    window.show_view("contacts")
    window.focus_filter()
    qtbot.keyClicks(window.filter_edit, "FELLOW")
    names = {window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())}
    assert names == {"Linus Torvalds", "Radia Perlman", "Frances Allen"}
    window.show_view("pipeline")  # the board follows the filter while shown
    board = {
        c.proxy.index(r, 0).data()
        for c in window.board.columns.values()
        for r in range(c.proxy.rowCount())
    }
    assert board == names
    window.filter_edit.setText("zzz")
    assert window.contacts_page.currentWidget() is window.contacts_page.empty_state
    assert "No contacts match" in window.contacts_page.empty.text()
    window.filter_edit.clear()
    assert window.proxy.rowCount() == window.model.rowCount()


def test_today_lists_due_actions_most_urgent_first(window: MainWindow, ctx, seeded) -> None:
    rows = window.due_model.actions()
    expected = all_due(ctx.store.contacts.all(), ctx.clock.now(), ctx.settings.reminders())
    assert rows == expected
    assert [(a.kind, a.contact_id) for a in rows[:3]] == [
        (ActionKind.PREPARE, seeded["alan"]),
        (ActionKind.NEEDS_ANSWER, seeded["ada"]),
        (ActionKind.REPLY_RECEIVED, seeded["edsger"]),
    ]
    assert window.today_page.stack.currentWidget() is window.today_view


def test_empty_states_say_what_to_do(qtbot: QtBot, ctx: AppContext) -> None:
    win = open_window(ctx)
    qtbot.add_widget(win)
    assert "Ctrl+N" in win.today_page.empty.text()
    assert win.today_page.stack.currentWidget() is win.today_page.empty_state
    assert win.contacts_page.currentWidget() is win.contacts_page.empty_state
    win.shutdown()


@dataclass
class GatedProvider:
    """A mailbox whose fetch waits until the test opens the gate."""

    account: Account
    gate: threading.Event = field(default_factory=threading.Event)
    threads: list[str] = field(default_factory=list)

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self.threads.append(threading.current_thread().name)
        assert self.gate.wait(10)
        return ChangeSet((), "cursor-2")

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        raise KeyError(ref.id)


def test_sync_runs_off_the_gui_thread_one_round_at_a_time(
    qtbot: QtBot, ctx: AppContext, seeded
) -> None:
    provider = GatedProvider(ctx.providers[0].account)
    ctx.providers = (provider,)  # type: ignore[assignment]
    win = open_window(ctx)
    qtbot.add_widget(win)
    label = win.badges.labels[provider.account.id]
    assert label.text() == "Demo mailbox: idle · not synced yet"

    assert win.sync_now()
    assert not win.sync_now()  # never two rounds at once
    assert label.text() == "Demo mailbox: syncing…"
    with qtbot.wait_signal(win.sync_finished, timeout=10_000):
        provider.gate.set()
    assert provider.threads and provider.threads[0] != threading.current_thread().name
    assert provider.threads[0].startswith("coffeechat-sync")
    qtbot.wait_until(lambda: label.text() == "Demo mailbox: idle · last synced 15:00")
    assert win.sync_now()
    with qtbot.wait_signal(win.sync_finished, timeout=10_000) as blocker:
        pass
    # The window hands the reminder settings over: the worker computes Today's actions.
    result = blocker.args[0]
    assert isinstance(result, SyncRound) and result.due is not None
    win.shutdown()


def test_a_round_updates_the_changed_row_without_reading_every_contact(
    qtbot: QtBot, window: MainWindow, ctx, db, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = seeded["ada"]
    window.show_view("pipeline")
    window.select_contact(ada)
    # What the worker did in its round: Ada's meeting is set; it read her record and the due
    # actions after its commit.
    now = ctx.clock.now()
    set_meeting(db, ada, now + timedelta(days=3), now + timedelta(days=3, minutes=30), now)
    due = tuple(all_due(ctx.store.contacts.all(), now, ctx.settings.reminders()))
    account_id = ctx.providers[0].account.id
    result = SyncRound(
        (AccountOutcome(account_id, SyncState.IDLE),), (), (ctx.store.contacts.get(ada),), due
    )

    reads: list[int] = []
    real_contacts = ContactRepo.all

    def counting_contacts(self: ContactRepo, *args: object, **kw: object) -> object:
        reads.append(1)
        return real_contacts(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ContactRepo, "all", counting_contacts)
    rows: list[int] = []
    window.model.dataChanged.connect(
        lambda top, bottom, roles=(): rows.extend(range(top.row(), bottom.row() + 1))
    )
    with (
        qtbot.assert_not_emitted(window.model.modelReset),
        qtbot.assert_not_emitted(window.model.rowsRemoved),
    ):
        window.sync.on_round_finished(result)

    assert reads == []  # no store.contacts.all() on the GUI thread
    assert set(rows) == {window.model.row_of(ada)}  # one row signalled
    assert window.board.column_of(ada) is Stage.SCHEDULED
    assert window.board.selected_id() == ada  # the selection followed the card
    assert window.due_model.actions() == list(due)
    assert "Scheduled" in window.panel.stage_label.text()


def test_feeding_reselects_only_when_the_selection_was_lost(
    qtbot: QtBot, window: MainWindow, ctx, db, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = seeded["ada"]
    window.select_contact(ada)
    calls: list[int | None] = []
    real_select = window.board.select

    def spy(contact_id: int | None) -> None:
        calls.append(contact_id)
        real_select(contact_id)

    monkeypatch.setattr(window.board, "select", spy)
    db.contacts.set_notes(seeded["grace"], "Ask about COBOL")
    window.refresh_contact(seeded["grace"])  # another contact changed
    assert calls == []
    window.commands.move_contact(ada, Stage.MET)  # the card changes column: select it there
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert calls == [ada]
    assert window.board.selected_id() == ada
    assert window.board.column_of(ada) is Stage.MET


@pytest.mark.parametrize(
    ("error", "text", "tip"),
    [
        (OfflineError("network unreachable"), "Work: offline", "try again"),
        (NeedsSignInError("grant revoked"), "Work: needs sign-in", "Reconnect the account"),
    ],
)
def test_a_failing_account_shows_its_state_beside_an_idle_one(
    qtbot: QtBot, ctx: AppContext, db, seeded, error: ProviderError, text: str, tip: str
) -> None:
    work = db.accounts.add(AccountKind.DEMO, "work@example.org", "Work")
    quiet = ctx.providers[0]
    ctx.providers = (quiet, FailingProvider(work, error))  # type: ignore[assignment]
    win = open_window(ctx)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.sync_finished, timeout=10_000):
        assert win.sync_now()
    failing = win.badges.labels[work.id]
    fine = win.badges.labels[quiet.account.id]
    assert failing.text() == text
    assert tip in failing.toolTip() and tip in failing.accessibleDescription()
    assert failing.styleSheet()  # drawn as a badge
    assert fine.text().startswith("Demo mailbox: idle")
    assert not fine.styleSheet()
    win.shutdown()


def test_dropping_on_scheduled_asks_for_the_meeting_and_cancel_keeps_the_card(
    qtbot: QtBot, window: MainWindow, ctx, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    donald = seeded["donald"]
    asked: list[MeetingDialog] = []
    accept = False

    def answer(dialog: object) -> bool:
        assert isinstance(dialog, MeetingDialog)
        asked.append(dialog)
        if accept:
            dialog.start_edit.setDateTime(QDateTime(QDate(2026, 3, 16), QTime(10, 30)))
            dialog.length.setCurrentIndex(dialog.length.findData(30))
        return accept

    monkeypatch.setattr(window, "exec_dialog", answer)
    history = len(ctx.store.pipeline.history(donald))
    column = window.board.columns[Stage.SCHEDULED]
    row = window.model.row_of(donald)
    assert row is not None
    payload = window.model.mimeData([window.model.index(row, 0)])
    column.proxy.dropMimeData(payload, column.view.defaultDropAction(), -1, -1, QModelIndex())
    qtbot.wait_until(lambda: len(asked) == 1)
    assert ctx.store.contacts.get(donald).state.stage is Stage.TARGET  # cancelled: nothing moved
    assert window.board.column_of(donald) is Stage.TARGET
    assert len(ctx.store.pipeline.history(donald)) == history

    accept = True  # Contact ▸ Move to ▸ Scheduled…, answered this time
    window.select_contact(donald)
    action = next(a for a in window.action_table.move_actions if a.data() == Stage.SCHEDULED.value)
    action.trigger()
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert len(asked) == 2
    state = ctx.store.contacts.get(donald).state
    assert state.stage is Stage.SCHEDULED
    assert state.meeting_start == datetime(2026, 3, 16, 10, 30, tzinfo=UTC)
    assert state.meeting_end == datetime(2026, 3, 16, 11, 0, tzinfo=UTC)
    assert window.board.column_of(donald) is Stage.SCHEDULED


def test_start_runs_a_first_round_and_arms_the_timer(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.wait_signal(window.sync_finished, timeout=10_000):
        window.start()
    assert window.sync.timer.isActive()
    assert window.sync.timer.interval() == 3600 * 1000
    assert window.sync.wake.heartbeat.isActive()
    # Waking up (or the network coming back) syncs at once, not at the next hourly tick.
    with qtbot.wait_signal(window.sync_finished, timeout=10_000):
        window.sync.wake.woke.emit("resume")
    window.shutdown()
    assert not window.sync.timer.isActive()
    assert not window.sync.wake.heartbeat.isActive()


def test_remote_images_are_stripped_and_never_loaded(qtbot: QtBot) -> None:
    html = (
        f"<p>Hello<img src=\"{TRACKER}\"><img src='https://cdn.example/a.png'>"
        '<script>alert(1)</script><a href="https://example.com">site</a></p>'
    )
    clean = sanitize_html(html)
    assert "http://" not in clean.replace('href="https://example.com"', "")
    assert "src=" not in clean and "script" not in clean

    requested: list[str] = []

    class Recording(SafeTextBrowser):
        def loadResource(self, kind, name):
            requested.append(name.toString())
            return super().loadResource(kind, name)

    browser = Recording()
    qtbot.add_widget(browser)
    browser.show_message("", html)
    assert not any(u.startswith("http") for u in requested)
    # Even HTML that slipped past the sanitiser cannot make a request.
    browser.setHtml(f'<img src="{TRACKER}">')
    assert (
        SafeTextBrowser.loadResource(
            browser, int(QTextDocument.ResourceType.ImageResource), QUrl(TRACKER)
        )
        is None
    )
    assert not browser.openExternalLinks()


def test_panel_shows_messages_through_the_safe_browser(
    qtbot: QtBot, window: MainWindow, ctx, seeded
) -> None:
    record = ctx.store.contacts.get(seeded["ada"])
    msg = StoredMessage(
        key="1:m1",
        account_id=1,
        thread_id="t1",
        folder="inbox",
        subject="Re: coffee?",
        sender="ada@engines.example",
        recipients=("me@example.org",),
        date=ctx.clock.now() - timedelta(hours=3),
        kind="human",
        evidence="",
        text="",
        html=f'<p>Happy to talk <img src="{TRACKER}"></p>',
        defects=(),
    )
    window.panel.show_contact(record, [], [msg])
    body = window.panel.message_body
    assert "Happy to talk" in body.toPlainText()
    assert "tracker.example" not in body.toHtml()


def test_a_message_the_sync_could_not_read_is_listed_and_says_why(
    qtbot: QtBot, window: MainWindow, ctx, seeded
) -> None:
    record = ctx.store.contacts.get(seeded["ada"])
    msg = StoredMessage(
        key="1:m2",
        account_id=1,
        thread_id="t1",
        folder="inbox",
        subject="Re: coffee?",
        sender="ada@engines.example",
        recipients=("me@example.org",),
        date=ctx.clock.now() - timedelta(hours=2),
        kind="unreadable",
        evidence="could not be read: RecursionError: deep",
        text="Happy to talk on Thursday.",
        html="",
        defects=(),
        failure="RecursionError: deep",
    )
    window.panel.show_contact(record, [], [msg])
    assert "could not be read" in window.panel.message_list.item(0).text()
    shown = window.panel.message_body.toPlainText()
    assert "could not read this message" in shown
    assert "RecursionError: deep" in shown
    assert "Happy to talk on Thursday." in shown


def test_notes_are_saved_after_a_pause(qtbot: QtBot, window: MainWindow, ctx, seeded) -> None:
    window.select_contact(seeded["ada"])
    window.panel.notes.setPlainText("Ask who else to talk to")
    qtbot.wait_until(
        lambda: ctx.store.contacts.get(seeded["ada"]).contact.notes == "Ask who else to talk to",
        timeout=5000,
    )


_INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QAbstractItemView,
    QComboBox,
    QTextEdit,
    QPlainTextEdit,
    QAbstractSpinBox,
    QCalendarWidget,
)


def _unnamed(root: QWidget) -> list[str]:
    """Interactive widgets (links in labels included) without an accessible name."""

    def interactive(w: QWidget) -> bool:
        if isinstance(w, QLabel):
            return bool(w.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        return isinstance(w, _INTERACTIVE)

    return [
        f"{type(w).__name__}({w.objectName()!r}, parent={type(w.parent()).__name__})"
        for w in [root, *root.findChildren(QWidget)]
        if interactive(w) and not w.accessibleName().strip()
    ]


def test_every_control_has_an_accessible_name(window: MainWindow, seeded) -> None:
    window.select_contact(seeded["ada"])
    assert _unnamed(window) == []
    assert not any(e.accessibleName() == "Text field" for e in window.findChildren(QLineEdit))


def test_every_control_of_every_dialog_has_an_accessible_name(qtbot: QtBot, ctx, seeded) -> None:
    meeting = MeetingDialog("Ada Lovelace", ZoneInfo("UTC"), ctx.clock.now())
    dialogs = [
        ContactDialog(ctx.store.contacts.all(), _saver(Ops(ctx.tasks, ctx.paths.profile))),
        meeting,
        ShortcutsDialog(shortcut_rows([])),
        AboutDialog("1.0", ctx.paths.profile, ctx.paths.logs),
    ]
    for dialog in dialogs:
        qtbot.add_widget(dialog)
        dialog.show()
    # The meeting dialog's date-time edit, its calendar popup and the length box are there.
    assert meeting.start_edit.accessibleName() == "Meeting start"
    assert meeting.length.accessibleName() == "Meeting length"
    assert meeting.findChildren(QCalendarWidget)
    for dialog in dialogs:
        assert _unnamed(dialog) == [], type(dialog).__name__


def test_window_state_is_kept_in_the_profile(qtbot: QtBot, ctx, seeded) -> None:
    win = open_window(ctx)
    qtbot.add_widget(win)
    win.show_view("pipeline")
    win.shutdown()
    ini = ctx.paths.profile / "window.ini"
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/view") in (1, "1")
    assert QSettings("Coffeechat", "Coffeechat").value("window/view") is None  # not shared
    again = open_window(ctx)
    qtbot.add_widget(again)
    assert again.sidebar.currentRow() == View.PIPELINE
    assert again.pages.currentIndex() == View.PIPELINE
    again.shutdown()


def test_first_run_sizes_the_window_from_the_screen(qtbot: QtBot, ctx, seeded) -> None:
    win = open_window(ctx)
    qtbot.add_widget(win)
    screen = win.screen()
    assert screen is not None
    free = screen.availableGeometry()
    assert free.width() * 0.8 <= win.width() <= free.width()
    assert free.height() * 0.8 <= win.height() <= free.height()
    assert free.contains(win.geometry())
    assert abs(win.geometry().center().x() - free.center().x()) <= 2
    win.shutdown()


def test_the_panel_opens_for_a_contact_and_keeps_its_width(
    qtbot: QtBot, window: MainWindow, seeded
) -> None:
    window.resize(1400, 860)
    QApplication.processEvents()
    assert window.panel.isHidden()  # nobody selected: the middle gets the room
    window.select_contact(seeded["ada"])
    assert window.panel.isVisible()
    sizes = window.splitter.sizes()
    total = sum(sizes)
    window.splitter.setSizes([sizes[0], total - sizes[0] - 500, 500])
    window.select_contact(None)
    assert window.panel.isHidden()
    assert sum(window.splitter.sizes()[:2]) == total
    window.select_contact(seeded["grace"])
    assert window.splitter.sizes()[2] == 500


def test_board_and_table_fit_a_1400_pixel_window(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1400, 860)
    window.show_view("pipeline")
    QApplication.processEvents()
    board = window.board
    assert board.horizontalScrollBar().maximum() == 0  # every column, Closed included, shown
    closed = board.column_list[-1]
    assert closed.visibleRegion().boundingRect().width() == closed.width()
    window.show_view("contacts")
    QApplication.processEvents()
    assert window.table.horizontalScrollBar().maximum() == 0
    header = window.table.horizontalHeader()
    last = Column.LAST_ACTIVITY
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert right <= window.table.viewport().width()
    text = QFontMetrics(window.table.font()).horizontalAdvance("Last activity")
    assert header.sectionSize(last) >= text


def _saver(ops: Ops) -> ContactSaver:
    """Adds the contact on the database worker, as the window's commands do."""

    def save(contact: Contact, saved: Callable[[Contact], object], failed: Failure) -> None:
        ops.db(lambda store: store.contacts.add(contact), success=saved, failure=failed)

    return save


def test_contact_dialog_validates_and_shows_storage_errors_inline(
    qtbot: QtBot, ctx, seeded
) -> None:
    dialog = ContactDialog(ctx.store.contacts.all(), _saver(Ops(ctx.tasks, ctx.paths.profile)))
    qtbot.add_widget(dialog)
    dialog.on_save()
    assert dialog.error.text() == "A name is required."
    dialog.name.setText("Someone New")
    dialog.emails.setPlainText("not-an-address")
    dialog.on_save()
    assert "Not an email address" in dialog.error.text()
    dialog.emails.setPlainText("ADA@engines.example")  # already Ada's
    dialog.on_save()
    qtbot.wait_until(lambda: dialog.buttons.isEnabled())  # the store has answered
    assert "already belongs" in dialog.error.text()
    assert dialog.result() == 0
    dialog.emails.setPlainText("new@x.example, other@x.example")
    dialog.timezone.setCurrentText("Europe/Paris")
    dialog.referrer.setCurrentIndex(dialog.referrer.findText("Ada Lovelace"))
    dialog.on_save()
    qtbot.wait_until(lambda: dialog.saved is not None)
    assert dialog.saved is not None and dialog.saved.id is not None
    stored = ctx.store.contacts.get(dialog.saved.id).contact
    assert stored.emails == ("new@x.example", "other@x.example")
    assert stored.timezone == "Europe/Paris" and stored.referrer_id == seeded["ada"]


def test_parse_emails_splits_on_commas_and_lines() -> None:
    assert parse_emails("a@b.co, c@d.org\nE@F.example;") == (
        ["a@b.co", "c@d.org", "e@f.example"],
        [],
    )
    assert parse_emails("a@b.co, nope") == (["a@b.co"], ["nope"])


def test_set_meeting_schedules_the_contact(qtbot: QtBot, window: MainWindow, ctx, seeded) -> None:
    start = ctx.clock.now() + timedelta(days=2)
    window.commands.apply_meeting(seeded["ada"], start, start + timedelta(minutes=15))
    qtbot.wait_until(window.ops.idle)  # the write, then the window's update
    assert window.board.column_of(seeded["ada"]) is Stage.SCHEDULED


def test_a_new_contact_appears_without_a_reset(qtbot: QtBot, window: MainWindow, ctx, db) -> None:
    contact = db.contacts.add(Contact(None, "Zora Neale", ("zora@x.example",)))
    assert contact.id is not None
    with qtbot.assert_not_emitted(window.model.modelReset):
        window.refresh_contact(contact.id)
    assert window.board.column_of(contact.id) is Stage.TARGET
    ids = {window.proxy.index(r, 0).data(ID_ROLE) for r in range(window.proxy.rowCount())}
    assert contact.id in ids


def test_uiseed_quiet_provider_is_a_provider(ctx) -> None:
    assert isinstance(ctx.providers[0], uiseed.QuietProvider)


def test_a_damaged_message_says_so_and_shows_what_was_read(qtbot: QtBot) -> None:
    browser = SafeTextBrowser()
    qtbot.add_widget(browser)
    browser.show_message("Happy to <talk> next week", "", ("undecodable charset 'klingon'",))
    shown = browser.toPlainText()
    assert "damaged or unusual" in shown
    assert "undecodable charset 'klingon'" in shown
    assert "Happy to <talk> next week" in shown  # escaped, not swallowed as a tag
    browser.show_message("A clean message", "", ())
    assert browser.toPlainText() == "A clean message"
