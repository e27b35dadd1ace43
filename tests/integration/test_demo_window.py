"""`make demo` as a new user sees it: a real window under Xvfb, the demo contacts in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.xvfb import xvfb

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.xvfb
def test_demo_opens_a_window_with_the_demo_contacts(tmp_path: Path) -> None:
    profile = tmp_path / "demo"
    shot = tmp_path / "shot.png"
    with xvfb() as display:
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env["DISPLAY"] = display
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop.app",
                "demo",
                "--profile",
                str(profile),
                "--screenshot",
                str(shot),
                "--quit-after",
                "6",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a real picture of a real window, not a blank
    status = subprocess.run(
        [sys.executable, "-m", "desktop.app", "status", "--json", "--profile", str(profile)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    contacts = json.loads(status.stdout)["contacts"]
    assert len(contacts) == 8
    stages = {c["stage"] for c in contacts}
    # Six real seconds are an hour of demo time: the seeded requests have been answered.
    assert {"requested", "bounced"} <= stages
    assert stages & {"replied", "scheduled"}
    assert any(c["away_until"] for c in contacts)
