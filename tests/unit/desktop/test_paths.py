from __future__ import annotations

from pathlib import Path

import pytest

from desktop.paths import PROFILE_ENV, resolve


def test_profile_argument_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "env"))
    paths = resolve(tmp_path / "arg")
    assert paths.profile == (tmp_path / "arg").resolve()
    assert paths.logs == paths.profile / "logs"
    assert paths.database.name == "coffeechat.sqlite3"


def test_environment_overrides_platform_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "env"))
    assert resolve().profile == (tmp_path / "env").resolve()


def test_default_is_the_platform_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    paths = resolve()
    assert "Coffeechat" in str(paths.profile)
    assert "Coffeechat" in str(paths.logs)
    assert paths.logs != paths.profile / "logs"
