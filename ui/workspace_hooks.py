"""Plugs the interview workspace into the main window with a few lines there: the Objectives,
Network and Analytics views in the sidebar, the Prepare tab of the contact panel, Interview mode,
and the File menu's Import, Export, Back up and Restore. Views read the store only when shown,
so the first window costs nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize
from PySide6.QtGui import QAction, QFontMetrics, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QListWidgetItem, QMenu, QMessageBox, QStyle, QWidget

from desktop.domain.due import ActionKind, DueAction

if TYPE_CHECKING:
    from ui.analytics import AnalyticsView
    from ui.interview import InterviewWindow
    from ui.main_window import MainWindow
    from ui.network import NetworkView
    from ui.objectives import ObjectivesView
    from ui.prepare import PreparePane


class WorkspaceHooks(QObject):
    """Owns the workspace's views and actions for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.interviews: dict[int, InterviewWindow] = {}
        self.first_row = window.sidebar.count()
        self.views: list[QWidget] = []
        self._prepare: PreparePane | None = None
        self._add_views()
        self._add_prepare_tab()
        self._add_actions()
        window.sidebar.currentRowChanged.connect(self.on_view_changed)
        window.sync_finished.connect(self.on_sync_finished)
        window.contact_selected.connect(self.on_contact_selected)
        window.today_view.act_requested.connect(self.on_due_action)

    # ----------------------------------------------------------------- views
    def _add_views(self) -> None:
        from ui.analytics import AnalyticsView
        from ui.network import NetworkView
        from ui.objectives import ObjectivesView

        w = self.window
        fm = QFontMetrics(w.font())
        pad = fm.height() // 2
        style = w.style()
        self.objectives: ObjectivesView = ObjectivesView(self.ctx.store)
        self.network: NetworkView = NetworkView(self.ctx.store)
        self.analytics: AnalyticsView = AnalyticsView(self.ctx.store, self.ctx.clock)
        self.objectives.changed.connect(w.reload_all)
        self.network.contact_selected.connect(w.select_contact)
        self.network.update_referrer_requested.connect(self.update_referrer)
        icons = (
            QIcon.fromTheme("flag", style.standardIcon(QStyle.StandardPixmap.SP_DialogYesButton)),
            QIcon.fromTheme(
                "network-workgroup", style.standardIcon(QStyle.StandardPixmap.SP_DirLinkIcon)
            ),
            QIcon.fromTheme(
                "x-office-spreadsheet",
                style.standardIcon(QStyle.StandardPixmap.SP_FileDialogListView),
            ),
        )
        texts = (self.tr("Objectives"), self.tr("Network"), self.tr("Analytics"))
        for view, text, icon in zip(
            (self.objectives, self.network, self.analytics), texts, icons, strict=True
        ):
            item = QListWidgetItem(icon, text)
            item.setSizeHint(QSize(fm.averageCharWidth() * 18, fm.height() * 2 + pad // 2))
            w.sidebar.addItem(item)
            w.pages.addWidget(view)
            self.views.append(view)

    def show_view(self, index: int) -> None:
        self.window.sidebar.setCurrentRow(self.first_row + index)

    def current_view(self) -> QWidget | None:
        row = self.window.sidebar.currentRow() - self.first_row
        return self.views[row] if 0 <= row < len(self.views) else None

    def refresh_current(self) -> None:
        view = self.current_view()
        refresh = getattr(view, "refresh", None)
        if callable(refresh):
            refresh()

    def on_view_changed(self, row: int) -> None:
        if row >= self.first_row:
            self.refresh_current()

    def on_sync_finished(self, _round: object) -> None:
        self.refresh_current()
        if self._prepare is not None and self._prepare.contact_id is not None:
            cid = self._prepare.contact_id
            self._prepare.contact_id = None
            if self.window.panel.tabs.currentWidget() is self._prepare:
                self._prepare.show_contact(cid)

    # --------------------------------------------------------------- prepare
    def _add_prepare_tab(self) -> None:
        tabs = self.window.panel.tabs
        self.prepare_index = tabs.count()
        placeholder = QWidget()
        tabs.addTab(placeholder, self.tr("Prepare"))
        tabs.currentChanged.connect(self.on_tab_changed)

    def prepare_pane(self) -> PreparePane:
        """Built the first time the tab is opened (the question bank is read then)."""
        if self._prepare is None:
            from desktop import workspace
            from ui.prepare import PreparePane

            pane = PreparePane(
                self.ctx.store, self.ctx.clock, workspace.question_bank(self.ctx.paths.profile)
            )
            pane.setObjectName("prepare-pane")
            pane.interview_requested.connect(self.start_interview)
            pane.source_changed.connect(self.window.refresh_contact)
            pane.write_requested.connect(self.write_request)
            pane.bank_requested.connect(self.edit_question_bank)
            tabs = self.window.panel.tabs
            tabs.blockSignals(True)
            old = tabs.widget(self.prepare_index)
            tabs.removeTab(self.prepare_index)
            tabs.insertTab(self.prepare_index, pane, self.tr("Prepare"))
            tabs.setCurrentIndex(self.prepare_index)
            tabs.blockSignals(False)
            if old is not None:
                old.deleteLater()
            self._prepare = pane
        return self._prepare

    def on_tab_changed(self, index: int) -> None:
        if index == self.prepare_index:
            self.prepare_pane().show_contact(self.window.current_id)
        elif self._prepare is not None:
            self._prepare.flush()

    def on_contact_selected(self, contact_id: int) -> None:
        if self.window.panel.tabs.currentIndex() == self.prepare_index:
            self.prepare_pane().show_contact(contact_id)

    def open_prepare(self, contact_id: int | None = None) -> None:
        cid = contact_id if contact_id is not None else self.window.current_id
        if cid is None:
            return
        self.window.select_contact(cid)
        self.window.panel.tabs.setCurrentIndex(self.prepare_index)
        self.prepare_pane().show_contact(cid)

    def on_due_action(self, action: DueAction) -> None:
        """The prepare reminder opens the Prepare tab."""
        if action.kind is ActionKind.PREPARE:
            self.open_prepare(action.contact_id)

    # ------------------------------------------------------------- interview
    def start_interview(self, contact_id: int | None = None) -> None:
        cid = contact_id if contact_id is not None else self.window.current_id
        if cid is None:
            return
        existing = self.interviews.get(cid)
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return
        from desktop import workspace
        from ui.interview import InterviewWindow

        if self._prepare is not None:
            self._prepare.flush()
        profile = self.ctx.paths.profile
        window = InterviewWindow(
            self.ctx.store,
            self.ctx.clock,
            cid,
            self.ctx.settings,
            bank=workspace.question_bank(profile),
            template_dir=profile / "templates",
        )
        window.interview_finished.connect(self.on_interview_finished)
        window.thank_you_requested.connect(self.write_thank_you)
        self.interviews[cid] = window
        window.show()

    def on_interview_finished(self, _done: object) -> None:
        self.window.reload_all()
        self.refresh_current()
        if self._prepare is not None:
            self._prepare.reload()

    def write_request(self, contact_id: int) -> None:
        self.window.write_to(contact_id)

    def edit_question_bank(self) -> bool:
        from ui.prepare import QuestionBankDialog

        dialog = QuestionBankDialog(self.ctx.paths.profile, self.window)
        if not self.window.exec_dialog(dialog):
            return False
        if self._prepare is not None:
            self._prepare.bank = dialog.questions()
        return True

    def write_thank_you(self, contact_id: int) -> None:
        self.window.write_to(contact_id, ActionKind.THANK_YOU_MISSING)

    def update_referrer(self, contact_id: int) -> None:
        self.window.write_to(contact_id, ActionKind.UPDATE_REFERRER)

    # --------------------------------------------------------------- actions
    def _action(self, text: str, slot: Callable[[], object], keys: str | None = None) -> QAction:
        act = QAction(text, self.window)
        if keys:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _checked=False: slot())  # never pass "checked" on
        self.window.addAction(act)
        return act

    def _add_actions(self) -> None:
        w = self.window
        self.import_action = self._action(
            self.tr("&Import contacts…"), self.import_contacts, "Ctrl+I"
        )
        self.backup_action = self._action(self.tr("&Back up now…"), self.backup_now)
        self.restore_action = self._action(self.tr("&Restore from backup…"), self.restore_backup)
        self.bank_action = self._action(self.tr("&Question bank…"), self.edit_question_bank)
        self.export_menu = QMenu(self.tr("E&xport"), w)
        for text, fmt in (
            (self.tr("Contacts as &CSV…"), "csv"),
            (self.tr("Contacts as &vCard…"), "vcard"),
            (self.tr("&Everything as JSON…"), "json"),
            (self.tr("&Meetings as calendar (.ics)…"), "ics"),
        ):
            act = self.export_menu.addAction(text)
            act.setData(fmt)
            act.triggered.connect(self.on_export_action)
        file_menu = w.settings_action.associatedObjects()
        menu = next((m for m in file_menu if isinstance(m, QMenu)), None)
        if menu is not None:
            before = w.settings_action
            menu.insertAction(before, self.import_action)
            menu.insertMenu(before, self.export_menu)
            menu.insertSeparator(before)
            menu.insertAction(before, self.backup_action)
            menu.insertAction(before, self.restore_action)
            menu.insertSeparator(before)
            menu.insertAction(before, self.bank_action)
        self.prepare_action = self._action(self.tr("&Prepare…"), self.open_prepare, "Ctrl+P")
        self.interview_action = self._action(
            self.tr("Start &interview…"), self.start_interview, "Ctrl+Shift+I"
        )
        w.contact_menu.insertSeparator(w.undo_action)
        w.contact_menu.insertAction(w.undo_action, self.prepare_action)
        w.contact_menu.insertAction(w.undo_action, self.interview_action)
        w.contact_menu.insertSeparator(w.undo_action)
        views = [
            self._action(self.tr("&Objectives"), lambda: self.show_view(0), "Ctrl+4"),
            self._action(self.tr("&Network"), lambda: self.show_view(1), "Ctrl+5"),
            self._action(self.tr("&Analytics"), lambda: self.show_view(2), "Ctrl+6"),
        ]
        view_menu = next(
            (m for m in w.view_actions[0].associatedObjects() if isinstance(m, QMenu)), None
        )
        if view_menu is not None:
            after = view_menu.actions()[len(w.view_actions)] if view_menu.actions() else None
            for act in views:
                view_menu.insertAction(after, act) if after else view_menu.addAction(act)

    # ------------------------------------------------------------ file menu
    def import_contacts(self, path: Path | None = None) -> bool:
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx.store, path, self.window)
        if not self.window.exec_dialog(dialog) or dialog.import_result is None:
            return False
        result = dialog.import_result
        self.window.reload_all()
        self.refresh_current()
        self.window.statusBar().showMessage(
            self.tr("Imported: {0} new, {1} merged, {2} rejected.").format(
                len(result.added), len(result.merged), result.rejected
            ),
            8000,
        )
        return True

    def on_export_action(self) -> None:
        act = self.sender()
        if isinstance(act, QAction):
            self.export(str(act.data()))

    def export(self, fmt: str, destination: Path | None = None) -> Path | None:
        from desktop.export import ExportFormat, export

        kind = ExportFormat(fmt)
        if destination is None:
            stamp = datetime.now(UTC).strftime("%Y-%m-%d")
            suggested = Path.home() / f"coffeechat-{kind.value}-{stamp}{kind.suffix}"
            name, _ = QFileDialog.getSaveFileName(
                self.window, self.tr("Export"), str(suggested), f"*{kind.suffix}"
            )
            if not name:
                return None
            destination = Path(name)
        try:
            written = export(self.ctx.store, kind, destination, self.ctx.clock.now())
        except OSError as exc:
            QMessageBox.warning(
                self.window,
                self.tr("Export failed"),
                self.tr("Cannot write {0}: {1}").format(destination, exc.strerror or exc),
            )
            return None
        self.window.statusBar().showMessage(self.tr("Exported to {0}.").format(written), 8000)
        return written

    def backup_now(self, destination: Path | None = None) -> Path | None:
        from desktop.backup import BackupError, backup, default_name

        if destination is None:
            suggested = Path.home() / default_name(datetime.now(UTC))
            name, _ = QFileDialog.getSaveFileName(
                self.window, self.tr("Back up"), str(suggested), "*.sqlite3"
            )
            if not name:
                return None
            destination = Path(name)
        try:
            written = backup(self.ctx.paths.database, destination)
        except BackupError as exc:
            QMessageBox.warning(self.window, self.tr("Backup failed"), str(exc))
            return None
        self.window.statusBar().showMessage(self.tr("Backed up to {0}.").format(written), 8000)
        return written

    def restore_backup(self, source: Path | None = None, *, confirm: bool = True) -> bool:
        from desktop.backup import BackupError, restore, validate
        from desktop.storage import Store

        if source is None:
            name, _ = QFileDialog.getOpenFileName(
                self.window,
                self.tr("Restore from backup"),
                str(Path.home()),
                self.tr("Coffeechat backups (*.sqlite3);;All files (*)"),
            )
            if not name:
                return False
            source = Path(name)
        try:
            validate(source)
        except BackupError as exc:
            QMessageBox.warning(self.window, self.tr("Cannot restore"), str(exc))
            return False
        if confirm:
            answer = QMessageBox.question(
                self.window,
                self.tr("Restore from backup"),
                self.tr(
                    "Replace everything in Coffeechat with the backup {0}? The current data is "
                    "kept as a copy beside the database first."
                ).format(source.name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            safety = restore(self.ctx.paths.profile, source)
            Store.open(self.ctx.paths.profile).close()  # upgrades an older backup's schema
        except BackupError as exc:
            QMessageBox.warning(self.window, self.tr("Restore failed"), str(exc))
            return False
        except Exception as exc:  # a StorageError from the upgrade: said, not raised
            QMessageBox.warning(self.window, self.tr("Restore failed"), str(exc))
            return False
        self.window.select_contact(None)
        self.window.reload_all()
        self.refresh_current()
        self.window.statusBar().showMessage(
            self.tr("Restored {0}.").format(source.name)
            + (self.tr(" The previous data is in {0}.").format(safety.name) if safety else ""),
            10000,
        )
        return True


def install(window: MainWindow) -> WorkspaceHooks:
    return WorkspaceHooks(window)
