"""The main window: a shell with a sidebar of views, the contact panel and the status bar.

It feeds the item models (it is the one reader of the store on the GUI thread) and offers
others a small extension API: ``add_view`` (a sidebar entry and its page), ``add_panel_tab``
(a tab of the contact panel, built when first shown) and named menus (``menu``,
``add_menu_action``). Its other jobs are collaborators: sync (ui.sync_controller), account
badges (ui.status_badges), contact and Today commands, settings and accounts, window state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontMetrics, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFrame,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import desktop
from desktop.actions import all_due
from desktop.context import AppContext
from desktop.domain.due import ActionKind, DueAction
from desktop.jobs import SyncRound
from desktop.settings import Settings
from desktop.storage import ContactRecord
from ui.account_settings import AccountSettings
from ui.banner import BANNER_MS, Banner
from ui.board import PipelineBoard
from ui.contact_commands import ContactCommands
from ui.contact_panel import ContactPanel
from ui.dialogs import AboutDialog, ShortcutsDialog, name_helper_controls
from ui.format import when_text
from ui.marks import ActionMarks, StoreMarks, policy_for
from ui.models.contacts import ID_ROLE, ContactFilterProxy, ContactsModel
from ui.models.due import CONTACT_ID_ROLE, DueModel, DueRow
from ui.ops import Ops
from ui.pages import ContactsPage, TodayPage, escape, set_text
from ui.status_badges import StatusBadges
from ui.sync_controller import SyncController
from ui.today_commands import TodayCommands
from ui.welcome import MailboxConnector
from ui.window_actions import make_action, move_actions, snooze_actions, themed_icon
from ui.window_state import WindowState

log = logging.getLogger(__name__)

#: The window's state (geometry, panes, columns, last view) lives in the profile, so profiles
#: (and tests) never share or overwrite each other's.
WINDOW_STATE_FILE = "window.ini"
SP = QStyle.StandardPixmap


def apply_style(app: QApplication) -> None:
    """Light polish that keeps the system palette (light and dark both work).

    Only the bare fallback style ("Windows" on a desktop without a platform theme) is replaced
    by Fusion, which draws with the palette; a real platform style is left alone.
    """
    style = app.style()
    if style is not None and style.name().lower() == "windows":
        app.setStyle("Fusion")


class View:
    TODAY = 0
    PIPELINE = 1
    CONTACTS = 2


VIEW_KEYS = ["today", "pipeline", "contacts"]


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
    ) -> None:
        """``ops``: how the window runs work off the GUI thread (one for the window's life, from
        the composition root; by default its own, showing no error dialog). ``marks``: where
        Today's snoozes and dismissals go (the NotificationCenter, set later with
        ``set_action_marks``; by default straight to the store). ``first_run_welcome``:
        show the welcome on a profile that has not seen it (the real app only, never tests or
        the demo). ``connectors``: the mailbox sign-ins the welcome offers."""
        super().__init__(parent)
        self.ctx = context
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
        self._feeding = 0
        self._shown_once = False
        self._view_keys = list(VIEW_KEYS)
        self._tab_factories: dict[int, Callable[[], QWidget]] = {}
        self._menus: dict[str, tuple[QMenu, QAction]] = {}
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
        self._build_actions()
        self._build_ui()
        self._build_menus()
        self.badges = StatusBadges(context, self.statusBar(), self.zone)
        self.sync = SyncController(context, self.ops, self.badges, self.sync_action, self)
        self.sync.sync_started.connect(self.sync_started)
        self.sync.round_finished.connect(self.apply_round)
        self.sync.round_failed.connect(self.on_round_failed)
        self.settings_ui = AccountSettings(self, connectors, self.badges, self.sync, self)
        self.settings_ui.settings_saved.connect(self.apply_settings)
        for kind, act in (
            ("gmail", self.connect_gmail_action),
            ("imap", self.connect_mailbox_action),
            ("outlook", self.connect_outlook_action),
        ):
            act.setEnabled(self.settings_ui.can_connect(kind))
        self.reload_all()
        self.state.restore()
        self._name_internal_controls()

    # ============================================================ building
    def _build_actions(self) -> None:
        a = make_action
        c = self.commands
        s = self
        self.new_action = a(
            s, self.tr("&New contact…"), c.new_contact, QKeySequence.StandardKey.New,
            themed_icon(s, "contact-new", SP.SP_FileIcon),
            self.tr("Add someone to talk to (Ctrl+N)"),
        )  # fmt: skip
        self.edit_action = a(s, self.tr("&Edit contact…"), self.edit_current, "Ctrl+E")
        self.write_action = a(
            s, self.tr("&Write request…"), self.today.write_current, ["Ctrl+Shift+N", "Ctrl+R"],
            themed_icon(s, "mail-message-new", SP.SP_FileDialogContentsView),
            self.tr("Write to the selected contact, with proposed times (Ctrl+R)"),
        )  # fmt: skip
        self.meeting_action = a(s, self.tr("Set &meeting…"), self.set_meeting_current, "Ctrl+M")
        self.undo_action = a(
            s, self.tr("&Undo last stage change"), self.undo_current, QKeySequence.StandardKey.Undo
        )
        self.snooze_actions = snooze_actions(self)
        self.sync_action: QAction = a(
            s, self.tr("&Sync now"), self.sync_now, "F5",
            themed_icon(s, "view-refresh", SP.SP_BrowserReload),
            self.tr("Check the mailbox now (F5)"),
        )  # fmt: skip
        self.find_action = a(
            s, self.tr("&Filter contacts"), self.focus_filter, QKeySequence.StandardKey.Find
        )
        self.settings_action = a(
            s, self.tr("&Settings…"), lambda: self.settings_ui.show_settings(),
            ["Ctrl+,", QKeySequence.StandardKey.Preferences],
        )  # fmt: skip
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.templates_action = a(
            s, self.tr("&Templates…"), lambda: self.settings_ui.show_templates()
        )
        self.connect_gmail_action: QAction = a(
            s, self.tr("Connect &Gmail…"), lambda: self.settings_ui.connect_gmail()
        )
        self.connect_mailbox_action: QAction = a(
            s, self.tr("Connect another &mailbox…"), lambda: self.settings_ui.connect_mailbox(),
            tip=self.tr("Any mailbox with IMAP and SMTP (Fastmail, iCloud, Yahoo, Proton…)"),
        )  # fmt: skip
        self.connect_outlook_action: QAction = a(
            s, self.tr("Connect &Outlook…"), lambda: self.settings_ui.connect_outlook()
        )
        self.help_action = a(
            s, self.tr("&Keyboard shortcuts"), self.show_shortcuts, ["F1", "Ctrl+/"]
        )
        self.about_action = a(s, self.tr("&About Coffeechat"), self.show_about)
        self.quit_action = a(s, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.view_actions = [
            a(s, self.tr("&Today"), self.show_today, "Ctrl+1"),
            a(s, self.tr("&Pipeline"), self.show_pipeline, "Ctrl+2"),
            a(s, self.tr("&Contacts"), self.show_contacts, "Ctrl+3"),
        ]
        self.move_actions = move_actions(self, self.commands.on_move_action)

    def _build_ui(self) -> None:
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        # Toolbar: the two most frequent actions and the filter.
        self.toolbar = QToolBar(self.tr("Main toolbar"))
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setAccessibleName(self.tr("Main toolbar"))
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(fm.height(), fm.height()))
        for act in (self.new_action, self.write_action, self.sync_action):
            self.toolbar.addAction(act)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred
        )
        self.toolbar.addWidget(spacer)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filter")
        self.filter_edit.setAccessibleName(self.tr("Filter contacts"))
        self.filter_edit.setPlaceholderText(
            self.tr("Filter by name, company, role, email (Ctrl+F)")
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(fm.averageCharWidth() * 42)
        self.filter_edit.textChanged.connect(self.on_filter_changed)
        self.toolbar.addWidget(self.filter_edit)
        self.addToolBar(self.toolbar)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(self.tr("Views"))
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(pad // 3)
        self.sidebar.setIconSize(QSize(fm.height(), fm.height()))
        icons = [
            themed_icon(self, "appointment-soon", SP.SP_FileDialogInfoView),
            themed_icon(self, "view-list-details", SP.SP_FileDialogDetailedView),
            themed_icon(self, "x-office-address-book", SP.SP_DirHomeIcon),
        ]
        for text, icon in zip(
            (self.tr("Today"), self.tr("Pipeline"), self.tr("Contacts")), icons, strict=True
        ):
            self._add_sidebar_item(text, icon)
        # Wide enough for the longest label with a four-digit count beside it.
        widest = max(
            fm.horizontalAdvance(self.sidebar.item(n).text() + "  (9999)")
            for n in range(self.sidebar.count())
        )
        self.sidebar_min_width = widest + fm.height() + pad * 5
        self.sidebar.setMinimumWidth(self.sidebar_min_width)
        self.sidebar.setMaximumWidth(fm.averageCharWidth() * 30)
        self.sidebar.setBackgroundRole(self.sidebar.backgroundRole().Window)
        self.sidebar.viewport().setBackgroundRole(self.sidebar.backgroundRole().Window)
        self.sidebar.currentRowChanged.connect(self.on_view_changed)

        self.today_page = TodayPage(self.due_model, self.due_when_text)
        self.today_view = self.today_page.view
        self.today_view.selectionModel().selectionChanged.connect(self.on_today_selection)
        self.today_view.act_requested.connect(self.today.act_on)
        self.today_view.snooze_requested.connect(self.today.ask_snooze)
        self.today_view.dismiss_requested.connect(self.today.dismiss_action)
        self.today_view.customContextMenuRequested.connect(self.today.on_today_menu)

        self.board = PipelineBoard(self.model)
        self.board.setObjectName("board")
        self.board.contact_selected.connect(self.select_contact)
        self.board.stage_change_requested.connect(self.commands.on_card_dropped)
        for column in self.board.column_list:
            column.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            column.view.customContextMenuRequested.connect(self.on_card_menu)
        self.board.delegate.zone = self.zone

        self.contacts_page = ContactsPage(self.proxy)
        self.table = self.contacts_page.table
        self.table.customContextMenuRequested.connect(self.on_table_menu)
        self.table.selectionModel().selectionChanged.connect(self.on_table_selection)
        self.table.activated.connect(self.on_table_activated)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(self.update_empty_states)
        self.proxy.modelReset.connect(self.update_empty_states)
        self.proxy.layoutChanged.connect(self.update_empty_states)

        self.pages = QStackedWidget()
        for page in (self.today_page, self.board, self.contacts_page):
            self.pages.addWidget(page)

        self.panel = ContactPanel()
        self.panel.setObjectName("contact-panel")
        self.panel.zone = self.zone
        self.panel.edit_requested.connect(self.commands.edit_contact)
        self.panel.meeting_requested.connect(self.commands.set_meeting_for)
        self.panel.undo_requested.connect(self.commands.undo_last_change)
        self.panel.notes_edited.connect(self.commands.save_notes)
        self.panel.message_corrected.connect(self.commands.correct_message)
        self.panel.invite_requested.connect(self.commands.send_invitation)
        self.panel.tabs.currentChanged.connect(self.on_panel_tab_changed)
        self.panel.setMinimumWidth(fm.averageCharWidth() * 36)

        self.banner = Banner()
        self.banner.action_clicked.connect(self.today.undo_mark)
        self.centre = QWidget()
        centre_layout = QVBoxLayout(self.centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.pages, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        for n, pane in enumerate((self.sidebar, self.centre, self.panel)):
            self.splitter.addWidget(pane)
            # A wider or narrower window widens or narrows the middle; the panes keep theirs.
            self.splitter.setStretchFactor(n, 1 if n == 1 else 0)
            self.splitter.setCollapsible(n, False)
        self.state: WindowState = WindowState(
            self,
            self.qsettings,
            splitter=self.splitter,
            sidebar=self.sidebar,
            centre=self.centre,
            panel=self.panel,
            table=self.table,
            column_fitter=self.contacts_page.column_fitter,
            board=self.board,
            sidebar_width=self.sidebar_min_width,
            panel_width=fm.averageCharWidth() * 58,
        )
        # The panel opens when a contact is selected, and closes again when none is.
        self.panel.hide()
        self.setCentralWidget(self.splitter)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for act in (self.new_action, self.sync_action, self.connect_gmail_action):
            file_menu.addAction(act)
        file_menu.addAction(self.connect_outlook_action)
        file_menu.addAction(self.connect_mailbox_action)
        file_menu.addSeparator()
        file_menu.addAction(self.templates_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.contact_menu = bar.addMenu(self.tr("&Contact"))
        for act in (self.write_action, self.edit_action, self.meeting_action):
            self.contact_menu.addAction(act)
        self.move_menu = self.contact_menu.addMenu(self.tr("Move &to"))
        self.move_menu.addActions(self.move_actions)
        self.contact_menu.addSeparator()
        self.contact_menu.addAction(self.undo_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions(self.view_actions)
        views_end = view_menu.addSeparator()
        view_menu.addAction(self.find_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)
        # Named menus, each with the place where added actions go.
        self._menus = {
            "file": (file_menu, self.settings_action),
            "contact": (self.contact_menu, self.undo_action),
            "view": (view_menu, views_end),
            "help": (help_menu, self.about_action),
        }
        self.update_contact_actions()

    def _name_internal_controls(self) -> None:
        """Give Qt's own helper controls names a screen reader can say."""
        for action in self.toolbar.actions():
            widget = self.toolbar.widgetForAction(action)
            if isinstance(widget, QAbstractButton) and not widget.accessibleName():
                widget.setAccessibleName(action.text().replace("&", "").replace("…", ""))
        for button in self.findChildren(QAbstractButton):
            if button.accessibleName():
                continue
            if isinstance(button.parent(), QTableView):
                button.setAccessibleName(self.tr("Select all contacts"))
            elif isinstance(button, QToolButton) and button.parent() is self.filter_edit:
                button.setAccessibleName(self.tr("Clear filter"))
        name_helper_controls(self)

    def _add_sidebar_item(self, text: str, icon: QIcon) -> None:
        fm = QFontMetrics(self.font())
        item = QListWidgetItem(icon, text)
        item.setSizeHint(QSize(fm.averageCharWidth() * 18, fm.height() * 2 + fm.height() // 4))
        self.sidebar.addItem(item)

    # ============================================================ extension API
    def add_view(
        self, key: str, title: str, widget: QWidget, icon: QIcon, shortcut: str = ""
    ) -> QAction:
        """A sidebar entry and its page; its action (in the View menu) shows it."""
        self._add_sidebar_item(title, icon)
        self.pages.addWidget(widget)
        self._view_keys.append(key)
        act = make_action(self, "&" + title, lambda: self.show_view(key), shortcut or None)
        self.add_menu_action("view", act)
        self._name_internal_controls()
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
        """A named menu: "file", "contact", "view" or "help"."""
        return self._menus[name][0]

    def add_menu_action(self, name: str, action: QAction | QMenu | None) -> None:
        """Add an action, a submenu or (None) a separator at the named menu's place for added
        entries (File: before Settings; Contact: before Undo; View: after the views)."""
        menu, before = self._menus[name]
        if isinstance(action, QMenu):
            menu.insertMenu(before, action)
        elif action is None:
            menu.insertSeparator(before)
        else:
            menu.insertAction(before, action)

    # ============================================================ Navigator
    def open_action(self, action: DueAction) -> None:
        self.select_contact(action.contact_id)
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
            if self.first_run_welcome and not self.ctx.settings.welcome_done:
                QTimer.singleShot(0, self, self.settings_ui.show_welcome)

    def start(self) -> None:
        """Start syncing: periodically, at once, and when the machine wakes."""
        self.sync.start()

    def sync_now(self) -> bool:
        """Submit a sync round unless one is running; True if one was submitted."""
        return self.sync.sync_now()

    def sync_soon(self) -> None:
        self.sync.sync_soon()

    def shutdown(self) -> None:
        """Stop syncing and save what must be saved; ctx.tasks is shut down by the caller."""
        self.sync.stop()
        if not self._closed:
            self.panel.flush_notes()
            self.state.save()
            self._closed = self.sync.closed = self.commands.closed = True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ============================================================ loading
    def now(self) -> datetime:
        return self.ctx.clock.now()

    def reload_all(self) -> None:
        """Read every contact (once, at start), with their next actions, in one reset."""
        records = self.ctx.store.contacts.all()
        actions = self.marks.visible(all_due(records, self.now(), self.ctx.settings.reminders()))
        first: dict[int, str] = {}
        for a in actions:
            first.setdefault(a.contact_id, self.tr(a.title))
        with self.feeding():
            self.model.reset_records(records, first)
        self.refresh_derived(actions)

    def refresh_contact(self, contact_id: int) -> None:
        """Re-read one contact after a change: one row signalled, the panel redrawn if shown."""
        try:
            record = self.ctx.store.contacts.get(contact_id)
        except KeyError:
            with self.feeding():
                self.model.remove(contact_id)
            if self.current_id == contact_id:
                self.select_contact(None)
        else:
            self.feed_record(record)
            if self.current_id == contact_id:
                self.show_panel(record)
        self.refresh_derived()

    def feed_record(self, record: ContactRecord) -> None:
        with self.feeding():
            self.model.upsert(record)

    @contextmanager
    def feeding(self) -> Iterator[None]:
        """Models are being fed: views moving their selection as rows come and go must not
        switch the contact shown. Afterwards, if a view lost the current contact's row (it
        changed column or place), the row is selected again; otherwise nothing is touched."""
        self._feeding += 1
        try:
            yield
        finally:
            try:
                if self._feeding == 1 and self.current_id is not None:
                    if self.board.selected_id() != self.current_id:
                        self.board.select(self.current_id)
                    rows = self.table.selectionModel().selectedRows()
                    if not rows or rows[0].data(ID_ROLE) != self.current_id:
                        self._select_in_table(self.current_id)
            finally:
                self._feeding -= 1

    def refresh_derived(self, actions: list[DueAction] | None = None) -> None:
        """Recompute what follows from the records: Today, next actions, counts, empty states.

        Snoozed and dismissed actions are left out of all of them until they are due again."""
        now = self.now()
        self.model.set_time_context(self.zone, now)
        self.board.delegate.today = now
        self.panel.now = now
        if actions is None:
            actions = all_due(self.model.records(), now, self.ctx.settings.reminders())
        actions = self.marks.visible(actions)
        first: dict[int, str] = {}
        rows: list[DueRow] = []
        for a in actions:
            first.setdefault(a.contact_id, self.tr(a.title))
            record = self.model.record(a.contact_id)
            rows.append(DueRow(a, record.contact.name if record is not None else "?"))
        with self.feeding():
            self.due_model.set_rows(rows)
            self.model.set_next_actions(first)
        n, count = len(actions), self.model.rowCount()
        self.sidebar.item(View.TODAY).setText(self.tr("Today") + (f"  ({n})" if n else ""))
        contacts = self.sidebar.item(View.CONTACTS)
        contacts.setText(self.tr("Contacts") + (f"  ({count})" if count else ""))
        self.today_page.title.setText(
            self.tr("Today — {0} to do").format(n) if n else self.tr("Today")
        )
        self.update_empty_states()

    def update_empty_states(self) -> None:
        """Show the empty-state texts where a list is empty (called on every filter keystroke:
        labels are only touched when their text changes, rich text is costly to lay out)."""
        none_yet = self.model.rowCount() == 0
        add_hint = self.tr(
            "<p style='font-size:large'><b>No contacts yet</b></p>"
            "<p>Press <b>Ctrl+N</b> to add someone you read about, met, or were introduced to.</p>"
            "<p>New to Coffeechat? <b>coffeechat demo</b> shows the whole loop with a simulated "
            "mailbox.</p>"
        )
        nothing_due = self.tr(
            "<p style='font-size:large'><b>Nothing due today</b></p>"
            "<p>Replies, follow-ups, meetings to prepare and thank-yous will appear here "
            "when they need you.</p>"
        )
        today, contacts = self.today_page, self.contacts_page
        set_text(today.empty, add_hint if none_yet else nothing_due)
        today.stack.setCurrentIndex(1 if self.due_model.rowCount() else 0)
        today.hint.setVisible(self.due_model.rowCount() > 0)
        has_rows = self.proxy.rowCount() > 0
        if none_yet:
            set_text(contacts.empty, add_hint)
        elif not has_rows:
            set_text(
                contacts.empty,
                self.tr(
                    "<p><b>No contacts match “{0}”</b></p><p>Press Esc to clear the filter.</p>"
                ).format(escape(self.filter_edit.text())),
            )
        contacts.setCurrentIndex(1 if has_rows else 0)

    def apply_round(self, result: SyncRound) -> None:
        """On the GUI thread: one round's outcome applied to models, status and notices."""
        changed: set[int] = {c.contact_id for c in result.time_changes}
        notices: list[str] = []
        for outcome in result.outcomes:
            if outcome.result is not None:
                changed.update(c.contact_id for c in outcome.result.changes)
                changed.update(n.contact_id for n in outcome.result.notices)
                notices.extend(n.text for n in outcome.result.notices)
        # The worker read the touched contacts after its commit: the GUI thread only feeds their
        # rows (each signalled on its own), it does not read every contact again.
        fresh = {record.id for record in result.updated}
        with self.feeding():
            for fresh_record in result.updated:
                self.model.upsert(fresh_record)
            for contact_id in changed - fresh:  # not re-read by the worker: deleted meanwhile
                try:
                    self.model.upsert(self.ctx.store.contacts.get(contact_id))
                except KeyError:
                    self.model.remove(contact_id)
        if self.current_id is not None and self.current_id in fresh | changed:
            record = self.model.record(self.current_id)
            if record is not None:
                self.show_panel(record)
            else:
                self.select_contact(None)
        self.refresh_derived(list(result.due) if result.due is not None else None)
        self.badges.update()
        if notices:
            more = len(notices) - 1
            text = notices[0] + (self.tr("  (and {0} more)").format(more) if more else "")
            self.banner.show_text(text)
            self.statusBar().showMessage(notices[0], BANNER_MS)
        self.sync_finished.emit(result)

    def on_round_failed(self, text: str) -> None:
        self.banner.show_text(self.tr("Sync failed: {0}").format(text))
        self.sync_finished.emit(None)

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
        if row == View.TODAY and self.due_model.rowCount() and not self.filter_edit.hasFocus():
            self.today_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if row == View.PIPELINE:
            self.board.set_needle(self.filter_edit.text())
        self.view_changed.emit(self.current_view())

    def show_today(self) -> None:
        self.sidebar.setCurrentRow(View.TODAY)

    def show_pipeline(self) -> None:
        self.sidebar.setCurrentRow(View.PIPELINE)

    def show_contacts(self) -> None:
        self.sidebar.setCurrentRow(View.CONTACTS)

    def focus_filter(self) -> None:
        if self.sidebar.currentRow() == View.TODAY:
            self.show_contacts()
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

    # ============================================================ selection
    # Views report their *selection*: the current index also moves when rows are filtered out or
    # change stage, and that must not switch the contact shown in the panel.
    def on_table_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.select_contact(indexes[0].data(ID_ROLE))

    def on_table_activated(self, index: QModelIndex) -> None:
        self.select_contact(index.data(ID_ROLE))

    def on_today_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.select_contact(indexes[0].data(CONTACT_ID_ROLE))

    def select_contact(self, contact_id: int | None) -> None:
        """Show a contact in the panel (None: nobody)."""
        if self._feeding:
            return
        if contact_id is None:
            self.current_id = None
            self.panel.show_contact(None)
            self.state.set_panel_open(False)
            self.board.select(None)
            self.table.clearSelection()
            self.today_view.clearSelection()
            self.update_contact_actions()
            return
        record = self.model.record(contact_id)
        if record is None:
            return
        changed = contact_id != self.current_id
        self.current_id = contact_id
        self.show_panel(record)
        self.state.set_panel_open(True)
        self.update_contact_actions()
        if changed:
            self.board.select(contact_id)
            self._select_in_table(contact_id)
            self.contact_selected.emit(contact_id)

    def _select_in_table(self, contact_id: int) -> None:
        row = self.model.row_of(contact_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        selected = self.table.selectionModel().isRowSelected(index.row())
        if index.isValid() and not (selected and self.table.currentIndex().row() == index.row()):
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def show_panel(self, record: ContactRecord) -> None:
        store = self.ctx.store
        referrer = ""
        if record.contact.referrer_id is not None:
            ref = self.model.record(record.contact.referrer_id)
            referrer = ref.contact.name if ref is not None else ""
        self.panel.show_contact(
            record,
            store.pipeline.history(record.id),
            store.messages.for_contact(record.id),
            referrer_name=referrer,
        )

    def update_contact_actions(self) -> None:
        on = self.current_id is not None
        for act in (self.edit_action, self.write_action, self.meeting_action):
            act.setEnabled(on)
        self.move_menu.setEnabled(on)
        mark = self.undoable_mark is not None
        self.undo_action.setEnabled(on or mark)
        self.undo_action.setText(
            self.tr("&Undo dismiss or snooze") if mark else self.tr("&Undo last stage change")
        )

    def on_table_menu(self, pos: Any) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.select_contact(index.data(ID_ROLE))
            self.contact_context_menu().exec(self.table.viewport().mapToGlobal(pos))

    def on_card_menu(self, pos: Any) -> None:
        view = self.sender()
        index = view.indexAt(pos) if isinstance(view, QListView) else QModelIndex()
        if isinstance(view, QListView) and index.isValid():
            self.select_contact(index.data(ID_ROLE))
            self.contact_context_menu().exec(view.viewport().mapToGlobal(pos))

    def contact_context_menu(self) -> QMenu:
        menu = QMenu(self)
        for act in (self.write_action, self.edit_action, self.meeting_action):
            menu.addAction(act)
        menu.addMenu(self.move_menu)
        menu.addAction(self.undo_action)
        return menu

    # ============================================================ small commands
    def undo_current(self) -> None:
        """Ctrl+Z: the last snooze or dismissal from Today, else the contact's stage change."""
        if self.undoable_mark is not None:
            self.today.undo_mark()
        elif self.current_id is not None:
            self.commands.undo_last_change(self.current_id)

    def edit_current(self) -> None:
        if self.current_id is not None:
            self.commands.edit_contact(self.current_id)

    def set_meeting_current(self) -> None:
        if self.current_id is not None:
            self.commands.set_meeting_for(self.current_id)

    def show_shortcuts(self) -> None:
        self.exec_dialog(ShortcutsDialog(self))

    def show_about(self) -> None:
        self.exec_dialog(
            AboutDialog(desktop.__version__, self.ctx.paths.profile, self.ctx.paths.logs, self)
        )
