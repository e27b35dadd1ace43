"""Snoozes and dismissals as Today sees them: one small interface, two implementations.

The window asks an ``ActionMarks`` what is still waiting and records the user's snoozes and
dismissals through it. With reminders wired (desktop.app), the ``NotificationCenter`` is that
object, so its tray count follows at once; without it (tests, a window on its own) ``StoreMarks``
writes the same marks to the same Store. Either way the mark is written on the database worker
(ui.ops) and ``then`` runs on the GUI thread once it is there. This module imports no ui module
but ui.ops, so either side can use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from desktop.domain.clock import Clock
from desktop.domain.due import DueAction
from desktop.reminders import QuietHours, ReminderPolicy, Reminders, Snooze
from desktop.settings import Settings
from desktop.storage import Store
from ui.ops import Ops

#: What runs on the GUI thread once a mark is written.
Then = Callable[[], object]


class ActionMarks(Protocol):
    def visible(self, due: Sequence[DueAction]) -> list[DueAction]:
        """The actions still waiting now: neither dismissed nor snoozed into the future."""
        ...

    def snooze(self, action: DueAction, choice: Snooze, then: Then) -> datetime:
        """Hide the action until the returned time (known at once; ``then`` once written)."""
        ...

    def dismiss(self, action: DueAction, then: Then) -> None: ...

    def restore(self, action: DueAction, then: Then) -> None:
        """Undo a snooze or a dismissal."""
        ...


class StoreMarks:
    """``ActionMarks`` straight over the Store, for a window without a NotificationCenter:
    reads from the GUI's store, writes through ``ops``."""

    def __init__(self, ops: Ops, store: Store, clock: Clock, policy: ReminderPolicy) -> None:
        self.ops = ops
        self.reminders = Reminders(store, policy)
        self.clock = clock

    def visible(self, due: Sequence[DueAction]) -> list[DueAction]:
        return self.reminders.visible(due, self.clock.now())

    def snooze(self, action: DueAction, choice: Snooze, then: Then) -> datetime:
        return snooze_mark(self.ops, self.reminders.policy, action, choice, self.clock.now(), then)

    def dismiss(self, action: DueAction, then: Then) -> None:
        dismiss_mark(self.ops, self.reminders.policy, action, then)

    def restore(self, action: DueAction, then: Then) -> None:
        restore_mark(self.ops, self.reminders.policy, action, then)


def snooze_mark(
    ops: Ops, policy: ReminderPolicy, action: DueAction, choice: Snooze, now: datetime, then: Then
) -> datetime:
    """Snooze ``action`` on the database worker; its end, known at once."""
    until = Reminders.snooze_time_for(policy, choice, now)
    ops.db(lambda store: Reminders(store, policy).snooze(action, choice, now), success=_then(then))
    return until


def dismiss_mark(ops: Ops, policy: ReminderPolicy, action: DueAction, then: Then) -> None:
    ops.db(lambda store: Reminders(store, policy).dismiss(action), success=_then(then))


def restore_mark(ops: Ops, policy: ReminderPolicy, action: DueAction, then: Then) -> None:
    ops.db(lambda store: Reminders(store, policy).restore(action), success=_then(then))


def _then(then: Then) -> Callable[[object], object]:
    return lambda _result: then()


def policy_for(settings: Settings) -> ReminderPolicy:
    """The reminders' policy from the user's settings (time zone, quiet hours, digest)."""
    quiet = settings.quiet_times()
    return ReminderPolicy(
        timezone=settings.timezone,
        quiet=QuietHours(*quiet) if quiet is not None else None,
        digest_hour=settings.digest(),
    )
