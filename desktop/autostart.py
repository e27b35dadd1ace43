"""Start at login (Qt-free): an XDG autostart entry on Linux, the Run key on Windows, a
LaunchAgent on macOS. Written and removed by the app; only the Linux path is tested.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from desktop import launch

APP_ID = "coffeechat"
RUN_VALUE = "Coffeechat"
LAUNCH_AGENT = "org.coffeechat.Coffeechat"
_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def default_command() -> list[str]:
    """How to start Coffeechat: the frozen app itself, else the installed launcher, else this
    Python with the module."""
    if launch.is_frozen():
        return launch.own_command("run")
    launcher = shutil.which("coffeechat")
    if launcher:
        return [launcher, "run"]
    return launch.own_command("run")


# ------------------------------------------------------------------ Linux (XDG)
def xdg_autostart_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{APP_ID}.desktop"


def _exec_quote(arg: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec asks, then escape it as a string."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if arg and not reserved & set(arg):
        quoted = arg
    else:
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        quoted = f'"{inner}"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(command: Sequence[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.0",
            "Name=Coffeechat",
            "GenericName=Informational interviews",
            "Comment=Follow-ups for your informational interviews, from your own mailbox",
            "Exec=" + " ".join(_exec_quote(a) for a in command),
            "Icon=coffeechat",
            "Terminal=false",
            "Categories=Office;",
            "StartupNotify=false",
            "X-GNOME-Autostart-enabled=true",
            "",
        ]
    )


# ---------------------------------------------------------------- macOS, Windows
def launch_agent_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"


def launch_agent(command: Sequence[str]) -> bytes:
    return plistlib.dumps(
        {"Label": LAUNCH_AGENT, "ProgramArguments": list(command), "RunAtLoad": True}
    )


def _windows_set(command: Sequence[str] | None) -> None:
    if sys.platform == "win32":
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if command is None:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, RUN_VALUE)
            else:
                winreg.SetValueEx(
                    key, RUN_VALUE, 0, winreg.REG_SZ, subprocess.list2cmdline(list(command))
                )


def _windows_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
                winreg.QueryValueEx(key, RUN_VALUE)
        except FileNotFoundError:
            return False
        return True
    return False


# ------------------------------------------------------------------- the switch
def enable(command: Sequence[str] | None = None) -> None:
    """Start Coffeechat when the user logs in."""
    command = list(command) if command is not None else default_command()
    if sys.platform == "win32":
        _windows_set(command)
    elif sys.platform == "darwin":
        path = launch_agent_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, launch_agent(command))
    else:
        path = xdg_autostart_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, desktop_entry(command).encode("utf-8"))


def disable() -> None:
    """Stop starting at login; removes only what ``enable`` wrote."""
    if sys.platform == "win32":
        _windows_set(None)
    elif sys.platform == "darwin":
        launch_agent_file().unlink(missing_ok=True)
    else:
        xdg_autostart_file().unlink(missing_ok=True)


def is_enabled() -> bool:
    if sys.platform == "win32":
        return _windows_enabled()
    if sys.platform == "darwin":
        return launch_agent_file().exists()
    return xdg_autostart_file().exists()


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
