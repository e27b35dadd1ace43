"""The window's state between runs: geometry, pane widths, the contacts' columns and the view
last shown, kept in the profile (profiles and tests never share them)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QSettings
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QListWidget, QMainWindow, QSplitter, QTableView, QWidget

from ui.board import PipelineBoard
from ui.columns import ColumnFitter

#: On first run the window takes about this share of the screen.
FIRST_RUN_SHARE = 0.85
#: The built-in views whose row is restored (added views are not: they may not be there).
BUILT_IN_VIEWS = (0, 1, 2)


def _int(value: object, default: int) -> int:
    """A number read back from QSettings (INI files give strings)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


class WindowState:
    """Restores and saves one window's state; remembers the sidebar's and panel's widths."""

    def __init__(
        self,
        window: QMainWindow,
        qsettings: QSettings,
        *,
        splitter: QSplitter,
        sidebar: QListWidget,
        centre: QWidget,
        panel: QWidget,
        table: QTableView,
        column_fitter: ColumnFitter,
        board: PipelineBoard,
        sidebar_width: int,
        panel_width: int,
    ) -> None:
        self.window = window
        self.qsettings = qsettings
        self.splitter = splitter
        self.sidebar = sidebar
        self.centre = centre
        self.panel = panel
        self.table = table
        self.column_fitter = column_fitter
        self.board = board
        self.sidebar_width = sidebar_width
        self.panel_width = panel_width
        #: The user's choice (View > Contact panel, Esc): when False a selected contact does
        #: not open the panel; the choice is kept between runs.
        self.panel_wanted = True
        #: Whether a contact is shown (the panel has something to show).
        self.has_contact = False
        splitter.splitterMoved.connect(self.on_splitter_moved)

    def restore(self) -> None:
        """Restore the window as it was left, or size it for the screen on first run."""
        s, window = self.qsettings, self.window
        geometry = s.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
            self.size_for_screen()
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        self.sidebar_width = _int(s.value("window/sidebar_width"), self.sidebar_width)
        self.panel_width = _int(s.value("window/panel_width"), self.panel_width)
        self.panel_wanted = _int(s.value("window/panel_open"), 1) != 0
        self.column_fitter.restore(
            s.value("contacts/header"), _int(s.value("contacts/auto_fit"), 1) != 0
        )
        collapsed = s.value("board/collapsed")
        if isinstance(collapsed, str) and collapsed:
            self.board.set_collapsed_stages(collapsed.split(","))
        view = _int(s.value("window/view"), 0)
        self.sidebar.setCurrentRow(view if view in BUILT_IN_VIEWS else 0)

    def size_for_screen(self) -> None:
        """First run: about 85% of the screen's free area, centred, but wide enough for the
        whole Pipeline when the screen allows it (a 1400 px screen: nearly all of it)."""
        window = self.window
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        # The window frame is not known before the window is shown: leave room for it.
        frame = QFontMetrics(window.font()).height()
        wanted = self.sidebar_width + self.board.comfortable_width() + frame
        width = min(free.width() - frame, max(round(free.width() * FIRST_RUN_SHARE), wanted))
        height = min(free.height() - frame * 2, round(free.height() * FIRST_RUN_SHARE))
        window.resize(width, height)
        window.move(free.center() - QPoint(width // 2, height // 2))

    def save(self) -> None:
        s = self.qsettings
        self.remember_pane_widths()
        s.setValue("window/geometry", self.window.saveGeometry())
        s.setValue("window/state", self.window.saveState())
        s.setValue("window/sidebar_width", self.sidebar_width)
        s.setValue("window/panel_width", self.panel_width)
        s.setValue("window/panel_open", int(self.panel_wanted))
        s.setValue("contacts/header", self.table.horizontalHeader().saveState())
        s.setValue("contacts/auto_fit", int(self.column_fitter.auto))
        s.setValue("board/collapsed", ",".join(self.board.collapsed_stages()))
        s.setValue("window/view", self.sidebar.currentRow())
        s.sync()

    def remember_pane_widths(self) -> None:
        sizes = self.splitter.sizes()
        visible = self.window.isVisible()
        if visible and sizes[0] > 0:
            self.sidebar_width = sizes[0]
        if visible and not self.panel.isHidden() and sizes[2] > 0:
            self.panel_width = sizes[2]

    def apply_pane_widths(self) -> None:
        """Give the sidebar and (when open) the panel their remembered widths; the middle gets
        the rest, never less than its minimum."""
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if total <= 0:
            return
        centre_min = self.centre.minimumSizeHint().width()
        side = min(self.sidebar_width, max(self.sidebar.minimumWidth(), total // 4))
        panel = 0
        if not self.panel.isHidden():
            panel = min(self.panel_width, max(self.panel.minimumWidth(), total - side - centre_min))
        self.splitter.setSizes([side, max(0, total - side - panel), panel])

    def on_splitter_moved(self, pos: int, index: int) -> None:
        self.remember_pane_widths()

    def set_panel_wanted(self, on: bool) -> None:
        """The user opens or closes the panel (View > Contact panel, Esc in the panel)."""
        self.panel_wanted = on
        self._apply_panel(on and self.has_contact)

    def set_panel_open(self, on: bool) -> None:
        """A contact is shown (or none is): the panel opens unless the user closed it."""
        self.has_contact = on
        self._apply_panel(on and self.panel_wanted)

    def _apply_panel(self, on: bool) -> None:
        """Show the contact panel (at its remembered width) or hide it, giving its room to the
        middle."""
        if on != self.panel.isHidden():
            return
        if on:
            self.panel.show()
            self.apply_pane_widths()
        else:
            self.remember_pane_widths()
            side, centre, panel = self.splitter.sizes()
            self.panel.hide()
            self.splitter.setSizes([side, centre + panel, 0])  # now, not at the next layout
