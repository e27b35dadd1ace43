"""The notification port (Qt-free): a ``Notifier`` protocol, the desktop-notifier backend and a
``NullNotifier``.

desktop-notifier talks D-Bus on Linux (org.freedesktop.Notifications), the notification centre
on macOS and Windows. It is asyncio-based and needs a running loop to hear clicks, so the backend
runs on a long-lived loop of its own, started through ``desktop.tasks`` (the only place threads
start). Everything here returns ``concurrent.futures.Future``; the action handler is called on
that loop's thread, so the GUI must hand it over to its own thread (ui/notifications.py does, by
a signal).

On macOS desktop-notifier hears clicks only on a CFRunLoop in the main thread; there the
notifications still show, but their buttons do nothing until that is wired (not tested here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from desktop.tasks import BackgroundLoop, Tasks

log = logging.getLogger(__name__)

#: Action ids. CLICKED is the notification's body being clicked (the D-Bus "default" action).
OPEN = "open"
DRAFT = "draft"
SNOOZE = "snooze"
CLICKED = "default"


@dataclass(frozen=True, slots=True)
class NoteAction:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Note:
    """One notification. ``key`` is ours and unique: actions come back with it."""

    key: str
    title: str
    body: str
    actions: tuple[NoteAction, ...] = ()


#: Called with (note key, action id) on the notifier's own thread.
ActionHandler = Callable[[str, str], None]


class NotifierUnavailableError(Exception):
    """No notification service (no session bus, no daemon, or it refused the notification)."""


class Notifier(Protocol):
    #: What the user is told is in use, e.g. "desktop notifications".
    name: str

    def start(self, on_action: ActionHandler) -> Future[bool]:
        """Connect; the future says whether a notification service is there."""
        ...

    def send(self, note: Note) -> Future[None]:
        """Show a note; the future fails with NotifierUnavailableError if it could not."""
        ...

    def close(self) -> None: ...


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


class NullNotifier:
    """No native notifications (tests, or the user turned them off): the GUI falls back."""

    name = "no notifications"

    def start(self, on_action: ActionHandler) -> Future[bool]:
        return _done(False)

    def send(self, note: Note) -> Future[None]:
        future: Future[None] = Future()
        future.set_exception(NotifierUnavailableError("native notifications are off"))
        return future

    def close(self) -> None:
        pass


class DesktopNotifierBackend:
    """Native notifications through desktop-notifier, on a background asyncio loop."""

    name = "desktop notifications"

    def __init__(self, tasks: Tasks, app_name: str = "Coffeechat", timeout_s: float = 5.0) -> None:
        self._tasks = tasks
        self._app_name = app_name
        self._timeout = timeout_s
        self._loop: BackgroundLoop | None = None
        self._notifier: Any = None  # desktop_notifier.DesktopNotifier, made on the loop
        self._on_action: ActionHandler | None = None

    def start(self, on_action: ActionHandler) -> Future[bool]:
        self._on_action = on_action
        if self._loop is None:
            try:
                self._loop = self._tasks.start_loop("notify")
            except RuntimeError:  # shutting down
                return _done(False)
        return self._loop.submit(self._start())

    async def _start(self) -> bool:
        try:
            from desktop_notifier import DesktopNotifier
        except ImportError as exc:  # a platform without a backend
            log.info("native notifications unavailable: %s", exc)
            return False
        if self._notifier is None:
            self._notifier = DesktopNotifier(app_name=self._app_name, app_icon=None)
            self._notifier.on_clicked = self._clicked
            self._notifier.on_button_pressed = self._pressed
        try:
            # Connects to the service and asks what it can do: fails fast when there is none.
            capabilities = await asyncio.wait_for(self._notifier.get_capabilities(), self._timeout)
        except Exception as exc:  # no bus (InvalidAddressError), no daemon (DBusError), timeout
            log.info("no notification service: %s: %s", type(exc).__name__, exc)
            await self._disconnect()
            return False
        log.info("notification service found (%s)", ", ".join(sorted(c.name for c in capabilities)))
        return True

    def send(self, note: Note) -> Future[None]:
        if self._loop is None or not self._loop.running:
            return NullNotifier().send(note)
        return self._loop.submit(self._send(note))

    async def _send(self, note: Note) -> None:
        from desktop_notifier import Button, Notification

        if self._notifier is None:
            raise NotifierUnavailableError("not started")
        notification = Notification(
            title=note.title,
            message=note.body,
            buttons=tuple(Button(title=a.label, identifier=a.id) for a in note.actions),
            identifier=note.key,
        )
        # desktop-notifier logs a failed send instead of raising; a sent notification is the
        # one it keeps track of.
        await asyncio.wait_for(self._notifier.send_notification(notification), self._timeout)
        if note.key not in await self._notifier.get_current_notifications():
            raise NotifierUnavailableError("the notification service did not take it")

    def _clicked(self, identifier: str) -> None:
        if self._on_action is not None:
            self._on_action(identifier, CLICKED)

    def _pressed(self, identifier: str, button: str) -> None:
        if self._on_action is not None:
            self._on_action(identifier, button)

    async def _disconnect(self) -> None:
        # desktop-notifier never closes its D-Bus connection; its Linux backend keeps it as
        # ``bus``. Close it so nothing is left open when the loop stops.
        backend: Any = getattr(self._notifier, "_backend", None)
        bus = getattr(backend, "bus", None)
        if bus is not None:
            bus.disconnect()
            try:
                await bus.wait_for_disconnect()
            except Exception as exc:  # it ended with an error: it is closed all the same
                log.debug("D-Bus connection closed: %s", exc)
            backend.bus = None
            backend.interface = None

    def close(self) -> None:
        self._on_action = None
        if self._loop is not None and self._loop.running:
            try:
                self._loop.submit(self._disconnect()).result(self._timeout)
            except Exception as exc:
                log.info("closing the notification connection: %s", exc)
