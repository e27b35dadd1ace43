"""A private desktop session for notification tests: Xvfb, a session bus of its own
(``dbus-run-session``), dunst as the notification daemon, and dbus-monitor recording every call to
org.freedesktop.Notifications. Nothing touches the developer's own session.

Outside CI a missing tool skips the test; in CI (CI=true) it fails (see xvfb.require)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.xvfb import require, xvfb

#: dunst's context menu runs this "dmenu" (with dunst's environment, hence the file): it picks
#: the first line containing the text in fake-dmenu.pick, e.g. "#Snooze (Reply received)".
_FAKE_DMENU = """#!/bin/sh
tee "$0.input" | grep -m1 -F -- "$(cat "$0.pick")"
"""

_DUNSTRC = """[global]
    dmenu = "{dmenu}"
    browser = /bin/true
    idle_threshold = 0
    show_indicators = no
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "a condition") -> Any:
    """Poll ``check`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class DesktopSession:
    display: str
    bus_address: str
    env: dict[str, str]
    monitor_log: Path
    folder: Path

    def dunstctl(self, *args: str) -> str:
        result = subprocess.run(
            ["dunstctl", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout

    def choose(self, line: str) -> None:
        """Pick an action from dunst's context menu, as a user would: e.g. "#Snooze (Title)"."""
        (self.folder / "fake-dmenu.pick").write_text(line, encoding="utf-8")
        self.dunstctl("context")

    def displayed(self) -> int:
        try:
            return int(self.dunstctl("count", "displayed").strip() or 0)
        except subprocess.CalledProcessError:
            return 0

    def history(self) -> list[dict[str, Any]]:
        data = json.loads(self.dunstctl("history"))
        return [
            {k: v.get("data") for k, v in entry.items()}
            for group in data["data"]
            for entry in group
        ]

    def notify_calls(self) -> str:
        return self.monitor_log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def desktop_session(folder: Path) -> Iterator[DesktopSession]:
    for tool in ("dbus-run-session", "dbus-monitor", "dunst", "dunstctl"):
        require(tool)
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        display = stack.enter_context(xvfb("1024x768x24"))
        # The bus lives as long as its child: a shell that prints the address and waits on stdin.
        bus = subprocess.Popen(
            [
                "dbus-run-session",
                "--",
                "sh",
                "-c",
                'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null',
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

        def stop_bus() -> None:
            assert bus.stdin is not None and bus.stdout is not None
            bus.stdin.close()
            bus.stdout.close()
            try:
                bus.wait(timeout=10)
            except subprocess.TimeoutExpired:
                bus.kill()
                bus.wait()

        stack.callback(stop_bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        if not address:
            pytest.fail("dbus-run-session did not start a bus")
        runtime = folder / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "DISPLAY": display,
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_RUNTIME_DIR": str(runtime),
        }
        dmenu = folder / "fake-dmenu"
        dmenu.write_text(_FAKE_DMENU, encoding="utf-8")
        dmenu.chmod(0o755)
        dunstrc = folder / "dunstrc"
        dunstrc.write_text(_DUNSTRC.format(dmenu=dmenu), encoding="utf-8")
        monitor_log = folder / "dbus-monitor.log"
        log_file = stack.enter_context(monitor_log.open("w", encoding="utf-8"))
        monitor = subprocess.Popen(
            ["dbus-monitor", "--address", address, "interface='org.freedesktop.Notifications'"],
            env=env,
            stdout=log_file,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(_stop, monitor)
        dunst = subprocess.Popen(
            ["dunst", "-config", str(dunstrc)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stack.enter_context((folder / "dunst.log").open("w", encoding="utf-8")),
        )
        stack.callback(_stop, dunst)
        session = DesktopSession(display, address, env, monitor_log, folder)
        wait_for(lambda: _answers(session), what="dunst on the private bus")
        wait_for(lambda: "NameLost" in session.notify_calls(), what="dbus-monitor to listen")
        yield session


def _answers(session: DesktopSession) -> bool:
    try:
        session.dunstctl("count")
    except subprocess.CalledProcessError:
        return False
    return True


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
