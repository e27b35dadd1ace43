"""Any mailbox over IMAP and SMTP, with an app password: Fastmail, iCloud, Yahoo, Proton Bridge,
Gmail or Outlook.com without OAuth, university and self-hosted mail.

Sync reads two folders, the Inbox and the Sent folder (SPECIAL-USE ``\\Sent``, else a usual
name). The cursor holds, per folder, its UIDVALIDITY, the highest UID seen and HIGHESTMODSEQ when
the server has CONDSTORE: an idle pass is one ``STATUS`` per folder on a kept connection. New
messages are read header-first (``BODY.PEEK[HEADER.FIELDS (...)]``), bodies only for those that
may concern a contact; folders are opened read-only and only ``PEEK`` is used, so nothing is ever
marked read. A changed UIDVALIDITY starts a safe rescan of the recent days, reporting only mail
that may concern a contact; message ids are built from the Message-ID header (not the UID), so
mail seen again keeps its id and its events are not applied twice.

Sending goes through SMTP (implicit TLS or STARTTLS; plaintext only to this computer); the sent
copy is APPENDed to the Sent folder unless the server filed one itself (Gmail does). Drafts are
APPENDed to the Drafts folder with ``\\Draft``. The outbox marker (X-Coffeechat-Outbox, and a
Message-ID derived from it) finds a sent message again after a crash.

``InboxWatcher`` keeps an IDLE on the Inbox on its own connection (re-issued every 25 minutes,
under the 29-minute limit of RFC 2177) and calls back when mail arrives; the app starts it through
desktop.tasks. While it watches, a pass looks at the Inbox only after an announcement and at the
Sent folder on its own schedule (``mail.imap.push``). A thread's messages are found by walking
Message-ID and In-Reply-To (``mail.imap.threads``), not by ``SEARCH HEADER References`` alone.

Failures end as the port's kinds: ``OfflineError`` (no network, DNS, refused, timeouts, dropped
connections), ``NeedsSignInError`` (the password was refused) and ``ProviderError`` for set-up
problems (TLS, a port that speaks something else, a missing folder). Each set-up failure carries a
``problem`` code and a message that says what failed and what to check.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mail.auth.tokens import PasswordStore
from mail.heads import MessageCache, stub
from mail.imap import history
from mail.imap.idle import InboxWatcher
from mail.imap.push import PushState
from mail.imap.sending import ImapSending
from mail.imap.session import HEADER_ITEM, aware, body_of, message_ident, thread_root
from mail.imap.settings import ImapSettings
from mail.imap.threads import thread_messages
from mail.mime import parse_message
from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    EventRef,
    Folder,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    ProviderError,
    SentRef,
)
from mail.relevance import Relevance

log = logging.getLogger(__name__)

#: The flag a mail client shows as a star or flag, and the private keyword that marks it as
#: ours (set by Coffeechat, so Coffeechat may clear it).
FLAGGED = b"\\Flagged"
OUR_FLAG = b"$CoffeechatFlagged"

#: A changed UIDVALIDITY re-reads the mail of the days before the last pass, at least this many.
RESCAN_DAYS = 3
#: Bodies are read up to this many bytes (a reply is never that long; attachments can be).
MAX_FETCH_BYTES = 8_000_000


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where a folder's sync stands."""

    name: str
    uidvalidity: int
    uid: int
    modseq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "v": self.uidvalidity, "uid": self.uid, "modseq": self.modseq}


def _parse_cursor(cursor: str | None) -> tuple[dict[str, _Mark], datetime | None]:
    if not cursor:
        return {}, None
    try:
        data = json.loads(cursor)
        marks = {
            key: _Mark(str(v["name"]), int(v["v"]), int(v["uid"]),
                       None if v.get("modseq") is None else int(v["modseq"]))
            for key, v in data["folders"].items()
        }  # fmt: skip
        at = datetime.fromisoformat(str(data["at"])) if data.get("at") else None
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("imap: unreadable cursor; starting from a fresh baseline")
        return {}, None
    return marks, at


