"""Issue 19: the window as a user meets it every day: the panel, the board, the shortcuts, the
wording, the keyboard and the dark palette. Each test fails on the behaviour the issue reported."""

from __future__ import annotations

from pathlib import Path

import uiseed
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.model import Stage
from tests.helpers.windows import shown_window
from ui.board import StageColumn
from ui.cards import badge_colours, card_colours, contrast
from ui.main_window import MainWindow
from ui.models.contacts import Column
from ui.models.due import CONTACT_ID_ROLE
from ui.shortcuts import ShortcutsDialog, shortcut_rows

ROOT = Path(__file__).resolve().parents[3]


def _menu(window: MainWindow, title: str) -> QMenu:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            menu = action.menu()
            assert isinstance(menu, QMenu)
            return menu
    raise AssertionError(f"no {title} menu")


def _texts(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "").rstrip("…") for a in menu.actions() if a.text()]


# ------------------------------------------------------------------ 1. the contact panel
def test_the_panel_toggles_from_the_view_menu_and_escape_closes_it(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, seeded: dict[str, int]
) -> None:
    toggle = window.action_table.panel_action
    assert toggle in _menu(window, "View").actions()
    assert toggle.shortcuts() and toggle.isChecked()
    window.select_contact(seeded["ada"])
    assert window.panel.isVisible()
    toggle.trigger()
    assert window.panel.isHidden()
    window.select_contact(seeded["grace"])  # the user's choice holds while browsing
    assert window.panel.isHidden()
    toggle.trigger()
    assert window.panel.isVisible()
    window.panel.tabs.setFocus()
    qtbot.keyClick(window.panel.tabs, Qt.Key.Key_Escape)
    assert window.panel.isHidden() and not toggle.isChecked()
    window.shutdown()
    with shown_window(qtbot, ctx) as again:  # remembered in the profile
        assert not again.action_table.panel_action.isChecked()
        again.select_contact(seeded["ada"])
        assert again.panel.isHidden()


