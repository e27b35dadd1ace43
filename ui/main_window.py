"""The main window: sidebar (Today, Pipeline, Contacts), the contact panel, sync status.

The window is the only thing that reads the store on the GUI thread and feeds the item models;
sync rounds run on the sync worker (``ctx.tasks``) and come back through ``FutureBridge``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QModelIndex,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
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
from desktop import autostart
from desktop import settings as settings_file
from desktop.actions import all_due, correct_classification, override_stage, set_meeting
from desktop.context import AppContext
from desktop.domain.due import TEMPLATE_FOR_ACTION, ActionKind, DueAction
from desktop.domain.model import STAGE_ORDER, Contact, Stage
from desktop.domain.slots import Slot
from desktop.jobs import SyncRound, SyncState, invite_job, sync_round
from desktop.mailflags import account_key

if TYPE_CHECKING:
    from desktop.invites import AcceptedSlot
from desktop.reminders import Snooze
from desktop.settings import Settings
from desktop.storage import ContactRecord, StoredMessage
from mail.provider import Account, AccountKind
from ui.board import PipelineBoard, mix
from ui.bridge import FutureBridge
from ui.columns import ColumnFitter
from ui.contact_panel import ContactPanel
from ui.dialogs import (
    AboutDialog,
    ContactDialog,
    MeetingDialog,
    ShortcutsDialog,
    name_helper_controls,
)
from ui.format import when_text
from ui.marks import ActionMarks, StoreMarks, policy_for
from ui.models.contacts import ID_ROLE, Column, ContactFilterProxy, ContactsModel
from ui.models.due import ACTION_ROLE, CONTACT_ID_ROLE, DueModel, DueRow
from ui.push import PushWatchers
from ui.settings_dialog import SettingsDialog
from ui.today import DueDelegate, TodayView
from ui.wake import WakeWatcher
from ui.welcome import MailboxConnector, WelcomeDialog, launch_demo, system_zone

log = logging.getLogger(__name__)

BANNER_MS = 10_000
#: The window's state (geometry, panes, columns, last view) lives in the profile, so profiles
#: (and tests) never share or overwrite each other's.
WINDOW_STATE_FILE = "window.ini"
#: On first run the window takes about this share of the screen.
FIRST_RUN_SHARE = 0.85


def apply_style(app: QApplication) -> None:
    """Light polish that keeps the system palette (light and dark both work).

    Only the bare fallback style ("Windows" on a desktop without a platform theme) is replaced
    by Fusion, which draws with the palette; a real platform style is left alone.
    """
    style = app.style()
    if style is not None and style.name().lower() == "windows":
        app.setStyle("Fusion")


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


class View:
    TODAY = 0
    PIPELINE = 1
    CONTACTS = 2


class Banner(QFrame):
    """A transient in-app message with a dismiss button (sync notices, errors), and an optional
    action button (Undo).

    Signals:
        dismissed(): the user closed it.
        action_clicked(): the user pressed the action button.
    """

    dismissed = Signal()
    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.backgroundRole().AlternateBase)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(self.tr("Dismiss message"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.on_close_clicked)
        self.action_button = QPushButton(self.tr("Undo"))
        self.action_button.setAccessibleName(self.tr("Undo"))
        self.action_button.clicked.connect(self.on_action_clicked)
        self.action_button.hide()
        pad = QFontMetrics(self.font()).height() // 2
        layout = QHBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad, pad, pad)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_text(self, text: str, ms: int = BANNER_MS, action: str = "") -> None:
        """Show ``text``; with ``action``, a button of that text emits ``action_clicked``."""
        self.text.setText(text)
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action.replace("&", ""))
        self.action_button.setVisible(bool(action))
        self.show()
        self._timer.start(ms)

    def on_action_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.action_clicked.emit()

    def on_close_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()


class MainWindow(QMainWindow):
    """Coffeechat's main window.

    Signals:
        sync_started(): a sync round was submitted to the worker.
        sync_finished(object): a round's ``SyncRound`` was applied to the window (None if the
            round failed as a whole).
        contact_selected(int): the contact shown in the panel changed.
        settings_changed(object): new ``Settings`` were saved and applied.
        actions_marked(): a due action was snoozed, dismissed or restored from Today.
    """

    sync_started = Signal()
    sync_finished = Signal(object)
    contact_selected = Signal(int)
    settings_changed = Signal(object)
    actions_marked = Signal()

    def __init__(
        self,
        context: AppContext,
        qsettings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        marks: ActionMarks | None = None,
        first_run_welcome: bool = False,
        connectors: Sequence[MailboxConnector] = (),
    ) -> None:
        """``marks``: where Today's snoozes and dismissals go (the NotificationCenter, set later
        with ``set_action_marks``; by default straight to the store). ``first_run_welcome``:
        show the welcome on a profile that has not seen it (the real app only, never tests or
        the demo). ``connectors``: the mailbox sign-ins the welcome offers."""
        super().__init__(parent)
        self.ctx = context
        self.marks: ActionMarks = marks or StoreMarks(
            context.store, context.clock, policy_for(context.settings)
        )
        self.first_run_welcome = first_run_welcome
        self.connectors = tuple(connectors)
        #: The last snooze or dismissal from Today, which Ctrl+Z (or the banner) undoes.
        self.undoable_mark: DueAction | None = None
        self.qsettings = qsettings or QSettings(
            str(context.paths.profile / WINDOW_STATE_FILE), QSettings.Format.IniFormat
        )
        self.current_id: int | None = None
        self.sync_running = False
        self._sync_again = False
        self.account_states: dict[int, tuple[SyncState, str]] = {}
        self._closed = False
        self._feeding = 0
        self._shown_once = False
        self._sidebar_width = 0
        self._panel_width = 0
        try:
            self.zone = ZoneInfo(context.settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")

        self.setWindowTitle(self.tr("Coffeechat") + (self.tr(" — demo") if context.demo else ""))
        self.bridge = FutureBridge(self)
        self.bridge.finished.connect(self.on_round_finished)
        self.sync_timer = QTimer(self)
        self.sync_timer.timeout.connect(self.on_sync_timer)
        self.wake = WakeWatcher(self)
        self.wake.woke.connect(self.on_woke)
        self.push = PushWatchers(context.tasks, self)
        self.push.mail_arrived.connect(self.on_mail_arrived)

        self.model = ContactsModel(self)
        self.proxy = ContactFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.due_model = DueModel(self)
        self.due_model.set_when_formatter(self.due_when_text)

        self._build_actions()
        self._build_ui()
        self._build_menus()
        from ui.workspace_hooks import WorkspaceHooks, install

        self.workspace: WorkspaceHooks = install(self)  # objectives, network, analytics, …
        self._build_status()
        self.reload_all()
        self.restore_state()
        self._name_internal_controls()

    # ============================================================ building
    def _build_actions(self) -> None:
        style = self.style()

        def action(
            text: str, slot: Any, keys: Any = None, icon: QIcon | None = None, tip: str = ""
        ) -> QAction:
            act = QAction(text, self)
            if icon is not None:
                act.setIcon(icon)
            if keys is not None:
                seqs = keys if isinstance(keys, list) else [keys]
                act.setShortcuts([QKeySequence(k) for k in seqs])
            act.setToolTip(tip or text.replace("&", "").replace("…", ""))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action(
            self.tr("&New contact…"),
            self.new_contact,
            QKeySequence.StandardKey.New,
            QIcon.fromTheme("contact-new", style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)),
            self.tr("Add someone to talk to (Ctrl+N)"),
        )
        self.edit_action = action(self.tr("&Edit contact…"), self.edit_current, "Ctrl+E")
        self.write_action = action(
            self.tr("&Write request…"),
            self.write_current,
            ["Ctrl+Shift+N", "Ctrl+R"],
            QIcon.fromTheme(
                "mail-message-new",
                style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
            ),
            self.tr("Write to the selected contact, with proposed times (Ctrl+R)"),
        )
        self.meeting_action = action(self.tr("Set &meeting…"), self.set_meeting_current, "Ctrl+M")
        self.undo_action = action(
            self.tr("&Undo last stage change"), self.undo_current, QKeySequence.StandardKey.Undo
        )
        self.snooze_actions: list[QAction] = []
        for choice in Snooze:
            act = QAction(self.tr(choice.label), self)
            act.setData(choice.value)
            self.snooze_actions.append(act)
        self.sync_action = action(
            self.tr("&Sync now"),
            self.sync_now,
            "F5",
            QIcon.fromTheme(
                "view-refresh", style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
            ),
            self.tr("Check the mailbox now (F5)"),
        )
        self.find_action = action(
            self.tr("&Filter contacts"), self.focus_filter, QKeySequence.StandardKey.Find
        )
        self.settings_action = action(
            self.tr("&Settings…"),
            self.show_settings,
            ["Ctrl+,", QKeySequence.StandardKey.Preferences],
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.templates_action = action(self.tr("&Templates…"), self.show_templates)
        self.connect_gmail_action = action(self.tr("Connect &Gmail…"), self.connect_gmail)
        self.connect_gmail_action.setEnabled(any(c.kind == "gmail" for c in self.connectors))
        self.connect_mailbox_action = action(
            self.tr("Connect another &mailbox…"),
            self.connect_mailbox,
            tip=self.tr("Any mailbox with IMAP and SMTP (Fastmail, iCloud, Yahoo, Proton…)"),
        )
        self.connect_mailbox_action.setEnabled(any(c.kind == "imap" for c in self.connectors))
        self.connect_outlook_action = action(self.tr("Connect &Outlook…"), self.connect_outlook)
        self.connect_outlook_action.setEnabled(any(c.kind == "outlook" for c in self.connectors))
        self.help_action = action(
            self.tr("&Keyboard shortcuts"), self.show_shortcuts, ["F1", "Ctrl+/"]
        )
        self.about_action = action(self.tr("&About Coffeechat"), self.show_about)
        self.quit_action = action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.view_actions = [
            action(self.tr("&Today"), self.show_today, "Ctrl+1"),
            action(self.tr("&Pipeline"), self.show_pipeline, "Ctrl+2"),
            action(self.tr("&Contacts"), self.show_contacts, "Ctrl+3"),
        ]
        self.move_actions: list[QAction] = []
        for stage in STAGE_ORDER:
            # Scheduled asks for the meeting's time first.
            text = self.tr(stage.label) + ("…" if stage is Stage.SCHEDULED else "")
            act = QAction(text, self)
            act.setData(stage.value)
            act.triggered.connect(self.on_move_action)
            self.move_actions.append(act)

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
        self.toolbar.addAction(self.new_action)
        self.toolbar.addAction(self.write_action)
        self.toolbar.addAction(self.sync_action)
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

        # Sidebar.
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(self.tr("Views"))
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(pad // 3)
        self.sidebar.setIconSize(QSize(fm.height(), fm.height()))
        style = self.style()
        icons = [
            QIcon.fromTheme(
                "appointment-soon", style.standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView)
            ),
            QIcon.fromTheme(
                "view-list-details",
                style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
            ),
            QIcon.fromTheme(
                "x-office-address-book", style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon)
            ),
        ]
        for text, icon in zip(
            (self.tr("Today"), self.tr("Pipeline"), self.tr("Contacts")), icons, strict=True
        ):
            item = QListWidgetItem(icon, text)
            item.setSizeHint(QSize(fm.averageCharWidth() * 18, fm.height() * 2 + pad // 2))
            self.sidebar.addItem(item)
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

        # Today.
        self.today_view = TodayView()
        self.today_view.setObjectName("today")
        self.today_view.setAccessibleName(self.tr("Due today"))
        self.today_view.setModel(self.due_model)
        self.today_view.setItemDelegate(DueDelegate(self.due_when_text, self.today_view))
        self.today_view.setFrameShape(QFrame.Shape.NoFrame)
        self.today_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.today_view.setSpacing(0)
        self.today_view.viewport().setAutoFillBackground(False)
        self.today_view.setAutoFillBackground(False)
        self.today_view.selectionModel().selectionChanged.connect(self.on_today_selection)
        self.today_view.act_requested.connect(self.act_on)
        self.today_view.snooze_requested.connect(self.ask_snooze)
        self.today_view.dismiss_requested.connect(self.dismiss_action)
        self.today_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.today_view.customContextMenuRequested.connect(self.on_today_menu)
        self.today_empty = self._empty_label("")
        self.today_stack = QStackedWidget()
        self.today_stack.addWidget(self.today_empty)
        self.today_stack.addWidget(self.today_view)
        self.today_title = QLabel(self.tr("Today"))
        title_font = self.today_title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.today_title.setFont(title_font)
        today_page = QWidget()
        today_layout = QVBoxLayout(today_page)
        today_layout.setContentsMargins(pad, pad * 2, pad, 0)
        today_layout.addWidget(self.today_title)
        self.today_hint = QLabel(
            self.tr("J / K to move · Enter to act · S to snooze · D to dismiss · Ctrl+Z to undo")
        )
        self.today_hint.setAccessibleName(self.tr("Today's keys"))
        self.today_hint.setEnabled(False)  # drawn muted, from the palette
        self.today_hint.setContentsMargins(pad, 0, 0, pad // 2)
        today_layout.addWidget(self.today_hint)
        today_layout.addWidget(self.today_stack, 1)
        self.today_title.setContentsMargins(pad, 0, 0, 0)

        # Pipeline.
        self.board = PipelineBoard(self.model)
        self.board.setObjectName("board")
        self.board.contact_selected.connect(self.select_contact)
        self.board.stage_change_requested.connect(self.on_card_dropped)
        for column in self.board.column_list:
            column.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            column.view.customContextMenuRequested.connect(self.on_card_menu)
        self.board.delegate.zone = self.zone

        # Contacts.
        self.table = QTableView()
        self.table.setObjectName("contacts-table")
        self.table.setAccessibleName(self.tr("Contacts"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setDragEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.on_table_menu)
        self.table.verticalHeader().hide()
        # Fixed row heights: with 10,000 rows, a resizable vertical header re-measures on every
        # filter keystroke.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(fm.height() + pad + pad // 2)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        char = fm.averageCharWidth()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # (minimum, weight) in average characters: the columns share the table's width, so all
        # of them, Last activity included, fit without a horizontal scroll bar.
        self.column_fitter = ColumnFitter(
            self.table,
            {
                Column.NAME: (15, 20),
                Column.COMPANY: (11, 16),
                Column.ROLE: (11, 18),
                Column.STAGE: (12, 9),
                Column.EMAILS: (13, 20),
                Column.NEXT_ACTION: (13, 17),
                Column.LAST_ACTIVITY: (19, 16),
            },
        )
        self.table.selectionModel().selectionChanged.connect(self.on_table_selection)
        self.table.activated.connect(self.on_table_activated)
        self.contacts_empty = self._empty_label("")
        self.contacts_stack = QStackedWidget()
        self.contacts_stack.addWidget(self.contacts_empty)
        self.contacts_stack.addWidget(self.table)
        self.proxy.rowsInserted.connect(self.update_empty_states)
        self.proxy.rowsRemoved.connect(self.update_empty_states)
        self.proxy.modelReset.connect(self.update_empty_states)
        self.proxy.layoutChanged.connect(self.update_empty_states)

        self.pages = QStackedWidget()
        self.pages.addWidget(today_page)
        self.pages.addWidget(self.board)
        self.pages.addWidget(self.contacts_stack)

        # Contact panel.
        self.panel = ContactPanel()
        self.panel.setObjectName("contact-panel")
        self.panel.zone = self.zone
        self.panel.edit_requested.connect(self.edit_contact)
        self.panel.meeting_requested.connect(self.set_meeting_for)
        self.panel.undo_requested.connect(self.undo_last_change)
        self.panel.notes_edited.connect(self.save_notes)
        self.panel.message_corrected.connect(self.correct_message)
        self.panel.invite_requested.connect(self.send_invitation)
        self.invite_bridge = FutureBridge(self)
        self.invite_bridge.finished.connect(self.on_invitation_sent)
        self.panel.setMinimumWidth(fm.averageCharWidth() * 36)

        self.banner = Banner()
        self.banner.action_clicked.connect(self.undo_mark)
        centre = QWidget()
        self.centre = centre
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.pages, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.panel)
        # A wider or narrower window widens or narrows the middle; the panes keep their widths.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, False)
        self.splitter.splitterMoved.connect(self.on_splitter_moved)
        self._sidebar_width = self.sidebar_min_width
        self._panel_width = char * 58
        # The panel opens when a contact is selected, and closes again when none is.
        self.panel.hide()
        self.setCentralWidget(self.splitter)

    def _empty_label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setMargin(QFontMetrics(self.font()).height() * 2)
        return label

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.sync_action)
        file_menu.addAction(self.connect_gmail_action)
        file_menu.addAction(self.connect_outlook_action)
        file_menu.addAction(self.connect_mailbox_action)
        file_menu.addSeparator()
        file_menu.addAction(self.templates_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.contact_menu = bar.addMenu(self.tr("&Contact"))
        self.contact_menu.addAction(self.write_action)
        self.contact_menu.addAction(self.edit_action)
        self.contact_menu.addAction(self.meeting_action)
        self.move_menu = self.contact_menu.addMenu(self.tr("Move &to"))
        self.move_menu.addActions(self.move_actions)
        self.contact_menu.addSeparator()
        self.contact_menu.addAction(self.undo_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions(self.view_actions)
        view_menu.addSeparator()
        view_menu.addAction(self.find_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)
        self.update_contact_actions()

    def _build_status(self) -> None:
        self.account_labels: dict[int, QLabel] = {}
        self.no_account_label = QLabel(self.tr("No mailbox connected"))
        self.statusBar().addPermanentWidget(self.no_account_label)
        self.statusBar().setSizeGripEnabled(True)
        for account in self.accounts():
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.account_labels[account.id] = label
            self.statusBar().addPermanentWidget(label)
            self.account_states[account.id] = (SyncState.IDLE, "")
        self.no_account_label.setVisible(not self.account_labels)
        self.update_status()

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

    # ============================================================ state
    def accounts(self) -> list[Account]:
        seen: dict[int, Account] = {a.id: a for a in self.ctx.store.accounts.all()}
        for provider in self.ctx.providers:
            seen.setdefault(provider.account.id, provider.account)
        return list(seen.values())

    def restore_state(self) -> None:
        """Restore the window as it was left, or size it for the screen on first run."""
        s = self.qsettings
        geometry = s.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.size_for_screen()
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self._sidebar_width = _int(s.value("window/sidebar_width"), self._sidebar_width)
        self._panel_width = _int(s.value("window/panel_width"), self._panel_width)
        self.column_fitter.restore(
            s.value("contacts/header"), _int(s.value("contacts/auto_fit"), 1) != 0
        )
        view = _int(s.value("window/view"), View.TODAY)
        self.sidebar.setCurrentRow(view if view in (0, 1, 2) else View.TODAY)

    def size_for_screen(self) -> None:
        """First run: about 85% of the screen's free area, centred, but wide enough for the
        whole Pipeline when the screen allows it (a 1400 px screen: nearly all of it)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        # The window frame is not known before the window is shown: leave room for it.
        frame = QFontMetrics(self.font()).height()
        wanted = self._sidebar_width + self.board.comfortable_width() + frame
        width = min(free.width() - frame, max(round(free.width() * FIRST_RUN_SHARE), wanted))
        height = min(free.height() - frame * 2, round(free.height() * FIRST_RUN_SHARE))
        self.resize(width, height)
        self.move(free.center() - QPoint(width // 2, height // 2))

    def save_state(self) -> None:
        s = self.qsettings
        self._remember_pane_widths()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/sidebar_width", self._sidebar_width)
        s.setValue("window/panel_width", self._panel_width)
        s.setValue("contacts/header", self.table.horizontalHeader().saveState())
        s.setValue("contacts/auto_fit", int(self.column_fitter.auto))
        s.setValue("window/view", self.sidebar.currentRow())
        s.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self._apply_pane_widths()
            if self.first_run_welcome and not self.ctx.settings.welcome_done:
                QTimer.singleShot(0, self, self.show_welcome)

    def _remember_pane_widths(self) -> None:
        sizes = self.splitter.sizes()
        if self.isVisible() and sizes[0] > 0:
            self._sidebar_width = sizes[0]
        if self.isVisible() and not self.panel.isHidden() and sizes[2] > 0:
            self._panel_width = sizes[2]

    def _apply_pane_widths(self) -> None:
        """Give the sidebar and (when open) the panel their remembered widths; the middle gets
        the rest, never less than its minimum."""
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if total <= 0:
            return
        centre_min = self.centre.minimumSizeHint().width()
        side = min(self._sidebar_width, max(self.sidebar.minimumWidth(), total // 4))
        panel = 0
        if not self.panel.isHidden():
            panel = min(
                self._panel_width, max(self.panel.minimumWidth(), total - side - centre_min)
            )
        self.splitter.setSizes([side, max(0, total - side - panel), panel])

    def on_splitter_moved(self, pos: int, index: int) -> None:
        self._remember_pane_widths()

    def set_panel_open(self, on: bool) -> None:
        """Show the contact panel (at its remembered width) or hide it, giving its room to the
        middle."""
        if on != self.panel.isHidden():
            return
        if on:
            self.panel.show()
            self._apply_pane_widths()
        else:
            self._remember_pane_widths()
            side, centre, panel = self.splitter.sizes()
            self.panel.hide()
            self.splitter.setSizes([side, centre + panel, 0])  # now, not at the next layout

    def start(self) -> None:
        """Start the periodic sync and run a first round at once; sync again at once when the
        machine wakes or the network comes back."""
        self.sync_timer.start(max(1, round(self.ctx.sync_interval_s * 1000)))
        self.wake.start()
        self.push.start(self.ctx.providers)
        self.sync_now()

    def on_woke(self, why: str) -> None:
        log.info("syncing now (%s)", why)
        self.push.restart()  # connections of before a sleep or a network change are stale
        self.sync_now()

    def on_mail_arrived(self, account_id: int) -> None:
        """The server announced new mail (IMAP IDLE): sync now, or right after this round."""
        log.debug("new mail announced for account %d", account_id)
        if not self.sync_now():
            self._sync_again = True

    def shutdown(self) -> None:
        """Stop the timer and save what must be saved; ctx.tasks is shut down by the caller."""
        self.sync_timer.stop()
        self.wake.stop()
        self.push.stop()
        if not self._closed:
            self.panel.flush_notes()
            self.save_state()
            self._closed = True

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
            with self.feeding():
                self.model.upsert(record)
            if self.current_id == contact_id:
                self.show_panel(record)
        self.refresh_derived()

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
                    self._keep_selection(self.current_id)
            finally:
                self._feeding -= 1

    def _keep_selection(self, contact_id: int) -> None:
        if self.board.selected_id() != contact_id:
            self.board.select(contact_id)
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].data(ID_ROLE) != contact_id:
            self._select_in_table(contact_id)

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
        n = len(actions)
        today = self.sidebar.item(View.TODAY)
        today.setText(self.tr("Today") + (f"  ({n})" if n else ""))
        contacts = self.sidebar.item(View.CONTACTS)
        count = self.model.rowCount()
        contacts.setText(self.tr("Contacts") + (f"  ({count})" if count else ""))
        self.today_title.setText(self.tr("Today — {0} to do").format(n) if n else self.tr("Today"))
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
        _set_text(self.today_empty, add_hint if none_yet else nothing_due)
        self.today_stack.setCurrentIndex(1 if self.due_model.rowCount() else 0)
        self.today_hint.setVisible(self.due_model.rowCount() > 0)
        has_rows = self.proxy.rowCount() > 0
        if none_yet:
            _set_text(self.contacts_empty, add_hint)
        elif not has_rows:
            _set_text(
                self.contacts_empty,
                self.tr(
                    "<p><b>No contacts match “{0}”</b></p><p>Press Esc to clear the filter.</p>"
                ).format(_escape(self.filter_edit.text())),
            )
        self.contacts_stack.setCurrentIndex(1 if has_rows else 0)

    # ============================================================ views
    def on_view_changed(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentIndex(row)
        if row == View.TODAY and self.due_model.rowCount() and not self.filter_edit.hasFocus():
            self.today_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if row == View.PIPELINE:
            self.board.set_needle(self.filter_edit.text())

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
            self.set_panel_open(False)
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
        self.set_panel_open(True)
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
        if not index.isValid():
            return
        self.select_contact(index.data(ID_ROLE))
        self.contact_context_menu().exec(self.table.viewport().mapToGlobal(pos))

    def contact_context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.write_action)
        menu.addAction(self.edit_action)
        menu.addAction(self.meeting_action)
        menu.addMenu(self.move_menu)
        menu.addAction(self.undo_action)
        return menu

    def on_card_menu(self, pos: Any) -> None:
        view = self.sender()
        if not isinstance(view, QListView):
            return
        index = view.indexAt(pos)
        if not index.isValid():
            return
        self.select_contact(index.data(ID_ROLE))
        self.contact_context_menu().exec(view.viewport().mapToGlobal(pos))

    def on_today_menu(self, pos: Any) -> None:
        index = self.today_view.indexAt(pos)
        if not index.isValid():
            return
        self.select_contact(index.data(CONTACT_ID_ROLE))
        menu = QMenu(self)
        due = index.data(ACTION_ROLE)
        if isinstance(due, DueAction) and due.kind in TEMPLATE_FOR_ACTION:
            write = menu.addAction(self.write_text(due.kind))
            write.triggered.connect(self.write_for_today_selection)
            menu.addSeparator()
        else:
            menu.addAction(self.write_action)
        menu.addAction(self.edit_action)
        menu.addAction(self.meeting_action)
        if isinstance(due, DueAction):
            menu.addSeparator()
            snooze = menu.addMenu(self.tr("&Snooze"))
            snooze.addActions(self.snooze_actions)
            dismiss = menu.addAction(self.tr("&Dismiss"))
            dismiss.setData("dismiss")
        chosen = self.exec_menu(menu, self.today_view.viewport().mapToGlobal(pos))
        if isinstance(due, DueAction) and chosen is not None:
            if chosen in self.snooze_actions:
                self.snooze_action(due, Snooze(chosen.data()))
            elif chosen.data() == "dismiss":
                self.dismiss_action(due)

    def exec_menu(self, menu: QMenu, pos: QPoint) -> QAction | None:
        """Run a popup menu; the chosen action (the one place menus are run: tests replace it
        to answer them)."""
        return menu.exec(pos)

    # ============================================================ Today's actions
    def act_on(self, action: DueAction) -> None:
        """Enter on a due action: write the message it calls for, or open the contact."""
        self.select_contact(action.contact_id)
        if action.kind in TEMPLATE_FOR_ACTION:
            self.write_to(action.contact_id, action.kind)
        else:
            record = self.model.record(action.contact_id)
            name = record.contact.name if record is not None else ""
            self.statusBar().showMessage(
                self.tr("{0}: {1}. Ctrl+R writes to them.").format(name, self.tr(action.detail)),
                BANNER_MS,
            )

    def ask_snooze(self, action: DueAction) -> None:
        """s on a due action: how long for (1 day, 3 days, next week)."""
        menu = QMenu(self)
        menu.setAccessibleName(self.tr("Snooze for"))
        menu.addSection(self.tr("Snooze for"))
        menu.addActions(self.snooze_actions)
        row = self.due_model.row_of(action)
        rect = self.today_view.visualRect(self.due_model.index(row)) if row is not None else None
        where = rect.bottomLeft() if rect is not None else QPoint(0, 0)
        chosen = self.exec_menu(menu, self.today_view.viewport().mapToGlobal(where))
        if chosen is not None and chosen in self.snooze_actions:
            self.snooze_action(action, Snooze(chosen.data()))

    def snooze_action(self, action: DueAction, choice: Snooze) -> None:
        until = self.marks.snooze(action, choice)
        local = until.astimezone(self.zone)
        self._after_mark(
            action,
            self.tr("Snoozed until {0}: {1} — {2}.").format(
                f"{local:%a %d %b %H:%M}", self.tr(action.title), self._name_of(action)
            ),
        )

    def dismiss_action(self, action: DueAction) -> None:
        self.marks.dismiss(action)
        self._after_mark(
            action,
            self.tr("Dismissed: {0} — {1}.").format(self.tr(action.title), self._name_of(action)),
        )

    def _name_of(self, action: DueAction) -> str:
        record = self.model.record(action.contact_id)
        return record.contact.name if record is not None else ""

    def _after_mark(self, action: DueAction, text: str) -> None:
        """The action left Today: select the one that took its place, offer Undo."""
        row = self.due_model.row_of(action)
        had_focus = self.today_view.hasFocus()
        self.undoable_mark = action
        self.refresh_derived()
        if row is not None and self.due_model.rowCount():
            near = self.due_model.action_row_near(min(row, self.due_model.rowCount() - 1), +1)
            if near is None:
                near = self.due_model.action_row_near(self.due_model.rowCount() - 1, -1)
            if near is not None:
                self.today_view.select_row(near)
        if had_focus and self.due_model.rowCount():
            self.today_view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.update_contact_actions()
        self.banner.show_text(
            text + " " + self.tr("Ctrl+Z brings it back."), action=self.tr("Undo")
        )
        self.actions_marked.emit()

    def undo_mark(self) -> bool:
        """Bring back the last snoozed or dismissed action; True if there was one."""
        action, self.undoable_mark = self.undoable_mark, None
        if action is None:
            return False
        self.marks.restore(action)
        self.refresh_derived()
        row = self.due_model.row_of(action)
        if row is not None:
            self.today_view.select_row(row)
        self.banner.hide()
        self.update_contact_actions()
        self.statusBar().showMessage(
            self.tr("Back in Today: {0} — {1}.").format(
                self.tr(action.title), self._name_of(action)
            ),
            BANNER_MS,
        )
        self.actions_marked.emit()
        return True

    def set_action_marks(self, marks: ActionMarks) -> None:
        """Route Today's snoozes and dismissals through ``marks`` (the NotificationCenter)."""
        self.marks = marks
        self.refresh_derived()

    # ============================================================ settings
    def account_lines(self) -> list[tuple[str, str, str]]:
        """(account, status, key) for each connected account, as the status bar says them; the
        key names the account's mailbox-flags switch (none for the demo mailbox)."""
        lines = []
        for account in self.accounts():
            state, message = self.account_states.get(account.id, (SyncState.IDLE, ""))
            name = account.display_name or account.address
            title = f"{name} <{account.address}>" if account.display_name else name
            status = self.account_status_text(account, state, message)
            key = "" if account.kind is AccountKind.DEMO else account_key(account)
            lines.append((title, status.split(": ", 1)[-1], key))
        return lines

    def show_settings(self) -> bool:
        """File → Settings…; True if the user saved."""
        dialog = SettingsDialog(
            self.ctx.settings,
            self.account_lines(),
            autostart.is_enabled(),
            self,
            open_templates=self.show_templates,
        )
        if not self.exec_dialog(dialog) or dialog.saved is None:
            return False
        self.save_settings(dialog.saved)
        self.set_start_at_login(dialog.start_at_login())
        return True

    def show_templates(self) -> None:
        """File → Templates… (and Settings → Messages): edit the message templates."""
        from ui.templates_dialog import TemplatesDialog  # Jinja2 loads on first use

        # Over Settings when opened from there, so it is not hidden behind it.
        dialog = TemplatesDialog(self.ctx, QApplication.activeModalWidget() or self)
        try:
            self.exec_dialog(dialog)
        finally:
            dialog.deleteLater()

    def save_settings(self, new: Settings) -> None:
        """Write settings.json (atomically) and apply the new settings at once."""
        try:
            settings_file.save(self.ctx.paths.settings, new)
        except OSError as exc:
            log.error("settings could not be saved: %s", exc)
            self.banner.show_text(
                self.tr("Settings could not be saved ({0}); they apply until you quit.").format(exc)
            )
        self.apply_settings(new)

    def apply_settings(self, new: Settings) -> None:
        self.ctx.settings = new
        try:
            self.zone = ZoneInfo(new.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")
        self.panel.zone = self.zone
        self.board.delegate.zone = self.zone
        if isinstance(self.marks, StoreMarks):
            self.marks.reminders.policy = policy_for(new)
        if not self.ctx.demo:  # the demo's fast clock keeps its own pace
            self.ctx.sync_interval_s = float(new.sync_interval_s)
            if self.sync_timer.isActive():
                self.sync_timer.setInterval(max(1, round(self.ctx.sync_interval_s * 1000)))
        self.refresh_derived()
        if self.current_id is not None:
            record = self.model.record(self.current_id)
            if record is not None:
                self.show_panel(record)
        for column in self.board.column_list:
            column.view.viewport().update()
        self.settings_changed.emit(new)

    def set_start_at_login(self, on: bool) -> None:
        if on == autostart.is_enabled():
            return
        try:
            if on:
                autostart.enable()
            else:
                autostart.disable()
        except OSError as exc:
            log.warning("start at login could not be changed: %s", exc)
            self.banner.show_text(self.tr("Start at login could not be changed: {0}").format(exc))

    def show_welcome(self) -> None:
        """The first-run welcome; asked once, whatever the answer."""
        dialog = WelcomeDialog(self.ctx.settings, self.connectors, system_zone(), self)
        dialog.demo_requested.connect(self.on_demo_requested)
        accepted = self.exec_dialog(dialog)
        if accepted and dialog.saved is not None:
            self.save_settings(dialog.saved)
        else:
            self.save_settings(replace(self.ctx.settings, welcome_done=True))

    def connect_gmail(self) -> bool:
        """File → Connect Gmail…: the same sign-in the welcome offers."""
        return self._connect("gmail", self.tr("Gmail sign-in is not available in this window."))

    def connect_outlook(self) -> bool:
        """File → Connect Outlook…: the same sign-in the welcome offers."""
        return self._connect("outlook", self.tr("Outlook sign-in is not available in this window."))

    def connect_mailbox(self) -> bool:
        """File → Connect another mailbox…: any IMAP/SMTP account, as the welcome offers."""
        return self._connect("imap", self.tr("IMAP accounts are not available in this window."))

    def _connect(self, kind: str, unavailable: str) -> bool:
        connector = next((c for c in self.connectors if c.kind == kind), None)
        if connector is None:
            self.banner.show_text(unavailable)
            return False
        return connector.connect(self)

    def on_account_added(self, account_id: int) -> None:
        """A mailbox was connected: build its provider, show its status, sync at once."""
        from desktop import providers

        self.ctx.providers = providers.build(self.ctx.store, self.ctx.paths, self.ctx.clock)
        for label in (*self.account_labels.values(), self.no_account_label):
            self.statusBar().removeWidget(label)
            label.deleteLater()
        self._build_status()
        if self.sync_timer.isActive():  # started: watch the new account's Inbox too
            self.push.start(self.ctx.providers)
        self.banner.show_text(self.tr("Mailbox connected: syncing it now."))
        self.sync_now()

    def on_demo_requested(self) -> None:
        if not launch_demo():
            self.banner.show_text(self.tr("The demo could not be started: see the log."))

    # ============================================================ user actions
    def on_card_dropped(self, contact_id: int, stage: Stage) -> None:
        if stage is Stage.SCHEDULED:
            # The meeting dialog opens after the drop has finished: a modal dialog inside a
            # drop event would nest its event loop in the drag's.
            QTimer.singleShot(0, self, lambda: self.move_contact(contact_id, stage))
        else:
            self.move_contact(contact_id, stage)

    def move_contact(self, contact_id: int, stage: Stage) -> bool:
        """The user moved a contact to a stage (a drop on the board, a menu choice).

        Scheduled needs a time: it asks for the meeting (cancelling leaves the contact where it
        was). True if the contact moved."""
        record = self.model.record(contact_id)
        if record is None or record.state.stage is stage:
            return False
        if stage is Stage.SCHEDULED:
            return self.set_meeting_for(contact_id)
        step = override_stage(self.ctx.store, contact_id, stage, self.now())
        self.undoable_mark = None  # Ctrl+Z now undoes this move
        self.refresh_contact(contact_id)
        if step is not None and step.transition is not None:
            self.statusBar().showMessage(
                self.tr("Moved {0} to {1}. Undo with Ctrl+Z.").format(
                    record.contact.name, self.tr(stage.label)
                ),
                BANNER_MS,
            )
        return True

    def on_move_action(self) -> None:
        act = self.sender()
        if isinstance(act, QAction) and self.current_id is not None:
            self.move_contact(self.current_id, Stage(act.data()))

    def undo_last_change(self, contact_id: int) -> None:
        entry = self.ctx.store.pipeline.undo_last(contact_id)
        if entry is None:
            self.statusBar().showMessage(self.tr("Nothing to undo."), BANNER_MS)
            return
        self.refresh_contact(contact_id)
        if entry.from_stage is not None:
            self.statusBar().showMessage(
                self.tr("Undone: back to {0}.").format(self.tr(entry.from_stage.label)), BANNER_MS
            )

    def correct_message(self, contact_id: int, message: StoredMessage, kind: str) -> None:
        """The user said what a message really is: re-run the pipeline, remember the sender."""
        transition = correct_classification(self.ctx.store, contact_id, message, kind, self.now())
        self.refresh_contact(contact_id)
        text = self.tr("Noted: mail from {0} will be read that way from now on.").format(
            message.sender
        )
        if transition is not None:
            text += " " + self.tr("Moved to {0}.").format(self.tr(transition.to_stage.label))
        self.statusBar().showMessage(text, BANNER_MS)

    def send_invitation(self, contact_id: int) -> bool:
        """One click: invite a scheduled contact through the account's calendar, off the GUI
        thread (on the sync worker, which has its own database connection)."""
        record = self.model.record(contact_id)
        state = record.state if record is not None else None
        if state is None or state.meeting_start is None or state.meeting_end is None:
            return False
        if not self.ctx.providers:
            self.banner.show_text(self.tr("Connect a mailbox to send invitations."))
            return False
        self.panel.invite_button.setEnabled(False)
        slot = Slot(state.meeting_start, state.meeting_end)
        prefs = self.ctx.settings
        future = self.ctx.tasks.submit_sync(
            invite_job,
            self.ctx.paths.profile,
            self.ctx.providers[0],
            contact_id,
            slot,
            self.now(),
            prefs.user_name,
            phone=prefs.phone,
            user_tz=prefs.timezone,
            lang=prefs.message_language,
        )
        future.add_done_callback(self.invite_bridge.deliver)
        return True

    def on_invitation_sent(self, future: Future[AcceptedSlot]) -> None:
        self.panel.invite_button.setEnabled(True)
        if future.cancelled() or self._closed:
            return
        error = future.exception()
        if error is not None:
            log.error("sending the invitation failed", exc_info=error)
            self.banner.show_text(self.tr("The invitation could not be sent: {0}").format(error))
            return
        sent = future.result()
        name = sent.invite.attendees[0] if sent.invite.attendees else ""
        if sent.error:
            self.banner.show_text(
                self.tr(
                    "The meeting is set, but the invitation could not be sent ({0}). Try "
                    "again later."
                ).format(sent.error)
            )
        elif sent.emailed is not None:
            self.banner.show_text(
                self.tr(
                    "Invitation e-mailed to {0} with a calendar file (the account has no "
                    "calendar Coffeechat can use)."
                ).format(name)
            )
        else:
            self.banner.show_text(self.tr("Invitation sent to {0}.").format(name))

    def undo_current(self) -> None:
        """Ctrl+Z: the last snooze or dismissal from Today, else the contact's stage change."""
        if self.undoable_mark is not None:
            self.undo_mark()
        elif self.current_id is not None:
            self.undo_last_change(self.current_id)

    def save_notes(self, contact_id: int, text: str) -> None:
        self.ctx.store.contacts.set_notes(contact_id, text)
        try:
            record = self.ctx.store.contacts.get(contact_id)
        except KeyError:
            return
        with self.feeding():
            self.model.upsert(record)

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally; True if accepted (the one place dialogs are run: tests replace
        it to answer them)."""
        return bool(dialog.exec())

    def new_contact(self) -> None:
        dialog = ContactDialog(self.model.records(), self.ctx.store.contacts.add, None, self)
        if self.exec_dialog(dialog) and dialog.saved is not None and dialog.saved.id is not None:
            self.refresh_contact(dialog.saved.id)
            self.select_contact(dialog.saved.id)

    def edit_contact(self, contact_id: int) -> None:
        record = self.model.record(contact_id)
        if record is None:
            return
        dialog = ContactDialog(self.model.records(), self._update_contact, record.contact, self)
        if self.exec_dialog(dialog):
            self.refresh_contact(contact_id)

    def _update_contact(self, contact: Contact) -> Contact:
        self.ctx.store.contacts.update(contact)
        return contact

    def write_text(self, kind: ActionKind) -> str:
        return {
            ActionKind.FOLLOW_UP: self.tr("Write the &follow-up…"),
            ActionKind.CLOSE_THE_LOOP: self.tr("Write the &close-the-loop message…"),
            ActionKind.THANK_YOU_MISSING: self.tr("Write the &thank-you…"),
            ActionKind.CHECK_IN: self.tr("Write a &check-in…"),
            ActionKind.UPDATE_REFERRER: self.tr("Write to the &referrer…"),
        }.get(kind, self.tr("&Write request…"))

    def today_action(self) -> DueAction | None:
        """The due action selected in Today, when Today is shown and it concerns the current
        contact."""
        if self.sidebar.currentRow() != View.TODAY:
            return None
        for index in self.today_view.selectionModel().selectedIndexes():
            due = index.data(ACTION_ROLE)
            if isinstance(due, DueAction) and due.contact_id == self.current_id:
                return due
        return None

    def write_current(self) -> None:
        """Write to the selected contact; from Today, the message its due action calls for."""
        if self.current_id is None:
            return
        due = self.today_action()
        self.write_to(self.current_id, due.kind if due is not None else None)

    def write_for_today_selection(self) -> None:
        self.write_current()

    def write_to(self, contact_id: int, action: ActionKind | None = None) -> bool:
        """Open the composer for a contact; True if a draft was saved or the message sent."""
        if self.model.record(contact_id) is None:
            return False
        from ui.composer import ComposerDialog  # Jinja2 and the templates load on first use

        dialog = ComposerDialog(
            self.ctx, self.model.records(), contact_id, action=action, parent=self
        )
        dialog.message_sent.connect(self.on_message_sent)
        dialog.draft_saved.connect(self.on_draft_saved)
        try:
            return self.exec_dialog(dialog)
        finally:
            dialog.release()

    def on_message_sent(self, contact_id: int) -> None:
        """The pipeline learns of the message from Sent mail: sync now to see it there."""
        record = self.model.record(contact_id)
        name = record.contact.name if record is not None else ""
        self.statusBar().showMessage(self.tr("Message to {0} sent.").format(name), BANNER_MS)
        if not self.sync_now():
            self._sync_again = True

    def on_draft_saved(self, contact_id: int) -> None:
        record = self.model.record(contact_id)
        name = record.contact.name if record is not None else ""
        self.statusBar().showMessage(
            self.tr("Draft to {0} saved in your mailbox: send it from there when ready.").format(
                name
            ),
            BANNER_MS,
        )

    def edit_current(self) -> None:
        if self.current_id is not None:
            self.edit_contact(self.current_id)

    def set_meeting_for(self, contact_id: int) -> bool:
        """Ask for a meeting's time and set it; True if the user set one."""
        record = self.model.record(contact_id)
        if record is None:
            return False
        proposal = record.state.meeting_start or self._next_morning()
        dialog = MeetingDialog(record.contact.name, self.zone, proposal, self)
        if not self.exec_dialog(dialog):
            return False
        start, end = dialog.interval()
        self.apply_meeting(contact_id, start, end)
        return True

    def apply_meeting(self, contact_id: int, start: datetime, end: datetime) -> None:
        set_meeting(self.ctx.store, contact_id, start, end, self.now(), self.zone)
        self.undoable_mark = None
        self.refresh_contact(contact_id)

    def _next_morning(self) -> datetime:
        local = self.now().astimezone(self.zone) + timedelta(days=1)
        while local.weekday() >= 5:
            local += timedelta(days=1)
        return local.replace(hour=10, minute=0, second=0, microsecond=0)

    def set_meeting_current(self) -> None:
        if self.current_id is not None:
            self.set_meeting_for(self.current_id)

    def show_shortcuts(self) -> None:
        self.exec_dialog(ShortcutsDialog(self))

    def show_about(self) -> None:
        self.exec_dialog(
            AboutDialog(desktop.__version__, self.ctx.paths.profile, self.ctx.paths.logs, self)
        )

    # ============================================================ sync
    def on_sync_timer(self) -> None:
        self.sync_now()

    def sync_now(self) -> bool:
        """Submit a sync round unless one is running; True if one was submitted."""
        if self.sync_running or self._closed:
            return False
        self.sync_running = True
        self.sync_action.setEnabled(False)
        for account_id in self.account_labels:
            self.account_states[account_id] = (SyncState.SYNCING, "")
        self.update_status()
        self.sync_started.emit()
        try:
            future = self.ctx.tasks.submit_sync(
                sync_round,
                self.ctx.paths.profile,
                self.ctx.providers,
                self.ctx.clock,
                self.ctx.settings.reminders(),
                frozenset(self.ctx.settings.mailbox_flags_off),
            )
        except RuntimeError:  # the pool is shut down: the app is closing
            self.sync_running = False
            return False
        future.add_done_callback(self.bridge.deliver)
        return True

    def on_round_finished(self, future: Future[SyncRound]) -> None:
        """On the GUI thread: apply one round's outcome to models, status and notices."""
        self.sync_running = False
        self.sync_action.setEnabled(True)
        if self._closed or future.cancelled():
            return
        if self._sync_again:  # something was sent during this round: look again at once
            self._sync_again = False
            QTimer.singleShot(0, self, self.sync_now)
        error = future.exception()
        if error is not None:
            log.error("sync round failed", exc_info=error)
            text = f"{type(error).__name__}: {error}"
            for account_id in self.account_labels:
                self.account_states[account_id] = (SyncState.ERROR, text)
            self.update_status()
            self.banner.show_text(self.tr("Sync failed: {0}").format(text))
            self.sync_finished.emit(None)
            return
        result = future.result()
        changed: set[int] = {c.contact_id for c in result.time_changes}
        notices: list[str] = []
        retry: float | None = None
        for outcome in result.outcomes:
            self.account_states[outcome.account_id] = (outcome.state, outcome.message)
            if outcome.state is SyncState.THROTTLED and outcome.retry_after:
                retry = max(retry or 0.0, outcome.retry_after)
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
        self.update_status()
        if notices:
            more = len(notices) - 1
            text = notices[0] + (self.tr("  (and {0} more)").format(more) if more else "")
            self.banner.show_text(text)
            self.statusBar().showMessage(notices[0], BANNER_MS)
        if retry is not None and self.sync_timer.isActive():
            interval = max(self.sync_timer.interval(), round(retry * 1000))
            self.sync_timer.start(interval)
        elif self.sync_timer.isActive():
            self.sync_timer.setInterval(max(1, round(self.ctx.sync_interval_s * 1000)))
        self.sync_finished.emit(result)

    def account_status_text(self, account: Account, state: SyncState, message: str) -> str:
        name = account.display_name or account.address
        if state is SyncState.SYNCING:
            return self.tr("{0}: syncing…").format(name)
        if state is SyncState.OFFLINE:
            return self.tr("{0}: offline").format(name)
        if state is SyncState.THROTTLED:
            return self.tr("{0}: throttled").format(name)
        if state is SyncState.NEEDS_SIGN_IN:
            return self.tr("{0}: needs sign-in").format(name)
        if state is SyncState.ERROR:
            return self.tr("{0}: error").format(name)
        last = self.ctx.store.accounts.last_sync_at(account.id)
        if last is None:
            return self.tr("{0}: idle · not synced yet").format(name)
        local = last.astimezone(self.zone)
        return self.tr("{0}: idle · last synced {1}").format(name, f"{local:%H:%M}")

    def account_status_tip(self, state: SyncState, message: str) -> str:
        """What happened and what to do next, for the label's tooltip."""
        if state is SyncState.OFFLINE:
            step = self.tr("Coffeechat will try again at the next sync.")
        elif state is SyncState.THROTTLED:
            step = self.tr("The mail service asked to slow down; the next sync waits longer.")
        elif state is SyncState.NEEDS_SIGN_IN:
            step = self.tr("Reconnect the account in Settings to resume syncing.")
        elif state is SyncState.ERROR:
            step = self.tr("Details are in the log: {0}").format(self.ctx.paths.log_file)
        else:
            return message
        return f"{message}\n{step}" if message else step

    def _badge_style(self, state: SyncState) -> str:
        """A problem state is drawn as a tinted badge, from the palette (light and dark)."""
        if state in (SyncState.IDLE, SyncState.SYNCING):
            return ""
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.WindowText)
        alarm = state in (SyncState.NEEDS_SIGN_IN, SyncState.ERROR)
        tint = QColor(200, 60, 40) if alarm else QColor(200, 140, 20)
        fill = mix(window, tint, 0.22)
        pad = QFontMetrics(self.font()).height() // 3
        return (
            f"QLabel {{ background: {fill.name()}; color: {text.name()}; "
            f"border: 1px solid {mix(window, tint, 0.55).name()}; "
            f"border-radius: {pad + 2}px; padding: 0 {pad * 2}px; }}"
        )

    def update_status(self) -> None:
        accounts = {a.id: a for a in self.accounts()}
        for account_id, label in self.account_labels.items():
            account = accounts.get(account_id)
            if account is None:
                continue
            state, message = self.account_states.get(account_id, (SyncState.IDLE, ""))
            label.setText(self.account_status_text(account, state, message))
            label.setStyleSheet(self._badge_style(state))
            tip = self.account_status_tip(state, message)
            label.setToolTip(tip)
            label.setAccessibleName(label.text())
            label.setAccessibleDescription(tip)

    def due_when_text(self, action: Any) -> str:
        return when_text(action.due_at, self.zone, self.now())


def _int(value: object, default: int) -> int:
    """A number read back from QSettings (INI files give strings)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
