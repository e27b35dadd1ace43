"""Today's commands: act on a due action, snooze it, dismiss it, bring it back (Ctrl+Z or the
banner's Undo), and Today's context menu."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QMenu

from desktop.domain.due import TEMPLATE_FOR_ACTION, ActionKind, DueAction
from desktop.reminders import Snooze
from ui.banner import BANNER_MS
from ui.format import when_text
from ui.models.due import ACTION_ROLE, CONTACT_ID_ROLE
from ui.shell import Shell

#: Due actions about a reply waiting on the user: the reply card answers them.
REPLY_ACTIONS = frozenset({ActionKind.REPLY_RECEIVED, ActionKind.NEEDS_ANSWER})


class TodayCommands(QObject):
    """Signals:
    actions_marked(): a due action was snoozed, dismissed or restored from Today.
    """

    actions_marked = Signal()

    def __init__(self, shell: Shell, parent: QObject) -> None:
        super().__init__(parent)
        self.shell = shell

    def replies(self) -> Any:
        """The window's reply cards (ui/reply_flow.py), once it has them."""
        return getattr(self.shell, "replies", None)

    def reply_case(self, action: DueAction | None) -> Any:
        """The reply case on the cards when ``action`` is about a reply waiting on the user."""
        flow = self.replies()
        if action is None or action.kind not in REPLY_ACTIONS or flow is None:
            return None
        case = flow.refresh(action.contact_id)
        return case

    def act_on(self, action: DueAction) -> None:
        """Enter on a due action: a reply -> its card's one click; else write the message it
        calls for, or open the contact."""
        shell = self.shell
        shell.open_action(action)
        if self.reply_case(action) is not None:
            self.replies().focus_card()
        elif action.kind in TEMPLATE_FOR_ACTION:
            shell.write_to(action.contact_id, action.kind)
        else:
            shell.statusBar().showMessage(
                self.tr("{0}: {1}. Ctrl+R writes to them.").format(
                    self._name_of(action), self.tr(action.detail)
                ),
                BANNER_MS,
            )

    def ask_snooze(self, action: DueAction) -> None:
        """s on a due action: how long for (1 day, 3 days, next week)."""
        shell = self.shell
        menu = QMenu(shell.widget())
        menu.setAccessibleName(self.tr("Snooze for"))
        menu.addSection(self.tr("Snooze for"))
        menu.addActions(shell.snooze_actions)
        row = shell.due_model.row_of(action)
        view = shell.today_view
        rect = view.visualRect(shell.due_model.index(row)) if row is not None else None
        where = rect.bottomLeft() if rect is not None else QPoint(0, 0)
        chosen = shell.exec_menu(menu, view.viewport().mapToGlobal(where))
        if chosen is not None and chosen in shell.snooze_actions:
            self.snooze_action(action, Snooze(chosen.data()))

    def snooze_action(self, action: DueAction, choice: Snooze) -> None:
        until: list[datetime] = []

        def snoozed() -> None:
            when = when_text(until[0], self.shell.zone, self.shell.now())
            self._after_mark(
                action,
                self.tr("Snoozed until {0}: {1} — {2}.").format(
                    when, self.tr(action.title), self._name_of(action)
                ),
            )

        until.append(self.shell.marks.snooze(action, choice, snoozed))

    def dismiss_action(self, action: DueAction) -> None:
        def dismissed() -> None:
            self._after_mark(
                action,
                self.tr("Dismissed: {0} — {1}.").format(
                    self.tr(action.title), self._name_of(action)
                ),
            )

        self.shell.marks.dismiss(action, dismissed)

    def _name_of(self, action: DueAction) -> str:
        record = self.shell.model.record(action.contact_id)
        return record.contact.name if record is not None else ""

    def _after_mark(self, action: DueAction, text: str) -> None:
        """The action left Today: select the one that took its place, offer Undo."""
        shell, due_model = self.shell, self.shell.due_model
        row = due_model.row_of(action)
        had_focus = shell.today_view.hasFocus()
        shell.undoable_mark = action
        shell.refresh_derived()
        if row is not None and due_model.rowCount():
            near = due_model.action_row_near(min(row, due_model.rowCount() - 1), +1)
            if near is None:
                near = due_model.action_row_near(due_model.rowCount() - 1, -1)
            if near is not None:
                shell.today_view.select_row(near)
        if had_focus and due_model.rowCount():
            shell.today_view.setFocus(Qt.FocusReason.OtherFocusReason)
        shell.update_contact_actions()
        shell.banner.show_text(
            text + " " + self.tr("Ctrl+Z brings it back."), action=self.tr("Undo")
        )
        self.actions_marked.emit()

    def undo_mark(self) -> bool:
        """Undo send of a held reply, else bring back the last snoozed or dismissed action;
        True if there was one."""
        flow = self.replies()
        if flow is not None and flow.undo_send():
            return True
        shell = self.shell
        action, shell.undoable_mark = shell.undoable_mark, None
        if action is None:
            return False
        shell.marks.restore(action, lambda: self._after_restore(action))
        return True

    def _after_restore(self, action: DueAction) -> None:
        """The action is back in Today: select it, say so."""
        shell = self.shell
        shell.refresh_derived()
        row = shell.due_model.row_of(action)
        if row is not None:
            shell.today_view.select_row(row)
        shell.banner.hide()
        shell.update_contact_actions()
        shell.statusBar().showMessage(
            self.tr("Back in Today: {0} — {1}.").format(
                self.tr(action.title), self._name_of(action)
            ),
            BANNER_MS,
        )
        self.actions_marked.emit()

    # ------------------------------------------------------------------ writing from Today
    def write_text(self, kind: ActionKind) -> str:
        return {
            ActionKind.FOLLOW_UP: self.tr("Write the &follow-up…"),
            ActionKind.CLOSE_THE_LOOP: self.tr("Write the &close-the-loop message…"),
            ActionKind.THANK_YOU_MISSING: self.tr("Write the &thank-you…"),
            ActionKind.CHECK_IN: self.tr("Write a &check-in…"),
            ActionKind.UPDATE_REFERRER: self.tr("Write to the &referrer…"),
            ActionKind.REPLY_RECEIVED: self.tr("&Reply to them…"),
            ActionKind.NEEDS_ANSWER: self.tr("&Reply to them…"),
        }.get(kind, self.tr("&Write request…"))

    def today_action(self) -> DueAction | None:
        """The due action selected in Today, when Today is shown and it concerns the current
        contact."""
        if self.shell.current_view() != "today":
            return None
        for index in self.shell.today_view.selectionModel().selectedIndexes():
            due = index.data(ACTION_ROLE)
            if isinstance(due, DueAction) and due.contact_id == self.shell.current_id:
                return due
        return None

    def write_current(self) -> None:
        """Write to the selected contact; from Today, the message its due action calls for."""
        if self.shell.current_id is None:
            return
        due = self.today_action()
        case = self.reply_case(due)
        if case is not None:  # a reply: answer it in its thread, never a new request
            self.replies().write_reply(case, case.template.value)
            return
        commands = getattr(self.shell, "commands", None)
        if due is None and commands is not None:  # Contacts, the Pipeline: what is due for them
            commands.write_due(self.shell.current_id)
            return
        self.shell.write_to(self.shell.current_id, due.kind if due is not None else None)

    def on_today_menu(self, pos: Any) -> None:
        shell = self.shell
        index = shell.today_view.indexAt(pos)
        if not index.isValid():
            return
        shell.select_contact(index.data(CONTACT_ID_ROLE))
        menu = QMenu(shell.widget())
        due = index.data(ACTION_ROLE)
        if isinstance(due, DueAction) and (due.kind in TEMPLATE_FOR_ACTION or self.reply_case(due)):
            write = menu.addAction(self.write_text(due.kind))
            write.triggered.connect(self.write_current)
            menu.addSeparator()
        else:
            menu.addAction(shell.write_action)
        menu.addAction(shell.edit_action)
        menu.addAction(shell.meeting_action)
        if isinstance(due, DueAction):
            menu.addSeparator()
            snooze = menu.addMenu(self.tr("&Snooze"))
            snooze.addActions(shell.snooze_actions)
            dismiss = menu.addAction(self.tr("&Dismiss"))
            dismiss.setData("dismiss")
        chosen = shell.exec_menu(menu, shell.today_view.viewport().mapToGlobal(pos))
        if isinstance(due, DueAction) and chosen is not None:
            if chosen in shell.snooze_actions:
                self.snooze_action(due, Snooze(chosen.data()))
            elif chosen.data() == "dismiss":
                self.dismiss_action(due)
