"""The interview workspace, registered with the main window through its extension API (called
from the composition root): the Objectives, Network and Analytics views, the Prepare tab of the
contact panel, Interview mode, and the File menu's Import, Export, Back up and Restore. Views
read the store only when shown, so the first window costs nothing more; they read the GUI's
(read-only) store and write through the window's ``ops``, on the database worker."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QStyle, QWidget

from desktop.context import AppContext
from desktop.domain.due import ActionKind, DueAction
from desktop.storage import StorageError

#: The keys of the views the workspace adds, in sidebar order.
VIEW_KEYS = ("objectives", "network", "analytics")

if TYPE_CHECKING:
    from ui.analytics import AnalyticsView
    from ui.interview import InterviewWindow
    from ui.main_window import MainWindow
    from ui.network import NetworkView
    from ui.objectives import ObjectivesView
    from ui.prepare import PreparePane


class Workspace(QObject):
    """Owns the workspace's views and actions for one main window."""

    def __init__(self, window: MainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.interviews: dict[int, InterviewWindow] = {}
        #: A restore started and not yet done (damage met meanwhile is not offered again).
        self.restore_pending = False
        #: Contacts whose interview window is about to open.
        self._opening: set[int] = set()
        self.views: list[QWidget] = []
        self.view_actions: list[QAction] = []
        self._prepare: PreparePane | None = None
        self._add_views()
        self._add_prepare_tab()
        self._add_actions()
        window.view_changed.connect(self.on_view_changed)
        window.sync_finished.connect(self.on_sync_finished)
        window.contact_selected.connect(self.on_contact_selected)
        window.panel_tab_changed.connect(self.on_tab_changed)
        window.action_opened.connect(self.on_due_action)

    # ----------------------------------------------------------------- views
    def _add_views(self) -> None:
        from ui.analytics import AnalyticsView
        from ui.network import NetworkView
        from ui.objectives import ObjectivesView

        w = self.window
        style = w.style()
        self.objectives: ObjectivesView = ObjectivesView(self.ctx.store, w.ops)
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
        views = (self.objectives, self.network, self.analytics)
        for n, (view, text, icon) in enumerate(zip(views, texts, icons, strict=True)):
            self.view_actions.append(w.add_view(VIEW_KEYS[n], text, view, icon, f"Ctrl+{n + 4}"))
            self.views.append(view)

    def show_view(self, index: int) -> None:
        self.window.show_view(VIEW_KEYS[index])

    def current_view(self) -> QWidget | None:
        key = self.window.current_view()
        return self.views[VIEW_KEYS.index(key)] if key in VIEW_KEYS else None

    def refresh_current(self) -> None:
        view = self.current_view()
        refresh = getattr(view, "refresh", None)
        if callable(refresh):
            refresh()

    def on_view_changed(self, key: str) -> None:
        if key in VIEW_KEYS:
            self.refresh_current()

    def on_sync_finished(self, _round: object) -> None:
        self.refresh_current()
        if self._prepare is not None and self._prepare.contact_id is not None:
            cid = self._prepare.contact_id
            self._prepare.contact_id = None
            if self.window.current_panel_tab() is self._prepare:
                self._prepare.show_contact(cid)

    # --------------------------------------------------------------- prepare
    def _add_prepare_tab(self) -> None:
        self.prepare_index = self.window.add_panel_tab(self.tr("Prepare"), self._build_prepare)

    def _build_prepare(self) -> PreparePane:
        from desktop import workspace
        from ui.prepare import PreparePane

        pane = PreparePane(
            self.ctx.store,
            self.window.ops,
            self.ctx.clock,
            workspace.question_bank(self.ctx.paths.profile),
        )
        pane.setObjectName("prepare-pane")
        pane.interview_requested.connect(self.start_interview)
        pane.source_changed.connect(self.window.refresh_contact)
        pane.write_requested.connect(self.write_request)
        pane.bank_requested.connect(self.edit_question_bank)
        self._prepare = pane
        return pane

    def prepare_pane(self) -> PreparePane:
        """Built the first time the tab is opened (the question bank is read then)."""
        pane = self.window.panel_tab(self.prepare_index)
        assert pane is self._prepare
        return self._prepare

    def on_tab_changed(self, tab: QWidget) -> None:
        if tab is self._prepare and tab is not None:
            self._prepare.show_contact(self.window.current_id)
        elif self._prepare is not None:
            self._prepare.flush()

    def on_contact_selected(self, contact_id: int) -> None:
        if self._prepare is not None and self.window.current_panel_tab() is self._prepare:
            self._prepare.show_contact(contact_id)

    def open_prepare(self, contact_id: int | None = None) -> None:
        cid = contact_id if contact_id is not None else self.window.current_id
        if cid is None:
            return
        self.window.select_contact(cid)
        self.window.show_panel_tab(self.prepare_index)
        self.prepare_pane().show_contact(cid)

    def on_due_action(self, action: DueAction) -> None:
        """The prepare reminder opens the Prepare tab."""
        if action.kind is ActionKind.PREPARE:
            self.open_prepare(action.contact_id)

    # ------------------------------------------------------------- interview
    def start_interview(self, contact_id: int | None = None) -> None:
        cid = contact_id if contact_id is not None else self.window.current_id
        if cid is None or cid in self._opening:
            return
        existing = self.interviews.get(cid)
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return
        if self._prepare is not None:
            self._prepare.flush()
        # The window opens once the Prepare tab's writes asked for so far are on the database
        # (the worker runs them in order), so it shows the questions as just edited.
        self._opening.add(cid)
        self.window.ops.db(lambda _store: None, success=lambda _none: self.open_interview(cid))

    def open_interview(self, contact_id: int) -> None:
        from desktop import workspace
        from ui.interview import InterviewWindow

        self._opening.discard(contact_id)
        profile = self.ctx.paths.profile
        window = InterviewWindow(
            self.ctx.store,
            self.window.ops,
            self.ctx.clock,
            contact_id,
            self.ctx.settings,
            bank=workspace.question_bank(profile),
            template_dir=profile / "templates",
        )
        window.interview_finished.connect(self.on_interview_finished)
        window.thank_you_requested.connect(self.write_thank_you)
        self.interviews[contact_id] = window
        window.show()

    def on_interview_finished(self, _done: object) -> None:
        self.window.reload_all()
        self.refresh_current()
        if self._prepare is not None:
            self._prepare.reload()

    def write_request(self, contact_id: int) -> None:
        self.window.write_to(contact_id)

    def edit_question_bank(self) -> bool:
        from ui.question_bank import QuestionBankDialog

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
        for entry in (
            self.import_action,
            self.export_menu,
            None,
            self.backup_action,
            self.restore_action,
            None,
            self.bank_action,
        ):
            w.add_menu_action("file", entry)
        self.prepare_action = self._action(self.tr("&Prepare…"), self.open_prepare, "Ctrl+P")
        self.interview_action = self._action(
            self.tr("Start &interview…"), self.start_interview, "Ctrl+Shift+I"
        )
        for entry in (None, self.prepare_action, self.interview_action, None):
            w.add_menu_action("contact", entry)

    # ------------------------------------------------------------ file menu
    def import_contacts(self, path: Path | None = None) -> bool:
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx.store, self.window.ops, path, self.window)
        if not self.window.exec_dialog(dialog) or dialog.import_result is None:
            return False
        result = dialog.import_result
        self.window.reload_all()
        self.refresh_current()
        self.window.show_status(
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

    def export(self, fmt: str, destination: Path | None = None) -> Future[Path] | None:
        """Export to ``destination`` (asked for when None) on the database worker, from one
        consistent read of its store; None when the user chose no file."""
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
        target, now = destination, self.ctx.clock.now()
        return self.window.ops.db(
            lambda store: export(store, kind, target, now),
            success=self.on_exported,
            failure=lambda exc: self.on_export_failed(target, exc),
        )

    def on_exported(self, written: Path) -> None:
        self.window.show_status(self.tr("Exported to {0}.").format(written), 8000)

    def on_export_failed(self, destination: Path, exc: BaseException) -> None:
        if not isinstance(exc, OSError):
            self.window.ops.report(exc)
            return
        QMessageBox.warning(
            self.window,
            self.tr("Export failed"),
            self.tr("Cannot write {0}: {1}").format(destination, exc.strerror or exc),
        )

    def backup_now(self, destination: Path | None = None) -> Future[Path] | None:
        """Back up to ``destination`` (asked for when None) on the network pool: the copy reads
        through its own connection, so a large profile never holds the window. None when the
        user chose no file."""
        from desktop.backup import backup, default_name

        if destination is None:
            suggested = Path.home() / default_name(datetime.now(UTC))
            name, _ = QFileDialog.getSaveFileName(
                self.window, self.tr("Back up"), str(suggested), "*.sqlite3"
            )
            if not name:
                return None
            destination = Path(name)
        return self.window.ops.network(
            backup,
            self.ctx.paths.database,
            destination,
            success=self.on_backed_up,
            failure=self.on_backup_failed,
        )

    def on_backed_up(self, written: Path) -> None:
        self.window.show_status(self.tr("Backed up to {0}.").format(written), 8000)

    def on_backup_failed(self, exc: BaseException) -> None:
        from desktop.backup import BackupError

        if not isinstance(exc, BackupError):
            self.window.ops.report(exc)
            return
        QMessageBox.warning(self.window, self.tr("Backup failed"), str(exc))

    def restore_backup(self, source: Path | None = None, *, confirm: bool = True) -> bool:
        """Replace the profile's data with a backup, on the database worker (the window reloads
        once it is done). True when the restore was started; False when the user cancelled or
        the file is not a backup we can restore (said in a warning)."""
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
        profile = self.ctx.paths.profile

        def replace(store: Store) -> Path | None:
            # On the database worker, so no write of ours runs meanwhile. A whole database is
            # restored under SQLite's locking (open connections see it from their next read);
            # a damaged one is moved aside and a new file takes its place, which connections
            # see only when opened again: the worker's here, the GUI's in on_restored.
            copy = restore(profile, source)
            store.reopen()  # which also upgrades an older backup's schema
            return copy

        name = source.name
        self.restore_pending = True
        self.window.ops.db(
            replace,
            success=lambda safety: self.on_restored(name, safety),
            failure=self.on_restore_failed,
        )
        return True

    def on_restored(self, name: str, safety: Path | None) -> None:
        self.restore_pending = False
        try:
            self.ctx.store.reopen()  # the GUI's connection, on its own thread
        except StorageError as exc:
            QMessageBox.warning(self.window, self.tr("Restore failed"), str(exc))
            return
        self.window.select_contact(None)
        self.window.reload_all()
        self.refresh_current()
        self.window.show_status(
            self.tr("Restored {0}.").format(name)
            + (self.tr(" The previous data is in {0}.").format(safety.name) if safety else ""),
            10000,
        )

    def on_restore_failed(self, exc: BaseException) -> None:
        self.restore_pending = False
        # A BackupError, or a StorageError from the upgrade: said, not raised.
        QMessageBox.warning(self.window, self.tr("Restore failed"), str(exc))


def install(window: MainWindow, ctx: AppContext) -> Workspace:
    """Register the workspace's views, tab and actions with ``window``."""
    return Workspace(window, ctx)
