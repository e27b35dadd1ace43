"""The Qt user interface: main window, views, item models and dialogs (PySide6 only).

Nothing imports ``ui`` except the composition root, ``desktop.app``.
"""
