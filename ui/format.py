"""Small text helpers shared by views and models (Qt-free, so they are easy to test)."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from desktop.domain.model import ContactState


def day_text(day: date) -> str:
    """``Thu 3 Dec``: short, unambiguous, locale-neutral enough for a badge."""
    return f"{day:%a} {day.day} {day:%b}"


def when_text(when: datetime, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    """A moment shown in the user's zone: ``14:05`` today, ``Thu 3 Dec 14:05`` otherwise,
    with the year only when it is not the current one."""
    local = when.astimezone(zone)
    if now is not None:
        today = now.astimezone(zone).date()
        if local.date() == today:
            return f"{local:%H:%M}"
        if local.year != today.year:
            return f"{day_text(local.date())} {local.year} {local:%H:%M}"
    return f"{day_text(local.date())} {local:%H:%M}"


def last_activity(state: ContactState) -> datetime | None:
    """The latest moment anything happened with the contact, as far as the state knows."""
    moments = [
        m
        for m in (
            state.requested_at,
            state.last_nudge_at,
            state.replied_at,
            state.answered_at,
            state.meeting_end,
            state.thanked_at,
            state.last_exchange_at,
        )
        if m is not None
    ]
    return max(moments) if moments else None
