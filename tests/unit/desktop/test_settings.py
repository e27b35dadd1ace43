from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

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
