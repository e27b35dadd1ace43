"""Start at login on Linux: a valid XDG autostart entry is written and removed."""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path

import pytest

from desktop import autostart
from tests.helpers.xvfb import require


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(autostart.sys, "platform", "linux")
    return tmp_path / "config"


def test_enable_writes_a_valid_autostart_entry_and_disable_removes_it(config_home: Path) -> None:
    validate = require("desktop-file-validate")
    # A command with a space, a quote, a dollar and a percent: all must survive the quoting.
    command = ["/opt/My Apps/bin/python", "-m", "desktop.app", "run", '--note=a"b$c', "50%"]
    assert not autostart.is_enabled()
    autostart.enable(command)
    entry = config_home / "autostart" / "coffeechat.desktop"
    assert autostart.is_enabled() and entry.exists()
    result = subprocess.run([validate, str(entry)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    text = entry.read_text(encoding="utf-8")
    assert 'Exec="/opt/My Apps/bin/python" -m desktop.app run "--note=a\\\\"b\\\\$c" 50%%' in text
    autostart.disable()
    assert not entry.exists() and not autostart.is_enabled()
    autostart.disable()  # twice is harmless


def test_enable_twice_rewrites_the_entry(config_home: Path) -> None:
    autostart.enable(["coffeechat", "run"])
    autostart.enable(["coffeechat", "run", "--profile", "x"])
    text = (config_home / "autostart" / "coffeechat.desktop").read_text(encoding="utf-8")
    assert "Exec=coffeechat run --profile x" in text


def test_the_default_command_starts_the_gui() -> None:
    assert autostart.default_command()[-1] == "run"


def test_launch_agent_runs_at_load() -> None:
    plist = plistlib.loads(autostart.launch_agent(["/Applications/Coffeechat", "run"]))
    assert plist == {
        "Label": autostart.LAUNCH_AGENT,
        "ProgramArguments": ["/Applications/Coffeechat", "run"],
        "RunAtLoad": True,
    }
