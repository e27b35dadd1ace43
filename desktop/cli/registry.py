"""The command registry: every command's name and the module that has it. The parser is built
from it and the command line dispatched through it.

A command module has ``add_parser(subparsers)`` (adds its command, or its few commands, to
coffeechat's subparsers) and ``run(args) -> int`` (the exit status). It is imported only when
its command may be on the line, so ``coffeechat --version``, ``status`` and opening the window
do not pay for Google's libraries, Jinja2 or the classifier's tables.
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from desktop import __version__
from desktop.cli.common import Parser, fail
from desktop.paths import resolve
from desktop.storage.database import StorageError, explain

#: Every command, in the order ``--help`` lists them, and the module that adds and runs it.
COMMANDS: dict[str, str] = {
    "run": "desktop.cli.window",
    "status": "desktop.cli.status",
    "sync": "desktop.cli.sync",
    "history": "desktop.cli.history",
    "demo": "desktop.cli.demo",
    "account": "desktop.cli.account",
    "contact": "desktop.cli.contact",
    "draft": "desktop.cli.draft",
    "classify": "desktop.cli.classify",
    "import": "desktop.cli.data",
    "export": "desktop.cli.data",
    "backup": "desktop.cli.data",
    "restore": "desktop.cli.data",
}
#: The command of a line that names none.
DEFAULT = "run"


class CommandModule(Protocol):
    def add_parser(self, subparsers: argparse._SubParsersAction[Parser]) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command_module(name: str) -> CommandModule:
    return cast(CommandModule, importlib.import_module(COMMANDS[name]))


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
    """The whole parser; with ``argv``, only the commands that line may need."""
    parser = Parser(
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    command = None if argv is None else _command_in(argv)
    wants_help = argv is None or "-h" in argv or "--help" in argv
    if command in COMMANDS:
        wanted = [COMMANDS[command]]
    elif command is not None or wants_help:  # an unknown word is answered with the full list
        wanted = list(COMMANDS.values())
    else:
        wanted = []
    added: set[str] = set()  # one module may add several commands
    for module in wanted:
        if module not in added:
            importlib.import_module(module).add_parser(sub)
            added.add(module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``coffeechat [--profile DIR] [COMMAND]``: the console script; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    if args.command is None:
        args.command = DEFAULT
    try:
        return command_module(args.command).run(args)
    except StorageError as exc:
        return fail(str(exc))
    except (sqlite3.Error, OSError) as exc:
        # A damaged page met mid-command, a full disk, a lock: one line, never a traceback.
        return fail(str(explain(exc, resolve(getattr(args, "profile", None)).database)))
