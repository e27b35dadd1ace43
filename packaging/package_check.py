"""Run the frozen app the way a user would: from a folder outside the source tree, with none of
the developer's Python on its paths. `make package-check` runs it after `make package`.

    python packaging/package_check.py [--dist DIR]

It runs ``--version`` (must print the pyproject version), ``demo --headless`` on a fresh
profile (the story must match the one the source tree plays from the same start), ``status
--json`` on that profile (a JSON document with the demo's contacts), ``draft`` (the bundled
templates), and the window for a few seconds, offscreen and, when Xvfb is there, on X11 (xcb):
each must succeed. Then it prints the bundle's size. Exit status 0 when all hold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import check  # noqa: E402  (packaging/check.py, beside this file)

START = "2026-03-02T09:00:00+00:00"  # a fixed demo start, so two runs tell the same story
DAYS = "12"


def frozen_binary(dist: Path) -> Path:
    if sys.platform == "win32":
        return dist / "coffeechat" / "coffeechat-cli.exe"
    if sys.platform == "darwin":
        return dist / "Coffeechat.app" / "Contents" / "MacOS" / "coffeechat"
    return dist / "coffeechat" / "coffeechat"


def clean_env(home: Path) -> dict[str, str]:
    """The user's environment: no virtual env, no PYTHONPATH, a home of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "COFFEECHAT_PROFILE"}
        and not k.startswith("QT_")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(XDG_DATA_HOME=str(home / ".local" / "share"))
    env.update(XDG_STATE_HOME=str(home / ".local" / "state"))
    return env


class Runner:
    def __init__(self, binary: Path, cwd: Path, env: dict[str, str]) -> None:
        self.binary = binary
        self.cwd = cwd
        self.env = env
        self.failures: list[str] = []

    def run(
        self, title: str, args: list[str], *, prefix: list[str] | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        result = subprocess.run(
            [*(prefix or []), str(self.binary), *args],
            cwd=self.cwd,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        took = time.monotonic() - started
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"package-check: {title}: {status} in {took:.1f} s")
        if result.returncode != 0:
            self.fail(f"{title}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"package-check: PROBLEM: {message}")


def source_story(profile: Path) -> str | None:
    """The headless demo from the source tree (None when this Python cannot run it)."""
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop.app",
                "demo",
                "--headless",
                "--profile",
                str(profile),
                "--start",
                START,
                "--days",
                DAYS,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def size_of(folder: Path) -> tuple[int, int]:
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the frozen Coffeechat from outside.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="PyInstaller's dist")
    args = parser.parse_args(argv)
    binary = frozen_binary(args.dist.resolve())
    if not binary.is_file():
        print(f"package-check: no frozen app at {binary}: run 'make package' first")
        return 1
    version = check.project_version()
    with tempfile.TemporaryDirectory(prefix="coffeechat-package-check-") as tmp:
        work = Path(tmp)
        if ROOT in work.parents:
            print("package-check: the temporary folder is inside the source tree")
            return 1
        home = work / "home"
        home.mkdir()
        run = Runner(binary, work, clean_env(home))

        out = run.run("--version", ["--version"]).stdout.strip()
        if out != f"coffeechat {version}":
            run.fail(f"--version printed {out!r}, expected 'coffeechat {version}'")

        profile = work / "demo-profile"
        story = run.run(
            "demo --headless",
            ["demo", "--headless", "--profile", str(profile), "--start", START, "--days", DAYS],
        ).stdout
        if "Bounced" not in story or "Thanked" not in story:
            run.fail(f"demo --headless did not tell the demo story:\n{story}")
        expected = source_story(work / "source-profile")
        if expected is None:
            print("package-check: (the source tree's story was not available to compare)")
        elif expected.replace(str(work / "source-profile"), "PROFILE") != story.replace(
            str(profile), "PROFILE"
        ):
            run.fail("the frozen demo story differs from the source tree's")
        else:
            print("package-check:   the same story as the source tree tells")

        status = run.run("status --json", ["status", "--json", "--profile", str(profile)])
        try:
            contacts = json.loads(status.stdout)["contacts"]
        except (ValueError, KeyError) as exc:
            run.fail(f"status --json is not the JSON document: {exc}")
        else:
            stages = sorted({c["stage"] for c in contacts})
            print(f"package-check:   {len(contacts)} contacts, stages {', '.join(stages)}")
            if len(contacts) < 5:
                run.fail(f"status --json lists {len(contacts)} contacts")

        draft = run.run(
            "draft (bundled templates)",
            [
                "draft",
                "Priya Nair",
                "--template",
                "request_cold",
                "--json",
                "--field",
                "reason=your talk on pricing",
                "--profile",
                str(profile),
            ],
        )
        if draft.returncode == 0 and not json.loads(draft.stdout).get("subject"):
            run.fail("draft wrote no subject")

        shot = work / "offscreen.png"
        run.run(
            "window (offscreen)",
            [
                "demo",
                "--profile",
                str(work / "gui-offscreen"),
                "--screenshot",
                str(shot),
                "--quit-after",
                "3",
            ],
            QT_QPA_PLATFORM="offscreen",
        )
        if not shot.is_file():
            run.fail("the offscreen window saved no screenshot")
        if shutil.which("xvfb-run") and sys.platform.startswith("linux"):
            shot = work / "xcb.png"
            run.run(
                "window (X11, xcb)",
                [
                    "demo",
                    "--profile",
                    str(work / "gui-xcb"),
                    "--screenshot",
                    str(shot),
                    "--quit-after",
                    "4",
                ],
                prefix=["xvfb-run", "-a", "-s", "-screen 0 1400x900x24"],
                QT_QPA_PLATFORM="xcb",
            )
            if not shot.is_file():
                run.fail("the X11 window saved no screenshot")
        elif sys.platform.startswith("linux"):
            print("package-check: (no xvfb-run: the X11 window was not tried)")

    bundle = binary.parent if sys.platform != "darwin" else binary.parents[2]
    total, count = size_of(bundle)
    print(
        f"package-check: bundle {bundle.name}: {total / 1e6:.0f} MB "
        f"({total / 2**20:.0f} MiB) in {count} files"
    )
    if run.failures:
        print(f"package-check: {len(run.failures)} problem(s)")
        return 1
    print(f"package-check: the frozen Coffeechat {version} works from outside the source tree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
