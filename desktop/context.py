"""What the composition root (desktop.app) hands to the UI: long-lived objects, passed on."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.domain.clock import Clock
from desktop.paths import Paths
from desktop.settings import Settings
from desktop.storage import Store
from desktop.tasks import Tasks
from mail.provider import MailProvider


@dataclass
class AppContext:
    paths: Paths
    settings: Settings
    #: The GUI thread's own connection, read-only: writes run on the database worker (ui.ops).
    store: Store
    clock: Clock
    tasks: Tasks
    providers: tuple[MailProvider, ...] = ()
    demo: bool = False
    #: Seconds between automatic sync rounds (the demo syncs more often on its fast clock).
    sync_interval_s: float = 60.0
    extras: dict[str, object] = field(default_factory=dict)
