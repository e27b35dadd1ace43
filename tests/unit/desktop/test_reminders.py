"""Which due actions are told, when: once each, held in quiet hours, one summary after a gap,
snoozes and dismissals persisted. Time is a ManualClock; nothing waits."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.actions import all_due
from desktop.domain.clock import ManualClock
from desktop.domain.due import ActionKind, DueAction, ReminderSettings
from desktop.domain.model import Contact, Event, EventKind, Evidence
from desktop.reminders import (
    LAST_SEEN,
    Decision,
    QuietHours,
    ReminderPolicy,
    Reminders,
    Snooze,
    decide,
    key_of,
    snooze_until,
)
from desktop.storage import ActionMark, Store
from desktop.sync import Notice

NOON = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # a Thursday
POLICY = ReminderPolicy(timezone="UTC")


def act(contact_id: int, kind: ActionKind = ActionKind.FOLLOW_UP, hours_ago: int = 1) -> DueAction:
    return DueAction(kind, contact_id, NOON - timedelta(hours=hours_ago), "detail")


def _decide(due: list[DueAction], **kw: Any) -> Decision:
    args: dict[str, Any] = {
        "now": NOON,
        "notified": {},
        "marks": {},
        "last_seen": NOON - timedelta(minutes=1),
        "policy": POLICY,
        "names": {1: "Ada", 2: "Grace", 3: "Alan", 4: "Linus"},
    }
    args.update(kw)
    return decide(due, **args)


# ------------------------------------------------------------------ the pure rules
def test_a_new_action_is_told_once() -> None:
    a = act(1)
    first = _decide([a])
    assert first.notify == (a,) and first.summary is None
    again = _decide([a], notified={key_of(a): NOON})
    assert again.notify == () and again.summary is None
    assert again.visible == (a,)  # still counted: it is still to do


def test_quiet_hours_hold_until_the_morning() -> None:
    a = act(1)
    night = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)
    held = _decide([a], now=night, last_seen=night - timedelta(minutes=1))
    assert held.notify == () and held.held == (a,)
    morning = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)
    told = _decide([a], now=morning, last_seen=morning - timedelta(minutes=1))
    assert told.notify == (a,)


def test_quiet_hours_follow_the_users_time_zone() -> None:
    quiet = QuietHours(time(21), time(8))
    assert quiet.contains(time(23)) and quiet.contains(time(7, 59))
    assert not quiet.contains(time(8)) and not quiet.contains(time(20, 59))
    policy = ReminderPolicy(timezone="America/New_York")  # 12:00 UTC is 08:00 there
    assert _decide([act(1)], policy=policy).notify
    assert _decide([act(1)], policy=policy, now=NOON - timedelta(minutes=1)).held


def test_after_the_night_the_backlog_is_one_summary() -> None:
    due = [act(1), act(2, ActionKind.THANK_YOU_MISSING)]
    morning = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)
    decision = _decide(due, now=morning, last_seen=morning - timedelta(minutes=1))
    assert decision.notify == ()
    assert decision.summary is not None and decision.summary.title == "While you were away"
    assert set(decision.summary.actions) == set(due)


def test_a_burst_is_summarised() -> None:
    due = [act(i) for i in (1, 2, 3, 4)]
    decision = _decide(due)
    assert decision.notify == ()
    assert decision.summary is not None and decision.summary.title == "4 things to do"
    assert decision.summary.lines == ("Follow-up due: Ada, Grace, Alan, Linus",)


def test_the_away_summary_names_bounces_and_auto_replies() -> None:
    notices = [
        Notice("reply", 1, "Ada replied", NOON),
        Notice("bounce", 2, "Grace: Delivery failed", NOON),
    ]
    decision = _decide([act(1), act(3)], last_seen=NOON - timedelta(days=2), notices=notices)
    assert decision.summary is not None
    assert "Grace: Delivery failed" in decision.summary.lines
    assert not any("Ada replied" in line for line in decision.summary.lines)


def test_snoozed_and_dismissed_actions_are_not_told_nor_counted() -> None:
    a, b = act(1), act(2)
    marks = {
        key_of(a): ActionMark(1, a.kind.value, a.due_at, snoozed_until=NOON + timedelta(hours=1)),
        key_of(b): ActionMark(2, b.kind.value, b.due_at, dismissed=True),
    }
    decision = _decide([a, b], marks=marks)
    assert decision.notify == () and decision.visible == ()


def test_a_snooze_that_ended_is_told_again() -> None:
    a = act(1)
    told_at = NOON - timedelta(days=1)
    marks = {key_of(a): ActionMark(1, a.kind.value, a.due_at, snoozed_until=NOON)}
    assert _decide([a], marks=marks, notified={key_of(a): told_at}).notify == (a,)


def test_daily_digest_once_a_day_at_its_hour() -> None:
    policy = ReminderPolicy(timezone="UTC", digest_hour=18)
    a = act(1)
    assert _decide([a], policy=policy).held == (a,)
    evening = NOON.replace(hour=18)
    digest = _decide([a], policy=policy, now=evening)
    assert digest.summary is not None and digest.summary.title == "Your daily digest"
    assert _decide([a], policy=policy, now=evening, last_digest=evening.date()).held == (a,)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (Snooze.DAY, datetime(2026, 3, 13, 12, 0, tzinfo=UTC)),
        (Snooze.THREE_DAYS, datetime(2026, 3, 15, 12, 0, tzinfo=UTC)),
        (Snooze.NEXT_WEEK, datetime(2026, 3, 16, 9, 0, tzinfo=UTC)),  # Monday morning
    ],
)
def test_snooze_choices(choice: Snooze, expected: datetime) -> None:
    assert snooze_until(choice, NOON, POLICY.zone, time(9)) == expected


# ------------------------------------------------------------------ over the store
def _store_with_requests(tmp_path: Path, names: list[str], sent: datetime) -> Store:
    store = Store.open(tmp_path)
    for name in names:
        contact = store.contacts.add(Contact(None, name, (f"{name.lower()}@x.example",)))
        assert contact.id is not None
        event = Event(
            EventKind.REQUEST_SENT, sent, Evidence("Request sent", "test"), key=f"req:{name}"
        )
        store.pipeline.apply(contact.id, event)
    return store


def test_restart_after_two_days_gives_one_summary_not_a_storm(tmp_path: Path) -> None:
    """Monday: one request's follow-up is due and told. The app is closed; two days later four
    more are due at once: one summary, and the one told before is not told again."""
    clock = ManualClock(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))  # Monday
    settings = ReminderSettings()
    store = _store_with_requests(tmp_path, ["Ada"], clock.now() - timedelta(days=7))
    reminders = Reminders(store, POLICY)
    first = reminders.decide(all_due(store.contacts.all(), clock.now(), settings), clock.now())
    assert [a.contact_id for a in first.notify] == [1] and first.summary is None
    store.close()

    clock.advance(timedelta(days=2))
    store = Store.open(tmp_path)  # "restart": a new store, a new Reminders
    for name in ["Grace", "Alan", "Linus", "Edsger"]:
        contact = store.contacts.add(Contact(None, name, (f"{name.lower()}@x.example",)))
        assert contact.id is not None
        store.pipeline.apply(
            contact.id,
            Event(
                EventKind.REQUEST_SENT,
                clock.now() - timedelta(days=8),
                Evidence("Request sent", "test"),
                key=f"req:{name}",
            ),
        )
    reminders = Reminders(store, POLICY)
    due = all_due(store.contacts.all(), clock.now(), settings)
    assert len(due) == 5
    second = reminders.decide(due, clock.now())
    assert second.notify == ()
    assert second.summary is not None and second.summary.title == "While you were away"
    assert {a.contact_id for a in second.summary.actions} == {2, 3, 4, 5}  # not Ada again
    third = reminders.decide(due, clock.now() + timedelta(minutes=1))
    assert third.notify == () and third.summary is None  # nothing twice


def test_snooze_and_dismiss_persist_across_restarts(tmp_path: Path) -> None:
    now = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    store = _store_with_requests(tmp_path, ["Ada", "Grace"], now - timedelta(days=8))
    due = all_due(store.contacts.all(), now, ReminderSettings())
    ada, grace = sorted(due, key=lambda a: a.contact_id)
    reminders = Reminders(store, POLICY)
    until = reminders.snooze(ada, Snooze.THREE_DAYS, now)
    reminders.dismiss(grace)
    store.close()

    store = Store.open(tmp_path)
    reminders = Reminders(store, POLICY)
    assert reminders.visible(due, now) == []
    assert reminders.decide(due, now).told == ()
    assert reminders.visible(due, until) == [ada]
    assert reminders.decide(due, until).notify == (ada,)
    reminders.restore(grace)
    assert grace in reminders.visible(due, until)


def test_records_of_actions_no_longer_due_are_forgotten(tmp_path: Path) -> None:
    now = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    store = _store_with_requests(tmp_path, ["Ada"], now - timedelta(days=8))
    reminders = Reminders(store, POLICY)
    due = all_due(store.contacts.all(), now, ReminderSettings())
    reminders.decide(due, now)
    assert len(store.marks.notified()) == 1
    reminders.decide([], now)  # the follow-up was sent: nothing due any more
    assert store.marks.notified() == {}
    assert store.marks.reminder_value(LAST_SEEN) == now.isoformat()


def test_the_reminder_core_is_qt_free() -> None:
    """notify, reminders and autostart run without Qt (import-linter checks ui; this, PySide6)."""
    code = (
        "import sys, desktop.notify, desktop.reminders, desktop.autostart; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
