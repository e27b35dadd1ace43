"""What the user does by hand, as pipeline events with the click as evidence (Qt-free)."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.due import DueAction, ReminderSettings, due_actions, sort_actions
from desktop.domain.model import Event, EventKind, Evidence, Stage
from desktop.domain.pipeline import Step
from desktop.storage import ContactRecord, Store


def override_stage(store: Store, contact_id: int, stage: Stage, now: datetime) -> Step | None:
    """The user moved the contact (a card dragged on the board, a menu choice)."""
    event = Event(
        kind=EventKind.OVERRIDE,
        at=now,
        evidence=Evidence(f"You moved the contact to {stage.label}", "your choice"),
        key=f"override:{now.isoformat()}:{stage.value}",
        target_stage=stage,
    )
    with store.transaction():
        step = store.apply_event(contact_id, event)
        if stage.closed or stage is Stage.SCHEDULED:
            store.release_offers(contact_id, now)  # their proposed slots are free again
    return step


def set_meeting(
    store: Store, contact_id: int, start: datetime, end: datetime, now: datetime
) -> Step | None:
    event = Event(
        kind=EventKind.MEETING_SET,
        at=now,
        evidence=Evidence(f"Meeting set for {start:%a %d %b %H:%M} UTC", "your choice"),
        key=f"meeting-set:{start.isoformat()}:{now.isoformat()}",
        meeting_start=start,
        meeting_end=end,
    )
    with store.transaction():
        step = store.apply_event(contact_id, event)
        store.release_offers(contact_id, now)  # the other slots offered to them are free again
    return step


def mark_referrer_updated(store: Store, contact_id: int, now: datetime) -> Step | None:
    event = Event(
        kind=EventKind.REFERRER_UPDATED,
        at=now,
        evidence=Evidence("You updated the person who introduced you", "your choice"),
        key=f"referrer-updated:{now.isoformat()}",
    )
    return store.apply_event(contact_id, event)


def all_due(
    records: list[ContactRecord], now: datetime, reminders: ReminderSettings
) -> list[DueAction]:
    """Every due action across contacts, most urgent first."""
    actions: list[DueAction] = []
    for record in records:
        actions.extend(
            due_actions(
                record.id,
                record.state,
                now,
                reminders,
                has_referrer=record.contact.referrer_id is not None,
            )
        )
    return sort_actions(actions)
