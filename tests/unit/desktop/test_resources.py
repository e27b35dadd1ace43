"""The shipped files are found wherever Coffeechat runs from; the app starts itself the right way
when frozen; the version comes from pyproject."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import desktop
from desktop import autostart, launch, resources, templates
from desktop.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fresh_root() -> Iterator[None]:
    resources.root.cache_clear()
    yield
    resources.root.cache_clear()


def _bundle(tmp_path: Path) -> Path:
    """A stand-in PyInstaller bundle: resources/ with one template."""
    (tmp_path / "resources" / "templates").mkdir(parents=True)
    (tmp_path / "resources" / "templates" / "only_one.j2").write_text(
        "Subject: Hi\n\nHello {{ first_name }}\n", encoding="utf-8"
    )
    return tmp_path


def test_a_checkout_finds_its_resources_folder() -> None:
    assert resources.root() == ROOT / "resources"
    assert "request_cold" in templates.available()
    assert resources.icon_file().is_file()
    assert all(resources.icon_file(size).is_file() for size in resources.ICON_SIZES)


def test_the_frozen_app_reads_the_bundled_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle(tmp_path)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources.root() == bundle / "resources"
    assert set(templates.available()) == {"only_one"}


def test_missing_resources_say_where_they_were_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(resources.ResourcesMissingError) as caught:
        templates.available()
    assert str(tmp_path / "nowhere") in str(caught.value)
    assert "Reinstall Coffeechat" in str(caught.value)


def test_the_app_starts_itself_with_this_python_or_as_the_frozen_program(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert launch.own_command("demo") == [sys.executable, "-m", "desktop.app", "demo"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Coffeechat/coffeechat")
    assert launch.own_command("demo") == ["/opt/Coffeechat/coffeechat", "demo"]
    # Frozen, the login item starts the bundle even when another coffeechat is on the PATH.
    monkeypatch.setattr(autostart.shutil, "which", lambda _name: "/usr/bin/coffeechat")
    assert autostart.default_command() == ["/opt/Coffeechat/coffeechat", "run"]


def test_the_version_is_the_one_in_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    assert desktop.__version__ == version
    with pytest.raises(SystemExit) as done:
        cli_main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"coffeechat {version}"


def test_a_checkout_run_without_installing_reads_the_version_from_pyproject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.metadata

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with (ROOT / "pyproject.toml").open("rb") as file:
        assert desktop._version() == tomllib.load(file)["project"]["version"]
