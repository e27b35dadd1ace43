"""What the commands share: ``fail``, the ``--profile`` option after a command, argparse types,
opening an existing profile, whether a window can be shown. Cheap to import: no Qt, no store."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NoReturn, TypeVar

from desktop import logs
from desktop.paths import Paths, make_private, resolve
from desktop.storage import StorageError, Store

T = TypeVar("T", int, float)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage dump: bad input is named and the way to help is shown."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def fail(message: str, code: int = 1) -> int:
    """Say what went wrong on one line of stderr; returns the exit status to give back."""
    print(f"coffeechat: {message}", file=sys.stderr)
    return code


def profile_option() -> argparse.ArgumentParser:
    """A parent parser: ``--profile`` is also accepted after the command, where people tend to
    type it."""
    common = Parser(add_help=False)
    common.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    return common


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


positive_int = _positive(int)
positive_float = _positive(float)


def instant(text: str) -> datetime:
    """An argparse type: an ISO 8601 date and time (UTC when it names no offset)."""
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


def _missing(paths: Paths) -> bool:
    """No profile there (an unreadable folder is not "missing": opening it says why)."""
    readable = os.access(paths.profile, os.R_OK | os.X_OK)
    return not paths.profile.exists() or (readable and not paths.database.exists())


def open_profile(args: argparse.Namespace, *, create: bool = False) -> tuple[Paths, Store] | int:
    """The profile a command works on (``--profile``, else the usual one), opened; or the exit
    status when there is none. Only a command that brings data in (``create``: import) makes a
    new profile; the others never do, or a typo would silently make an empty one."""
    paths = resolve(getattr(args, "profile", None))
    if _missing(paths) and not create:
        return fail(
            f"there is no Coffeechat profile at {paths.profile}: start one with "
            f"'coffeechat import CONTACTS.csv' or 'coffeechat account add' (same --profile)"
        )
    logs.setup(paths.logs)
    try:
        store = Store.open(paths.profile)
    except StorageError as exc:
        return fail(str(exc))
    make_private(paths)
    return paths, store


def read_profile(args: argparse.Namespace) -> tuple[Paths, Store] | int:
    """The profile a reading command (status, sync) works on, opened; or the exit status when
    there is none. Without ``--profile`` and before any profile exists, says how to start."""
    paths = resolve(getattr(args, "profile", None))
    explicit = getattr(args, "profile", None) or os.environ.get("COFFEECHAT_PROFILE")
    if not explicit and _missing(paths):
        print("No profile yet: open Coffeechat ('coffeechat run') or try 'coffeechat demo'.")
        return 0
    return open_profile(args)


def on_read_profile(args: argparse.Namespace, work: Callable[[Paths, Store], int]) -> int:
    """Run a reading command's ``work`` on its profile (``read_profile``), closing it after."""
    opened = read_profile(args)
    if isinstance(opened, int):
        return opened
    paths, store = opened
    try:
        return work(paths, store)
    finally:
        store.close()