class ImapProvider(ImapSending):
    """A connected IMAP/SMTP account. See the module docstring. It has no calendar
    (``has_calendar``): proposed times come from the working hours alone.

    ``password`` gives the app password (read lazily from the keyring). The ``Relevance`` passed
    to ``fetch_changes`` decides which new messages are fetched in full up front and what a
    UIDVALIDITY rescan reports; ``tracked_threads`` and ``known_addresses`` stand in for it when a
    caller passes none (called on the syncing thread).
    """

    def __init__(
        self,
        account: Account,
        settings: ImapSettings,
        password: Callable[[], str | None],
        *,
        tracked_threads: Callable[[], Collection[str]] = lambda: (),
        known_addresses: Callable[[], Collection[str]] = lambda: (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(account, settings, password, now)
        self.has_calendar = False
        self._tracked = tracked_threads
        self._known = known_addresses
        # What fetch_changes read ahead, by message id, for fetch_message in the same pass.
        self._cache = MessageCache()
        self._where: dict[str, tuple[str, int, int]] = {}
        #: Which folders a pass looks at while IDLE watches the Inbox (mail.imap.push).
        self.push = PushState(now)

    @classmethod
    def from_keyring(
        cls,
        account: Account,
        settings: ImapSettings,
        passwords: PasswordStore | None = None,
        **options: Any,
    ) -> ImapProvider:
        store = passwords or PasswordStore()
        return cls(account, settings, lambda: store.load(account.address), **options)

    # ---------------------------------------------------------------- sync
    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self._cache.clear()
        self._where.clear()
        if relevance is None:
            relevance = Relevance.from_views(self._tracked, self._known)
        marks, last = _parse_cursor(cursor)
        refs: list[MessageRef] = []
        reset = cursor is not None and not marks
        due = self.push.folders()
        # A folder with no mark yet is looked at whatever the schedule (its baseline).
        looked = tuple(f for f in (Folder.INBOX, Folder.SENT) if f in due or f.value not in marks)
        new_marks = {k: m for k, m in marks.items() if k not in {f.value for f in looked}}
        try:
            refs, rescanned = self._look(looked, marks, last, relevance, new_marks)
        except BaseException:
            self.push.failed(due)
            raise
        if not looked:
            log.debug("imap: IDLE watches the Inbox and the Sent folder is not due")
        data = {
            "v": 1,
            "folders": {k: m.to_dict() for k, m in sorted(new_marks.items())},
            "at": self._now().isoformat(),
        }
        return ChangeSet(
            tuple(dict.fromkeys(refs)), json.dumps(data, sort_keys=True), reset or rescanned
        )

    def _look(
        self,
        looked: tuple[Folder, ...],
        marks: dict[str, _Mark],
        last: datetime | None,
        relevance: Relevance,
        new_marks: dict[str, _Mark],
    ) -> tuple[list[MessageRef], bool]:
        """The pass over these folders; their new marks go into ``new_marks``. True with the
        references when a folder's UIDVALIDITY changed (a rescan)."""
        refs: list[MessageRef] = []
        reset = False
        if not looked:
            return refs, reset
        with self._session() as client:
            for folder in looked:
                name = self._folder(folder)
                validity, uidnext, modseq = self._status(client, name)
                mark = marks.get(folder.value)
                top = uidnext - 1
                if mark is None or mark.name != name:  # baseline: mail already there is history
                    new_marks[folder.value] = _Mark(name, validity, top, modseq)
                    continue
                if validity != mark.uidvalidity:
                    reset = True
                    log.info("imap: UIDVALIDITY of a folder changed; rescanning recent mail")
                    found, top = self._rescan(client, folder, name, last, relevance)
                    refs.extend(found)
                    new_marks[folder.value] = _Mark(name, validity, top, modseq)
                    continue
                if top <= mark.uid or (modseq is not None and modseq == mark.modseq):
                    new_marks[folder.value] = replace(mark, modseq=modseq)
                    continue
                found, top = self._new_since(client, folder, name, mark.uid)
                refs.extend(found)
                new_marks[folder.value] = _Mark(name, validity, max(top, mark.uid), modseq)
            return self._prefetch(client, refs, relevance), reset

    def _new_since(
        self, client: Any, folder: Folder, name: str, after: int
    ) -> tuple[list[MessageRef], int]:
        validity = self._select(client, name)
        uids = [int(u) for u in client.search(["UID", f"{after + 1}:*"]) if int(u) > after]
        self.commands += 1
        refs = self._read_heads(client, folder, name, validity, uids)
        return refs, max(uids, default=after)

    def _rescan(
        self, client: Any, folder: Folder, name: str, last: datetime | None, relevance: Relevance
    ) -> tuple[list[MessageRef], int]:
        """After a UIDVALIDITY change: re-read the headers of the recent days and keep only mail
        that may concern a contact (event keys make seeing old mail again harmless)."""
        validity = self._select(client, name)
        since = (last or self._now()) - timedelta(days=RESCAN_DAYS)
        uids = [int(u) for u in client.search(["SINCE", since.date()])]
        self.commands += 1
        every = [int(u) for u in client.search(["ALL"])]
        self.commands += 1
        refs = self._read_heads(client, folder, name, validity, uids)
        kept = [r for r in refs if relevance.concerns(self._cache.heads[r.id])]
        return kept, max(every, default=0)

    def _read_heads(
        self, client: Any, folder: Folder, name: str, validity: int, uids: list[int]
    ) -> list[MessageRef]:
        if not uids:
            return []
        wanted = HEADER_ITEM
        refs: list[MessageRef] = []
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            answers = client.fetch(chunk, [wanted, "INTERNALDATE", "FLAGS"])
            self.commands += 1
            for uid in chunk:
                answer = answers.get(uid)
                if answer is None:
                    continue  # expunged meanwhile
                flags = {bytes(f).lower() for f in answer.get(b"FLAGS", ())}
                if b"\\draft" in flags or b"\\deleted" in flags:
                    continue
                raw = body_of(answer, b"BODY[HEADER")
                when = aware(answer.get(b"INTERNALDATE"))
                head = parse_message(raw, MessageRef("", "", folder), full=False, default_date=when)
                ident = message_ident(folder, head.message_id, validity, uid)
                # A message with no ids at all is a thread of its own.
                thread = thread_root(head.message_id, head.in_reply_to, head.references) or ident
                ref = MessageRef(ident, thread, folder)
                self._cache.heads[ident] = replace(head, ref=ref)
                self._where[ident] = (name, validity, uid)
                refs.append(ref)
        return refs

    def _prefetch(
        self, client: Any, refs: list[MessageRef], relevance: Relevance
    ) -> list[MessageRef]:
        """Bodies, in one FETCH per folder, for the new messages that may concern a contact."""
        if not refs:
            return refs
        wanted = [r for r in refs if relevance.concerns(self._cache.heads[r.id])]
        by_folder: dict[str, list[MessageRef]] = {}
        for ref in wanted:
            by_folder.setdefault(self._where[ref.id][0], []).append(ref)
        for name, group in by_folder.items():
            self._fetch_full(client, name, group)
        return refs

    def _fetch_full(self, client: Any, name: str, refs: list[MessageRef]) -> None:
        self._select(client, name)
        uids = {self._where[r.id][2]: r for r in refs}
        answers = client.fetch(list(uids), [f"BODY.PEEK[]<0.{MAX_FETCH_BYTES}>", "INTERNALDATE"])
        self.commands += 1
        for uid, ref in uids.items():
            answer = answers.get(uid)
            if answer is None:
                continue
            raw = body_of(answer, b"BODY[]")
            when = aware(answer.get(b"INTERNALDATE"))
            self._cache.full[ref.id] = parse_message(raw, ref, full=True, default_date=when)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        cached = self._cache.get(ref.id, full=full)
        if cached is not None:
            return cached
        with self._session() as client:
            if ref.id not in self._where and not self._locate(client, ref):
                return stub(ref, self._now())
            name, validity, uid = self._where[ref.id]
            if full:
                self._fetch_full(client, name, [ref])
            else:
                self._select(client, name)
                self._read_heads(client, ref.folder, name, validity, [uid])
        found = (self._cache.full if full else self._cache.heads).get(ref.id)
        return found if found is not None else stub(ref, self._now())

    def search_history(
        self,
        addresses: Collection[str],
        since: datetime,
        threads: Collection[str] = (),
        relevance: Relevance | None = None,
    ) -> Iterator[MessageRef]:
        """See the port; one SEARCH per folder (mail.imap.history)."""
        return history.search(self, addresses, since, threads, relevance)

    def _locate(self, client: Any, ref: MessageRef) -> bool:
        """A message named in an earlier pass: find its UID again by Message-ID."""
        folder, _, rest = ref.id.partition(":")
        if not rest.startswith("<"):
            return False
        name = self._folder(Folder(folder)) if folder in ("inbox", "sent") else folder
        uid = self._search_message_id(client, name, rest)
        if uid is None:
            return False
        self._where[ref.id] = (name, self._select(client, name), uid)
        return True

    # ---------------------------------------------------------------- calendar
    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        raise ProviderError(
            "an IMAP account has no calendar to read: proposed times follow your working hours"
        )

    def create_event(self, event: MeetingInvite) -> EventRef:
        raise ProviderError(
            "an IMAP account has no calendar: send the invitation (.ics) by e-mail instead"
        )

    # ---------------------------------------------------------------- flags
    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        """The IMAP \\Flagged flag, whatever the flag's name: on the thread's latest message
        (Inbox or Sent) when ``on``, off again where we set it. Our flag carries the private
        keyword ``$CoffeechatFlagged`` beside it, so a message the user flagged themselves is
        never unflagged (and is left as it is when already flagged). No other flag changes."""
        with self._session() as client:
            found = thread_messages(self, client, thread_id)  # oldest first
            if not found:
                log.info("imap: no message of the thread to flag")
                return
            if on:
                latest = found[-1]
                if any(f.lower() in (FLAGGED.lower(), OUR_FLAG.lower()) for f in latest.flags):
                    return  # flagged already: by us, or by the user (then it stays theirs)
                self._select(client, latest.folder, write=True)
                client.add_flags([latest.uid], [FLAGGED, OUR_FLAG], silent=True)
                self.commands += 1
                return
            for message in found:
                if not any(f.lower() == OUR_FLAG.lower() for f in message.flags):
                    continue
                self._select(client, message.folder, write=True)
                client.remove_flags([message.uid], [FLAGGED, OUR_FLAG], silent=True)
                self.commands += 1

    # ---------------------------------------------------------------- push
    def watcher(
        self,
        on_mail: Callable[[], None],
        on_state: Callable[[str, str], None] | None = None,
    ) -> InboxWatcher:
        """An IDLE watcher on the Inbox (started by the app on a thread of its own). While it
        watches, passes look at the Inbox only after an announcement (mail.imap.push)."""

        def announced() -> None:
            self.push.announced()
            on_mail()

        watcher = InboxWatcher(self.settings, self.password, announced, on_state)
        self.push.watcher = watcher
        return watcher

    def wants_poll(self) -> bool:
        """Has a timer round anything to do here? Not while IDLE watches the Inbox, unless the
        Sent folder's schedule is due."""
        return self.push.wants_poll()

    def look_again(self) -> None:
        """The next pass looks at every folder (the user asked for a sync)."""
        self.push.look_again()

    def send_draft(self, draft: DraftRef) -> SentRef:
        sent = super().send_draft(draft)
        self.push.sent_changed()  # the copy in Sent moves the contact: look at once
        return sent
