"""The Qt user interface: main window, views, item models and dialogs (PySide6 only).

Nothing imports ``ui`` except the composition root, ``desktop.app``.

Importing it first works around the defects of the PySide6 we run on (``ui/pyside_fixes.py``:
PySide6 6.12.0's ``emit`` costs True a reference), before any of our signals is emitted.
"""

from ui import pyside_fixes

pyside_fixes.install()
