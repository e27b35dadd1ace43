"""What every provider reads the same way: which headers a header-first fetch asks for, the
Message-ID we give outgoing mail, the stand-in for a message deleted before it could be read, and
the per-pass cache of what ``fetch_changes`` read ahead."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from mail.mime import OUTBOX_HEADER
from mail.provider import MailMessage, MessageRef

#: Headers the header-first fetch asks for: relevance (addresses, threading), classification's
#: cheap tests and the outbox mark.
HEADER_FIELDS: tuple[str, ...] = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Autoreply",
    "Precedence",
    "List-Id",
    "Content-Type",
    OUTBOX_HEADER,
)


def message_id_for(address: str, outbox_key: str) -> str:
    """The Message-ID of a message we send from ``address``. Derived from the outbox key, so a
    crash between "send" and "record" is mended by searching for it; random without a key."""
    domain = address.partition("@")[2] or "localhost"
    if not outbox_key:
        return make_msgid(domain=domain)
    return f"<{outbox_key}.coffeechat@{domain}>"


def stub(ref: MessageRef, now: datetime) -> MailMessage:
    """A message that was deleted before it could be read: incomplete, so nothing acts on it."""
    return MailMessage.unreadable(ref, now, "the message was deleted before it could be read")


class MessageCache:
    """What ``fetch_changes`` read ahead (heads, and full messages), for ``fetch_message`` in the
    same pass. Emptied at the start of each pass; used on the syncing thread only."""

    __slots__ = ("full", "heads")

    def __init__(self) -> None:
        self.heads: dict[str, MailMessage] = {}
        self.full: dict[str, MailMessage] = {}

    def clear(self) -> None:
        self.heads.clear()
        self.full.clear()

    def get(self, ident: str, *, full: bool) -> MailMessage | None:
        """A full message serves a head request too; a head never serves a full one."""
        return self.full.get(ident) or (None if full else self.heads.get(ident))

    def put(self, message: MailMessage, *, full: bool, ident: str | None = None) -> None:
        (self.full if full else self.heads)[message.ref.id if ident is None else ident] = message
