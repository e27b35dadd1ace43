"""The MailProvider port: what the sync engine needs from any mailbox, and its plain data types.

Errors fall in three kinds, each a distinct type the UI treats differently: offline (retry later,
quietly), throttled (back off, honour Retry-After) and needs sign-in (ask the user to reconnect).
Anything else is a bug and is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from mail.relevance import Relevance


class AccountKind(StrEnum):
    DEMO = "demo"
    GMAIL = "gmail"
    OUTLOOK = "outlook"
    IMAP = "imap"


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    kind: AccountKind
    address: str
    display_name: str = ""


class Folder(StrEnum):
    INBOX = "inbox"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message as a change feed names it: an id, its thread and where it was seen."""

    id: str
    thread_id: str
    folder: Folder = Folder.INBOX


@dataclass(frozen=True, slots=True)
class ChangeSet:
    refs: tuple[MessageRef, ...]
    cursor: str
    #: True when the cursor was too old and the provider started a fresh baseline.
    reset: bool = False


@dataclass(frozen=True, slots=True)
class MailMessage:
    """A parsed message. Bodies are present only when fetched in full."""

    ref: MessageRef
    message_id: str
    subject: str
    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime
    headers: tuple[tuple[str, str], ...]
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    text: str = ""
    html: str = ""
    content_type: str = "text/plain"
    #: Plain text of the non-body parts that classification reads (e.g. a DSN's
    #: message/delivery-status part), and the raw bytes for bounce parsers.
    raw: bytes = b""
    defects: tuple[str, ...] = ()
    complete: bool = True

    def header(self, name: str) -> str:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return ""

    @classmethod
    def unreadable(
        cls, ref: MessageRef, date: datetime, defect: str, raw: bytes = b""
    ) -> MailMessage:
        """A stand-in for a message that cannot be read (deleted before the fetch, unparsable):
        incomplete, so nothing acts on it, with ``defect`` saying why."""
        return cls(
            ref=ref,
            message_id="",
            subject="",
            sender="",
            sender_name="",
            to=(),
            cc=(),
            date=date,
            headers=(),
            raw=raw,
            defects=(defect,),
            complete=False,
        )

    @property
    def addresses(self) -> tuple[str, ...]:
        return (self.sender, *self.to, *self.cc)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by an outgoing message. A ``text/calendar`` attachment with a ``method``
    (REQUEST, CANCEL) is an invitation: mail clients show it with Accept / Decline buttons."""

    filename: str
    content_type: str
    data: bytes
    method: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    to: tuple[str, ...]
    subject: str
    text: str
    #: Our idempotency marker, carried in the X-Coffeechat-Outbox header: a crash between "send"
    #: and "record" is mended by finding the marker in Sent instead of sending twice.
    outbox_key: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    thread_id: str | None = None
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class DraftRef:
    id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class SentRef:
    id: str
    thread_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class MeetingInvite:
    title: str
    start: datetime
    end: datetime
    attendees: tuple[str, ...]
    location: str = ""
    description: str = ""
    #: The meeting's iCalendar UID, when the app has one (stable for one contact and slot): a
    #: provider derives from it what makes a retried request create no second event.
    uid: str = ""


@dataclass(frozen=True, slots=True)
class EventRef:
    id: str


class ProviderError(Exception):
    """Base of the expected provider failures."""


class OfflineError(ProviderError):
    """The service cannot be reached: retry later, quietly."""


@dataclass
class ThrottledError(ProviderError):
    """The service asked us to slow down."""

    retry_after: float | None = None

    def __str__(self) -> str:
        if self.retry_after is None:
            return "throttled by the mail service"
        return f"throttled by the mail service; retry after {self.retry_after:.0f} s"


class NeedsSignInError(ProviderError):
    """The grant was revoked or expired: the user has to reconnect the account."""


class NoCalendarError(ProviderError):
    """The account cannot use a calendar (none granted, or the service is turned off): busy
    time comes from working hours alone and invitations go by e-mail as an .ics."""


class MailProvider(Protocol):
    """A connected mailbox (and its calendar, where it has one).

    Threads, as the app calls them (desktop.tasks), and what every implementation promises:

    - ``fetch_changes`` and ``fetch_message`` run on the sync worker only (one thread). What a
      pass read ahead is kept per provider for ``fetch_message`` in the same pass, so two passes
      of one provider must never run at once; the single sync worker guarantees it.
    - ``find_sent``, ``send_draft``, ``create_event`` and ``set_thread_flag`` run on the sync
      worker too (the outbox, invitations and mailbox flags write the database there).
    - ``create_draft`` and ``busy_blocks`` (and Outlook's ``away``) also run on the network pool,
      at the same time as the sync worker's calls: they are safe to call from any thread. Gmail
      gives each thread its own ``Http`` and shares a locked quota bucket and busy cache;
      Outlook shares one ``requests.Session``, at most four requests in flight and one pause
      gate; IMAP serialises every call on its one kept connection (a lock), so a call from
      another thread waits for the one in progress; the demo mailbox holds one lock throughout.
    - IMAP's ``watcher()`` runs IDLE on a thread and connection of its own (a service thread)
      and calls ``on_mail`` from that thread.
    - ``close`` is for shutdown, when no call is running.
    """

    account: Account

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        """New messages since ``cursor``. ``relevance`` (the sync engine's view) decides what is
        read ahead in full and what a recovery round reports; without it a provider uses the
        look-ups it was built with."""
        ...

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage: ...

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        """The history pass's search, in the Inbox and the Sent mail since ``since``: messages
        from or to any of ``addresses`` or from a mail system (bounces name the contact only in
        their body), and messages of ``threads`` (thread ids as refs name them: a reply from an
        address nobody knows yet). One search per call where the service allows it, paged;
        headers read here are kept for ``fetch_message(ref, full=False)``, and, where the service
        can batch, the whole of what ``relevance`` says concerns a contact for ``fetch_message``.
        Runs on the sync worker, never at the same time as ``fetch_changes``."""
        ...

    def create_draft(self, msg: OutgoingMessage) -> DraftRef: ...

    def send_draft(self, draft: DraftRef) -> SentRef: ...

    def find_sent(self, outbox_key: str) -> SentRef | None:
        """The sent message that carries this outbox marker, if any (crash recovery)."""
        ...

    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]: ...

    def create_event(self, event: MeetingInvite) -> EventRef: ...

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        """Flag the thread where the user reads mail (``flag`` names it: "Thank-you due"), or
        clear that flag. Idempotent. Clearing removes only what setting added: never a flag or
        label the user set themselves (desktop.mailflags also remembers what it set)."""
        ...


@dataclass(frozen=True, slots=True)
class Classification:
    """What an incoming message is. ``kind`` is one of bounce, auto_reply, bulk, calendar, human.

    ``evidence`` names the header or phrase that decided, for the stage history."""

    kind: str
    evidence: str
    away_until: datetime | None = None
    bounced_addresses: tuple[str, ...] = ()
    permanent: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    #: For human replies: accept, propose, decline, question, refer or unknown.
    intent: str = ""
    #: Index of the accepted slot among those passed to ``classify`` (intent accept).
    slot: int | None = None
    #: Other times the reply proposes, as written.
    proposed: tuple[str, ...] = ()
    #: Someone the reply refers the user to (either may be empty).
    referral_name: str = ""
    referral_address: str = ""
    #: What the sender wrote this time: quoted history and signature removed.
    new_text: str = ""
    #: For calendar mail: accepted, declined, tentative, counter, invitation or cancelled.
    calendar: str = ""
