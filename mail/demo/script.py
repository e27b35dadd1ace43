"""The demo's cast and script: who the demo contacts are, how each one behaves, how long each
scripted response takes, and the text of the seeded requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEMO_USER_NAME = "Sam Rivera"
DEMO_USER_ADDRESS = "sam.rivera@demo.example"


class Behaviour(StrEnum):
    ACCEPTS = "accepts"
    AWAY = "away"
    BOUNCES = "bounces"
    DECLINES_REFERS = "declines_refers"
    PROPOSES = "proposes"
    SILENT = "silent"


@dataclass(frozen=True, slots=True)
class DemoContact:
    name: str
    email: str
    company: str
    role: str
    timezone: str
    source: str
    behaviour: str
    referrer_email: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def domain(self) -> str:
        return self.email.partition("@")[2]


DEMO_CONTACTS: tuple[DemoContact, ...] = (
    DemoContact(
        "Maya Chen", "maya.chen@lumen.example", "Lumen Analytics", "Head of Data Science",
        "America/New_York", "alumni network", Behaviour.ACCEPTS,
    ),
    DemoContact(
        "Jonas Weber", "jonas.weber@kraftwerk-labs.example", "Kraftwerk Labs", "Product Manager",
        "Europe/Berlin", "LinkedIn", Behaviour.AWAY,
    ),
    DemoContact(
        "Alex Moreau", "alex.moreau@oldcorp.example", "Oldcorp Systems", "UX Research Lead",
        "Europe/Paris", "news article", Behaviour.BOUNCES,
    ),
    DemoContact(
        "Daniel Okafor", "daniel.okafor@northwind.example", "Northwind Health",
        "VP of Engineering", "America/Chicago", "professional association",
        Behaviour.DECLINES_REFERS,
    ),
    DemoContact(
        "Lena Svensson", "lena.svensson@fjord.example", "Fjord Studio", "Design Director",
        "Europe/Stockholm", "friend", Behaviour.SILENT,
    ),
    DemoContact(
        "Erin Park", "erin.park@northwind.example", "Northwind Health", "Engineering Manager",
        "America/Chicago", "referral", Behaviour.ACCEPTS, "daniel.okafor@northwind.example",
    ),
    DemoContact(
        "Priya Nair", "priya.nair@brightpath.example", "BrightPath Learning",
        "Learning Experience Designer", "Europe/London", "career centre", Behaviour.ACCEPTS,
    ),
    DemoContact(
        "Tomás Ortega", "tomas.ortega@solara.example", "Solara Energy", "Operations Analyst",
        "America/Mexico_City", "family friend", Behaviour.PROPOSES,
    ),
)  # fmt: skip

BY_EMAIL = {c.email: c for c in DEMO_CONTACTS}

#: Delays after the request (the "away" contact's human reply is computed from the return date).
ACCEPT_DELAY = timedelta(minutes=40)
OOO_DELAY = timedelta(minutes=2)
BOUNCE_DELAY = timedelta(minutes=1)
DECLINE_DELAY = timedelta(hours=3)
PROPOSE_DELAY = timedelta(hours=1)
AWAY_DAYS = 2
SATURDAY = 5

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_SLOT_LINE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*(?P<slot>.+?)\s*$", re.MULTILINE)

SEED_REASONS = {
    "maya.chen@lumen.example": (
        "I found you through the Lakeside University alumni network, and your path from "
        "analyst to leading a data science team is exactly the one I am hoping to follow."
    ),
    "jonas.weber@kraftwerk-labs.example": (
        "I read your LinkedIn post on running product discovery with small teams, and it "
        "made me want to learn more about how you work."
    ),
    "alex.moreau@oldcorp.example": (
        "I read your interview in Design Weekly about building a research practice from "
        "scratch, and it is the reason I am writing."
    ),
}


def long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _city(tz: str) -> str:
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def _business_days_after(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            count -= 1
    return day


#: How long each seeded slot is: the 15-minute call the requests ask for.
SEED_SLOT_LENGTH = timedelta(minutes=15)


def seed_slot_starts(now: datetime, contact: DemoContact, offset: int = 0) -> list[datetime]:
    """The starts of the three slots a seeded request offers, in the contact's time zone."""
    tz = ZoneInfo(contact.timezone)
    today = now.astimezone(tz).date()
    hours = (time(14, 0), time(10, 0), time(16, 30))
    return [
        datetime.combine(_business_days_after(today, 2 + offset + i), at, tzinfo=tz)
        for i, at in enumerate(hours)
    ]


def seed_slots(now: datetime, contact: DemoContact, offset: int = 0) -> list[str]:
    """Three concrete slots in the contact's time zone, two or more business days ahead."""
    return [
        f"{long_date(at.date())} at {at:%H:%M} ({_city(contact.timezone)} time)"
        for at in seed_slot_starts(now, contact, offset)
    ]


def request_text(contact: DemoContact, reason: str, slots: list[str], sender_name: str) -> str:
    lines = "\n".join(f"- {slot}" for slot in slots)
    return (
        f"Hi {contact.first_name},\n\n"
        f"{reason} I am exploring a move towards a role like yours, and 15 minutes on the "
        f"phone with you would help me understand what the work is really like.\n\n"
        f"Would one of these times work for you?\n\n{lines}\n\n"
        f"If none of them suits, I am happy to fit around your schedule.\n\n"
        f"Best wishes,\n{sender_name}\n"
    )


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def second_slot(text: str) -> str:
    slots = [
        m.group("slot").rstrip(".;,")
        for m in _SLOT_LINE.finditer(text)
        if any(day[:3] in m.group("slot") for day in _WEEKDAYS)
    ]
    return slots[1] if slots[1:] else "Thursday at 10:00"


def other_times(sent: datetime, contact: DemoContact) -> list[str]:
    """Two times a proposer suggests instead, in their own zone, a week or more ahead."""
    tz = ZoneInfo(contact.timezone)
    today = sent.astimezone(tz).date()
    first = _business_days_after(today, 6)
    second = _business_days_after(first, 1)
    return [f"{long_date(first)} at 11:00", f"{long_date(second)} at 16:30"]
