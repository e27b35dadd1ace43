"""``coffeechat status [--json]``: the contacts with their stage and due actions. Qt-free."""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any

from desktop import settings
from desktop.actions import all_due
from desktop.cli.common import on_read_profile, profile_option
from desktop.paths import Paths
from desktop.storage import Store


def add_parser(subparsers: Any) -> None:
    status = subparsers.add_parser(
        "status", help="contacts with their stage and due actions", parents=[profile_option()]
    )
    status.add_argument("--json", action="store_true", help="one JSON document")


def run(args: argparse.Namespace) -> int:
    return on_read_profile(args, lambda paths, store: show_status(store, paths, as_json=args.json))


def show_status(store: Store, paths: Paths, *, as_json: bool) -> int:
    from desktop.providers import demo_clock, profile_clock

    demo = demo_clock(paths)
    now = (demo or profile_clock(paths)).now()
    records = store.contacts.all()
    due = all_due(records, now, settings.load(paths.settings).reminders())
    by_contact: dict[int, list[dict[str, str]]] = {}
    for action in due:
        by_contact.setdefault(action.contact_id, []).append(
            {"kind": action.kind.value, "title": action.title, "due_at": action.due_at.isoformat()}
        )
    rows = [
        {
            "id": r.id,
            "name": r.contact.name,
            "emails": list(r.contact.emails),
            "company": r.contact.company,
            "stage": r.state.stage.value,
            "away_until": r.state.away_until.isoformat() if r.state.away_until else None,
            "bounced": list(r.state.bounced_addresses),
            "due": by_contact.get(r.id, []),
        }
        for r in records
    ]
    if as_json:
        print(json.dumps({"now": now.isoformat(), "contacts": rows}, indent=2))
        return 0
    if not rows:
        print("No contacts yet. Add some in the window, or try 'coffeechat demo'.")
        return 0
    if demo is not None:
        print(f"Demo profile: the demo's clock says {now:%a} {now.day} {now:%b %Y %H:%M} UTC")
    table = [("Name", "Stage", "Due")] + [
        (
            record.contact.name,
            record.state.stage.label,
            "; ".join(d["title"] for d in by_contact.get(record.id, [])),
        )
        for record in records
    ]
    widths = [max(cells(row[n]) for row in table) for n in range(2)]
    for n, (name, stage, due_text) in enumerate(table):
        line = f"{pad(name, widths[0])}  {pad(stage, widths[1])}  {due_text}".rstrip()
        print(line)
        if n == 0:
            print("-" * (widths[0] + widths[1] + 4 + max(3, max(cells(r[2]) for r in table))))
    return 0


def cells(text: str) -> int:
    """The columns ``text`` takes in a terminal: East Asian wide and fullwidth characters take
    two, combining marks none."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    return text + " " * max(0, width - cells(text))
