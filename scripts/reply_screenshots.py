"""Screenshots of the reply card for docs/: Maya accepts a time, Tomás proposes others, Daniel
declines and refers a colleague, and a reply the user corrected to a decline; each in the light
and the dark palette, on a fresh demo profile. Run under Xvfb:

    xvfb-run -a -s '-screen 0 1400x900x24' .venv/bin/python scripts/reply_screenshots.py docs
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop import demo_story, replies, settings
from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.jobs import sync_round
from desktop.paths import Paths
from desktop.storage import Store
from desktop.tasks import Tasks
from mail import intent as intents

START = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # a Wednesday evening


def dark_palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#202225",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#242629",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2b2d31",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d7dd8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a8d91",
        QPalette.ColorRole.Light: "#3a3c40",
        QPalette.ColorRole.Midlight: "#313337",
        QPalette.ColorRole.Mid: "#45484d",
        QPalette.ColorRole.Dark: "#111214",
        QPalette.ColorRole.Link: "#7aa7ff",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7c7f84"))
    return pal


def build(root: Path) -> tuple[AppContext, demo_story.Demo, dict[str, int]]:
    paths = Paths(profile=root, logs=root / "logs")
    clock = ManualClock(START)
    demo = demo_story.prepare(paths, clock)
    demo_story.send_requests(demo, ("declines_refers", "proposes", "silent"), clock.now())
    rounds = Store.open(paths.profile)
    for _ in range(30):  # five demo hours: every scripted reply has come in
        sync_round(rounds, (demo.mailbox,), clock)
        clock.advance(timedelta(minutes=10))
    rounds.close()
    ids = {r.contact.name: r.id for r in demo.store.contacts.all()}
    ctx = AppContext(
        paths=paths,
        settings=settings.load(paths.settings),
        store=Store.open(paths.profile, read_only=True),
        clock=clock,
        tasks=Tasks(),
        providers=(demo.mailbox,),
        demo=True,
        sync_interval_s=3600,
    )
    return ctx, demo, ids


def main(out: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui import workspace
    from ui.main_window import MainWindow, apply_style

    assert isinstance(app, QApplication)
    apply_style(app)
    light = app.palette()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx, demo, ids = build(Path(tmp) / "demo")
        # A reply the user corrected: the second Northwind reply is read as a decline.
        cases = {
            "accept": ids["Maya Chen"],
            "propose": ids["Tomás Ortega"],
            "refer": ids["Daniel Okafor"],
        }
        window = MainWindow(ctx)
        workspace.install(window, ctx)
        window.resize(1360, 900)
        window.show()
        sizes = window.splitter.sizes()
        if len(sizes) == 3:  # a wider contact panel, as a user reading replies would drag it
            window.splitter.setSizes([sizes[0], 1360 - sizes[0] - 560, 560])
        for theme, palette in (("light", light), ("dark", dark_palette())):
            app.setPalette(palette)
            for name, contact_id in cases.items():
                window.show_view("today")
                window.select_contact(contact_id)
                window.replies.refresh(contact_id)
                for _ in range(10):
                    app.processEvents()
                window.grab().save(str(out / f"reply-{name}-{theme}.png"))
        # The correction: Tomás's proposal read as a decline, then shown again.
        tomas = ids["Tomás Ortega"]
        case = replies.read_case(demo.store, tomas, ctx.settings)
        assert case is not None
        replies.correct(demo.store, case, intents.DECLINE, None, ctx.clock.now())
        for theme, palette in (("light", light), ("dark", dark_palette())):
            app.setPalette(palette)
            window.select_contact(tomas)
            window.replies.refresh(tomas)
            for _ in range(10):
                app.processEvents()
            window.grab().save(str(out / f"reply-corrected-{theme}.png"))
        window.shutdown()
        ctx.tasks.shutdown()
        ctx.store.close()
        demo.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
