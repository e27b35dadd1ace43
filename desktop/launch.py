"""How Coffeechat starts itself again (the demo from the welcome, the login item). Qt-free.

In the frozen app ``sys.executable`` is Coffeechat itself and takes the command words directly;
anywhere else it is the Python that runs us, which starts the app as a module.
"""

from __future__ import annotations

import sys


def is_frozen() -> bool:
    """True in the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def own_command(*args: str) -> list[str]:
    """The command line that runs ``coffeechat ARGS...`` with this same installation."""
    if is_frozen():
        return [sys.executable, *args]
    return [sys.executable, "-m", "desktop.app", *args]
