"""Child process of bench/startup.py: the baseline, an empty PySide6 main window, timed from the
same process start to its first paint as Coffeechat's window is, and printed as one JSON line."""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = float(sys.argv[1])

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


class Probe(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            print(json.dumps({"first_paint_s": time.time() - STARTED}), flush=True)
            os._exit(0)
        return False


def main() -> None:
    app = QApplication(sys.argv[:1])
    probe = Probe()
    app.installEventFilter(probe)
    window = QMainWindow()
    window.setWindowTitle("Empty")
    window.resize(1200, 800)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
