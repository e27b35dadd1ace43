"""Child process of bench/startup.py: opens the real window on $COFFEECHAT_PROFILE through
desktop.app.run_gui, notes the first paint of the main window, when its contacts are shown and
the longest freeze of the GUI thread until the first sync round is applied, then types into the
contacts filter key by key (the round no longer in the way) and prints the figures as one JSON
line."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow  # noqa: E402

STARTED = float(sys.argv[1])
TYPED = "chen"


class Probe(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.first_paint: float | None = None
        self.data_shown: float | None = None
        self.keystrokes: list[float] = []
        #: The GUI thread's pulse from the first paint until typing: its longest gap is the
        #: longest time the window could not answer.
        self.pulse = QTimer()
        self.pulse.setInterval(5)
        self.pulse.timeout.connect(self.beat)
        self.last_beat = 0.0
        self.longest_freeze = 0.0
        self.round_applied: float | None = None

    def beat(self) -> None:
        now = time.perf_counter()
        if self.last_beat:
            self.longest_freeze = max(self.longest_freeze, now - self.last_beat)
        self.last_beat = now

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            self.first_paint is None
            and event.type() == QEvent.Type.Paint
            and isinstance(obj, QMainWindow)
        ):
            self.first_paint = time.time() - STARTED
            self.pulse.start()
            QTimer.singleShot(0, self.wait_for_data)
        return False

    def wait_for_data(self) -> None:
        """The contacts are read right after the first paint: note when they are there."""
        if self.window().model.rowCount() == 0:  # type: ignore[attr-defined]
            QTimer.singleShot(1, self.wait_for_data)
            return
        self.data_shown = time.time() - STARTED
        # Connected last: runs once the round is applied to every model and card.
        self.window().sync.round_finished.connect(self.on_round)  # type: ignore[attr-defined]
        QTimer.singleShot(20_000, self.type_filter)  # no round (no account): type anyway

    def on_round(self, _result: object) -> None:
        if self.round_applied is None:
            self.round_applied = time.time() - STARTED
            QTimer.singleShot(500, self.type_filter)

    def window(self) -> QMainWindow:
        return next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow))

    def type_filter(self) -> None:
        if self.keystrokes:
            return  # typed already
        self.pulse.stop()
        window = self.window()
        window.show_view("contacts")  # type: ignore[attr-defined]
        QApplication.processEvents()
        edit = window.findChild(QLineEdit, "filter")
        assert edit is not None
        keys = [*TYPED, *(["\b"] * len(TYPED))] * 3
        for key in keys:
            t = time.perf_counter()
            if key == "\b":
                QTest.keyClick(edit, Qt.Key.Key_Backspace)
            else:
                QTest.keyClicks(edit, key)
            QApplication.processEvents()
            self.keystrokes.append((time.perf_counter() - t) * 1000)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "first_paint_s": self.first_paint,
                    "data_shown_s": self.data_shown,
                    "keystroke_ms": self.keystrokes,
                    "round_applied_s": self.round_applied,
                    "longest_freeze_ms": self.longest_freeze * 1000,
                    "peak_rss_mb": peak_kb / 1024,
                    "window": [window.width(), window.height()],
                    "visible_rows": window.table.viewport().height()  # type: ignore[attr-defined]
                    // max(1, window.table.verticalHeader().defaultSectionSize()),  # type: ignore[attr-defined]
                }
            ),
            flush=True,
        )
        window.close()
        QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    probe = Probe()
    app.installEventFilter(probe)
    from desktop.cli import main as cli_main

    code = cli_main(["run"])
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: only the figures matter here


if __name__ == "__main__":
    raise SystemExit(main())
