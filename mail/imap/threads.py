"""Finding a thread's messages on an IMAP server, which has no thread ids.

A thread is named by its first message's Message-ID (``thread_root``). ``SEARCH HEADER
References`` would find every reply at once, but it finds nothing on some large providers
(Gmail's and Outlook's IMAP, Yahoo's header search), so it is only a first guess: the thread is
walked by Message-ID and In-Reply-To, each step asking for the replies to the messages the step
before found, in the Inbox and the Sent folder, until a step finds nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mail.imap.session import HEADER_ITEM, aware, body_of
from mail.mime import parse_message
from mail.provider import Folder, MessageRef

if TYPE_CHECKING:
    from mail.imap.session import ImapSession

#: A thread longer than this many replies in a chain is walked no further (a loop, or a list).
MAX_STEPS = 12


@dataclass(frozen=True, slots=True)
class Found:
    """A message of the thread: where it is, when it came, its flags."""

    when: datetime
    folder: str
    uid: int
    flags: tuple[bytes, ...]


def _any_of(criteria: list[list[str]]) -> list[str]:
    """IMAP's OR is binary: OR OR a b c."""
    flat = [word for criterion in criteria for word in criterion]
    return ["OR"] * (len(criteria) - 1) + flat


def thread_messages(session: ImapSession, client: Any, root: str) -> list[Found]:
    """Every message of the thread named ``root`` in the Inbox and the Sent folder."""
    folders = [session._folder(Folder.INBOX), session._folder(Folder.SENT)]
    known = {root}
    found: dict[tuple[str, int], Found] = {}
    asked = [root]
    for step in range(MAX_STEPS):
        criteria = [["HEADER", "In-Reply-To", mid] for mid in asked]
        if step == 0:  # the first message itself, and (where it works) every reply at once
            criteria += [["HEADER", "Message-ID", root], ["HEADER", "References", root]]
        learned: list[str] = []
        for name in folders:
            session._select(client, name)
            uids = [int(u) for u in client.search(_any_of(criteria))]
            session.commands += 1
            new = [u for u in uids if (name, u) not in found]
            if not new:
                continue
            answers = client.fetch(new, [HEADER_ITEM, "INTERNALDATE", "FLAGS"])
            session.commands += 1
            for uid in new:
                answer = answers.get(uid)
                if answer is None:
                    continue  # expunged meanwhile
                when = aware(answer.get(b"INTERNALDATE")) or datetime.min.replace(tzinfo=UTC)
                flags = tuple(bytes(f) for f in answer.get(b"FLAGS", ()))
                found[(name, uid)] = Found(when, name, uid, flags)
                head = parse_message(
                    body_of(answer, b"BODY[HEADER"), MessageRef("", "", Folder.INBOX), full=False
                )
                if head.message_id and head.message_id not in known:
                    known.add(head.message_id)
                    learned.append(head.message_id)
        if not learned:
            break
        asked = learned
    return sorted(found.values(), key=lambda f: (f.when, f.folder, f.uid))
