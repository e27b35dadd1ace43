"""Screenshots of the interview workspace for docs/: Objectives, Interview mode, Network and
Analytics, on a made-up profile. Run under Xvfb:

    xvfb-run -a -s '-screen 0 1400x900x24' .venv/bin/python scripts/workspace_screenshots.py docs
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Event, EventKind, Evidence, Objective
from desktop.domain.workspace import ContactSource, InterviewRecord, SourceKind
from desktop.paths import Paths
from desktop.settings import Settings
from desktop.storage import Store
from desktop.tasks import Tasks

NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)

# name, company, role, source, referrer (name), steps: (event, days before NOW, hours after)
PEOPLE: list[tuple[str, str, str, SourceKind | None, str | None, list[tuple[str, float]]]] = [
    (
        "Ana Silva",
        "Figma",
        "Product Manager, Growth",
        SourceKind.ALUMNI,
        None,
        [("request", 40), ("reply", 39.6), ("meeting", 34), ("thank", 33.8)],
    ),
    (
        "Raj Patel",
        "Stripe",
        "Staff Product Manager",
        SourceKind.REFERRAL,
        "Ana Silva",
        [("request", 30), ("reply", 29), ("meeting", 22), ("thank", 21.9)],
    ),
    (
        "Mei Chen",
        "Canva",
        "Group Product Manager",
        SourceKind.REFERRAL,
        "Ana Silva",
        [("request", 28), ("reply", 27.7), ("meeting", 3)],
    ),
    (
        "Lars Berg",
        "Spotify",
        "Product Lead",
        SourceKind.REFERRAL,
        "Raj Patel",
        [("request", 12), ("reply", 11.2)],
    ),
    ("Priya Nair", "Monzo", "Senior PM", SourceKind.REFERRAL, "Raj Patel", []),
    ("Tomás Ruiz", "Revolut", "PM, Payments", SourceKind.REFERRAL, "Lars Berg", []),
    (
        "Zoë Martin",
        "The Verge",
        "Product at Vox Media",
        SourceKind.ARTICLE,
        None,
        [("request", 25), ("auto", 24.9), ("reply", 21)],
    ),
    (
        "Chinedu Okafor",
        "Shopify",
        "Engineering Manager",
        SourceKind.ARTICLE,
        None,
        [("request", 20)],
    ),
    (
        "Jürgen Müller",
        "Siemens",
        "Product Owner",
        SourceKind.LINKEDIN,
        None,
        [("request", 35), ("bounce", 34.9)],
    ),
    (
        "Élodie Marchand",
        "Qonto",
        "Head of Product",
        SourceKind.LINKEDIN,
        None,
        [("request", 18), ("reply", 15)],
    ),
    ("Sofia Rossi", "Satispay", "Product Designer", SourceKind.LINKEDIN, None, [("request", 9)]),
    (
        "Kwame Mensah",
        "Flutterwave",
        "PM",
        SourceKind.ASSOCIATION,
        None,
        [("request", 16), ("reply", 15.8), ("meeting", 1), ("thank", 0.5)],
    ),
    ("Hannah Schmidt", "N26", "Product Analyst", SourceKind.ASSOCIATION, None, [("request", 5)]),
    ("Oliver Brown", "Wise", "Director of Product", None, None, [("request", 22)]),
    ("Yuki Tanaka", "Mercari", "PM", None, None, []),
]


def build(profile: Path) -> tuple[AppContext, dict[str, int]]:
    store = Store.open(profile)
    account = store.accounts.add(
        __import__("mail.provider").provider.AccountKind.DEMO, "sam@example.org"
    )
    del account
    ids: dict[str, int] = {}
    product = store.workspace.add_objective(
        Objective(
            None,
            "Move into product management",
            ("Product Manager", "Product Lead"),
            ("Figma", "Stripe", "Notion", "Spotify"),
            ("Design tools", "Fintech"),
        )
    )
    fintech = store.workspace.add_objective(
        Objective(
            None,
            "Understand fintech product teams",
            ("PM",),
            ("Monzo", "Wise", "Adyen"),
            ("Fintech",),
        )
    )
    store.workspace.add_objective(
        Objective(None, "Explore climate tech", (), ("Octopus Energy",), ("Energy",))
    )
    for name, company, role, source, referrer, steps in PEOPLE:
        contact = store.contacts.add(
            Contact(
                None,
                name,
                (
                    name.split()[0]
                    .lower()
                    .replace("é", "e")
                    .replace("ü", "u")
                    .replace("ë", "e")
                    .replace("á", "a")
                    + "@"
                    + company.lower().replace(" ", "")
                    + ".example",
                ),
                company=company,
                role=role,
                referrer_id=ids.get(referrer) if referrer else None,
            )
        )
        cid = contact.id or 0
        ids[name] = cid
        if source is not None:
            store.workspace.set_source(
                cid,
                ContactSource(
                    source, "How product teams ship" if source is SourceKind.ARTICLE else ""
                ),
            )
        objectives = [product.id or 0]
        if company in ("Stripe", "Monzo", "Wise", "Revolut", "Qonto", "N26", "Flutterwave"):
            objectives.append(fintech.id or 0)
        store.workspace.set_contact_objectives(cid, objectives)
        for n, (step, days) in enumerate(steps):
            at = NOW - days * D
            key = f"{cid}:{n}"
            if step == "request":
                ev = Event(EventKind.REQUEST_SENT, at, Evidence("Request seen in Sent mail"), key)
            elif step == "reply":
                ev = Event(EventKind.GENUINE_REPLY, at, Evidence("They replied"), key)
            elif step == "auto":
                ev = Event(EventKind.AUTO_REPLY, at, Evidence("Out of office"), key)
            elif step == "bounce":
                ev = Event(EventKind.BOUNCE, at, Evidence("Delivery failed"), key)
            elif step == "meeting":
                store.pipeline.apply(
                    cid,
                    Event(
                        EventKind.MEETING_SET,
                        at - 3 * D,
                        Evidence("Meeting set"),
                        key + "s",
                        meeting_start=at - timedelta(minutes=20),
                        meeting_end=at,
                    ),
                )
                ev = Event(EventKind.MEETING_PASSED, at, Evidence("Meeting ended"), key)
            else:
                ev = Event(EventKind.THANK_YOU_SENT, at, Evidence("Thank-you sent"), key)
            store.pipeline.apply(cid, ev)
    # Lars: a call in an hour, for Interview mode.
    lars = ids["Lars Berg"]
    store.pipeline.apply(
        lars,
        Event(
            EventKind.MEETING_SET,
            NOW - 2 * D,
            Evidence("Meeting set"),
            "lars-meet",
            meeting_start=NOW,
            meeting_end=NOW + 20 * timedelta(minutes=1),
        ),
    )
    store.workspace.set_research(
        lars,
        "# Lars Berg\n- Product Lead, Spotify (podcasts)\n- Before: 4 years consulting at BCG\n"
        "- Wrote about *discovery sprints* on Medium\n",
        NOW,
    )
    store.workspace.save_interview(
        InterviewRecord(
            None,
            ids["Ana Silva"],
            NOW - 34 * D,
            NOW - 34 * D,
            15,
            "",
            ("Intro to Raj",),
            (),
            ("Raj Patel", "Mei Chen"),
        )
    )
    store.close()
    ctx = AppContext(
        paths=Paths(profile=profile, logs=profile / "logs"),
        settings=Settings(user_name="Sam Lee", timezone="Europe/London"),
        store=Store.open(profile, read_only=True),  # as the app's: writes go through ui.ops
        clock=ManualClock(NOW),
        tasks=Tasks(),
        sync_interval_s=3600,
    )
    return ctx, ids


def main(out: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui import workspace
    from ui.interview import InterviewWindow
    from ui.main_window import MainWindow, apply_style

    assert isinstance(app, QApplication)
    apply_style(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx, ids = build(Path(tmp) / "profile")
        window = MainWindow(ctx)
        hooks = workspace.install(window, ctx)
        window.resize(1360, 840)
        window.show()
        for index, name in ((0, "objectives"), (1, "network"), (2, "analytics")):
            hooks.show_view(index)
            if name == "network":
                window.select_contact(ids["Raj Patel"])
                hooks.network.show_details(ids["Raj Patel"])
            else:
                window.select_contact(None)
            if name == "analytics":
                hooks.analytics.period_combo.setCurrentIndex(1)
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(out / f"workspace-{name}.png"))
        lars = ids["Lars Berg"]
        clock = ctx.clock
        assert isinstance(clock, ManualClock)
        interview = InterviewWindow(ctx.store, window.ops, clock, lars, ctx.settings)
        interview.resize(1100, 720)
        interview.show()
        while not window.ops.idle():  # the questions, seeded on the database worker
            app.processEvents()
        interview.start()
        for row in (0, 1, 4):
            interview.check_question(row)
        interview.notes.setPlainText(
            "Came from consulting; the first PM job came through an internal move.\n"
            "Discovery sprints: 2 weeks, 5 user calls, one-page memo.\n"
            "Biggest surprise: how much of the job is writing."
        )
        clock.advance(timedelta(minutes=20, seconds=40))
        interview.tick()
        for _ in range(5):
            app.processEvents()
        interview.grab().save(str(out / "workspace-interview.png"))
        interview.ticker.stop()
        interview.hide()  # not close(): that would ask whether to leave unsaved
        window.shutdown()
        ctx.tasks.shutdown()
        ctx.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
