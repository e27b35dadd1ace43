"""The history pass over the demo mailbox: the mailbox is local, so the search reads each head
of the window (date, addresses, thread) and keeps what a provider's search would find."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from mail.provider import MailMessage, MessageRef
from mail.relevance import is_daemon


def search(
    entries: Iterable[dict[str, Any]],
    head: Callable[[dict[str, Any]], MailMessage],
    addresses: Collection[str],
    since: datetime,
    threads: Collection[str] = (),
) -> Iterator[MessageRef]:
    wanted = {a.lower() for a in addresses}
    for entry in entries:
        if datetime.fromisoformat(str(entry["date"])) < since:
            continue
        msg = head(entry)
        if msg.ref.thread_id in threads or (
            wanted
            and (is_daemon(msg.sender) or any(a.lower() in wanted for a in msg.addresses if a))
        ):
            yield msg.ref
