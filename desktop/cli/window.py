"""``coffeechat run`` (and no command at all): open the window on the profile.

The window is imported here, on use: the command line sits above the app and dispatches to it;
``desktop.app`` never imports the command line."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.common import fail, has_display, profile_option
from desktop.paths import resolve


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("run", help="open the window (the default)", parents=[profile_option()])


def run(args: argparse.Namespace) -> int:
    paths = resolve(args.profile)
    if not has_display():
        return fail(
            "no display to open the window on; try 'coffeechat demo --headless' or "
            "'coffeechat status'"
        )
    from desktop.app import run_gui

    return run_gui(paths)
