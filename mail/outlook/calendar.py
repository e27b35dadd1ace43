"""The Outlook calendar through Graph: busy times and invitations."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from mail.outlook.transport import GraphTransport, RefusedError, parse_when
from mail.provider import (
    EventRef,
    Interval,
    MeetingInvite,
    NeedsSignInError,
    NoCalendarError,
    OfflineError,
    ProviderError,
    ThrottledError,
)


def _graph_time(item: dict[str, Any]) -> datetime:
    parsed = parse_when(str(item.get("dateTime", "")))
    if parsed is None:
        raise ValueError("a calendar time without dateTime")
    return parsed


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def transaction_id(event: MeetingInvite) -> str:
    """Graph's ``transactionId`` for this event: derived from the meeting's UID (else from the
    invite itself), so a retried ``POST /me/events`` gives back the event already created instead
    of a second one with a second set of invitations."""
    key = event.uid or "|".join(
        (event.title, _iso(event.start), _iso(event.end), *sorted(event.attendees))
    )
    return "coffeechat-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class OutlookCalendar(GraphTransport):
    """Busy times (getSchedule for work accounts, calendarView for personal ones) and events."""

    #: None until known: whether the account is a personal one (no getSchedule).
    personal: bool | None

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        if not self.personal:
            body = {
                "schedules": [self.account.address],
                "startTime": {"dateTime": _iso(start), "timeZone": "UTC"},
                "endTime": {"dateTime": _iso(end), "timeZone": "UTC"},
                "availabilityViewInterval": 15,
            }
            try:
                answer = self._post("/me/calendar/getSchedule", body)
            except (ThrottledError, OfflineError, NeedsSignInError):
                raise
            except ProviderError:  # answered 4xx
                self.personal = True  # personal accounts have no getSchedule
            else:
                self.personal = False
                blocks = []
                for schedule in answer.get("value", []):
                    for item in schedule.get("scheduleItems", []):
                        if item.get("status", "busy") != "free":
                            blocks.append(
                                Interval(_graph_time(item["start"]), _graph_time(item["end"]))
                            )
                return sorted(blocks, key=lambda b: b.start)
        view = self._get(
            f"/me/calendarView?startDateTime={_iso(start)}Z&endDateTime={_iso(end)}Z"
            "&$select=start,end,showAs&$top=200"
        )
        return sorted(
            (
                Interval(_graph_time(item["start"]), _graph_time(item["end"]))
                for item in view.get("value", [])
                if item.get("showAs", "busy") != "free"
            ),
            key=lambda b: b.start,
        )

    def create_event(self, event: MeetingInvite) -> EventRef:
        body = {
            "subject": event.title,
            "start": {"dateTime": _iso(event.start), "timeZone": "UTC"},
            "end": {"dateTime": _iso(event.end), "timeZone": "UTC"},
            "attendees": [
                {"emailAddress": {"address": a}, "type": "required"} for a in event.attendees
            ],
            "location": {"displayName": event.location},
            "body": {"contentType": "text", "content": event.description},
            "transactionId": transaction_id(event),
        }
        try:
            return EventRef(str(self._post("/me/events", body)["id"]))
        except RefusedError as exc:
            if exc.status == 403:
                raise NoCalendarError(
                    f"The Outlook calendar of {self.account.address} cannot be used: {exc}"
                ) from None
            raise
