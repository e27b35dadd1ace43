"""``coffeechat demo [--headless]``: a fresh demo profile with the built-in demo mailbox, in the
window or, without one, as a story printed day by day."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop import logs
from desktop.cli.common import (
    fail,
    has_display,
    instant,
    positive_float,
    positive_int,
    profile_option,
)
from desktop.storage import StorageError


def add_parser(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="open a fresh demo profile with the built-in demo mailbox",
        parents=[profile_option()],
    )
    demo.add_argument(
        "--headless",
        action="store_true",
        help="play the demo story without a window and print what happened",
    )
    demo.add_argument("--keep", action="store_true", help="keep the previous demo profile")
    demo.add_argument(
        "--days",
        type=positive_int,
        default=12,
        help="demo days the headless story covers (default 12)",
    )
    demo.add_argument(
        "--start", type=instant, default=None, help="demo clock start, ISO 8601 (default: now)"
    )
    demo.add_argument(
        "--screenshot",
        metavar="FILE",
        help="save a picture of the window to FILE (with --quit-after)",
    )
    demo.add_argument(
        "--quit-after",
        type=positive_float,
        metavar="SECONDS",
        help="close the window after this many seconds (for docs and tests)",
    )


def run(args: argparse.Namespace) -> int:
    from desktop import demo_story
    from desktop.providers import save_demo_clock

    paths = demo_story.demo_paths(None if args.profile is None else args.profile)
    if not args.keep:
        try:
            demo_story.fresh_profile(paths, ours=args.profile is None)
        except demo_story.NotADemoProfileError as exc:
            return fail(str(exc))
        except OSError as exc:
            return fail(f"cannot reset the demo profile {paths.profile}: {exc.strerror or exc}")
    try:
        demo_story.claim(paths, ours=args.profile is None)
    except demo_story.NotADemoProfileError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot create the demo profile {paths.profile}: {exc.strerror or exc}")
    if args.headless or not has_display():
        if not args.headless:
            print("No display: playing the demo story headless.\n")
        logs.setup(paths.logs)
        start = (args.start or datetime.now(UTC)).replace(second=0, microsecond=0)
        try:
            demo_story.play_headless(paths, start=start, days=args.days)
        except StorageError as exc:
            return fail(str(exc))
        save_demo_clock(paths, start + timedelta(days=args.days), demo_story.DEMO_SPEED)
        return 0
    # The window, imported on use (see desktop.cli.window).
    from desktop.app import run_gui

    return run_gui(paths, demo=True, screenshot=args.screenshot, quit_after=args.quit_after)
