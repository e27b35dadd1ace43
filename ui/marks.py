"""Snoozes and dismissals as Today sees them: one small interface, two implementations.

The window asks an ``ActionMarks`` what is still waiting and records the user's snoozes and
dismissals through it. With reminders wired (desktop.app), the ``NotificationCenter`` is that
object, so its tray count follows at once; without it (tests, a window on its own) ``StoreMarks``
writes the same marks to the same Store. This module imports no other ui module, so either side
can use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from desktop.domain.clock import Clock
from desktop.domain.due import DueAction
from desktop.reminders import QuietHours, ReminderPolicy, Reminders, Snooze
from desktop.settings import Settings
from desktop.storage import Store


class ActionMarks(Protocol):
    def visible(self, due: Sequence[DueAction]) -> list[DueAction]:
        """The actions still waiting now: neither dismissed nor snoozed into the future."""
        ...

    def snooze(self, action: DueAction, choice: Snooze) -> datetime:
        """Hide the action until the returned time."""
        ...

    def dismiss(self, action: DueAction) -> None: ...

    def restore(self, action: DueAction) -> None:
        """Undo a snooze or a dismissal."""
        ...


class StoreMarks:
    """``ActionMarks`` straight over the Store, for a window without a NotificationCenter."""

    def __init__(self, store: Store, clock: Clock, policy: ReminderPolicy) -> None:
        self.reminders = Reminders(store, policy)
        self.clock = clock

    def visible(self, due: Sequence[DueAction]) -> list[DueAction]:
        return self.reminders.visible(due, self.clock.now())

    def snooze(self, action: DueAction, choice: Snooze) -> datetime:
        return self.reminders.snooze(action, choice, self.clock.now())

    def dismiss(self, action: DueAction) -> None:
        self.reminders.dismiss(action)

    def restore(self, action: DueAction) -> None:
        self.reminders.restore(action)


def policy_for(settings: Settings) -> ReminderPolicy:
    """The reminders' policy from the user's settings (time zone, quiet hours, digest)."""
    quiet = settings.quiet_times()
    return ReminderPolicy(
        timezone=settings.timezone,
        quiet=QuietHours(*quiet) if quiet is not None else None,
        digest_hour=settings.digest(),
    )
