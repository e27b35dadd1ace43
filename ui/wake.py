"""Noticing that the machine woke up or the network came back, so a sync runs at once instead
of at the next tick of the timer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

#: How often the heartbeat looks at the clocks, and how much of a gap means "was asleep".
HEARTBEAT_MS = 15_000
SLEEP_GAP_S = 30.0


class WakeWatcher(QObject):
    """Signals:
        woke(str): the machine resumed from sleep ("resume") or the network came back
            ("network").

    Suspend is seen as wall-clock time passing faster than the monotonic clock (which stops
    while the machine sleeps on Linux); the network through QNetworkInformation when the
    platform has a backend for it.
    """

    woke = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._wall = wall
        self._monotonic = monotonic
        self._last = (wall(), monotonic())
        self._online: bool | None = None
        self.heartbeat = QTimer(self)
        self.heartbeat.timeout.connect(self.check_clocks)

    def start(self) -> None:
        self._last = (self._wall(), self._monotonic())
        self.heartbeat.start(HEARTBEAT_MS)
        self._watch_network()

    def stop(self) -> None:
        self.heartbeat.stop()

    def check_clocks(self) -> None:
        wall, mono = self._wall(), self._monotonic()
        gap = (wall - self._last[0]) - (mono - self._last[1])
        self._last = (wall, mono)
        if gap > SLEEP_GAP_S:
            log.info("resumed after about %d s asleep", gap)
            self.woke.emit("resume")

    def _watch_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network-information backend: syncing on the timer only")
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self._online = info.reachability() == QNetworkInformation.Reachability.Online
        info.reachabilityChanged.connect(self.on_reachability)

    def on_reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        online = reachability == QNetworkInformation.Reachability.Online
        if online and self._online is False:
            log.info("network is back")
            self.woke.emit("network")
        self._online = online
