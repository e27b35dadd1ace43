"""The command line: ``coffeechat [--profile DIR] [COMMAND]``. Headless commands never import Qt.

``main`` is the console script. The commands are listed once, in ``desktop.cli.registry``; each
lives in its own module here, imported only when its command runs.
"""

from __future__ import annotations

from desktop.cli.registry import main

__all__ = ["main"]
