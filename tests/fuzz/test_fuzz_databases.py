"""Damaged copies of a real profile, opened by the app's store and by ``coffeechat status``:
a StorageError (exit status 1, one line) or a working profile, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from tests.fuzz import cases, databases

SEEDS = range(max(cases() // 80, 3))
#: Damage that Store.open lets through (it reads the header and the schema, not every page) and
#: that the first read then meets as an sqlite3 error with a traceback. Corruption errors are
#: being turned into StorageError in a parallel change; these cases pass when it lands.
READ_PAST_OPEN = {("flip_page_bytes", 14), ("flip_page_bytes", 32), ("flip_page_bytes", 46),
                  ("flip_page_bytes", 49)}  # fmt: skip
_WHY = "a damaged page past the header is met on the first read as a raw sqlite3 error"


@pytest.fixture(scope="module")
def real_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.real_profile(tmp_path_factory.mktemp("real"))


def _cases() -> list[object]:
    out: list[object] = []
    seeds = sorted(set(SEEDS) | {s for _, s in READ_PAST_OPEN})
    for kind in databases.KINDS:
        for seed in seeds if kind == "flip_page_bytes" else SEEDS:
            marks = [pytest.mark.xfail(reason=_WHY)] if (kind, seed) in READ_PAST_OPEN else []
            out.append(pytest.param(kind, seed, marks=marks, id=f"{kind}-{seed}"))
    return out


@pytest.mark.parametrize(("kind", "seed"), _cases())
def test_a_damaged_database_opens_or_is_refused_in_words(
    real_profile: Path, tmp_path: Path, kind: str, seed: int
) -> None:
    profile = databases.damaged_copy(real_profile, tmp_path / "profile", kind, seed)
    assert databases.open_and_read(profile) in ("opened", "refused")


@pytest.mark.parametrize(("kind", "seed"), _cases())
def test_coffeechat_status_on_a_damaged_database_says_one_line(
    real_profile: Path, tmp_path: Path, kind: str, seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = databases.damaged_copy(real_profile, tmp_path / "profile", kind, seed)
    status = main(["--profile", str(profile), "status"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status != 0:
        assert status == 1
        assert len(err.strip().splitlines()) == 1, err
