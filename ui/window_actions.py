"""The window's actions (menus, toolbar, shortcuts), created in one place: the action table
and its helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QTextEdit,
    QWidget,
)

from desktop.domain.model import STAGE_ORDER, Stage
from desktop.reminders import Snooze
from ui.account_settings import AccountSettings
from ui.contact_commands import ContactCommands
from ui.today_commands import TodayCommands

Keys = QKeySequence.StandardKey | str | list[Any] | None
SP = QStyle.StandardPixmap


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


def edit_focused(name: str) -> None:
    """Edit > Cut, Copy, Paste, Select all: on the text field or text area that has the focus
    (item views and other widgets have no such command: nothing happens)."""
    widget = QApplication.focusWidget()
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractItemView):
        if name != "selectAll" and isinstance(widget, QAbstractItemView):
            return
        getattr(widget, name)()


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


class ActionTarget(Protocol):
    """What the window's actions trigger: the window's commands and its collaborators'."""

    commands: ContactCommands
    today: TodayCommands
    #: Built after the actions (it needs Sync now): reached when an action is triggered.
    settings_ui: AccountSettings

    def edit_current(self) -> None: ...

    def delete_current(self) -> None: ...

    def add_current_to_targets(self) -> None: ...

    def set_meeting_current(self) -> None: ...

    def undo_current(self) -> None: ...

    def sync_now(self) -> bool: ...

    def sync_by_hand(self) -> bool: ...

    def focus_filter(self) -> None: ...

    def show_view(self, key: str) -> None: ...

    def toggle_panel(self) -> None: ...

    def show_shortcuts(self) -> None: ...

    def show_about(self) -> None: ...

    def close(self) -> bool: ...


class WindowActions:
    """The action table: every action of the window's menus, toolbar and shortcuts, owned by
    the window (so shortcuts work anywhere in it) and triggering ``target``'s commands."""

    def __init__(self, owner: QWidget, target: ActionTarget) -> None:
        a, s, t = make_action, owner, owner.tr
        c = target.commands
        self.new_action = a(
            s, t("&New contact…"), c.new_contact, QKeySequence.StandardKey.New,
            themed_icon(s, "contact-new", SP.SP_FileIcon),
            t("Add someone to talk to (Ctrl+N)"),
        )  # fmt: skip
        self.edit_action = a(s, t("&Edit contact…"), target.edit_current, "Ctrl+E")
        self.delete_action = a(
            s, t("&Delete contact"), target.delete_current, QKeySequence.StandardKey.Delete,
            tip=t("Delete the selected contact, with their history (Undo: Ctrl+Z)"),
        )  # fmt: skip
        self.write_action = a(
            s, t("&Write request…"), target.today.write_current, "Ctrl+R",
            themed_icon(s, "mail-message-new", SP.SP_FileDialogContentsView),
            t("Write to the selected contact, with proposed times (Ctrl+R)"),
        )  # fmt: skip
        self.meeting_action = a(s, t("Set &meeting…"), target.set_meeting_current, "Ctrl+M")
        self.undo_import_action = a(s, t("Undo last &import…"), c.undo_import)
        self.targets_action = a(
            s, t("Add to &targets"), target.add_current_to_targets, "Ctrl+T",
            tip=t("Pick the selected people into the pipeline as targets (Ctrl+T)"),
        )  # fmt: skip
        self.undo_action = a(
            s, t("&Undo last stage change"), target.undo_current, QKeySequence.StandardKey.Undo
        )
        self.snooze_actions = snooze_actions(s)
        self.sync_action = a(
            s, t("&Sync now"), target.sync_by_hand, "F5",
            themed_icon(s, "view-refresh", SP.SP_BrowserReload),
            t("Check the mailbox now (F5)"),
        )  # fmt: skip
        self.find_action = a(
            s, t("&Filter contacts"), target.focus_filter, QKeySequence.StandardKey.Find
        )
        self.settings_action = a(
            s, t("&Settings…"), lambda: target.settings_ui.show_settings(),
            ["Ctrl+,", QKeySequence.StandardKey.Preferences],
        )  # fmt: skip
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.templates_action = a(s, t("&Templates…"), lambda: target.settings_ui.show_templates())
        self.connect_gmail_action = a(
            s, t("Connect &Gmail…"), lambda: target.settings_ui.connect_gmail()
        )
        self.connect_mailbox_action = a(
            s, t("Connect another &mailbox…"), lambda: target.settings_ui.connect_mailbox(),
            tip=t("Any mailbox with IMAP and SMTP (Fastmail, iCloud, Yahoo, Proton…)"),
        )  # fmt: skip
        self.connect_outlook_action = a(
            s, t("Connect &Outlook…"), lambda: target.settings_ui.connect_outlook()
        )
        self.help_action = a(s, t("&Keyboard shortcuts"), target.show_shortcuts, ["F1", "Ctrl+/"])
        self.about_action = a(s, t("&About Coffeechat"), target.show_about)
        self.quit_action = a(s, t("&Quit"), target.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.view_actions = [
            a(s, t("&Today"), lambda: target.show_view("today"), "Ctrl+1"),
            a(s, t("&Pipeline"), lambda: target.show_view("pipeline"), "Ctrl+2"),
            a(s, t("&Contacts"), lambda: target.show_view("contacts"), "Ctrl+3"),
        ]
        self.move_actions = move_actions(s, c.on_move_action)
        self.edit_actions = [
            a(s, text, partial(edit_focused, name), key)
            for text, name, key in (
                (t("Cu&t"), "cut", QKeySequence.StandardKey.Cut),
                (t("&Copy"), "copy", QKeySequence.StandardKey.Copy),
                (t("&Paste"), "paste", QKeySequence.StandardKey.Paste),
                (t("Select &all"), "selectAll", QKeySequence.StandardKey.SelectAll),
            )
        ]
        self.panel_action = a(s, t("Contact &panel"), target.toggle_panel, "F9")
        self.panel_action.setCheckable(True)
        self.panel_action.setChecked(True)
        self.panel_action.setToolTip(t("Show or hide the contact panel (F9; Esc in it closes it)"))
