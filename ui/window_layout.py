"""The window's widgets and where they sit: the toolbar with the filter, the sidebar of views,
the pages (Today, Pipeline, Contacts), the banner, the contact panel, and the menus.

Only look: the window connects the widgets' signals to its collaborators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QAction, QFontMetrics, QIcon
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QLineEdit,
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

from ui.banner import Banner
from ui.board import PipelineBoard
from ui.contact_panel import ContactPanel
from ui.dialogs import name_helper_controls
from ui.icons import view_icon
from ui.models.contacts import ContactFilterProxy, ContactsModel
from ui.models.due import CONTACT_ID_ROLE, DueModel
from ui.pages import ContactsPage, TodayPage
from ui.window_actions import WindowActions

SP = QStyle.StandardPixmap


class View:
    """The built-in views' rows in the sidebar (and pages in the stack)."""

    TODAY = 0
    PIPELINE = 1
    CONTACTS = 2


VIEW_KEYS = ["today", "pipeline", "contacts"]


class WindowLayout:
    """Builds the window's widgets and lays them out on ``window``: toolbar, central splitter
    (sidebar | banner over the pages | contact panel, hidden until a contact is selected) and
    menu bar. Keeps the widgets, the named menus and the panes' first widths."""

    def __init__(
        self,
        window: QMainWindow,
        actions: WindowActions,
        model: ContactsModel,
        proxy: ContactFilterProxy,
        due_model: DueModel,
        when_text: Callable[[Any], str],
    ) -> None:
        self.window = window
        tr = window.tr
        fm = QFontMetrics(window.font())
        pad = fm.height() // 2
        # Toolbar: the two most frequent actions and the filter.
        self.toolbar = QToolBar(tr("Main toolbar"))
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setAccessibleName(tr("Main toolbar"))
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(fm.height(), fm.height()))
        for act in (actions.new_action, actions.write_action, actions.sync_action):
            self.toolbar.addAction(act)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred
        )
        self.toolbar.addWidget(spacer)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filter")
        self.filter_edit.setAccessibleName(tr("Filter contacts"))
        self.filter_edit.setPlaceholderText(tr("Filter by name, company, role, email (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(fm.averageCharWidth() * 42)
        self.toolbar.addWidget(self.filter_edit)
        window.addToolBar(self.toolbar)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(tr("Views"))
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(pad // 3)
        self.sidebar.setIconSize(QSize(fm.height(), fm.height()))
        icons = [view_icon(key) or QIcon() for key in VIEW_KEYS]
        for text, icon in zip((tr("Today"), tr("Pipeline"), tr("Contacts")), icons, strict=True):
            self.add_sidebar_item(text, icon)
        # Wide enough for the longest label with a four-digit count beside it.
        widest = max(
            fm.horizontalAdvance(self.sidebar.item(n).text() + "  (9999)")
            for n in range(self.sidebar.count())
        )
        self.sidebar_width = widest + fm.height() + pad * 5
        self.sidebar.setMinimumWidth(self.sidebar_width)
        self.sidebar.setMaximumWidth(fm.averageCharWidth() * 30)
        self.sidebar.setBackgroundRole(self.sidebar.backgroundRole().Window)
        self.sidebar.viewport().setBackgroundRole(self.sidebar.backgroundRole().Window)

        self.today_page = TodayPage(due_model, when_text)
        # The keys hint wraps: one line of it must not keep the window wider than 800 pixels.
        self.today_page.hint.setWordWrap(True)
        self.board = PipelineBoard(model)
        self.board.setObjectName("board")
        for column in self.board.column_list:
            column.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.contacts_page = ContactsPage(proxy)
        # Empty states do what they suggest: add a contact, connect a mailbox.
        for empty in (self.today_page.empty_state, self.contacts_page.empty_state):
            empty.add_action(actions.new_action, tr("&Add a contact…"))
            empty.add_action(actions.connect_gmail_action, tr("Connect &Gmail…"))
            empty.add_action(actions.connect_mailbox_action, tr("Connect another &mailbox…"))
        self.pages = QStackedWidget()
        for page in (self.today_page, self.board, self.contacts_page):
            self.pages.addWidget(page)

        self.panel = ContactPanel()
        self.panel.setObjectName("contact-panel")
        self.panel.setMinimumWidth(fm.averageCharWidth() * 36)
        self.panel_width = fm.averageCharWidth() * 58

        self.banner = Banner()
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
        # The panel opens when a contact is selected, and closes again when none is.
        self.panel.hide()
        window.setCentralWidget(self.splitter)
        self._build_menus(actions)
        # A clearly visible focus ring on the views J/K, arrows and Enter work in: a line of
        # the highlight colour, kept transparent (not absent) without focus so nothing moves.
        ring = max(2, pad // 3)
        for view in (
            self.today_page.view, self.contacts_page.table, self.sidebar,
            *(c.view for c in self.board.column_list),
        ):  # fmt: skip
            view.setStyleSheet(
                f"{type(view).__name__} {{ border: {ring}px solid transparent; }}"
                f"{type(view).__name__}:focus {{ border: {ring}px solid palette(highlight); }}"
            )

    def _build_menus(self, actions: WindowActions) -> None:
        tr = self.window.tr
        bar = self.window.menuBar()
        file_menu = bar.addMenu(tr("&File"))
        for act in (actions.new_action, actions.sync_action, actions.connect_gmail_action):
            file_menu.addAction(act)
        file_menu.addAction(actions.connect_outlook_action)
        file_menu.addAction(actions.connect_mailbox_action)
        file_menu.addSeparator()
        file_menu.addAction(actions.templates_action)
        file_menu.addAction(actions.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(actions.quit_action)
        self.contact_menu = bar.addMenu(tr("&Contact"))
        for act in (actions.write_action, actions.edit_action, actions.meeting_action):
            self.contact_menu.addAction(act)
        self.move_menu = self.contact_menu.addMenu(tr("Move &to"))
        self.move_menu.addActions(actions.move_actions)
        self.contact_menu.addSeparator()
        self.contact_menu.addAction(actions.targets_action)
        self.contact_menu.addAction(actions.delete_action)
        self.contact_menu.addAction(actions.undo_import_action)
        contact_end = self.contact_menu.addSeparator()
        edit_menu = bar.addMenu(tr("&Edit"))
        edit_menu.addAction(actions.undo_action)
        edit_menu.addSeparator()
        edit_menu.addActions(actions.edit_actions)
        edit_menu.addSeparator()
        edit_menu.addAction(actions.find_action)
        bar.insertMenu(self.contact_menu.menuAction(), edit_menu)
        view_menu = bar.addMenu(tr("&View"))
        view_menu.addActions(actions.view_actions)
        views_end = view_menu.addSeparator()
        view_menu.addAction(actions.panel_action)
        help_menu = bar.addMenu(tr("&Help"))
        help_menu.addAction(actions.help_action)
        help_menu.addAction(actions.about_action)
        #: Named menus, each with the place where added actions go.
        self.menus: dict[str, tuple[QMenu, QAction]] = {
            "file": (file_menu, actions.settings_action),
            "edit": (edit_menu, actions.find_action),
            "contact": (self.contact_menu, contact_end),
            "view": (view_menu, views_end),
            "help": (help_menu, actions.about_action),
        }

    def focus_view(self) -> None:
        """Give the keyboard to the view shown: Today's list, the board's selected card's
        column (else the first), the contacts table, or an added view."""
        page = self.pages.currentWidget()
        target: QWidget | None = page
        if page is self.today_page:
            target = self.today_page.view
        elif page is self.board:
            views = [c.view for c in self.board.column_list]
            target = next((v for v in views if v.selectionModel().hasSelection()), views[0])
        elif page is self.contacts_page:
            target = self.contacts_page.table
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_in_today(self, contact_id: int | None) -> None:
        """Highlight in Today the first action of the contact shown in the panel, or nothing
        when they have none there (quietly: the panel already shows them)."""
        view = self.today_page.view
        model = view.model()
        selection = view.selectionModel()
        chosen = selection.selectedIndexes()
        if contact_id is not None and [i.data(CONTACT_ID_ROLE) for i in chosen] == [contact_id]:
            return  # one of their actions is highlighted already: the user's choice stays
        rows = range(model.rowCount()) if contact_id is not None else range(0)
        row = next((r for r in rows if model.index(r, 0).data(CONTACT_ID_ROLE) == contact_id), -1)
        blocker = selection.blockSignals(True)
        if row >= 0:
            index = model.index(row, 0)
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
            view.scrollTo(index)
        else:
            selection.clearSelection()
            selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.NoUpdate)
        selection.blockSignals(blocker)
        view.viewport().update()

    def add_sidebar_item(self, text: str, icon: QIcon) -> None:
        fm = QFontMetrics(self.window.font())
        item = QListWidgetItem(icon, text)
        item.setSizeHint(QSize(fm.averageCharWidth() * 18, fm.height() * 2 + fm.height() // 4))
        self.sidebar.addItem(item)

    def name_internal_controls(self) -> None:
        """Give Qt's own helper controls names a screen reader can say."""
        for action in self.toolbar.actions():
            widget = self.toolbar.widgetForAction(action)
            if isinstance(widget, QAbstractButton) and not widget.accessibleName():
                widget.setAccessibleName(action.text().replace("&", "").replace("…", ""))
        for button in self.window.findChildren(QAbstractButton):
            if button.accessibleName():
                continue
            if isinstance(button.parent(), QTableView):
                button.setAccessibleName(self.window.tr("Select all contacts"))
            elif isinstance(button, QToolButton) and button.parent() is self.filter_edit:
                button.setAccessibleName(self.window.tr("Clear filter"))
        name_helper_controls(self.window)
