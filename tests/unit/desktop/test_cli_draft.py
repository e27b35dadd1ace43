"""``coffeechat draft``: the headless composer on a demo profile."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop import demo_story
from desktop.cli import draft as cli_draft
from desktop.domain.clock import ManualClock
from desktop.paths import Paths
from desktop.providers import save_demo_clock
from tests.helpers.demo_profile import START

NOW = START.isoformat()  # Wednesday 25 Nov 2026, 19:00 UTC


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coffeechat")
    parser.add_argument("--profile")
    cli_draft.add_parser(parser.add_subparsers(dest="command"))
    return parser


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    demo = demo_story.prepare(Paths(profile=root, logs=root / "logs"), ManualClock(START))
    demo.store.close()
    return root


def _draft(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_draft.run(_parser().parse_args(["draft", *args]))
    out, err = capsys.readouterr()
    return code, out, err


def test_referral_request_json(profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _draft(
        capsys,
        "Erin Park",
        "--template",
        "request_referral",
        "--json",
        "--profile",
        str(profile),
        "--now",
        NOW,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["to"] == ["erin.park@northwind.example"]
    assert result["subject"] == "Daniel Okafor suggested I get in touch"
    assert result["body"].startswith("Hi Erin,\n\nDaniel Okafor suggested I speak with you")
    assert result["slots_from"] == "calendar"
    assert result["findings"] == []
    slots = result["slots"]
    assert len(slots) == 3
    chicago = ZoneInfo("America/Chicago")
    days = set()
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        assert end - start == timedelta(minutes=15)
        assert start.astimezone(UTC).date() >= date(2026, 11, 27)  # 2 business days ahead
        local = start.astimezone(chicago)
        assert local.hour >= 9 and end.astimezone(chicago).hour < 17
        assert start.hour >= 9 and end.astimezone(UTC) <= end.replace(hour=17, minute=0)
        # The demo calendar's team sync (16:00-16:30 UTC) plus the buffer is left free.
        assert not (start.hour == 16 or (start.hour, start.minute) == (15, 45))
        assert slot["text"] in result["body"]
        assert slot["text"].endswith("my time (UTC)") and "(CST)" in slot["text"]
        assert slot["yours"].endswith("your time")
        days.add(start.date())
    assert len(days) == 3


def test_text_output_by_address_with_coaching_and_a_language(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _draft(
        capsys,
        "lena.svensson@fjord.example",
        "--template",
        "request_cold",
        "--field",
        "reason=your studio's redesign of the city library signage caught my eye",
        "--kind",
        "coffee",
        "--lang",
        "de",
        "--profile",
        str(profile),
        "--now",
        NOW,
    )
    assert code == 0, err
    assert out.startswith("To: lena.svensson@fjord.example\nSubject: A question about your work")
    assert "a coffee (30 minutes or so, my treat)" in out
    assert "meine Zeit" in out and "(CET)" in out
    assert "Proposed times: free in your calendar" in out
    assert "Coaching: nothing to improve." in out


def test_findings_are_printed(profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _draft(
        capsys,
        "Tomás",
        "--template",
        "request_cold",
        "--field",
        "reason=are you hiring",
        "--slots",
        "0",
        "--profile",
        str(profile),
        "--now",
        NOW,
        "--json",
    )
    assert code == 1  # no slots at all: the request template needs them
    assert "'slots'" in err
    code, out, err = _draft(
        capsys,
        "Tomás",
        "--template",
        "request_cold",
        "--field",
        "reason=I wonder if you are hiring analysts",
        "--profile",
        str(profile),
        "--now",
        NOW,
        "--json",
    )
    assert code == 0, err
    codes = [f["code"] for f in json.loads(out)["findings"]]
    assert codes == ["asks_for_job"]


def test_working_hours_alone_without_an_account(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = sqlite3.connect(profile / "coffeechat.sqlite3")
    with db:
        db.execute("DELETE FROM accounts")
    db.close()
    code, out, err = _draft(
        capsys, "1", "--template", "request_affiliation", "--field", "affiliation=the Lakeside "
        "University alumni network", "--profile", str(profile), "--now", NOW,
    )  # fmt: skip
    assert code == 0, err
    assert "from working hours alone (no calendar access" in out


def test_the_profile_clock_and_thread_for_a_follow_up(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.jobs import sync_round
    from desktop.providers import build, profile_clock

    paths = Paths(profile=profile, logs=profile / "logs")
    save_demo_clock(paths, START, 600.0)
    clock = profile_clock(paths)
    from desktop.storage import Store

    store = Store.open(profile)
    rounds = Store.open(profile)
    try:
        sync_round(rounds, build(store, paths, clock), clock)
    finally:
        rounds.close()
        store.close()
    code, out, err = _draft(
        capsys, "Jonas", "--template", "follow_up", "--json", "--profile", str(profile)
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["subject"] == "Re: Kraftwerk Labs: a 15-minute chat about your work?"
    assert result["thread_id"]
    assert datetime.fromisoformat(result["now"]) - START < timedelta(days=1)
    assert result["findings"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody", "--template", "request_cold"), "no contact matches"),
        (("Maya", "--template", "nope"), "no template named"),
        (("Maya", "--template", "request_article"), "--field article_title="),
        (("Maya", "--template", "request_cold", "--field", "oops"), "KEY=VALUE"),
        (("Maya", "--template", "request_cold", "--now", "tuesday"), "ISO 8601"),
        (("er", "--template", "request_cold"), "several contacts"),
    ],
)
def test_errors_are_one_line(
    profile: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = _draft(capsys, *args, "--profile", str(profile))
    assert code == 1 and not out
    assert err.startswith("coffeechat: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_no_profile_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _draft(capsys, "x", "--template", "t", "--profile", str(tmp_path / "none"))
    assert code == 1 and "no Coffeechat profile" in err
    assert not (tmp_path / "none").exists()
