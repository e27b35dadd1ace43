"""ui.pyside_fixes: emitting signals from Python never costs True a reference (PySide6 6.12.0's
``emit`` and ``disconnect`` did; enough of them and the interpreter aborted at exit with
"bool_dealloc: deallocating True or False")."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from PySide6.QtCore import QObject, Signal

import ui  # noqa: F401 - installs the workaround, as importing any ui module does

EMITS = 1_000


class _Source(QObject):
    changed = Signal(int)
    done = Signal()


def test_emitting_and_disconnecting_keep_trues_reference_count() -> None:
    source = _Source()
    seen: list[int] = []
    source.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(EMITS):
        source.changed.emit(n)
        source.done.emit()
    for _ in range(EMITS // 10):
        source.done.connect(print)
        source.done.disconnect(print)
    # Without the workaround True would be 2.2 * EMITS references short; a little slack for
    # whatever else this process does meanwhile.
    assert sys.getrefcount(True) >= before - 100
    assert len(seen) == EMITS


def test_a_process_that_emits_more_signals_than_true_has_references_exits_cleanly() -> None:
    script = textwrap.dedent(
        """
        import ui
        from PySide6.QtCore import QObject, Signal

        class Source(QObject):
            changed = Signal()

        source = Source()
        for _ in range(50_000):
            source.changed.emit()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
