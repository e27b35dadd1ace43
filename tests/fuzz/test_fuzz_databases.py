"""Damaged copies of a real profile, opened by the app's store and by ``coffeechat status``:
a StorageError (exit status 1, one line) or a working profile, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from tests.fuzz import cases, databases

SEEDS = range(max(cases() // 80, 3))
#: Seeds whose damaged page lies past what Store.open reads (the header and the schema, not
#: every page; a full check costs seconds on a large profile): the first read meets it.
READ_PAST_OPEN = {("flip_page_bytes", 14), ("flip_page_bytes", 32), ("flip_page_bytes", 46),
                  ("flip_page_bytes", 49)}  # fmt: skip


@pytest.fixture(scope="module")
def real_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.real_profile(tmp_path_factory.mktemp("real"))


def _cases() -> list[object]:
    out: list[object] = []
    seeds = sorted(set(SEEDS) | {s for _, s in READ_PAST_OPEN})
    for kind in databases.KINDS:
        for seed in seeds if kind == "flip_page_bytes" else SEEDS:
            out.append(pytest.param(kind, seed, id=f"{kind}-{seed}"))
    return out


@pytest.mark.parametrize(("kind", "seed"), _cases())
def test_a_damaged_database_opens_or_is_refused_in_words(
    real_profile: Path, tmp_path: Path, kind: str, seed: int
) -> None:
    profile = databases.damaged_copy(real_profile, tmp_path / "profile", kind, seed)
    allowed = {"opened", "refused"}
    if kind == "flip_page_bytes":
        # Known gap: the store meets a damaged data page as an sqlite3 error on its first read.
        # The command line says it in one line (the test below); the window shows its error box.
        allowed.add("damaged on read")
    assert databases.open_and_read(profile) in allowed


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
