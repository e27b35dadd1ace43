"""Are the packaging files consistent? Runs anywhere (no build, no CI needed); the test suite
runs it too (tests/unit/test_packaging.py).

    python packaging/check.py [--require-tools]

Checks: one version everywhere (pyproject, the installed metadata, the newest AppStream
release); the icons in every size (and the right pixel size); the desktop entry and metainfo
name the same id, icon and program; they validate with desktop-file-validate and
appstreamcli (with --require-tools a missing validator is a failure, else it is reported); the
package list in pyproject is every code folder and the wheel's package data covers every file
in resources/; the spec bundles the discovery document of every Google API the code builds.
Exit status 0 when all hold, 1 otherwise, with one line per problem.
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from configparser import ConfigParser
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop import resources  # noqa: E402  (the path above makes a checkout importable)

#: The reverse-DNS id: AppStream component, macOS bundle identifier, LaunchAgent label.
APP_ID = "org.coffeechat.Coffeechat"
DESKTOP_FILE = "coffeechat.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
CODE_PACKAGES = ("desktop", "mail", "ui")


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def project_version() -> str:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    return str(project["version"])


# ------------------------------------------------------------------------------ the checks
Problems = Iterator[str]


def check_version() -> Problems:
    import desktop

    version = project_version()
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        yield f"pyproject version {version!r} is not MAJOR.MINOR.PATCH (Windows and macOS need it)"
    if desktop.__version__ != version:
        yield (
            f"the app reports version {desktop.__version__} but pyproject says {version}: "
            f"reinstall (pip install -e .) so the metadata is read afresh"
        )
    releases = _metainfo().findall("releases/release")
    if not releases:
        yield f"{METAINFO_FILE}: no <release> in <releases>"
        return
    newest = releases[0].get("version")
    if newest != version:
        yield f"{METAINFO_FILE}: the newest release is {newest}, pyproject says {version}"
    dates = []
    for release in releases:
        try:
            dates.append(date.fromisoformat(release.get("date", "")))
        except ValueError:
            yield f"{METAINFO_FILE}: release {release.get('version')} has no ISO date"
    if dates != sorted(dates, reverse=True):
        yield f"{METAINFO_FILE}: releases must be listed newest first"


def _png_size(path: Path) -> tuple[int, int] | None:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def check_icons() -> Problems:
    svg = resources.icon_file()
    if not svg.is_file():
        yield f"missing {svg.relative_to(ROOT)}"
    else:
        try:
            root = ET.parse(svg).getroot()
        except ET.ParseError as exc:
            yield f"{svg.relative_to(ROOT)} is not valid XML: {exc}"
        else:
            if not root.tag.endswith("svg"):
                yield f"{svg.relative_to(ROOT)} is not an SVG"
    for size in resources.ICON_SIZES:
        png = resources.icon_file(size)
        if not png.is_file():
            yield f"missing {png.relative_to(ROOT)} (run python packaging/icons.py)"
        elif _png_size(png) != (size, size):
            yield f"{png.relative_to(ROOT)} is {_png_size(png)}, not {size}x{size}"


class _CaseSensitive(ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr  # desktop entry keys are case-sensitive


def _desktop_entry() -> ConfigParser:
    parser = _CaseSensitive(interpolation=None, strict=True)
    parser.read(resources.path(DESKTOP_FILE), encoding="utf-8")
    return parser


def _metainfo() -> ET.Element:
    return ET.parse(resources.path(METAINFO_FILE)).getroot()


def check_desktop_and_metainfo() -> Problems:
    from desktop import autostart

    if not resources.path(DESKTOP_FILE).is_file():
        yield f"missing resources/{DESKTOP_FILE}"
        return
    entry = _desktop_entry()["Desktop Entry"]
    if entry.get("Icon") != resources.ICON_NAME:
        yield f"{DESKTOP_FILE}: Icon={entry.get('Icon')}, the icons are named {resources.ICON_NAME}"
    if (entry.get("Exec") or "").split()[:1] != ["coffeechat"]:
        yield f"{DESKTOP_FILE}: Exec must start the coffeechat program"
    if autostart.LAUNCH_AGENT != APP_ID:
        yield f"desktop/autostart.py LAUNCH_AGENT is {autostart.LAUNCH_AGENT}, the app id {APP_ID}"
    if not resources.path(METAINFO_FILE).is_file():
        yield f"missing resources/{METAINFO_FILE}"
        return
    meta = _metainfo()
    expected = {
        "id": APP_ID,
        "launchable": DESKTOP_FILE,
        "icon": resources.ICON_NAME,
        "provides/binary": "coffeechat",
        "name": entry.get("Name"),
    }
    for tag, want in expected.items():
        found = meta.findtext(tag)
        if found != want:
            yield f"{METAINFO_FILE}: <{tag}> is {found!r}, expected {want!r}"
    if meta.find("screenshots/screenshot/image") is None:
        yield f"{METAINFO_FILE}: no screenshot"
    desktop_categories = {c for c in (entry.get("Categories") or "").split(";") if c}
    meta_categories = {c.text for c in meta.findall("categories/category")}
    if meta_categories and meta_categories != desktop_categories:
        yield f"{METAINFO_FILE}: categories {meta_categories} differ from {desktop_categories}"


def check_validators(require_tools: bool, notes: list[str]) -> Problems:
    commands = {
        "desktop-file-validate": [str(resources.path(DESKTOP_FILE))],
        "appstreamcli": ["validate", "--no-net", str(resources.path(METAINFO_FILE))],
    }
    for tool, args in commands.items():
        if shutil.which(tool) is None:
            message = f"{tool} is not installed (Debian: scripts/system-deps.sh test installs it)"
            if require_tools:
                yield message
            else:
                notes.append("not checked: " + message)
            continue
        result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
        output = (result.stdout + result.stderr).strip()
        # desktop-file-validate prints hints without failing; anything it prints is a problem.
        if result.returncode != 0 or (tool == "desktop-file-validate" and output):
            yield f"{tool} {' '.join(args[:-1])} failed:\n{output}"


def check_packages() -> Problems:
    tool = pyproject()["tool"]
    assert isinstance(tool, dict)
    setuptools_config = tool["setuptools"]
    listed = set(setuptools_config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for package in CODE_PACKAGES
        for init in (ROOT / package).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    for name in sorted(found - listed):
        yield f"pyproject [tool.setuptools] packages lacks {name!r}: the wheel would miss it"
    for name in sorted(listed - found - {resources.PACKAGE}):
        yield f"pyproject [tool.setuptools] packages lists {name!r}, which is not a package"
    patterns = setuptools_config["package-data"].get(resources.PACKAGE, [])
    for file in sorted(resources.root().rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            relative = file.relative_to(resources.root()).as_posix()
            if not any(_matches(relative, p) for p in patterns):
                yield f"resources/{relative} is not in the wheel's package-data patterns"


def _matches(relative: str, pattern: str) -> bool:
    """Glob as setuptools reads package-data: ``*`` stays within a folder, ``**`` crosses."""
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.fullmatch(regex, relative) is not None


def check_discovery_documents() -> Problems:
    spec = (ROOT / "packaging" / "coffeechat.spec").read_text(encoding="utf-8")
    match = re.search(r"DISCOVERY_DOCUMENTS = \{([^}]*)\}", spec)
    bundled = set(re.findall(r'"([^"]+)"', match.group(1))) if match else set()
    built = set()
    for source in (ROOT / "mail").rglob("*.py"):
        for service, version in re.findall(
            r'\bbuild\(\s*"([a-z]+)",\s*"(v\d+)"', source.read_text(encoding="utf-8")
        ):
            built.add(f"{service}.{version}.json")
    if not built:
        yield "no Google API build(...) call found in mail/: has the client moved?"
    for name in sorted(built - bundled):
        yield f"packaging/coffeechat.spec does not bundle the discovery document {name}"


# --------------------------------------------------------- platform files made at build time
def write_windows_version_file(target: Path, version: str) -> Path:
    """The VERSIONINFO resource of the Windows executables (PyInstaller's text form)."""
    numbers = (*(int(part) for part in version.split(".")), 0)
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'Coffeechat'),
      StringStruct('FileDescription', 'Coffeechat'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', 'coffeechat'),
      StringStruct('OriginalFilename', 'Coffeechat.exe'),
      StringStruct('ProductName', 'Coffeechat'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# ----------------------------------------------------------------------------------- main
def run(require_tools: bool = False) -> tuple[list[str], list[str]]:
    """(problems, notes) of every check."""
    notes: list[str] = []
    checks: list[Callable[[], Problems]] = [
        check_version,
        check_icons,
        check_desktop_and_metainfo,
        check_packages,
        check_discovery_documents,
        lambda: check_validators(require_tools, notes),
    ]
    problems = [problem for check in checks for problem in check()]
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that the packaging files agree.")
    parser.add_argument(
        "--require-tools",
        action="store_true",
        help="fail when desktop-file-validate or appstreamcli is missing",
    )
    args = parser.parse_args(argv)
    problems, notes = run(args.require_tools)
    for note in notes:
        print(f"check: {note}")
    for problem in problems:
        print(f"check: PROBLEM: {problem}")
    if problems:
        return 1
    print(f"check: packaging files agree (version {project_version()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
