"""The command line: ``coffeechat [--profile DIR] [COMMAND]``. Headless commands never import Qt."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NoReturn, TypeVar

from desktop import __version__, logs, settings
from desktop.actions import all_due
from desktop.paths import Paths, resolve
from desktop.storage import StorageError, Store

T = TypeVar("T", int, float)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage dump: bad input is named and the way to help is shown."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


#: Commands whose modules are costly to import (Google's libraries, Jinja2, the classifier's
#: tables): their parsers are added only when the command line may need them, so opening the
#: window does not pay for them.
_HEAVY_COMMANDS = {
    "account": "desktop.cli_account",
    "draft": "desktop.cli_draft",
    "classify": "desktop.cli_classify",
    "import": "desktop.cli_data",
    "export": "desktop.cli_data",
    "backup": "desktop.cli_data",
    "restore": "desktop.cli_data",
}
_LIGHT_COMMANDS = {"run", "status", "sync", "demo"}


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of a command line (the first word that is not an option)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--profile":
            skip = True
        elif not token.startswith("-"):
            return token
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``argv``, only the costly commands that line may need."""
    parser = _Parser(
        prog="coffeechat",
        description="Coffeechat: informational interviews from your own mailbox. "
        "With no command, opens the window on your profile.",
    )
    parser.add_argument("--version", action="version", version=f"coffeechat {__version__}")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="use this profile folder (default: $COFFEECHAT_PROFILE or the platform data folder)",
    )
    # --profile is also accepted after the command, where people tend to type it.
    common = _Parser(add_help=False)
    common.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("run", help="open the window (the default)", parents=[common])
    status = sub.add_parser(
        "status", help="contacts with their stage and due actions", parents=[common]
    )
    status.add_argument("--json", action="store_true", help="one JSON document")
    sync = sub.add_parser("sync", help="sync the connected accounts", parents=[common])
    sync.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    demo = sub.add_parser(
        "demo", help="open a fresh demo profile with the built-in demo mailbox", parents=[common]
    )
    demo.add_argument(
        "--headless",
        action="store_true",
        help="play the demo story without a window and print what happened",
    )
    demo.add_argument("--keep", action="store_true", help="keep the previous demo profile")
    demo.add_argument(
        "--days",
        type=_positive_int,
        default=12,
        help="demo days the headless story covers (default 12)",
    )
    demo.add_argument(
        "--start", type=_instant, default=None, help="demo clock start, ISO 8601 (default: now)"
    )
    demo.add_argument(
        "--screenshot",
        metavar="FILE",
        help="save a picture of the window to FILE (with --quit-after)",
    )
    demo.add_argument(
        "--quit-after",
        type=_positive_float,
        metavar="SECONDS",
        help="close the window after this many seconds (for docs and tests)",
    )
    import importlib

    command = None if argv is None else _command_in(argv)
    wants_help = argv is None or "-h" in argv or "--help" in argv
    added: set[str] = set()  # one module may add several commands
    for name, module in _HEAVY_COMMANDS.items():
        if module not in added and (
            command == name
            or (command is None and wants_help)
            or (
                command is not None
                and command not in _LIGHT_COMMANDS
                and command not in _HEAVY_COMMANDS
            )
        ):
            importlib.import_module(module).add_parser(sub)
            added.add(module)
    return parser


