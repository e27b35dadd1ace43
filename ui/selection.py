"""The contact shown: one contact selected in Today, the Pipeline and the Contacts table at once,
shown in the panel, with the contact actions enabled for it and the views' context menu.

Views report their *selection*: the current index also moves when rows are filtered out or
change stage, and that must not switch the contact shown in the panel. While the models are
being fed (``feeding``) the views' selection changes are not followed at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QObject, Signal
from PySide6.QtWidgets import QListView, QMenu

from desktop.storage import ContactRecord
from ui.models.contacts import ID_ROLE, ContactFilterProxy
from ui.models.due import CONTACT_ID_ROLE
from ui.shell import Shell
from ui.window_actions import WindowActions
from ui.window_layout import WindowLayout
from ui.window_state import WindowState


class ContactSelection(QObject):
    """Keeps the views, the panel and the contact actions on the shell's ``current_id``.

    Signals:
        contact_selected(int): another contact is shown in the panel.
    """

    contact_selected = Signal(int)

    def __init__(
        self,
        shell: Shell,
        ui: WindowLayout,
        actions: WindowActions,
        proxy: ContactFilterProxy,
        state: WindowState,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.shell = shell
        self.ui = ui
        self.actions = actions
        self.proxy = proxy
        self.state = state
        self.table = ui.contacts_page.table
        self._feeding = 0
        shell.today_view.selectionModel().selectionChanged.connect(self.on_today_selection)
        ui.board.contact_selected.connect(self.select)
        for column in ui.board.column_list:
            column.view.customContextMenuRequested.connect(self.on_card_menu)
        self.table.customContextMenuRequested.connect(self.on_table_menu)
        self.table.selectionModel().selectionChanged.connect(self.on_table_selection)
        self.table.activated.connect(self.on_table_activated)

    def on_table_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.select(indexes[0].data(ID_ROLE))

    def on_table_activated(self, index: QModelIndex) -> None:
        self.select(index.data(ID_ROLE))

    def on_today_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.select(indexes[0].data(CONTACT_ID_ROLE))

    def select(self, contact_id: int | None) -> None:
        """Show a contact in the panel (None: nobody)."""
        if self._feeding:
            return
        shell = self.shell
        if contact_id is None:
            shell.current_id = None
            shell.panel.show_contact(None)
            self.state.set_panel_open(False)
            self.ui.board.select(None)
            self.table.clearSelection()
            shell.today_view.clearSelection()
            self.update_actions()
            return
        record = shell.model.record(contact_id)
        if record is None:
            return
        changed = contact_id != shell.current_id
        shell.current_id = contact_id
        self.show_panel(record)
        self.state.set_panel_open(True)
        self.update_actions()
        if changed:
            self.ui.board.select(contact_id)
            self._select_in_table(contact_id)
            self.contact_selected.emit(contact_id)

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
                if self._feeding == 1:
                    self._keep_selection()
            finally:
                self._feeding -= 1

    def _keep_selection(self) -> None:
        current = self.shell.current_id
        if current is None:
            return
        if self.ui.board.selected_id() != current:
            self.ui.board.select(current)
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].data(ID_ROLE) != current:
            self._select_in_table(current)

    def _select_in_table(self, contact_id: int) -> None:
        model = self.shell.model
        row = model.row_of(contact_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(model.index(row, 0))
        selected = self.table.selectionModel().isRowSelected(index.row())
        if index.isValid() and not (selected and self.table.currentIndex().row() == index.row()):
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def show_panel(self, record: ContactRecord) -> None:
        shell = self.shell
        store = shell.ctx.store
        referrer = ""
        if record.contact.referrer_id is not None:
            ref = shell.model.record(record.contact.referrer_id)
            referrer = ref.contact.name if ref is not None else ""
        shell.panel.show_contact(
            record,
            store.pipeline.history(record.id),
            store.messages.for_contact(record.id),
            referrer_name=referrer,
        )

    def update_actions(self) -> None:
        """The contact actions are enabled with a contact shown; Undo also with a snooze or
        dismissal to undo, and says which."""
        acts = self.actions
        on = self.shell.current_id is not None
        for act in (acts.edit_action, acts.write_action, acts.meeting_action, acts.delete_action):
            act.setEnabled(on)
        self.ui.move_menu.setEnabled(on)
        mark = self.shell.undoable_mark is not None
        deleted = self.shell.deleted_name()
        acts.undo_action.setEnabled(on or mark or bool(deleted))
        acts.undo_action.setText(
            self.tr("&Undo dismiss or snooze")
            if mark
            else self.tr("&Undo delete of {0}").format(deleted)
            if deleted
            else self.tr("&Undo last stage change")
        )

    # ------------------------------------------------------------ context menu
    def on_table_menu(self, pos: Any) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.select(index.data(ID_ROLE))
            self.contact_context_menu().exec(self.table.viewport().mapToGlobal(pos))

    def on_card_menu(self, pos: Any) -> None:
        view = self.sender()
        index = view.indexAt(pos) if isinstance(view, QListView) else QModelIndex()
        if isinstance(view, QListView) and index.isValid():
            self.select(index.data(ID_ROLE))
            self.contact_context_menu().exec(view.viewport().mapToGlobal(pos))

    def contact_context_menu(self) -> QMenu:
        acts = self.actions
        menu = QMenu(self.shell.widget())
        for act in (acts.write_action, acts.edit_action, acts.meeting_action):
            menu.addAction(act)
        menu.addMenu(self.ui.move_menu)
        menu.addAction(acts.undo_action)
        menu.addAction(acts.targets_action)
        menu.addSeparator()
        menu.addAction(acts.delete_action)
        return menu
