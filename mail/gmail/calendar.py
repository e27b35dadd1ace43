"""Google Calendar: busy times from ``freebusy.query`` (cached; offline, a day-old answer
serves) and invitations through ``events.insert`` with an id derived from the invite."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from googleapiclient.errors import HttpError

from mail.gmail.transport import GmailTransport, ServiceDisabledError, error_reason, http_status
from mail.provider import (
    EventRef,
    Interval,
    MeetingInvite,
    NoCalendarError,
    OfflineError,
    ProviderError,
    ThrottledError,
)

log = logging.getLogger(__name__)

BUSY_CACHE_FRESH = timedelta(minutes=15)
BUSY_CACHE_OFFLINE = timedelta(hours=24)
#: The permission that lets us create calendar events (and so send invitations through Google).
EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"


@dataclass
class BusyEntry:
    fetched: float
    start: datetime
    end: datetime
    blocks: list[Interval] = field(default_factory=list)


def _interval(item: dict[str, Any]) -> Interval:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

    return Interval(parse(str(item["start"])), parse(str(item["end"])))


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


class GmailCalendar(GmailTransport):
    """Busy times (freebusy.query, cached) and invitations (events.insert) in Google Calendar."""

    _busy: list[BusyEntry]

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        """Busy times from freebusy.query, cached 15 minutes; offline, the last answer that
        covers the range (up to a day old) is used."""
        now = self._clock()
        entry = self._cached_busy(start, end, BUSY_CACHE_FRESH.total_seconds(), now)
        if entry is not None:
            return self._clip(entry, start, end)
        body = {"timeMin": _iso(start), "timeMax": _iso(end), "items": [{"id": "primary"}]}

        def query() -> Any:
            return self._calendar().freebusy().query(body=body).execute(http=self._session().http)

        try:
            answer = self._call("calendar", query)
        except ServiceDisabledError:
            raise self._no_calendar() from None
        except HttpError as exc:
            raise self._refused(exc) from None
        except (OfflineError, ThrottledError):
            stale = self._cached_busy(start, end, BUSY_CACHE_OFFLINE.total_seconds(), now)
            if stale is None:
                raise
            return self._clip(stale, start, end)
        calendars = answer.get("calendars", {})
        primary = calendars.get("primary", {})
        errors = primary.get("errors") or []
        if errors:
            # freebusy answers 200 with per-calendar errors: an unread calendar is not free time
            reasons = ", ".join(str(e.get("reason", "")) for e in errors if isinstance(e, dict))
            raise ProviderError(
                f"Google Calendar could not read the calendar of {self.account.address} "
                f"({reasons or 'unknown error'})"
            )
        busy = primary.get("busy", [])
        blocks = sorted((_interval(b) for b in busy), key=lambda b: (b.start, b.end))
        with self._lock:
            self._busy = [
                e for e in self._busy if now - e.fetched < BUSY_CACHE_OFFLINE.total_seconds()
            ]
            self._busy.append(BusyEntry(now, start, end, blocks))
        return self._clip(self._busy[-1], start, end)

    @property
    def has_calendar(self) -> bool:
        """Whether the grant lets us create events (one that names no scopes is taken as whole)."""
        scopes = self._creds().scopes
        return not scopes or EVENTS_SCOPE in scopes

    def _no_calendar(self) -> NoCalendarError:
        return NoCalendarError(
            f"Google Calendar cannot be used from {self.account.address} (the Calendar API is "
            "not enabled in your Google Cloud project, or the permission was not granted)."
        )

    def _refused(self, exc: HttpError) -> ProviderError:
        """A Calendar answer no retry mends (a 400, a 403 of no known reason) as the port's
        error, said with its status and reason."""
        return ProviderError(
            f"Google Calendar refused the request for {self.account.address} "
            f"(HTTP {http_status(exc)} {error_reason(exc)})".replace(" )", ")")
        )

    def _cached_busy(
        self, start: datetime, end: datetime, max_age: float, now: float
    ) -> BusyEntry | None:
        with self._lock:
            for entry in reversed(self._busy):
                if now - entry.fetched <= max_age and entry.start <= start and entry.end >= end:
                    return entry
        return None

    @staticmethod
    def _clip(entry: BusyEntry, start: datetime, end: datetime) -> list[Interval]:
        return [
            Interval(max(b.start, start), min(b.end, end))
            for b in entry.blocks
            if b.end > start and b.start < end
        ]

    def create_event(self, event: MeetingInvite) -> EventRef:
        """An invitation (Google e-mails the attendees: sendUpdates="all"). The event id is
        derived from the invite, so a retry after a lost answer cannot create a second one."""
        digest = hashlib.sha256(
            "|".join(
                (event.title, _iso(event.start), _iso(event.end), *sorted(event.attendees))
            ).encode()
        ).hexdigest()[:32]
        if not self.has_calendar:
            raise self._no_calendar()
        body = {
            "id": f"cc{digest}",
            "summary": event.title,
            "location": event.location,
            "description": event.description,
            "start": {"dateTime": _iso(event.start)},
            "end": {"dateTime": _iso(event.end)},
            "attendees": [{"email": a} for a in event.attendees],
        }

        def insert() -> Any:
            request = (
                self._calendar().events().insert(calendarId="primary", body=body, sendUpdates="all")
            )
            return request.execute(http=self._session().http)

        try:
            answer = self._call("calendar", insert)
        except ServiceDisabledError:
            raise self._no_calendar() from None
        except HttpError as exc:
            if http_status(exc) == 409:  # created by an attempt whose answer was lost
                return EventRef(str(body["id"]))
            raise self._refused(exc) from None
        return EventRef(str(answer["id"]))
