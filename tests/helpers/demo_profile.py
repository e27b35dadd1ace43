"""A demo profile on a manual clock, for integration tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop import demo_story
from desktop.domain.clock import ManualClock
from desktop.paths import Paths

START = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # a Wednesday evening


def paths_in(root: Path) -> Paths:
    return Paths(profile=root, logs=root / "logs")


def open_demo(root: Path, start: datetime = START) -> tuple[demo_story.Demo, ManualClock, Paths]:
    clock = ManualClock(start)
    paths = paths_in(root)
    return demo_story.prepare(paths, clock), clock, paths
