"""IMAP IDLE on the Inbox, on a connection of its own, while the app runs."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mail.imap.connection import open_imap
from mail.imap.settings import ImapSettings
from mail.provider import (
    OfflineError,
    ProviderError,
)

log = logging.getLogger(__name__)

#: RFC 2177: servers may drop an IDLE after 30 minutes; re-issue well before.
IDLE_REISSUE_S = 25 * 60


@dataclass
class InboxWatcher:
    """IMAP IDLE on the Inbox, on a connection of its own, while the app runs.

    ``run`` blocks (desktop.tasks starts it on a thread of its own) until ``stop``. It calls
    ``on_mail()`` when the server announces new mail, and once after each (re)connection (mail may
    have arrived while it was away). ``restart`` drops the connection and opens a new one at once
    (the network changed). A lost connection is retried with a growing pause (up to a minute); a
    server without IDLE ends the watcher (``supported`` False) and the app's polling carries on.
    ``on_state(state, message)`` reports "watching", "offline" or "unsupported".
    """

    settings: ImapSettings
    password: Callable[[], str]
    on_mail: Callable[[], None]
    on_state: Callable[[str, str], None] | None = None
    reissue_s: float = IDLE_REISSUE_S
    max_pause_s: float = 60.0
    #: Called with the count after each IDLE command is issued (tests, logs).
    on_idle: Callable[[int], None] | None = None
    #: Called with the count of the IDLE about to be issued, on the watcher's thread, after the
    #: DONE of the one before (tests deliver mail there: between two IDLE commands).
    before_idle: Callable[[int], None] | None = None
    #: Called with the count of the IDLE about to be ended, just before its DONE (tests).
    before_done: Callable[[int], None] | None = None
    supported: bool = True
    #: True while an IDLE connection is up (from "watching" until it is lost or stopped).
    watching: bool = False
    #: Counters for tests and logs.
    connections: int = 0
    idles: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _restart: threading.Event = field(default_factory=threading.Event)
    _reissue: threading.Event = field(default_factory=threading.Event)
    _wake: tuple[socket.socket, socket.socket] = field(default_factory=socket.socketpair)

    def stop(self) -> None:
        self._stop.set()
        self._poke()

    def restart(self) -> None:
        self._restart.set()
        self._poke()

    def reissue(self) -> None:
        """End the IDLE and issue a new one now, on the same connection (as every
        ``reissue_s``; tests and the benchmark call it instead of waiting)."""
        self._reissue.set()
        self._poke()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _poke(self) -> None:
        with contextlib.suppress(OSError):
            self._wake[1].send(b"x")

    def _drain(self) -> None:
        self._wake[0].setblocking(False)
        with contextlib.suppress(OSError):
            while self._wake[0].recv(64):
                pass

    def _state(self, state: str, message: str = "") -> None:
        if self.on_state is not None:
            self.on_state(state, message)

    def _pause(self, seconds: float) -> None:
        """Wait, unless stopped or restarted meanwhile."""
        select.select([self._wake[0]], [], [], seconds)
        self._drain()

    def run(self) -> None:
        pause = 1.0
        try:
            while not self._stop.is_set():
                self._restart.clear()
                client: Any = None
                try:
                    client = open_imap(self.settings, self.password())
                    self.connections += 1
                    if not client.has_capability("IDLE"):
                        self.supported = False
                        log.info("imap: the server has no IDLE; polling only")
                        self._state("unsupported", "the server does not offer IDLE")
                        return
                    client.select_folder("INBOX", readonly=True)
                    self.watching = True
                    self._state("watching")
                    self.on_mail()  # whatever arrived while we were not watching
                    pause = 1.0
                    self._idle(client)
                except (ProviderError, imaplib.IMAP4.error, OSError) as exc:
                    log.info("imap idle: %s", type(exc).__name__)
                    self._state("offline", str(exc))
                finally:
                    self.watching = False
                    if client is not None:
                        with contextlib.suppress(Exception):
                            client.shutdown()
                if self._stop.is_set():
                    break
                if self._restart.is_set():
                    continue
                self._pause(pause)
                pause = min(pause * 2, self.max_pause_s)
        finally:
            for sock in self._wake:
                with contextlib.suppress(OSError):
                    sock.close()

    def _idle(self, client: Any) -> None:
        sock = client.socket()
        while not (self._stop.is_set() or self._restart.is_set()):
            self._reissue.clear()
            if self.before_idle is not None:
                self.before_idle(self.idles + 1)
            client.idle()
            self.idles += 1
            if self.on_idle is not None:
                self.on_idle(self.idles)
            started = time.monotonic()
            # What the server said with the IDLE continuation (mail delivered since the DONE
            # before) may already sit in the client's buffers, where select() cannot see it.
            arrived = announces(read_buffered(client))
            late: list[Any] = []
            try:
                while not arrived:
                    left = self.reissue_s - (time.monotonic() - started)
                    if left <= 0 or self._stop.is_set() or self._restart.is_set():
                        break
                    if self._reissue.is_set():
                        break
                    ready, _, _ = select.select([sock, self._wake[0]], [], [], left)
                    if self._wake[0] in ready:
                        self._drain()
                        continue
                    if sock in ready:
                        responses = client.idle_check(timeout=0)
                        if not responses:
                            raise OfflineError("the IMAP server closed the connection")
                        if announces(responses):
                            arrived = True
                            break
                        if any(isinstance(r, tuple) and r[0] == b"BYE" for r in responses):
                            raise OfflineError("the IMAP server ended the session")
            finally:
                if self.before_done is not None:
                    self.before_done(self.idles)
                if not self._stop.is_set() or sock.fileno() >= 0:
                    with contextlib.suppress(Exception):
                        # The answer to DONE carries what arrived since the last look.
                        late = list(client.idle_done()[1])
            if arrived or announces(late):
                self.on_mail()


def announces(responses: list[Any]) -> bool:
    """Do these untagged responses (parsed tuples, or raw lines) announce new mail?"""
    for r in responses:
        if isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT"):
            return True
        if isinstance(r, bytes):
            words = r.split()
            if len(words) >= 3 and words[0] == b"*" and words[2].upper() in (b"EXISTS", b"RECENT"):
                return True
    return False


def read_buffered(client: Any) -> list[bytes]:
    """The lines the client has already received but not read (imaplib reads the socket through
    a buffered file, and TLS keeps records of its own): read without waiting for more."""
    imap = client._imap
    sock = client.socket()
    sock.setblocking(False)
    lines: list[bytes] = []
    try:
        while True:
            try:
                line = imap._get_line()
            except OSError:  # nothing more without waiting (EAGAIN, TLS want-read, timeout)
                break
            except imaplib.IMAP4.abort as exc:
                if "EOF" in str(exc):
                    break  # a non-blocking read that found nothing
                raise
            lines.append(line)
    finally:
        sock.setblocking(True)
        sock.settimeout(client._timeout.read if client._timeout is not None else None)
    return lines
