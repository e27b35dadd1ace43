"""Push, not polling, for one IMAP account: which folders a pass must look at.

While an ``InboxWatcher`` keeps IDLE on the Inbox, the Inbox is looked at only when the server
announced mail (or the watcher has just (re)connected: mail may have come meanwhile). The Sent
folder cannot be IDLEd on the same connection (one selected folder per connection), so it keeps a
slower schedule of its own, and is looked at once more right after Coffeechat sends. When IDLE
stops working (a lost connection, a server without IDLE, the watcher stopped) every pass looks at
both folders again, as polling does.

The watcher's thread announces; the sync worker asks; the GUI thread asks whether the timer has
anything to do for the account (``wants_poll``). The flags are plain booleans, set before the
announcement is passed on, so an announcement is never lost between a look and its clearing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from mail.imap.idle import InboxWatcher
from mail.provider import Folder

#: How often the Sent folder is looked at while IDLE watches the Inbox (mail sent from another
#: client of the account: a phone, webmail). Coffeechat's own sends are looked at at once.
SENT_EVERY = timedelta(minutes=15)


class PushState:
    """See the module docstring. ``now`` is the provider's clock."""

    def __init__(self, now: Callable[[], datetime], sent_every: timedelta = SENT_EVERY) -> None:
        self._now = now
        self.sent_every = sent_every
        self.watcher: InboxWatcher | None = None
        self._inbox_due = True
        self._sent_due = True
        self._sent_checked: datetime | None = None

    @property
    def pushed(self) -> bool:
        """True while IDLE watches the Inbox."""
        watcher = self.watcher
        return watcher is not None and watcher.watching and not watcher.stopped

    def announced(self) -> None:
        """The server announced new mail in the Inbox (or the watcher reconnected)."""
        self._inbox_due = True

    def sent_changed(self) -> None:
        """Coffeechat sent or filed a message: look at the Sent folder in the next pass."""
        self._sent_due = True

    def look_again(self) -> None:
        """The user asked for a sync (or the machine woke): look at both folders once."""
        self._inbox_due = self._sent_due = True

    def _sent_is_due(self) -> bool:
        if self._sent_due or self._sent_checked is None:
            return True
        return self._now() - self._sent_checked >= self.sent_every

    def wants_poll(self) -> bool:
        """Has a timer round anything to do for this account?"""
        return not self.pushed or self._inbox_due or self._sent_is_due()

    def folders(self) -> tuple[Folder, ...]:
        """The folders this pass looks at; they count as looked at from now (an announcement that
        comes after this call is due again)."""
        pushed = self.pushed
        wanted: list[Folder] = []
        if not pushed or self._inbox_due:
            self._inbox_due = False
            wanted.append(Folder.INBOX)
        if not pushed or self._sent_is_due():
            self._sent_due = False
            self._sent_checked = self._now()
            wanted.append(Folder.SENT)
        return tuple(wanted)

    def failed(self, folders: tuple[Folder, ...]) -> None:
        """The pass that was to look at these folders failed: they are due again."""
        if Folder.INBOX in folders:
            self._inbox_due = True
        if Folder.SENT in folders:
            self._sent_due = True
