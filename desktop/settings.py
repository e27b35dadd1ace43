"""Typed settings, declared once, stored as JSON in the profile with a schema version.

Upgrades are versioned functions; unknown keys are kept out, bad values fall back to defaults
with a warning in the log, so a hand-edited file never stops the app.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.due import ReminderSettings

log = logging.getLogger(__name__)

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class Settings:
    user_name: str = ""
    timezone: str = "UTC"
    work_start_hour: int = 9
    work_end_hour: int = 17
    sync_interval_s: int = 60
    follow_up_business_days: int = 5
    max_followups: int = 2
    needs_answer_hours: int = 24
    prepare_hours: int = 24
    thank_you_hours: int = 24
    check_in_days: int = 90
    holidays: tuple[str, ...] = ()
    welcome_done: bool = False

    def reminders(self) -> ReminderSettings:
        holidays = set()
        for text in self.holidays:
            try:
                holidays.add(date.fromisoformat(text))
            except ValueError:
                log.warning("ignoring a holiday that is not a date: %r", text)
        return ReminderSettings(
            timezone=self.timezone,
            holidays=frozenset(holidays),
            follow_up_business_days=self.follow_up_business_days,
            max_followups=self.max_followups,
            needs_answer_after=timedelta(hours=self.needs_answer_hours),
            prepare_before=timedelta(hours=self.prepare_hours),
            thank_you_after=timedelta(hours=self.thank_you_hours),
            check_in_after=timedelta(days=self.check_in_days),
        )


def _valid(key: str, value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if isinstance(default, tuple):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            return False
    return isinstance(value, str)


def load(path: Path) -> Settings:
    defaults = Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return defaults
    except (OSError, ValueError) as exc:
        log.warning("settings file unreadable (%s); using defaults", exc)
        return defaults
    if not isinstance(raw, dict):
        return defaults
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in raw:
            continue
        default = getattr(defaults, f.name)
        value = raw[f.name]
        if _valid(f.name, value, default):
            values[f.name] = tuple(value) if isinstance(default, tuple) else value
        else:
            log.warning("setting %s has a bad value; using the default", f.name)
    return replace(defaults, **values)


def save(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file intact."""
    data = {"schema": SCHEMA, **asdict(settings)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
