"""The packaging files agree (packaging/check.py, also run by `make package`), the desktop
integration installs and uninstalls cleanly, and the committed PNGs are the SVG rendered."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from desktop import resources

ROOT = Path(__file__).resolve().parents[3]
VALIDATORS = ("desktop-file-validate", "appstreamcli")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"coffeechat_packaging_{name}", ROOT / "packaging" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load("check")
install_desktop = _load("install_desktop")
icons = _load("icons")


def _validators_or_skip() -> None:
    missing = [tool for tool in VALIDATORS if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"not installed: {', '.join(missing)} (scripts/system-deps.sh test)")


def test_the_packaging_files_agree_and_validate() -> None:
    _validators_or_skip()
    problems, notes = check.run(require_tools=True)
    assert problems == []
    assert notes == []


def test_the_check_script_runs_on_its_own() -> None:
    _validators_or_skip()
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "check.py"), "--require-tools"],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "packaging files agree" in result.stdout


def test_a_version_that_disagrees_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "project_version", lambda: "9.9.9")
    problems = list(check.check_version())
    assert any("the app reports version" in p for p in problems)
    assert any("the newest release is" in p and "9.9.9" in p for p in problems)


def test_a_missing_discovery_document_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "packaging").mkdir()
    (tmp_path / "mail").mkdir()
    (tmp_path / "packaging" / "coffeechat.spec").write_text(
        'DISCOVERY_DOCUMENTS = {"gmail.v1.json"}\n', encoding="utf-8"
    )
    (tmp_path / "mail" / "people.py").write_text(
        'svc = build(\n    "people",\n    "v1",\n)\n', encoding="utf-8"
    )
    monkeypatch.setattr(check, "ROOT", tmp_path)
    assert list(check.check_discovery_documents()) == [
        "packaging/coffeechat.spec does not bundle the discovery document people.v1.json"
    ]


def test_a_code_package_missing_from_pyproject_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package in check.CODE_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    (tmp_path / "mail" / "jmap").mkdir()
    (tmp_path / "mail" / "jmap" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(check, "ROOT", tmp_path)
    problems = list(check.check_packages())
    assert problems == [
        "pyproject [tool.setuptools] packages lacks 'mail.jmap': the wheel would miss it"
    ]


@pytest.mark.parametrize(
    ("relative", "pattern", "matches"),
    [
        ("templates/a.j2", "templates/*.j2", True),
        ("templates/deeper/a.j2", "templates/*.j2", False),
        ("coffeechat.desktop", "*.desktop", True),
        ("icons/x.desktop", "*.desktop", False),
        ("icons/hicolor/16x16/apps/coffeechat.png", "icons/**/*", True),
        ("questions.txt", "icons/**/*", False),
    ],
)
def test_package_data_patterns_read_like_setuptools(
    relative: str, pattern: str, matches: bool
) -> None:
    assert check._matches(relative, pattern) is matches


def test_install_desktop_puts_everything_under_the_data_home_and_takes_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    written = install_desktop.install("/opt/My Apps/coffeechat")
    share = tmp_path / "share"
    entry = share / "applications" / "coffeechat.desktop"
    assert entry in written
    assert (share / "metainfo" / check.METAINFO_FILE).is_file()
    assert (share / "icons/hicolor/scalable/apps/coffeechat.svg").is_file()
    for size in resources.ICON_SIZES:
        assert (share / f"icons/hicolor/{size}x{size}/apps/coffeechat.png").is_file()
    text = entry.read_text(encoding="utf-8")
    assert 'Exec="/opt/My Apps/coffeechat"\n' in text
    assert 'Exec="/opt/My Apps/coffeechat" demo\n' in text
    assert "TryExec=/opt/My Apps/coffeechat\n" in text
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True
        )
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    removed = install_desktop.uninstall()
    assert sorted(removed) == sorted(written)
    assert not [p for p in share.rglob("*") if p.is_file() and "cache" not in p.name]


def test_the_committed_pngs_are_the_svg_rendered(qapp: object) -> None:
    from PySide6.QtGui import QImage

    for size in resources.ICON_SIZES:
        fresh = icons.render(size).convertToFormat(QImage.Format.Format_ARGB32)
        committed = QImage(str(resources.icon_file(size))).convertToFormat(
            QImage.Format.Format_ARGB32
        )
        assert committed.size() == fresh.size(), size
        a, b = bytes(fresh.constBits()), bytes(committed.constBits())
        difference = sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)
        # Identical with this Qt; a small margin lets a newer Qt's antialiasing differ.
        assert difference < 2.0, f"{size} px differs from the SVG: run make icons"


def test_the_windows_version_file_reads_back_with_pyinstallers_own_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PyInstaller", reason="the packaging dependency group is not installed")
    # The reader only needs pefile and win32api to write a resource into an .exe, on Windows.
    monkeypatch.setitem(sys.modules, "pefile", ModuleType("pefile"))
    import PyInstaller.compat

    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    from PyInstaller.utils.win32 import versioninfo

    written = check.write_windows_version_file(tmp_path / "version.txt", "2.10.3")
    info = versioninfo.load_version_info_from_text_file(str(written))
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == (2 << 16 | 10, 3 << 16)
    assert "2.10.3" in str(info)
    assert info.toRaw()
