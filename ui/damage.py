"""A damaged database, said once in a dialog that offers the way out: a restore from a backup.

SQLite checks a database's header and schema when it opens; a damaged data page behind a good
header shows only when it is read (``sqlite3.DatabaseError: database disk image is malformed``).
At start, ``open_for_window`` reads the first rows of what the window reads first and, on
damage, asks to restore before any window is built. While the window is open, ``DamageNotice``
turns the same error, met by any read (on the database worker or the GUI thread), into one
non-modal dialog with a *Restore from backup…* button (File → Restore from backup), however
many reads fail meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.paths import Paths
from desktop.storage import Store
from desktop.storage.database import explain, is_damage
from ui.ops import Ops

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("damage", text)


#: How many rows of each table the check before the window reads: the first pages of each
#: B-tree (its root page always), at a cost that does not grow with the profile. Damage deeper
#: in is met by the window's own read after its first paint and offered in ``DamageNotice``.
FIRST_ROWS = 256

#: The tables the window reads first, beside the accounts (read whole: there are few).
_FIRST_TABLES = ("contacts", "contact_emails")


def first_read(store: Store) -> sqlite3.DatabaseError | None:
    """Read the start of what the window reads first (bounded: ``FIRST_ROWS`` a table); the
    damage met, if any (other errors propagate)."""
    connection = store.database.connection
    try:
        store.accounts.all()
        for table in _FIRST_TABLES:  # names from this module, never from input
            connection.execute(f"SELECT * FROM {table} LIMIT ?", (FIRST_ROWS,)).fetchall()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return exc
        raise
    return None


def choose_backup(parent: QWidget | None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent,
        _tr("Restore from backup"),
        str(Path.home()),
        _tr("Coffeechat backups (*.sqlite3);;All files (*)"),
    )
    return Path(name) if name else None


def ask_restore_at_start(paths: Paths, problem: BaseException) -> bool:
    """Before the window: say the database is damaged and offer a restore. True when a backup
    was restored (the profile can be opened again); False when the user chose to quit."""
    from desktop.backup import BackupError, restore

    text = str(explain(problem, paths.database))
    while True:
        box = QMessageBox(QMessageBox.Icon.Critical, _tr("Your Coffeechat data is damaged"), text)
        restore_button = box.addButton(
            _tr("Restore from backup…"), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(_tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore_button)
        box.exec()
        if box.clickedButton() is not restore_button:
            return False
        source = choose_backup(None)
        if source is None:
            continue
        try:
            restore(paths.profile, source)
        except BackupError as exc:
            text = f"{exc}\n\n{explain(problem, paths.database)}"
            continue
        log.info("restored %s over a damaged database at start", source.name)
        return True


def open_for_window(paths: Paths) -> Store | None:
    """The GUI's read-only store on the profile, its first read checked: on damage, the user is
    offered a restore before anything else. None when the user quit instead (said on stderr
    too, in one line); StorageError when the profile cannot be opened at all."""
    while True:
        store = Store.open(paths.profile, read_only=True)
        try:
            problem = first_read(store)
        except BaseException:
            store.close()
            raise
        if problem is None:
            return store
        store.close()
        if not ask_restore_at_start(paths, problem):
            print(f"coffeechat: {explain(problem, paths.database)}", file=sys.stderr)
            return None


class DamageNotice(QObject):
    """While the window is open: damage met by any read is said in one non-modal dialog at a
    time, whose *Restore from backup…* runs ``restore`` (the File menu's action)."""

    def __init__(
        self,
        window: QWidget,
        database: Path,
        restore: Callable[[], object] | None = None,
        restoring: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.database = database
        self.restore = restore
        #: Whether a restore is on its way: damage met meanwhile is the same damage.
        self.restoring = restoring
        self.box: QMessageBox | None = None

    def offer(self, exc: BaseException) -> bool:
        """Say ``exc`` if it is damage (True); False for any other error, left to the caller."""
        if not is_damage(exc):
            return False
        log.error("the database is damaged: %s", exc)
        if self.box is not None:  # one dialog, however many reads fail
            return True
        if self.restoring is not None and self.restoring():
            return True
        text = str(explain(exc, self.database))
        box = QMessageBox(
            QMessageBox.Icon.Critical, self.tr("Your data is damaged"), text, parent=self.window
        )
        button = box.addButton(self.tr("Restore from backup…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(button)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._closed(box.clickedButton() is button))
        self.box = box
        box.show()
        return True

    def _closed(self, restore: bool) -> None:
        self.box = None
        if restore and self.restore is not None:
            self.restore()


def install(
    window: QWidget,
    ops: Ops,
    database: Path,
    restore: Callable[[], object],
    restoring: Callable[[], bool] | None = None,
) -> DamageNotice:
    """A DamageNotice for ``window``, fed by ``ops``'s operations that fail on damage."""
    notice = DamageNotice(window, database, restore, restoring)
    ops.show_damage = notice.offer
    return notice
