"""Issue 19, point 14 (second round): what loads before the window's first paint. The mail
understanding (the sync, classify, flufl.bounce), the reply loop (icalendar, Jinja2) and the
mailboxes' libraries (Google's client) wait until after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop import settings
from desktop.storage import Store
from mail.provider import AccountKind

ROOT = Path(__file__).resolve().parents[3]

#: Modules the first sight of the window does not need.
LATE = (
    "desktop.sync",
    "desktop.history",
    "mail.classify",
    "flufl.bounce",
    "desktop.replies",
    "desktop.invites",
    "icalendar",
    "jinja2",
    "mail.gmail",
    "mail.demo",
    "googleapiclient",
)

PROBE = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {LATE_ROOTS})))
            sys.stdout.flush()
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
from desktop.cli import main
main(["run"])
"""


def test_the_first_paint_comes_before_the_sync_the_reply_loop_and_the_mailboxes(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "profile"
    store = Store.open(profile)
    store.accounts.add(AccountKind.GMAIL, "me@gmail.example", "Me")
    store.close()
    settings.save(profile / "settings.json", settings.Settings(user_name="Me", welcome_done=True))
    roots = {m.split(".")[0] for m in LATE}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.replace("{LATE_ROOTS}", repr(roots))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "COFFEECHAT_PROFILE": str(profile)},
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    early = [m for m in LATE if m in loaded or any(x.startswith(m + ".") for x in loaded)]
    assert early == []
