"""Which due actions to tell the user about now, and how (Qt-free).

The rules, from PRODUCT.md ("What the user is told, and when") and issue 7:

- each due action is told once; a snoozed one again when its snooze ends; a dismissed one never;
- quiet hours (default 21:00-08:00, the user's time zone) hold everything until they end;
- after a gap (the app was closed, the night passed) the backlog is ONE *While you were away*
  summary, and so is any burst of more than a few new actions at once: never a storm;
- with the daily digest on, one summary a day at the chosen hour and nothing in between.

``decide`` is a pure function of its arguments; ``Reminders`` reads and writes what it needs
(``notified``, ``action_marks``, ``reminder_state``) through the Store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from desktop.domain.due import TITLES, ActionKind, DueAction, sort_actions
from desktop.storage import ActionKey, ActionMark, Store
from desktop.storage.codec import from_iso, iso

if TYPE_CHECKING:  # the sync (and the mail understanding behind it) loads when a round runs
    from desktop.sync import Notice

LAST_SEEN = "reminders.last_seen"
LAST_DIGEST = "reminders.last_digest"


def key_of(action: DueAction) -> ActionKey:
    return (action.contact_id, action.kind.value, action.due_at)


class Snooze(StrEnum):
    DAY = "day"
    THREE_DAYS = "three_days"
    NEXT_WEEK = "next_week"

    @property
    def label(self) -> str:
        return {"day": "1 day", "three_days": "3 days", "next_week": "Next week"}[self.value]


def snooze_until(choice: Snooze, now: datetime, zone: ZoneInfo, morning: time) -> datetime:
    """When a snoozed action comes back: a day or three later, or next Monday morning."""
    if choice is Snooze.DAY:
        return now + timedelta(days=1)
    if choice is Snooze.THREE_DAYS:
        return now + timedelta(days=3)
    local = now.astimezone(zone)
    monday = local.date() + timedelta(days=7 - local.weekday())
    return datetime.combine(monday, morning, tzinfo=zone).astimezone(now.tzinfo)


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    timezone: str = "UTC"
    quiet: QuietHours | None = field(default_factory=QuietHours)
    #: More new actions than this in one round are summarised instead of told one by one.
    burst_limit: int = 3
    #: A longer gap since the app last looked means the user was away: a summary, not a storm.
    away_after: timedelta = timedelta(hours=1)
    #: The daily digest: one summary at this local hour, nothing in between (None: off).
    digest_hour: int | None = None
    #: Where "next week" snoozes land (local time on Monday).
    morning: time = time(9, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Summary:
    title: str
    lines: tuple[str, ...]
    actions: tuple[DueAction, ...]

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Decision:
    #: Told one by one (a notification each).
    notify: tuple[DueAction, ...] = ()
    #: Told together (one notification), or None.
    summary: Summary | None = None
    #: New but held back (quiet hours, waiting for the digest).
    held: tuple[DueAction, ...] = ()
    #: Everything still due and neither snoozed nor dismissed: what the tray counts.
    visible: tuple[DueAction, ...] = ()

    @property
    def told(self) -> tuple[DueAction, ...]:
        return self.notify + (self.summary.actions if self.summary else ())


def visible_actions(
    due: Iterable[DueAction], marks: Mapping[ActionKey, ActionMark], now: datetime
) -> list[DueAction]:
    """What is still waiting for the user: not dismissed, not snoozed into the future."""
    out = []
    for action in due:
        mark = marks.get(key_of(action))
        if mark is not None and (
            mark.dismissed or (mark.snoozed_until is not None and mark.snoozed_until > now)
        ):
            continue
        out.append(action)
    return out


def _is_new(
    action: DueAction, notified: Mapping[ActionKey, datetime], marks: Mapping[ActionKey, ActionMark]
) -> bool:
    key = key_of(action)
    told_at = notified.get(key)
    if told_at is None:
        return True
    mark = marks.get(key)  # told before a snooze that has ended since: tell again
    return mark is not None and mark.snoozed_until is not None and told_at < mark.snoozed_until


def _summary(
    title: str,
    actions: Sequence[DueAction],
    names: Mapping[int, str],
    notices: Sequence[Notice],
    max_lines: int = 6,
) -> Summary:
    by_kind: dict[ActionKind, list[str]] = {}
    for action in sort_actions(list(actions)):
        by_kind.setdefault(action.kind, []).append(names.get(action.contact_id, "someone"))
    lines = [f"{TITLES[kind]}: {', '.join(who)}" for kind, who in by_kind.items()]
    other = [n.text for n in notices if n.kind != "reply"]  # replies are due actions already
    lines.extend(other)
    if len(lines) > max_lines:
        rest = len(lines) - (max_lines - 1)
        lines = [*lines[: max_lines - 1], f"and {rest} more"]
    return Summary(title, tuple(lines), tuple(actions))


def decide(
    due: Sequence[DueAction],
    *,
    now: datetime,
    notified: Mapping[ActionKey, datetime],
    marks: Mapping[ActionKey, ActionMark],
    last_seen: datetime | None,
    policy: ReminderPolicy,
    names: Mapping[int, str],
    notices: Sequence[Notice] = (),
    last_digest: date | None = None,
) -> Decision:
    """What to tell the user now about ``due`` (every action due at ``now``)."""
    zone = policy.zone
    local = now.astimezone(zone)
    visible = visible_actions(due, marks, now)
    new = [a for a in visible if _is_new(a, notified, marks)]
    shown = tuple(visible)
    if not new:
        return Decision(visible=shown)
    if policy.digest_hour is not None:
        if local.hour >= policy.digest_hour and last_digest != local.date():
            return Decision(summary=_summary("Your daily digest", new, names, ()), visible=shown)
        return Decision(held=tuple(new), visible=shown)
    if policy.quiet is not None and policy.quiet.contains(local.time()):
        return Decision(held=tuple(new), visible=shown)
    away = last_seen is not None and (
        now - last_seen > policy.away_after
        or (policy.quiet is not None and policy.quiet.contains(last_seen.astimezone(zone).time()))
    )
    if away and len(new) >= 2:
        return Decision(summary=_summary("While you were away", new, names, notices), visible=shown)
    if len(new) > policy.burst_limit:
        title = f"{len(new)} things to do"
        return Decision(summary=_summary(title, new, names, ()), visible=shown)
    return Decision(notify=tuple(new), visible=shown)


class Reminders:
    """``decide`` over what the Store remembers; records what was told. Use on one thread."""

    def __init__(self, store: Store, policy: ReminderPolicy) -> None:
        self.store = store
        self.policy = policy

    def decide(
        self,
        due: Sequence[DueAction],
        now: datetime,
        *,
        notices: Sequence[Notice] = (),
        complete: bool = True,
    ) -> Decision:
        """Decide, then record what was told and that the app looked at ``now``.

        ``complete``: ``due`` is every due action (a sync round's list), so the records of
        actions no longer due can be forgotten.
        """
        digest_text = self.store.marks.reminder_value(LAST_DIGEST)
        decision = decide(
            due,
            now=now,
            notified=self.store.marks.notified(),
            marks=self.store.marks.actions(),
            last_seen=from_iso(self.store.marks.reminder_value(LAST_SEEN)),
            policy=self.policy,
            names=self.store.contacts.names(),
            notices=notices,
            last_digest=date.fromisoformat(digest_text) if digest_text else None,
        )
        with self.store.transaction():
            if decision.told:
                self.store.marks.mark_notified([key_of(a) for a in decision.told], now)
            if self.policy.digest_hour is not None and decision.summary is not None:
                local_day = now.astimezone(self.policy.zone).date()
                self.store.marks.set_reminder_value(LAST_DIGEST, local_day.isoformat())
            if complete:
                self.store.marks.forget_notified({key_of(a) for a in due})
            self.store.marks.set_reminder_value(LAST_SEEN, iso(now) or "")
        return decision

    def visible(self, due: Sequence[DueAction], now: datetime) -> list[DueAction]:
        return visible_actions(due, self.store.marks.actions(), now)

    @staticmethod
    def snooze_time_for(policy: ReminderPolicy, choice: Snooze, now: datetime) -> datetime:
        """When a snooze chosen ``now`` ends under ``policy`` (nothing is written)."""
        return snooze_until(choice, now, policy.zone, policy.morning)

    def snooze(self, action: DueAction, choice: Snooze, now: datetime) -> datetime:
        until = self.snooze_time_for(self.policy, choice, now)
        self.store.marks.snooze(key_of(action), until)
        return until

    def dismiss(self, action: DueAction) -> None:
        self.store.marks.dismiss(key_of(action))

    def restore(self, action: DueAction) -> None:
        """Undo a snooze or a dismissal."""
        self.store.marks.clear(key_of(action))
