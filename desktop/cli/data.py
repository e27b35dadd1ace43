"""``coffeechat import / export / backup / restore``: the profile's data in and out. Qt-free."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from desktop.cli.common import fail, open_profile, profile_option
from desktop.paths import resolve
from desktop.storage import Store
from desktop.storage.files import private_dir


def add_parser(subparsers: Any) -> None:
    """Add the ``import``, ``export``, ``backup`` and ``restore`` commands."""
    common = profile_option()
    imp = subparsers.add_parser(
        "import",
        parents=[common],
        help="import contacts from LinkedIn's Connections.csv, another CSV or vCards",
        description="Import contacts. Known people are merged (same address, or same name); "
        "rejected rows are listed with the reason; the import is all or nothing.",
    )
    imp.add_argument("file", metavar="FILE", type=Path, nargs="?")
    imp.add_argument(
        "--undo",
        action="store_true",
        help="undo the last import: remove the contacts it added, restore those it merged into",
    )
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.add_argument("--json", action="store_true", help="one JSON document")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="for a CSV: the column holding a field (name, first_name, last_name, email, "
        "company, role, url, notes); repeatable, and email may name several columns",
    )

    exp = subparsers.add_parser(
        "export",
        parents=[common],
        help="export contacts (CSV, vCard), everything (JSON) or meetings (.ics)",
        description="Write an export file. Nothing in the profile changes.",
    )
    exp.add_argument(
        "--format", required=True, choices=["csv", "vcard", "json", "ics"], help="what to write"
    )
    exp.add_argument("--to", required=True, type=Path, metavar="FILE", help="the file to write")
    bak = subparsers.add_parser(
        "backup",
        parents=[common],
        help="copy the database to a backup file (safe while the app runs)",
    )
    bak.add_argument(
        "--to",
        type=Path,
        metavar="FILE_OR_DIR",
        default=None,
        help="where to write it (default: the profile's backups folder, dated)",
    )
    res = subparsers.add_parser(
        "restore",
        parents=[common],
        help="replace the database with a backup, after checking the backup",
        description="Check FILE (a Coffeechat database, a known schema, intact), keep a copy "
        "of the current database, then restore FILE. Close the window first.",
    )
    res.add_argument("file", metavar="FILE", type=Path)


def _open(args: argparse.Namespace, *, create: bool = False) -> Store | int:
    opened = open_profile(args, create=create)
    return opened if isinstance(opened, int) else opened[1]


def run_undo_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    store = _open(args)
    if isinstance(store, int):
        return store
    try:
        undone = store.imports.undo_last(datetime.now(UTC))
    finally:
        store.close()
    if undone is None:
        print("No import to undo.")
        return 0
    when = undone.batch.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
    print(
        f"Undid the import of {when}: {undone.removed} contact(s) removed, "
        f"{undone.restored} restored as they were."
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from desktop import importers

    if args.undo:
        if args.file is not None:
            return fail("--undo takes no FILE: it undoes the last import")
        return run_undo_import(args)
    if args.file is None:
        return fail("name the FILE to import (or --undo to undo the last import)")

    mapping: dict[str, str] = {}
    for pair in args.map:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            return fail(f"--map wants FIELD=COLUMN, not {pair!r}")
        key = key.strip()
        if key == "email" and key in mapping:  # another e-mail column
            key = f"email_{sum(1 for k in mapping if k.startswith('email')) + 1}"
        mapping[key] = value.strip()
    try:
        parsed = importers.read_file(args.file, mapping or None)
    except importers.ImportError_ as exc:
        return fail(str(exc))
    store = _open(args, create=not args.dry_run)  # a first command: the import makes the profile
    if isinstance(store, int):
        return store
    try:
        plan = importers.plan(store, parsed)
        written = False
        if not args.dry_run:
            importers.apply(store, plan)
            written = True
    except importers.ImportError_ as exc:
        return fail(str(exc))
    finally:
        store.close()
    if args.json:
        print(
            json.dumps(
                {
                    "format": plan.format.value,
                    "new": len(plan.new),
                    "merged": len(plan.merges),
                    "duplicates_in_file": plan.duplicates_in_file,
                    "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected],
                    "new_contacts": [{"name": p.name, "emails": list(p.emails)} for p in plan.new],
                    "written": written,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(importers.describe(plan))
        print("Nothing written (dry run)." if not written else "Imported.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from desktop.export import ExportFormat, export

    store = _open(args)
    if isinstance(store, int):
        return store
    try:
        written = export(store, ExportFormat(args.format), args.to, datetime.now(UTC))
    except OSError as exc:
        return fail(f"cannot write {args.to}: {exc.strerror or exc}")
    finally:
        store.close()
    print(f"Wrote {written}.")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from desktop.backup import BackupError, backup

    paths = resolve(getattr(args, "profile", None))
    destination = args.to or paths.profile / "backups"
    if args.to is None:
        private_dir(destination)
    try:
        written = backup(paths.database, destination)
    except BackupError as exc:
        return fail(str(exc))
    print(f"Backed up to {written}.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from desktop.backup import BackupError, restore

    paths = resolve(getattr(args, "profile", None))
    try:
        safety = restore(paths.profile, args.file)
    except BackupError as exc:
        return fail(str(exc))
    print(f"Restored {args.file.name}." + (f" The previous data is in {safety}." if safety else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    runner = {
        "import": run_import,
        "export": run_export,
        "backup": run_backup,
        "restore": run_restore,
    }[args.command]
    return runner(args)
