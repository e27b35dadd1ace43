"""The window's actions (menus, toolbar, shortcuts), created in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

from desktop.domain.model import STAGE_ORDER, Stage
from desktop.reminders import Snooze

Keys = QKeySequence.StandardKey | str | list[Any] | None


def make_action(
    owner: QWidget,
    text: str,
    slot: Callable[[], object],
    keys: Keys = None,
    icon: QIcon | None = None,
    tip: str = "",
) -> QAction:
    """An action of ``owner`` (so its shortcut works anywhere in the window)."""
    act = QAction(text, owner)
    if icon is not None:
        act.setIcon(icon)
    if keys is not None:
        seqs = keys if isinstance(keys, list) else [keys]
        act.setShortcuts([QKeySequence(k) for k in seqs])
    act.setToolTip(tip or text.replace("&", "").replace("…", ""))
    act.triggered.connect(lambda _checked=False: slot())  # never pass "checked" on
    owner.addAction(act)
    return act


def themed_icon(owner: QWidget, name: str, fallback: QStyle.StandardPixmap) -> QIcon:
    return QIcon.fromTheme(name, owner.style().standardIcon(fallback))


def snooze_actions(owner: QWidget) -> list[QAction]:
    acts = []
    for choice in Snooze:
        act = QAction(owner.tr(choice.label), owner)
        act.setData(choice.value)
        acts.append(act)
    return acts


def move_actions(owner: QWidget, slot: Callable[[], object]) -> list[QAction]:
    acts = []
    for stage in STAGE_ORDER:
        # Scheduled asks for the meeting's time first.
        text = owner.tr(stage.label) + ("…" if stage is Stage.SCHEDULED else "")
        act = QAction(text, owner)
        act.setData(stage.value)
        act.triggered.connect(slot)
        acts.append(act)
    return acts
