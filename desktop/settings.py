"""Typed settings, declared once, stored as JSON in the profile with a schema version.

Upgrades are versioned functions; unknown keys are kept out, bad values fall back to defaults
with a warning in the log, so a hand-edited file never stops the app.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.due import ReminderSettings
from desktop.domain.slots import LANGUAGES
from desktop.storage.files import private_dir

log = logging.getLogger(__name__)

SCHEMA = 1

#: Monday is 0, as in ``date.weekday()``.
WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Settings:
    user_name: str = ""
    timezone: str = "UTC"
    #: Days the user works (0 = Monday): where proposed meeting times may fall.
    work_days: tuple[int, ...] = WEEKDAYS
    work_start_hour: int = 9
    work_end_hour: int = 17
    sync_interval_s: int = 60
    follow_up_business_days: int = 5
    max_followups: int = 2
    needs_answer_hours: int = 24
    prepare_hours: int = 24
    thank_you_hours: int = 24
    check_in_days: int = 90
    #: A time offered in a request stops being held for that contact after this many days.
    offer_expiry_days: int = 14
    holidays: tuple[str, ...] = ()
    #: Reminders are shown at all (off: they wait in Today, and the tray still counts them).
    notifications: bool = True
    #: Quiet hours hold reminders until they end ("HH:MM", the user's time zone).
    quiet_hours: bool = True
    quiet_start: str = "21:00"
    quiet_end: str = "08:00"
    #: One summary a day at ``digest_hour`` instead of a reminder each.
    daily_digest: bool = False
    digest_hour: int = 18
    welcome_done: bool = False
    #: Accounts (``desktop.mailflags.account_key``) whose threads Coffeechat does not flag in the
    #: mailbox; flags are on by default.
    mailbox_flags_off: tuple[str, ...] = ()
    #: The application (client) id of the user's own Azure app, for connecting Outlook (not a
    #: secret: it is in every sign-in link).
    outlook_client_id: str = ""
    #: The language of dates in messages (weekday and month names): en, de, fr or es.
    message_language: str = "en"
    #: Requests a day, at most, sent from Coffeechat (a personal tool, never a mass mailer).
    daily_request_cap: int = 20
    #: The user's phone number, written into invitations for calls (the place, for the others).
    phone: str = ""
    #: How far back the history pass reads a mailbox, in months (when an account is connected,
    #: and for each contact added later).
    history_months: int = 12

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
            workdays=frozenset(self.work_days),
            follow_up_business_days=self.follow_up_business_days,
            max_followups=self.max_followups,
            needs_answer_after=timedelta(hours=self.needs_answer_hours),
            prepare_before=timedelta(hours=self.prepare_hours),
            thank_you_after=timedelta(hours=self.thank_you_hours),
            check_in_after=timedelta(days=self.check_in_days),
        )

    def quiet_times(self) -> tuple[time, time] | None:
        """Quiet hours as (start, end) local times, or None when they are off."""
        if not self.quiet_hours:
            return None
        return parse_hhmm(self.quiet_start), parse_hhmm(self.quiet_end)

    def digest(self) -> int | None:
        """The daily digest's local hour, or None when it is off."""
        return self.digest_hour if self.daily_digest else None


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

#: Inclusive bounds of the numbers; a value outside them is a bad value.
RANGES: dict[str, tuple[int, int]] = {
    "work_start_hour": (0, 23),
    "work_end_hour": (1, 24),
    "sync_interval_s": (10, 24 * 3600),
    "follow_up_business_days": (1, 60),
    "max_followups": (0, 10),
    "needs_answer_hours": (1, 24 * 30),
    "prepare_hours": (1, 24 * 14),
    "thank_you_hours": (1, 24 * 14),
    "check_in_days": (7, 3 * 365),
    "offer_expiry_days": (1, 90),
    "digest_hour": (0, 23),
    "daily_request_cap": (1, 100),
    "history_months": (1, 60),
}


def parse_hhmm(text: str) -> time:
    match = _HHMM.match(text)
    if match is None:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _valid(key: str, value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        low, high = RANGES.get(key, (0, 2**31))
        return low <= value <= high
    if key == "work_days":
        return (
            isinstance(value, list)
            and bool(value)
            and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6 for v in value)
            and len(set(value)) == len(value)
        )
    if isinstance(default, tuple):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            return False
    if key == "message_language":
        return isinstance(value, str) and value in LANGUAGES
    if key in ("quiet_start", "quiet_end"):
        return isinstance(value, str) and _HHMM.match(value) is not None
    return isinstance(value, str)


def validated(raw: dict[str, Any]) -> Settings:
    """Settings from a plain mapping: each bad value falls back to its default (logged)."""
    defaults = Settings()
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
    start = values.get("work_start_hour", defaults.work_start_hour)
    end = values.get("work_end_hour", defaults.work_end_hour)
    if start >= end:
        log.warning("working hours end before they start; using the defaults")
        values.pop("work_start_hour", None)
        values.pop("work_end_hour", None)
    if "work_days" in values:
        values["work_days"] = tuple(sorted(values["work_days"]))
    return replace(defaults, **values)


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
    return validated(raw)


def save(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file intact."""
    data = {"schema": SCHEMA, **asdict(settings)}
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
