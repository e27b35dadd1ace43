"""Converting domain values to and from the text SQLite stores (ISO 8601 instants, JSON)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from desktop.domain.model import ContactState, Stage


def iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat()


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def state_to_json(state: ContactState) -> str:
    out: dict[str, Any] = {}
    for f in fields(state):
        value = getattr(state, f.name)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Stage):
            value = value.value
        out[f.name] = value
    return json.dumps(out, separators=(",", ":"))


_DATETIME_FIELDS = frozenset(f.name for f in fields(ContactState) if "datetime" in str(f.type))


def state_from_json(text: str) -> ContactState:
    raw: dict[str, Any] = json.loads(text)
    kwargs: dict[str, Any] = {}
    for f in fields(ContactState):
        if f.name not in raw:
            continue  # older rows lack newer fields: the default applies
        value = raw[f.name]
        if f.name == "stage":
            value = Stage(value)
        elif f.name in _DATETIME_FIELDS:
            value = from_iso(value)
        elif f.name == "away_until":
            value = date.fromisoformat(value) if value else None
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return ContactState(**kwargs)
