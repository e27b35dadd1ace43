"""The command line as a user meets it: help, status, sync, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from tests.helpers.demo_profile import START

ROOT = Path(__file__).resolve().parents[3]
REGISTRY_MODULES = (
    "desktop.cli.window", "desktop.cli.status", "desktop.cli.sync", "desktop.cli.demo",
    "desktop.cli.account", "desktop.cli.draft", "desktop.cli.classify", "desktop.cli.data",
    "desktop.cli.history", "desktop.cli.contact",
)  # fmt: skip


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("status", "sync", "demo", "run"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("demo", "--start", "next tuesday"),
        ("demo", "--days", "-3"),
        ("sync", "--twice"),
        ("status", "--bogus"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("coffeechat")
    assert "Traceback" not in result.stderr


def test_status_and_sync_on_a_demo_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "demo"
    assert (
        main(
            [
                "demo",
                "--headless",
                "--profile",
                str(profile),
                "--start",
                START.isoformat(),
                "--days",
                "2",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["status", "--json", "--profile", str(profile)]) == 0
    data = json.loads(capsys.readouterr().out)
    stages = {c["name"]: c["stage"] for c in data["contacts"]}
    assert stages["Alex Moreau"] == "bounced"
    assert stages["Maya Chen"] == "scheduled"  # at the time she accepted, three days ahead
    assert main(["sync", "--once", "--profile", str(profile)]) == 0
    assert "relevant" in capsys.readouterr().out
    assert main(["sync", "--profile", str(profile)]) == 0  # one pass needs no flag
    assert "relevant" in capsys.readouterr().out
    assert main(["status", "--profile", str(profile)]) == 0
    text = capsys.readouterr().out
    assert "Maya Chen" in text and "Scheduled" in text


def test_status_of_an_empty_profile_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.storage import Store

    Store.open(tmp_path).close()
    assert main(["--profile", str(tmp_path), "status"]) == 0
    assert "coffeechat demo" in capsys.readouterr().out


def test_reading_a_missing_profile_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "tpyo"
    assert main(["--profile", str(typo), "status"]) == 1
    assert "no Coffeechat profile" in capsys.readouterr().err
    assert not typo.exists()


def test_run_without_a_display_explains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert main(["--profile", str(tmp_path), "run"]) == 1
    assert "no display" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["--version"], set()),
        (["status", "--profile", "MISSING"], {"desktop.cli.status"}),
        (["classify", "--help"], {"desktop.cli.classify"}),
        (["--help"], set(REGISTRY_MODULES)),
    ],
)
def test_only_the_command_that_runs_is_imported(
    tmp_path: Path, args: list[str], loaded: set[str]
) -> None:
    args = [str(tmp_path / a) if a == "MISSING" else a for a in args]
    probe = (
        "import sys\n"
        "from desktop.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('desktop.cli.', 'PySide6', 'ui'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    imported = set(json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"')))
    commands = imported - {"desktop.cli.common", "desktop.cli.registry"}
    assert commands == loaded


def test_status_has_a_header_and_aligns_wide_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli.status import cells
    from desktop.domain.model import Contact, ContactState, Stage
    from desktop.storage import Store

    store = Store.open(tmp_path)
    for name in ("王小明", "Ann Lee", "Zoë Ångström"):
        store.contacts.add(
            Contact(None, name, (f"{len(name)}@example.org",), "", "", "UTC", ""),
            ContactState(stage=Stage.TARGET),
        )
    store.close()
    assert main(["--profile", str(tmp_path), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Name", "Stage", "Due"]
    assert set(lines[1]) == {"-"}
    rows = [line for line in lines[2:] if "Target" in line]
    assert len(rows) == 3
    # The stage column starts at the same terminal column on every row, the header's too.
    starts = {cells(row[: row.index("Target")]) for row in rows}
    assert starts == {cells(lines[0][: lines[0].index("Stage")])}
    assert cells("王小明") == 6


def test_status_on_a_demo_profile_uses_the_demo_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "demo"
    start = ["--start", START.isoformat(), "--days", "2"]
    assert main(["demo", "--headless", "--profile", str(profile), *start]) == 0
    capsys.readouterr()
    assert main(["status", "--json", "--profile", str(profile)]) == 0
    now = json.loads(capsys.readouterr().out)["now"]
    assert now[:4] == str(START.year) and abs(int(now[5:7]) - START.month) <= 1
    assert main(["status", "--profile", str(profile)]) == 0
    assert "demo's clock" in capsys.readouterr().out.splitlines()[0]
