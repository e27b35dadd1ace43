"""Screenshots for docs/ of every main view of the window (Today, Pipeline, Contacts,
Objectives, Network, Analytics, and the contact panel's Prepare tab) at 1400x900 and 800x600,
in a light and a dark palette, on the made-up profile of scripts/workspace_screenshots.py.
Run under Xvfb (``make screenshots``):

    xvfb-run -a -s '-screen 0 1400x900x24' .venv/bin/python scripts/screenshots.py docs

The files are docs/view-<view>-<width>x<height>-<light|dark>.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workspace_screenshots import build

SIZES = ((1400, 900), (800, 600))
#: The view shown and the contact selected in it (None: nobody, the panel closed).
VIEWS = (
    ("today", "Mei Chen"),
    ("pipeline", "Lars Berg"),
    ("contacts", None),
    ("objectives", None),
    ("network", "Raj Patel"),
    ("analytics", None),
    ("prepare", "Mei Chen"),  # the contact panel's Prepare tab, over the Contacts view
)


def dark_palette() -> QPalette:
    """A dark palette as a desktop's dark theme gives one (Fusion draws with it)."""
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(40, 42, 46),
        QPalette.ColorRole.WindowText: QColor(228, 228, 228),
        QPalette.ColorRole.Base: QColor(30, 31, 34),
        QPalette.ColorRole.AlternateBase: QColor(46, 48, 52),
        QPalette.ColorRole.Text: QColor(228, 228, 228),
        QPalette.ColorRole.Button: QColor(52, 54, 58),
        QPalette.ColorRole.ButtonText: QColor(228, 228, 228),
        QPalette.ColorRole.Highlight: QColor(61, 125, 202),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.ToolTipBase: QColor(52, 54, 58),
        QPalette.ColorRole.ToolTipText: QColor(228, 228, 228),
        QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
        QPalette.ColorRole.Link: QColor(120, 170, 240),
        QPalette.ColorRole.Mid: QColor(30, 31, 34),
        QPalette.ColorRole.Dark: QColor(20, 20, 22),
        QPalette.ColorRole.Light: QColor(70, 72, 76),
    }
    for role, colour in colours.items():
        pal.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    return pal


def main(out: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from ui import workspace
    from ui.main_window import MainWindow

    app.setStyle("Fusion")
    light = app.style().standardPalette()
    out.mkdir(parents=True, exist_ok=True)
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        with tempfile.TemporaryDirectory() as tmp:
            ctx, ids = build(Path(tmp) / "profile")
            window = MainWindow(ctx)
            hooks = workspace.install(window, ctx)
            window.show()
            for width, height in SIZES:
                window.resize(width, height)
                for view, person in VIEWS:
                    window.show_view("contacts" if view == "prepare" else view)
                    window.select_contact(ids[person] if person else None)
                    window.panel.tabs.setCurrentIndex(0)
                    if view == "prepare":
                        window.show_panel_tab(hooks.prepare_index)
                    for _ in range(8):
                        app.processEvents()
                    name = f"view-{view}-{width}x{height}-{theme}.png"
                    window.grab().save(str(out / name))
                    print(name)
            window.shutdown()
            ctx.tasks.shutdown()
            ctx.store.close()
    return 0


if __name__ == "__main__":
    code = main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
    sys.stdout.flush()
    os._exit(code)  # the files are written; skip a teardown that can crash in PySide6
