"""The wheel carries everything the app reads at run time: built with pip as an installer would,
unpacked outside the source tree, it finds its templates, icons and version there."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, desktop, desktop.resources as r, desktop.templates as t
print(json.dumps({"code": desktop.__file__, "version": desktop.__version__,
                  "root": str(r.root()), "templates": sorted(t.available()),
                  "icon": r.icon_file(48).is_file()}))
"""


def test_the_wheel_works_unpacked_outside_the_checkout(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("coffeechat-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(site)
    assert "coffeechat_resources/coffeechat.desktop" in names
    assert "coffeechat_resources/templates/request_cold.j2" in names
    assert "coffeechat_resources/icons/hicolor/scalable/apps/coffeechat.svg" in names

    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    with (ROOT / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    assert seen["code"].startswith(str(site))
    assert seen["root"] == str(site / "coffeechat_resources")
    assert seen["version"] == version
    assert "request_cold" in seen["templates"]
    assert seen["icon"] is True
