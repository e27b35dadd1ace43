"""What the window's own collaborators (contact commands, Today's commands, settings and
accounts) use of the window: a protocol, so they need not import ``ui.main_window`` (which
imports them)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QStatusBar, QWidget

from desktop.context import AppContext
from desktop.domain.due import DueAction
from desktop.storage import ContactRecord
from ui.banner import Banner
from ui.contact_panel import ContactPanel
from ui.marks import ActionMarks
from ui.models.contacts import ContactsModel
from ui.models.due import DueModel
from ui.navigation import Navigator
from ui.ops import Ops
from ui.today import TodayView


class Shell(Navigator, Protocol):
    ctx: AppContext
    #: Runs the window's work off the GUI thread; every database write goes through it.
    ops: Ops
    zone: ZoneInfo
    current_id: int | None
    #: The last snooze or dismissal from Today, which Ctrl+Z (or the banner) undoes.
    undoable_mark: DueAction | None
    marks: ActionMarks
    model: ContactsModel
    due_model: DueModel
    today_view: TodayView
    panel: ContactPanel
    banner: Banner
    snooze_actions: list[QAction]
    write_action: QAction
    edit_action: QAction
    meeting_action: QAction

    def now(self) -> datetime: ...

    def widget(self) -> QWidget:
        """The window, as the parent of dialogs and menus."""
        ...

    def statusBar(self) -> QStatusBar: ...

    def current_view(self) -> str: ...

    def refresh_contact(self, contact_id: int) -> None: ...

    def feed_record(self, record: ContactRecord) -> None:
        """Update one row of the models (the panel is left as it is)."""
        ...

    def show_panel(self, record: ContactRecord) -> None: ...

    def update_contact_actions(self) -> None: ...

    def deleted_name(self) -> str:
        """The contact whose deletion Ctrl+Z would undo ("" when none)."""
        ...

    def exec_dialog(self, dialog: QDialog) -> bool: ...

    def exec_menu(self, menu: QMenu, pos: QPoint) -> QAction | None: ...

    def sync_soon(self) -> None: ...
