"""What the user does by hand, as pipeline events with the click as evidence (Qt-free)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from desktop.domain.due import DueAction, ReminderSettings, due_actions, sort_actions
from desktop.domain.model import Event, EventKind, Evidence, Stage, Transition
from desktop.domain.pipeline import Step
from desktop.domain.workspace import ContactSource, SourceKind
from desktop.storage import ContactRecord, Store, StoredMessage


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
        step = store.pipeline.apply(contact_id, event)
        if stage.closed or stage is Stage.SCHEDULED:
            store.messages.release_offers(contact_id, now)  # their proposed slots are free again
    return step


def when_text(when: datetime, zone: tzinfo) -> str:
    """A meeting time as the user reads it, in their own zone, named."""
    local = when.astimezone(zone)
    return f"{local:%a %d %b %H:%M} {local.tzname() or ''}".rstrip()


def set_meeting(
    store: Store,
    contact_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo = UTC,
) -> Step | None:
    event = Event(
        kind=EventKind.MEETING_SET,
        at=now,
        evidence=Evidence(f"Meeting set for {when_text(start, zone)}", "your choice"),
        key=f"meeting-set:{start.isoformat()}:{now.isoformat()}",
        meeting_start=start,
        meeting_end=end,
    )
    with store.transaction():
        step = store.pipeline.apply(contact_id, event)
        store.messages.release_offers(
            contact_id, now
        )  # the other slots offered to them are free again
    return step


def mark_referrer_updated(store: Store, contact_id: int, now: datetime) -> Step | None:
    event = Event(
        kind=EventKind.REFERRER_UPDATED,
        at=now,
        evidence=Evidence("You updated the person who introduced you", "your choice"),
        key=f"referrer-updated:{now.isoformat()}",
    )
    return store.pipeline.apply(contact_id, event)


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


#: What the user may say a message is, and the event each correction feeds the pipeline.
CORRECTIONS: dict[str, EventKind | None] = {
    "human": EventKind.GENUINE_REPLY,
    "auto_reply": EventKind.AUTO_REPLY,
    "bulk": None,
}
_LABELS = {"human": "a real reply", "auto_reply": "an automatic reply", "bulk": "bulk mail"}


def correct_classification(
    store: Store, contact_id: int, message: StoredMessage, kind: str, now: datetime
) -> Transition | None:
    """ "This was a real reply" / "an automatic reply": re-run the pipeline with the user's word,
    and remember it for the sender so the next message from them is read the same way.

    "Bulk mail" corrects this message only: remembering it for the sender would file every later
    real reply of theirs as bulk."""
    if kind not in CORRECTIONS:
        raise ValueError(f"cannot correct a message to {kind!r}")
    identity = store.messages.identity(message.key)
    message_id, sender = identity if identity else ("", message.sender)
    event_kind = CORRECTIONS[kind]
    was = _LABELS.get(message.kind, message.kind)
    key = f"msg:{message_id}" if message_id else f"msg:{message.key}"
    evidence = Evidence(
        f"You said this was {_LABELS[kind]} (read as {was})", "your correction", message.key
    )
    # Bulk moves nothing itself, but the correction is kept as an event so that the stage
    # change it causes (the reply it no longer is) has its line in the history, and undo.
    event = Event(
        kind=event_kind if event_kind is not None else EventKind.OVERRIDE,
        at=message.date,
        evidence=evidence,
        key=key,
    )
    with store.transaction():
        transition = store.pipeline.replace_message_event(contact_id, message.key, kind, event)
        if sender and kind != "bulk":
            store.messages.set_sender_kind(sender, kind, now)
        store.corrections.record(message.key, sender, message.kind, kind, now)
    return transition


def remember_details(store: Store, contact_id: int, fields: Mapping[str, object]) -> bool:
    """Keep on the contact what was typed in the composer about how they were found: the
    article's title and where it appeared, or the shared affiliation. The stored source
    (the one the contact panel and the analytics read) is filled in, never emptied. True when
    something changed."""
    title = str(fields.get("article_title") or "").strip()
    where = str(fields.get("article_source") or "").strip()
    affiliation = str(fields.get("affiliation") or "").strip()
    old = store.workspace.source(contact_id)
    new = old
    if title or where:
        base = new or ContactSource(SourceKind.ARTICLE)
        new = replace(
            base,
            article_title=title or base.article_title,
            article_source=where or base.article_source,
        )
    if affiliation:
        base = new or ContactSource(SourceKind.ASSOCIATION)
        new = replace(base, detail=affiliation)
    if new == old or new is None:
        return False
    with store.transaction():
        store.workspace.set_source(contact_id, new)
    return True