def _positive(convert: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type: a number above zero, with a one-line error otherwise."""

    def parse(text: str) -> T:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    return parse


_positive_int = _positive(int)
_positive_float = _positive(float)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _fail(message: str, code: int = 1) -> int:
    print(f"coffeechat: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    command = args.command or "run"
    if command == "demo":
        return _demo(args)
    if command == "draft":
        from desktop import cli_draft

        return cli_draft.run(args)
    if command == "account":
        from desktop import cli_account

        return cli_account.run(args)
    if command == "classify":
        from desktop import cli_classify

        return cli_classify.run(args)
    if command in ("import", "export", "backup", "restore"):
        from desktop import cli_data

        return cli_data.run(command, args)
    paths = resolve(args.profile)
    if command == "run":
        if not has_display():
            return _fail(
                "no display to open the window on; try 'coffeechat demo --headless' or "
                "'coffeechat status'"
            )
        from desktop.app import run_gui

        return run_gui(paths)
    readable = os.access(paths.profile, os.R_OK | os.X_OK)
    if not paths.profile.exists() or (readable and not paths.database.exists()):
        if args.profile or os.environ.get("COFFEECHAT_PROFILE"):
            # Never create a profile by reading one: a typo would silently make an empty one.
            return _fail(f"there is no Coffeechat profile at {paths.profile}")
        print("No profile yet: open Coffeechat ('coffeechat run') or try 'coffeechat demo'.")
        return 0
    logs.setup(paths.logs)
    try:
        store = Store.open(paths.profile)
    except StorageError as exc:
        return _fail(str(exc))
    try:
        if command == "status":
            return _status(store, paths, as_json=args.json)
        return _sync(store, paths)
    finally:
        store.close()


def _status(store: Store, paths: Paths, *, as_json: bool) -> int:
    from desktop.providers import profile_clock

    now = profile_clock(paths).now()
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
    width = max(len(r.contact.name) for r in records)
    for record in records:
        due_text = "; ".join(d["title"] for d in by_contact.get(record.id, []))
        print(f"{record.contact.name:<{width}}  {record.state.stage.label:<11}  {due_text}")
    return 0


def _sync(store: Store, paths: Paths) -> int:
    from desktop import outbox
    from desktop.jobs import SyncState, close_worker_store, sync_round
    from desktop.providers import build, profile_clock

    clock = profile_clock(paths)
    providers = build(store, paths, clock)
    if not providers:
        print("No account is connected: nothing to sync.")
        return 0
    for provider in providers:
        outbox.resume(store, provider)
    prefs = settings.load(paths.settings)
    try:
        # With the reminder settings, the round also flags waiting threads in the mailboxes.
        flags_off = frozenset(prefs.mailbox_flags_off)
        round_ = sync_round(paths.profile, providers, clock, prefs.reminders(), flags_off)
    finally:
        close_worker_store()
    failed = False
    for outcome in round_.outcomes:
        if outcome.result is not None:
            r = outcome.result
            print(
                f"account {outcome.account_id}: {r.seen} new messages, {r.relevant} relevant, "
                f"{r.events} events, {len(r.changes)} stage changes"
            )
        else:
            failed = failed or outcome.state is SyncState.ERROR
            print(f"account {outcome.account_id}: {outcome.state}: {outcome.message}")
    return 1 if failed else 0


def _demo(args: argparse.Namespace) -> int:
    from desktop import demo_story
    from desktop.providers import save_demo_clock

    paths = demo_story.demo_paths(None if args.profile is None else args.profile)
    if not args.keep:
        try:
            demo_story.fresh_profile(paths, ours=args.profile is None)
        except demo_story.NotADemoProfileError as exc:
            return _fail(str(exc))
        except OSError as exc:
            return _fail(f"cannot reset the demo profile {paths.profile}: {exc.strerror or exc}")
    try:
        demo_story.claim(paths, ours=args.profile is None)
    except demo_story.NotADemoProfileError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot create the demo profile {paths.profile}: {exc.strerror or exc}")
    if args.headless or not has_display():
        if not args.headless:
            print("No display: playing the demo story headless.\n")
        logs.setup(paths.logs)
        start = (args.start or datetime.now(UTC)).replace(second=0, microsecond=0)
        try:
            demo_story.play_headless(paths, start=start, days=args.days)
        except StorageError as exc:
            return _fail(str(exc))
        save_demo_clock(paths, start + timedelta(days=args.days), demo_story.DEMO_SPEED)
        return 0
    from desktop.app import run_gui

    return run_gui(paths, demo=True, screenshot=args.screenshot, quit_after=args.quit_after)
