"""Put Coffeechat in the Linux desktop's menus for this user (under ~/.local/share), or take it
out again. Standard library only, so it runs before anything is installed.

    python packaging/install_desktop.py install [--exec PROGRAM]
    python packaging/install_desktop.py uninstall

``install`` copies the desktop entry (its Exec= pointing at PROGRAM: by default the frozen app
in dist/ when it is built, else the coffeechat launcher of .venv, else ``coffeechat`` on the
PATH), the AppStream metainfo and the icons (every hicolor size and the SVG), then refreshes
the desktop's caches when their tools are there. ``uninstall`` removes exactly those files.
$XDG_DATA_HOME replaces ~/.local/share when it is set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
DESKTOP_FILE = "coffeechat.desktop"
METAINFO_FILE = "org.coffeechat.Coffeechat.metainfo.xml"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def default_program() -> str:
    for candidate in (ROOT / "dist" / "coffeechat" / "coffeechat", ROOT / ".venv/bin/coffeechat"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return "coffeechat"


def exec_quote(program: str) -> str:
    """One Exec= argument quoted as the Desktop Entry specification asks."""
    if not set(program) & set(" \t\n\"'\\><~|&;$*?#()`"):
        return program.replace("%", "%%")
    inner = "".join("\\" + c if c in '"`$\\' else c for c in program)
    return f'"{inner}"'.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(program: str) -> str:
    """The shipped entry with every Exec= (and TryExec=) starting ``program``."""
    lines = []
    for line in (RESOURCES / DESKTOP_FILE).read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key == "Exec":
            words = value.split()
            line = "Exec=" + " ".join([exec_quote(program), *words[1:]])
        elif sep and key == "TryExec":
            line = "TryExec=" + program.replace("\\", "\\\\")  # a path: never quoted
        lines.append(line)
    return "\n".join(lines) + "\n"


def installed_files(base: Path) -> Iterator[tuple[Path | None, Path]]:
    """(source, target) of every file installed; source None for the generated entry."""
    yield None, base / "applications" / DESKTOP_FILE
    yield RESOURCES / METAINFO_FILE, base / "metainfo" / METAINFO_FILE
    icons = RESOURCES / "icons" / "hicolor"
    for source in sorted(icons.rglob("*")):
        if source.is_file():
            yield source, base / "icons" / "hicolor" / source.relative_to(icons)


def refresh(base: Path) -> None:
    """Tell the desktop (quietly; a missing tool only means the desktop rescans later)."""
    commands = [
        ["update-desktop-database", "-q", str(base / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(base / "icons" / "hicolor")],
    ]
    for command in commands:
        if shutil.which(command[0]):
            subprocess.run(command, check=False, capture_output=True)


def install(program: str) -> list[Path]:
    base = data_home()
    written = []
    for source, target in installed_files(base):
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(desktop_entry(program), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    refresh(base)
    return written


def uninstall() -> list[Path]:
    base = data_home()
    removed = []
    for _source, target in installed_files(base):
        if target.is_file():
            target.unlink()
            removed.append(target)
    refresh(base)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add Coffeechat to this user's desktop menus.")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("install", help="install the entry, metainfo and icons")
    add.add_argument("--exec", dest="program", metavar="PROGRAM", help="the program to start")
    sub.add_parser("uninstall", help="remove them")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("install-desktop: only for Linux desktops (see packaging/README.md)")
        return 1
    if args.action == "install":
        program = args.program or default_program()
        files = install(program)
        print(f"install-desktop: {len(files)} files under {data_home()}; the menu starts {program}")
    else:
        files = uninstall()
        print(f"install-desktop: removed {len(files)} files from {data_home()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