def test_no_button_text_is_clipped_at_800_by_600(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    window.resize(800, 600)
    window.select_contact(seeded["alan"])  # the panel open, with its buttons
    clipped = []
    for key in ("today", "pipeline", "contacts"):
        window.show_view(key)
        QApplication.processEvents()
        for button in window.findChildren(QAbstractButton):
            text = button.text().replace("&&", "&").replace("&", "")
            if (
                not button.isVisible()
                or not text
                or not isinstance(button, QPushButton | QToolButton)
            ):
                continue
            needed = QFontMetrics(button.font()).horizontalAdvance(text)
            if needed > button.contentsRect().width():
                clipped.append((key, text, needed, button.width()))
    assert clipped == []
    # The panel's buttons wrapped rather than shrank: none overlaps another or the tabs.
    panel = window.panel
    shown = [
        b for b in panel.findChildren(QPushButton) if b.isVisible() and b.parent() is panel.card
    ]
    rects = [b.geometry() for b in shown]
    assert len(rects) >= 3
    for n, a in enumerate(rects):
        assert all(not a.intersects(b) for b in rects[n + 1 :])
        assert a.bottom() < panel.tabs.geometry().top()


# ------------------------------------------------------------------ 2. the board
def _card_rects(column: StageColumn) -> list[QRect]:
    view = column.view
    return [view.visualRect(column.proxy.index(r, 0)) for r in range(column.proxy.rowCount())]


def _assert_cards_tile(window: MainWindow) -> None:
    for column in window.board.column_list:
        view = column.view
        rects = _card_rects(column)
        for n, rect in enumerate(rects):
            hint = view.sizeHintForIndex(column.proxy.index(n, 0))
            assert rect.height() == hint.height(), (column.label, n)
            if n:
                assert rect.top() >= rects[n - 1].bottom() + 1, (column.label, n)


def test_board_columns_stretch_and_cards_never_overlap(
    qtbot: QtBot, window: MainWindow, db, seeded: dict[str, int]
) -> None:
    window.resize(1900, 900)
    window.select_contact(None)
    window.show_view("pipeline")
    QApplication.processEvents()
    board = window.board
    columns = board.column_list
    used = columns[-1].geometry().right() - columns[0].geometry().left()
    assert used >= board.viewport().width() * 0.9  # no strip of empty space at the right
    _assert_cards_tile(window)
    # A card grows (a new badge, a longer name) and the window narrows: still no overlap.
    record = window.model.record(seeded["ada"])
    assert record is not None
    from dataclasses import replace

    longer = replace(record.contact, name="Ada Augusta King Lovelace, Countess of Lovelace")
    window.feed_record(replace(record, contact=longer))
    QApplication.processEvents()
    _assert_cards_tile(window)
    window.resize(1100, 800)
    QApplication.processEvents()
    _assert_cards_tile(window)


def test_cards_say_days_in_stage(window: MainWindow, seeded: dict[str, int]) -> None:
    record = window.model.record(seeded["ada"])  # replied 30 hours ago
    assert record is not None and record.state.stage is Stage.REPLIED
    badges = [text for text, _ in window.board.delegate.badges(record, "")]
    assert "1 d in stage" in badges


def test_board_columns_collapse_and_stay_collapsed(
    qtbot: QtBot, ctx: AppContext, window: MainWindow
) -> None:
    window.resize(1400, 900)
    window.show_view("pipeline")
    QApplication.processEvents()
    column = window.board.columns[Stage.TARGET]
    wide = column.width()
    qtbot.mouseClick(column.title, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert column.collapsed and column.view.isHidden()
    assert column.width() < wide / 2
    assert column.width() < QFontMetrics(column.font()).averageCharWidth() * 10
    assert "Target" in column.title.toolTip()
    window.shutdown()
    with shown_window(qtbot, ctx) as again:
        assert again.board.columns[Stage.TARGET].collapsed
        assert not again.board.columns[Stage.REQUESTED].collapsed


# ------------------------------------------------------------------ 8. the shortcuts sheet
def test_every_shortcut_is_unique_and_listed_in_f1(qtbot: QtBot, window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for action in window.actions():
        for keys in action.shortcuts():
            text = keys.toString()
            if not text:
                continue
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    for expected in ("Ctrl+Shift+I", "Ctrl+P", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+I", "F1"):
        assert expected in seen
    dialog = ShortcutsDialog(shortcut_rows(window.actions()), window)
    qtbot.add_widget(dialog)
    dialog.show()
    QApplication.processEvents()
    table = dialog.table
    listed = " or ".join(table.item(r, 0).text() for r in range(table.rowCount()))
    for keys in seen:
        assert keys in listed.split(" or ")
    # Large enough: every row shown, no text cut.
    assert table.verticalScrollBar().maximum() == 0
    fm = QFontMetrics(table.font())
    for row in range(table.rowCount()):
        for col in (0, 1):
            text = table.item(row, col).text()
            assert fm.horizontalAdvance(text) <= table.columnWidth(col), text


# ------------------------------------------------------------------ 10. one wording
def test_the_menu_f1_and_readme_agree_on_writing_a_request(window: MainWindow) -> None:
    write = window.action_table.write_action
    assert [k.toString() for k in write.shortcuts()] == ["Ctrl+R"]
    rows = dict(shortcut_rows(window.actions()))
    assert rows["Ctrl+R"] == "Write request"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Ctrl+R" in readme and "Ctrl+Shift+N" not in readme


def test_last_activity_never_shows_a_future_meeting(
    window: MainWindow, seeded: dict[str, int]
) -> None:
    alan = window.model.row_of(seeded["alan"])  # a meeting tomorrow
    assert alan is not None
    shown = window.model.index(alan, Column.LAST_ACTIVITY).data()
    record = window.model.record(seeded["alan"])
    assert record is not None and record.state.meeting_start is not None
    assert record.state.meeting_start > uiseed.NOW
    assert shown and f"{record.state.meeting_start:%H:%M}" not in shown


# ------------------------------------------------------------------ 11. keyboard
def test_the_edit_menu(qtbot: QtBot, window: MainWindow) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Edit") == titles.index("File") + 1
    texts = _texts(_menu(window, "Edit"))
    for expected in ("Cut", "Copy", "Paste", "Select all"):
        assert expected in texts
    assert any(t.startswith("Undo") for t in texts)
    assert any(t.startswith("Find") or t.startswith("Filter") for t in texts)
    edit: QLineEdit = window.filter_edit
    edit.setText("lovelace")
    edit.setFocus()
    qtbot.wait_until(edit.hasFocus)
    acts = {a.text().replace("&", ""): a for a in window.action_table.edit_actions}
    acts["Select all"].trigger()
    acts["Cut"].trigger()
    assert edit.text() == ""
    acts["Paste"].trigger()
    assert edit.text() == "lovelace"


def test_focus_starts_where_j_and_k_work(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.filter_edit.hasFocus()
    assert window.today_view.hasFocus()
    first = window.today_view.currentIndex().row()
    qtbot.keyClick(window.today_view, Qt.Key.Key_J)
    assert window.today_view.currentIndex().row() == first + 1


def test_enter_on_today_opens_the_contact_even_with_the_panel_closed(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.action_table.panel_action.trigger()  # the user closed the panel
    view = window.today_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_J)
    contact = view.currentIndex().data(CONTACT_ID_ROLE)
    assert isinstance(contact, int)
    window.exec_dialog = lambda dialog: False  # type: ignore[method-assign]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.panel.isVisible()
    assert window.current_id == contact
    assert window.panel.isVisible() and window.action_table.panel_action.isChecked()


# ------------------------------------------------------------------ 12. dark mode
def _dark() -> QPalette:
    pal = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, QColor(45, 45, 45)),
        (QPalette.ColorRole.Base, QColor(30, 30, 30)),
        (QPalette.ColorRole.Text, QColor(230, 230, 230)),
        (QPalette.ColorRole.Mid, QColor(30, 30, 30)),
        (QPalette.ColorRole.Highlight, QColor(42, 130, 218)),
    ):
        pal.setColor(role, colour)
    return pal


def test_dark_cards_keep_a_border_and_red_badges_are_readable() -> None:
    for pal in (_dark(), QPalette(QColor(240, 240, 240))):
        fill, border = card_colours(pal, selected=False, focused=False)
        assert contrast(border, fill) >= 1.5
        assert contrast(border, pal.color(QPalette.ColorRole.Window)) >= 1.3
        for selected in (False, True):
            fill, _ = card_colours(pal, selected, False)
            for warn in (True, False):
                back, fore = badge_colours(pal, fill, warn)
                assert contrast(fore, back) >= 4.5, (selected, warn)
            back, fore = badge_colours(pal, fill, True)
            assert fore.red() > fore.blue()  # still red, not turned grey


def test_shortcut_keys_read_as_the_menus_show_them(window: MainWindow) -> None:
    rows = shortcut_rows(window.actions())
    assert ("F1 or Ctrl+/", "Keyboard shortcuts") in rows
    assert QKeySequence("Ctrl+R").toString() in dict(rows)


# ------------------------------------------------------------------ 9. overlay notices
def test_time_is_up_moves_nothing_under_the_pointer(
    qtbot: QtBot, ctx: AppContext, db, seeded: dict[str, int]
) -> None:
    from datetime import timedelta

    from test_interview import _scheduled

    from desktop.domain.clock import ManualClock
    from ui.interview import InterviewWindow
    from ui.ops import Ops

    clock = ctx.clock
    assert isinstance(clock, ManualClock)
    ops = Ops(ctx.tasks, ctx.paths.profile)
    window = InterviewWindow(ctx.store, ops, clock, _scheduled(db, ctx, 20), ctx.settings)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_until(ops.idle)
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    before = {b.text(): b.geometry() for b in window.findChildren(QPushButton) if b.isVisible()}
    pages = window.pages.geometry()
    clock.advance(timedelta(minutes=21))
    window.tick()
    QApplication.processEvents()
    assert window.time_banner.isVisible()
    after = {b.text(): b.geometry() for b in window.findChildren(QPushButton) if b.isVisible()}
    assert after == before and window.pages.geometry() == pages
    qtbot.mouseClick(window.time_banner, Qt.MouseButton.LeftButton)  # a click dismisses it
    assert window.time_banner.isHidden()
    ops.close()


def test_the_demo_interviews_in_real_time(
    qtbot: QtBot, ctx: AppContext, seeded: dict[str, int]
) -> None:
    from datetime import timedelta

    from desktop.domain.clock import AcceleratedClock, ManualClock
    from ui.interview import InterviewWindow
    from ui.ops import Ops

    real = ManualClock(uiseed.NOW)
    demo = AcceleratedClock(origin=uiseed.NOW, speed=600.0, base=real)
    demo.now()
    ops = Ops(ctx.tasks, ctx.paths.profile)
    window = InterviewWindow(ctx.store, ops, demo, seeded["alan"], ctx.settings, minutes=20)
    qtbot.add_widget(window)
    qtbot.wait_until(ops.idle)
    window.start()
    real.advance(timedelta(seconds=30))  # five demo hours, thirty real seconds
    assert window.elapsed() == timedelta(seconds=30)
    window.ticker.stop()
    window.started_at = None  # nothing to save: closing asks nothing
    ops.close()


def test_about_names_the_file_menus_backup(window: MainWindow) -> None:
    from PySide6.QtWidgets import QLabel

    from ui.dialogs import AboutDialog

    about = AboutDialog("1.0", window.ctx.paths.profile, window.ctx.paths.logs, window)
    text = " ".join(label.text() for label in about.findChildren(QLabel))
    file_menu = _texts(_menu(window, "File"))
    assert "Back up now" in file_menu and "Restore from backup" in file_menu
    assert "Back up now" in text and "Restore from backup" in text
    assert "quit Coffeechat" not in text


def test_the_board_scrolls_to_the_selected_card(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    window.resize(800, 600)
    window.show_view("pipeline")
    QApplication.processEvents()
    board = window.board
    assert board.horizontalScrollBar().maximum() > 0  # too narrow for every column
    window.select_contact(seeded["margaret"])  # thanked: a column far to the right
    QApplication.processEvents()
    column = board.columns[Stage.THANKED]
    seen = column.visibleRegion().boundingRect()
    assert seen.width() == column.width()


def test_the_network_hint_never_wraps_a_word_per_line(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    from ui.network import NetworkView

    window.resize(800, 600)
    window.show_view("network")
    [view] = window.findChildren(NetworkView)
    view.split.setSizes([10_000, 1])  # the user drags the splitter all the way
    QApplication.processEvents()
    label = view.chain_label
    fm = QFontMetrics(label.font())
    assert label.width() >= fm.horizontalAdvance("introduced by someone") + 8


# ------------------------------------------------------------------ 12. icons that mean the view
def test_sidebar_icons_are_the_views_own_and_follow_the_palette(window: MainWindow) -> None:
    from PySide6.QtCore import QSize

    from ui.icons import view_icon

    sidebar = window.sidebar
    images = []
    for row in range(sidebar.count()):
        image = sidebar.item(row).icon().pixmap(QSize(24, 24)).toImage()
        images.append(bytes(image.constBits()))
    assert sidebar.count() >= 6
    assert len(set(images)) == sidebar.count()  # six different pictures
    white = view_icon("pipeline", QColor(255, 255, 255))
    assert white is not None
    image = white.pixmap(QSize(24, 24)).toImage()
    opaque = [
        image.pixelColor(x, y)
        for x in range(24)
        for y in range(24)
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert opaque and all(c.red() == c.green() == c.blue() == 255 for c in opaque)


def test_the_focused_view_shows_a_ring(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtGui import QPalette as P

    view = window.today_view
    highlight = view.palette().color(P.ColorRole.Highlight)
    view.setFocus()
    qtbot.wait_until(view.hasFocus)
    QApplication.processEvents()
    focused = view.grab().toImage()
    edge = focused.pixelColor(0, view.height() // 2)
    assert contrast(edge, highlight) < 1.1  # the ring is the highlight colour
    window.filter_edit.setFocus()
    qtbot.wait_until(window.filter_edit.hasFocus)
    QApplication.processEvents()
    plain = view.grab().toImage().pixelColor(0, view.height() // 2)
    assert contrast(plain, highlight) > 1.1


def test_today_highlights_the_contact_the_panel_shows(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    view = window.today_view
    window.show_view("today")
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_J)
    in_today = {
        view.model().index(r, 0).data(CONTACT_ID_ROLE) for r in range(view.model().rowCount())
    }
    other = next(cid for cid in in_today if cid != view.currentIndex().data(CONTACT_ID_ROLE))
    window.select_contact(other)  # chosen while Today is shown (a notification, Ctrl+F)
    assert [i.data(CONTACT_ID_ROLE) for i in view.selectionModel().selectedIndexes()] == [other]
    qtbot.keyClick(view, Qt.Key.Key_J)
    window.show_view("pipeline")
    window.select_contact(other)  # chosen on the board
    window.show_view("today")
    highlighted = [i.data(CONTACT_ID_ROLE) for i in view.selectionModel().selectedIndexes()]
    assert highlighted == [other] == [window.current_id]
    nobody = next(cid for cid in seeded.values() if cid not in in_today)
    window.show_view("contacts")
    window.select_contact(nobody)
    window.show_view("today")
    assert view.selectionModel().selectedIndexes() == []
    assert window.current_id == nobody


def test_history_lines_cut_short_have_the_whole_text_in_a_tooltip(
    window: MainWindow, seeded: dict[str, int]
) -> None:
    window.select_contact(seeded["ada"])
    history = window.panel.history
    items = [history.item(r) for r in range(history.count())]
    assert items and all(i.toolTip() == i.text() for i in items)


def test_settings_shows_no_mailbox_flags_row_without_flags(
    qtbot: QtBot, window: MainWindow
) -> None:
    from PySide6.QtWidgets import QDialog, QLabel

    from ui.settings_dialog import SettingsDialog

    seen: list[SettingsDialog] = []

    def answer(dialog: QDialog) -> bool:
        assert isinstance(dialog, SettingsDialog)
        dialog.show()
        seen.append(dialog)
        return False

    window.exec_dialog = answer  # type: ignore[method-assign]
    window.settings_ui.show_settings()
    [dialog] = seen
    [label] = [w for w in dialog.findChildren(QLabel) if w.text() == "Mailbox flags:"]
    assert not dialog.flag_boxes  # the test profile's mailbox takes no flags
    assert label.isHidden()


def test_the_question_bank_says_where_it_is_edited(window: MainWindow) -> None:
    text = (ROOT / "resources" / "questions.md").read_text(encoding="utf-8")
    assert "Question bank" in _texts(_menu(window, "File"))
    assert "File → Question bank…" in text and "in\nSettings" not in text
