"""What other parts of the GUI may ask of the main window, as a small protocol.

Notifications, the tray and the workspace depend on this, not on ``MainWindow``: they show a
contact, a view or a message, and never reach into the window's widgets or models.
"""

from __future__ import annotations

from typing import Protocol

from desktop.domain.due import ActionKind, DueAction
from desktop.storage import ContactRecord
from ui.ops import Ops


class Navigator(Protocol):
    #: The window's one way to run work off the GUI thread (database writes, network calls).
    ops: Ops

    def select_contact(self, contact_id: int | None) -> None:
        """Show a contact in the panel (None: nobody)."""
        ...

    def show_view(self, key: str) -> None:
        """Show a sidebar view by its key ("today", "pipeline", "contacts", or an added one)."""
        ...

    def open_action(self, action: DueAction) -> None:
        """Show what a due action is about: its contact, and whatever a view added for that kind
        of action (the Prepare tab for a meeting near)."""
        ...

    def write_to(self, contact_id: int, action: ActionKind | None = None) -> bool:
        """Open the composer for a contact; True if a draft was saved or the message sent."""
        ...

    def bring_to_front(self) -> None: ...

    def tell(self, text: str) -> None:
        """A transient in-app message (the banner)."""
        ...

    def show_status(self, text: str, ms: int) -> None: ...

    def refresh_derived(self, actions: list[DueAction] | None = None) -> None:
        """Today, next actions and counts recomputed (a snooze or dismissal changed them)."""
        ...

    def reload_all(self) -> None:
        """Every contact read again from the store (an import or a restore changed many)."""
        ...

    def records(self) -> list[ContactRecord]:
        """Every contact as the window holds them (no database read)."""
        ...
