"""The main window: a shell with a sidebar of views, the contact panel and the status bar.

It offers others a small extension API: ``add_view`` (a sidebar entry and its page),
``add_panel_tab`` (a tab of the contact panel, built when first shown) and named menus
(``menu``, ``add_menu_action``), and implements the protocols its parts see it through
(``ui.shell.Shell``, ``ui.navigation.Navigator``). Its jobs are collaborators it owns: the
widgets (ui.window_layout), the actions (ui.window_actions), feeding the item models
(ui.feeding), the contact shown (ui.selection), sync (ui.sync_controller), account badges
(ui.status_badges), contact and Today commands, settings and accounts, window state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QWidget

import desktop
from desktop.context import AppContext
from desktop.domain.due import ActionKind, DueAction
from desktop.settings import Settings
from desktop.storage import ContactRecord
from ui.account_settings import AccountSettings
from ui.contact_commands import ContactCommands
from ui.dialogs import AboutDialog
from ui.feeding import ModelFeeder
from ui.format import when_text
from ui.icons import view_icon
from ui.marks import ActionMarks, StoreMarks, policy_for
from ui.models.contacts import ID_ROLE, ContactFilterProxy, ContactsModel
from ui.models.due import DueModel
from ui.ops import Ops
from ui.pages import MailboxOffer
from ui.reply_flow import ReplyController
from ui.selection import ContactSelection
from ui.shortcuts import ShortcutsDialog, shortcut_rows
from ui.status_badges import StatusBadges
from ui.sync_controller import SyncController
from ui.today_commands import TodayCommands
from ui.welcome import MailboxConnector
from ui.window_actions import WindowActions, make_action
from ui.window_layout import VIEW_KEYS, View, WindowLayout
from ui.window_state import WindowState

log = logging.getLogger(__name__)

#: The window's state (geometry, panes, columns, last view) lives in the profile, so profiles
#: (and tests) never share or overwrite each other's.
WINDOW_STATE_FILE = "window.ini"


def apply_style(app: QApplication) -> None:
    """Light polish that keeps the system palette (light and dark both work).

    Only the bare fallback style ("Windows" on a desktop without a platform theme) is replaced
    by Fusion, which draws with the palette; a real platform style is left alone.
    """
    style = app.style()
    if style is not None and style.name().lower() == "windows":
        app.setStyle("Fusion")


class MainWindow(QMainWindow):
    """Coffeechat's main window; implements ``ui.navigation.Navigator``.

    Signals:
        sync_started(): a sync round was submitted to the worker.
        sync_finished(object): a round's ``SyncRound`` was applied to the window (None if the
            round failed as a whole).
        contact_selected(int): the contact shown in the panel changed.
        settings_changed(object): new ``Settings`` were saved and applied.
        view_changed(str): the view shown (its key).
        panel_tab_changed(object): the contact panel's current tab (its widget).
        action_opened(object): a due action was opened (Today's Enter, a notification).
    """

    sync_started = Signal()
    sync_finished = Signal(object)
    contact_selected = Signal(int)
    settings_changed = Signal(object)
    view_changed = Signal(str)
    panel_tab_changed = Signal(object)
    action_opened = Signal(object)

    def __init__(
        self,
        context: AppContext,
        qsettings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        marks: ActionMarks | None = None,
        first_run_welcome: bool = False,
        connectors: Sequence[MailboxConnector] = (),
        ops: Ops | None = None,
        load_after_first_paint: bool = False,
    ) -> None:
        """``ops``: how the window runs work off the GUI thread (one for the window's life, from
        the composition root; by default its own, showing no error dialog). ``marks``: where
        Today's snoozes and dismissals go (the NotificationCenter, set later with
        ``set_action_marks``; by default straight to the store). ``first_run_welcome``:
        show the welcome on a profile that has not seen it (the real app only, never tests or
        the demo). ``connectors``: the mailbox sign-ins the welcome offers.
        ``load_after_first_paint``: the window paints first and reads the contacts right after
        (the app's start-up); by default they are read now (tests)."""
        super().__init__(parent)
        self.ctx = context
        self._owns_ops = ops is None
        self.ops = ops or Ops(context.tasks, context.paths.profile, self)
        self.marks: ActionMarks = marks or StoreMarks(
            self.ops, context.store, context.clock, policy_for(context.settings)
        )
        self.first_run_welcome = first_run_welcome
        self.qsettings = qsettings or QSettings(
            str(context.paths.profile / WINDOW_STATE_FILE), QSettings.Format.IniFormat
        )
        self.undoable_mark: DueAction | None = None
        self.current_id: int | None = None
        self._closed = False
        self._shown_once = False
        self._painted = False
        self._view_keys = list(VIEW_KEYS)
        self._tab_factories: dict[int, Callable[[], QWidget]] = {}
        try:
            self.zone = ZoneInfo(context.settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")
        self.setWindowTitle(self.tr("Coffeechat") + (self.tr(" — demo") if context.demo else ""))

        self.model = ContactsModel(self)
        self.proxy = ContactFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.due_model = DueModel(self)
        self.due_model.set_when_formatter(self.due_when_text)
        self.commands = ContactCommands(self, self)
        self.today = TodayCommands(self, self)
        acts = self.action_table = WindowActions(self, self)
        self.write_action, self.edit_action = acts.write_action, acts.edit_action
        self.meeting_action, self.snooze_actions = acts.meeting_action, acts.snooze_actions
        ui = self.ui = WindowLayout(
            self, acts, self.model, self.proxy, self.due_model, self.due_when_text
        )
        self.filter_edit, self.sidebar = ui.filter_edit, ui.sidebar
        self.today_page, self.board, self.contacts_page = ui.today_page, ui.board, ui.contacts_page
        self.today_view, self.table = ui.today_page.view, ui.contacts_page.table
        self.pages, self.panel, self.banner = ui.pages, ui.panel, ui.banner
        self.splitter = ui.splitter
        # Delete deletes the contact in the contact views only (in Today it dismisses).
        acts.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        for view in (self.table, *(c.view for c in self.board.columns.values())):
            view.addAction(acts.delete_action)
        self.board.delegate.zone = self.panel.zone = self.zone
        self.state = WindowState(
            self, self.qsettings, splitter=ui.splitter, sidebar=ui.sidebar, centre=ui.centre,
            panel=ui.panel, table=self.table, column_fitter=ui.contacts_page.column_fitter,
            board=ui.board, sidebar_width=ui.sidebar_width, panel_width=ui.panel_width,
        )  # fmt: skip
        self.selection = ContactSelection(self, ui, acts, self.proxy, self.state, self)
        self.selection.contact_selected.connect(self.contact_selected)
        self.selection.contact_selected.connect(lambda _id: ui.show_in_today(self.current_id))
        self._connect_widgets()
        self.update_contact_actions()
        self.badges = StatusBadges(context, self.statusBar(), self.zone)
        self.sync = SyncController(context, self.ops, self.badges, acts.sync_action, self)
        self.sync.sync_started.connect(self.sync_started)
        self.feeder = ModelFeeder(self, ui, self.proxy, self.selection, self.badges, self)
        self.feeder.round_applied.connect(self.sync_finished)
        self.sync.round_finished.connect(self.feeder.apply_round)
        self.sync.round_failed.connect(self.feeder.on_round_failed)
        self.settings_ui = AccountSettings(self, connectors, self.badges, self.sync, self)
        self.settings_ui.settings_saved.connect(self.apply_settings)
        for kind, act in (
            ("gmail", acts.connect_gmail_action),
            ("imap", acts.connect_mailbox_action),
            ("outlook", acts.connect_outlook_action),
        ):
            act.setEnabled(self.settings_ui.can_connect(kind))
        self.replies = ReplyController(self, self)  # the reply cards (ui/reply_flow.py)
        #: Work for right after the first paint (``after_first_paint``).
        self._after_paint: list[Callable[[], object]] = []
        self.installEventFilter(self)
        if load_after_first_paint:
            self.after_first_paint(self.feeder.reload_all)
            self.statusBar().showMessage(self.tr("Reading your contacts…"))
            self.after_first_paint(self.statusBar().clearMessage)
        else:
            self.feeder.reload_all()
        self.state.restore()
        acts.panel_action.setChecked(self.state.panel_wanted)
        close_panel = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.panel)
        close_panel.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        close_panel.activated.connect(self.close_panel)
        ui.name_internal_controls()

    def _connect_widgets(self) -> None:
        """The widgets' signals to the commands (the views' selection: ``ContactSelection``)."""
        commands, today, panel = self.commands, self.today, self.panel
        self.filter_edit.textChanged.connect(self.on_filter_changed)
        self.sidebar.currentRowChanged.connect(self.on_view_changed)
        self.today_view.act_requested.connect(today.act_on)
        self.today_view.snooze_requested.connect(today.ask_snooze)
        self.today_view.dismiss_requested.connect(today.dismiss_action)
        self.today_view.customContextMenuRequested.connect(today.on_today_menu)
        self.board.stage_change_requested.connect(commands.on_card_dropped)
        panel.edit_requested.connect(commands.edit_contact)
        panel.meeting_requested.connect(commands.set_meeting_for)
        panel.undo_requested.connect(commands.undo_last_change)
        panel.notes_edited.connect(commands.save_notes)
        panel.message_corrected.connect(commands.correct_message)
        panel.invite_requested.connect(commands.send_invitation)
        panel.tabs.currentChanged.connect(self.on_panel_tab_changed)
        self.banner.action_clicked.connect(self.undo_notice)

    # ============================================================ extension API
    def add_view(
        self, key: str, title: str, widget: QWidget, icon: QIcon, shortcut: str = ""
    ) -> QAction:
        """A sidebar entry and its page; its action (in the View menu) shows it. A view the
        window draws an icon for (ui.icons) gets that one, so the sidebar's icons match."""
        self.ui.add_sidebar_item(title, view_icon(key) or icon)
        self.pages.addWidget(widget)
        self._view_keys.append(key)
        act = make_action(self, "&" + title, lambda: self.show_view(key), shortcut or None)
        self.add_menu_action("view", act)
        self.ui.name_internal_controls()
        return act

    def show_view(self, key: str) -> None:
        self.sidebar.setCurrentRow(self._view_keys.index(key))

    def current_view(self) -> str:
        row = self.sidebar.currentRow()
        return self._view_keys[row] if 0 <= row < len(self._view_keys) else ""

    def add_panel_tab(self, title: str, build: Callable[[], QWidget]) -> int:
        """A tab of the contact panel, built by ``build`` the first time it is shown; its
        index."""
        index = self.panel.tabs.addTab(QWidget(), title)
        self._tab_factories[index] = build
        return index

    def panel_tab(self, index: int) -> QWidget:
        """The tab's widget, built now if it was not yet."""
        build = self._tab_factories.pop(index, None)
        tabs = self.panel.tabs
        if build is not None:
            widget, title = build(), tabs.tabText(index)
            tabs.blockSignals(True)
            old = tabs.widget(index)
            current = tabs.currentIndex()
            tabs.removeTab(index)
            tabs.insertTab(index, widget, title)
            tabs.setCurrentIndex(current)
            tabs.blockSignals(False)
            if old is not None:
                old.deleteLater()
        built = tabs.widget(index)
        assert built is not None
        return built

    def show_panel_tab(self, index: int) -> QWidget:
        widget = self.panel_tab(index)
        self.panel.tabs.setCurrentIndex(index)
        return widget

    def current_panel_tab(self) -> QWidget:
        return self.panel.tabs.currentWidget()

    def on_panel_tab_changed(self, index: int) -> None:
        self.panel_tab_changed.emit(self.panel_tab(index))

    def menu(self, name: str) -> QMenu:
        """A named menu: "file", "edit", "contact", "view" or "help"."""
        return self.ui.menus[name][0]

    def add_menu_action(self, name: str, action: QAction | QMenu | None) -> None:
        """Add an action, a submenu or (None) a separator at the named menu's place for added
        entries (File: before Settings; Edit: before Find; Contact: at the end; View: after
        the views)."""
        menu, before = self.ui.menus[name]
        if isinstance(action, QMenu):
            menu.insertMenu(before, action)
        elif action is None:
            menu.insertSeparator(before)
        else:
            menu.insertAction(before, action)

    # ============================================================ Navigator
    def open_action(self, action: DueAction) -> None:
        """Open a due action (Enter on Today, a notification): its contact in the panel, which
        opens even if the user had closed it."""
        self.select_contact(action.contact_id)
        if not self.action_table.panel_action.isChecked():
            self.action_table.panel_action.setChecked(True)
            self.state.set_panel_wanted(True)
        self.action_opened.emit(action)

    def write_to(self, contact_id: int, action: ActionKind | None = None) -> bool:
        return self.commands.write_to(contact_id, action)

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def tell(self, text: str) -> None:
        self.banner.show_text(text)

    def show_status(self, text: str, ms: int) -> None:
        self.statusBar().showMessage(text, ms)

    def records(self) -> list[ContactRecord]:
        return self.model.records()

    def widget(self) -> QWidget:
        return self

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally; True if accepted (the one place dialogs are run: tests replace
        it to answer them)."""
        return bool(dialog.exec())

    def exec_menu(self, menu: QMenu, pos: QPoint) -> QAction | None:
        """Run a popup menu; the chosen action (the one place menus are run: tests replace it
        to answer them)."""
        return menu.exec(pos)

    # ============================================================ lifecycle
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.state.apply_pane_widths()
            # The keyboard starts in the view, where J/K and Enter work, not in the filter.
            self.focus_view()
            if self.first_run_welcome and not self.ctx.settings.welcome_done:
                QTimer.singleShot(0, self, self.settings_ui.show_welcome)

    def start(self) -> None:
        """Start syncing: periodically, at once, and when the machine wakes."""
        self.sync.start()

    def sync_now(self) -> bool:
        """Submit a sync round unless one is running; True if one was submitted."""
        return self.sync.sync_now()

    def sync_by_hand(self) -> bool:
        """F5: sync now, or, with no mailbox connected, offer to connect one."""
        if self.ctx.providers:
            return self.sync_now()
        ui = self.settings_ui
        kinds = [k for k in ("gmail", "outlook", "imap") if ui.can_connect(k)]
        offer = MailboxOffer(kinds, self)
        if self.exec_dialog(offer) and offer.choice:
            {
                "gmail": ui.connect_gmail,
                "outlook": ui.connect_outlook,
                "imap": ui.connect_mailbox,
            }[offer.choice]()
        return False

    def sync_soon(self) -> None:
        self.sync.sync_soon()

    def shutdown(self) -> None:
        """Stop syncing and save what must be saved; ctx.tasks is shut down by the caller."""
        self.sync.stop()
        if not self._closed:
            self.panel.flush_notes()
            self.state.save()
            if self._owns_ops:  # else the composition root closes it, after the connectors
                self.ops.close()
            self._closed = self.sync.closed = self.commands.closed = True

    def after_first_paint(self, work: Callable[[], object], *, first: bool = False) -> None:
        """Run ``work`` once the window has painted for the first time (at once if it has),
        in order (``first``: before what is already waiting): start-up puts there what the
        first sight of the window does not need."""
        if self._after_paint or not self._painted:
            self._after_paint.insert(0 if first else len(self._after_paint), work)
        else:
            work()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Watches the window itself until its first paint, then stops watching."""
        if watched is self and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run_after_paint)
        return False

    def _run_after_paint(self) -> None:
        while self._after_paint:
            self._after_paint.pop(0)()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ============================================================ models (ui.feeding)
    def now(self) -> datetime:
        return self.ctx.clock.now()

    def reload_all(self) -> None:
        self.feeder.reload_all()

    def refresh_contact(self, contact_id: int) -> None:
        self.feeder.refresh_contact(contact_id)

    def feed_record(self, record: ContactRecord) -> None:
        self.feeder.feed_record(record)

    def refresh_derived(self, actions: list[DueAction] | None = None) -> None:
        self.feeder.refresh_derived(actions)

    def apply_settings(self, new: Settings) -> None:
        self.ctx.settings = new
        try:
            self.zone = ZoneInfo(new.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")
        self.panel.zone = self.badges.zone = self.board.delegate.zone = self.zone
        if isinstance(self.marks, StoreMarks):
            self.marks.reminders.policy = policy_for(new)
        if not self.ctx.demo:  # the demo's fast clock keeps its own pace
            self.sync.set_interval(float(new.sync_interval_s))
        self.refresh_derived()
        if self.current_id is not None:
            record = self.model.record(self.current_id)
            if record is not None:
                self.show_panel(record)
        for column in self.board.column_list:
            column.view.viewport().update()
        self.settings_changed.emit(new)

    def set_action_marks(self, marks: ActionMarks) -> None:
        """Route Today's snoozes and dismissals through ``marks`` (the NotificationCenter)."""
        self.marks = marks
        self.refresh_derived()

    def due_when_text(self, action: Any) -> str:
        return when_text(action.due_at, self.zone, self.now())

    # ============================================================ views
    def on_view_changed(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentIndex(row)
        if row == View.TODAY:
            # Today highlights the contact the panel shows (or nothing), never another one.
            self.ui.show_in_today(self.current_id)
            if self.due_model.rowCount() and not self.filter_edit.hasFocus():
                self.today_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if row == View.PIPELINE:
            self.board.set_needle(self.filter_edit.text())
        self.view_changed.emit(self.current_view())

    def toggle_panel(self) -> None:
        """View > Contact panel (F9): open or close the panel; the choice is remembered."""
        self.state.set_panel_wanted(self.action_table.panel_action.isChecked())

    def close_panel(self) -> None:
        """Esc in the panel: close it and give the keyboard back to the view."""
        self.action_table.panel_action.setChecked(False)
        self.state.set_panel_wanted(False)
        self.focus_view()

    def focus_view(self) -> None:
        self.ui.focus_view()

    def focus_filter(self) -> None:
        if self.sidebar.currentRow() == View.TODAY:
            self.show_view("contacts")
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def on_filter_changed(self, text: str) -> None:
        self.proxy.set_needle(text)  # its layoutChanged updates the empty states
        if self.pages.currentWidget() is self.board:
            # Ten column proxies cost ten table filters: only while the board is shown.
            self.board.set_needle(text)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.filter_edit.hasFocus():
            self.filter_edit.clear()
            return
        super().keyPressEvent(event)

    # ============================================================ selection (ui.selection)
    def select_contact(self, contact_id: int | None) -> None:
        self.selection.select(contact_id)

    def show_panel(self, record: ContactRecord) -> None:
        self.selection.show_panel(record)

    def update_contact_actions(self) -> None:
        self.selection.update_actions()

    # ============================================================ small commands
    def undo_notice(self) -> None:
        """The notice's Undo: the snooze or dismissal, or the deletion, it tells of."""
        if not self.today.undo_mark():
            self.commands.undo_delete()

    def undo_current(self) -> None:
        """Ctrl+Z: the last snooze or dismissal from Today, else a contact just deleted, else
        the contact's stage change."""
        if self.undoable_mark is not None:
            self.today.undo_mark()
        elif self.commands.deleted is not None:
            self.commands.undo_delete()
        elif self.current_id is not None:
            self.commands.undo_last_change(self.current_id)

    def deleted_name(self) -> str:
        deleted = self.commands.deleted
        return deleted.name if deleted is not None else ""

    def add_current_to_targets(self) -> None:
        """Ctrl+T: the rows selected in Contacts (several with Shift/Ctrl+click), else the
        contact shown."""
        ids: list[int] = []
        if self.current_view() == "contacts":
            ids = [int(i.data(ID_ROLE)) for i in self.table.selectionModel().selectedRows()]
        if not ids and self.current_id is not None:
            ids = [self.current_id]
        self.commands.add_to_targets(ids)

    def delete_current(self) -> None:
        if self.current_id is not None:
            self.commands.delete_contact(self.current_id)

    def edit_current(self) -> None:
        if self.current_id is not None:
            self.commands.edit_contact(self.current_id)

    def set_meeting_current(self) -> None:
        if self.current_id is not None:
            self.commands.set_meeting_for(self.current_id)

    def show_shortcuts(self) -> None:
        self.exec_dialog(ShortcutsDialog(shortcut_rows(self.actions()), self))

    def show_about(self) -> None:
        self.exec_dialog(
            AboutDialog(desktop.__version__, self.ctx.paths.profile, self.ctx.paths.logs, self)
        )
