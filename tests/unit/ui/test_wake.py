"""Waking up: a sleep is seen from the clocks, and the window syncs at once."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.wake import SLEEP_GAP_S, WakeWatcher


class Clocks:
    def __init__(self) -> None:
        self.wall = 1_000_000.0
        self.mono = 500.0

    def tick(self, seconds: float, *, asleep: bool = False) -> None:
        self.wall += seconds
        if not asleep:  # the monotonic clock stops while the machine sleeps
            self.mono += seconds


def test_a_sleep_is_noticed_and_ordinary_ticks_are_not(qtbot: QtBot) -> None:
    clocks = Clocks()
    watcher = WakeWatcher(wall=lambda: clocks.wall, monotonic=lambda: clocks.mono)
    seen: list[str] = []
    watcher.woke.connect(seen.append)
    clocks.tick(15)
    watcher.check_clocks()
    assert seen == []
    clocks.tick(SLEEP_GAP_S * 40, asleep=True)
    watcher.check_clocks()
    assert seen == ["resume"]
    clocks.tick(15)
    watcher.check_clocks()
    assert seen == ["resume"]


def test_the_network_coming_back_is_a_wake_but_going_away_is_not(qtbot: QtBot) -> None:
    from PySide6.QtNetwork import QNetworkInformation

    watcher = WakeWatcher()
    seen: list[str] = []
    watcher.woke.connect(seen.append)
    watcher.on_reachability(QNetworkInformation.Reachability.Online)  # first word: not a change
    watcher.on_reachability(QNetworkInformation.Reachability.Disconnected)
    assert seen == []
    watcher.on_reachability(QNetworkInformation.Reachability.Online)
    assert seen == ["network"]
