from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from desktop import settings


def test_round_trip_and_reminders(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings.save(
        path,
        settings.Settings(
            user_name="Sam",
            timezone="Europe/Berlin",
            holidays=("2026-12-24",),
            follow_up_business_days=4,
        ),
    )
    loaded = settings.load(path)
    assert loaded.user_name == "Sam"
    reminders = loaded.reminders()
    assert reminders.timezone == "Europe/Berlin"
    assert reminders.holidays == frozenset({date(2026, 12, 24)})
    assert reminders.follow_up_business_days == 4
    assert reminders.needs_answer_after == timedelta(hours=24)


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "timezone": "Mars/Olympus",
                "sync_interval_s": -5,
                "user_name": 42,
                "unknown": 1,
                "holidays": ["not a date"],
            }
        )
    )
    loaded = settings.load(path)
    assert loaded.timezone == "UTC"
    assert loaded.sync_interval_s == settings.Settings().sync_interval_s
    assert loaded.user_name == ""
    assert loaded.reminders().holidays == frozenset()


def test_a_corrupt_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"{\xff not json")
    assert settings.load(path) == settings.Settings()


def test_new_fields_round_trip_and_map_to_quiet_hours_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    chosen = settings.Settings(
        work_days=(0, 1, 2, 3),
        notifications=False,
        quiet_start="22:30",
        quiet_end="07:15",
        daily_digest=True,
        digest_hour=7,
        welcome_done=True,
    )
    settings.save(path, chosen)
    loaded = settings.load(path)
    assert loaded == chosen
    assert loaded.quiet_times() == (time(22, 30), time(7, 15))
    assert loaded.digest() == 7
    assert replace(loaded, quiet_hours=False).quiet_times() is None
    assert replace(loaded, daily_digest=False).digest() is None
    assert not list(tmp_path.glob(".settings-*"))  # no temporary file left behind


def test_bad_new_values_fall_back_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "work_days": [0, 9],
                "quiet_start": "25:00",
                "digest_hour": 30,
                "max_followups": 99,
                "work_start_hour": 18,
                "work_end_hour": 9,
                "notifications": "yes",
            }
        )
    )
    with caplog.at_level(logging.WARNING, logger="desktop.settings"):
        loaded = settings.load(path)
    assert loaded == settings.Settings()
    warned = " ".join(r.getMessage() for r in caplog.records)
    for name in ("work_days", "quiet_start", "digest_hour", "max_followups", "notifications"):
        assert name in warned
    assert "working hours" in warned
