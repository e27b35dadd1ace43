"""Outgoing mail through an outbox row written BEFORE the provider call and completed after it.

The message carries the row's key (X-Coffeechat-Outbox). After a crash between "send" and
"record", ``resume`` finds the key in Sent and completes the row instead of sending twice. Only a
key that has a row already (an earlier attempt may have reached the provider) pays for that
look-up: a first attempt goes straight to the provider.

Just before the provider is asked to send, the row records the draft (``store.outbox.sending``):
from then on the message may have gone out, and only that draft is ever sent for it again (a
draft is sent at most once, however often it is asked). When Sent has no copy and the draft is
gone too (providers raise KeyError for a draft that no longer exists), the message is in transit
(Outlook's Sent Items copy shows late) or was deleted: it is *sent, unconfirmed*, never sent
again; later rounds look for the copy, and after ``UNCONFIRMED_FOR`` the row is given up with a
reason that says so.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import datetime, timedelta

from desktop.storage import Store
from mail.provider import (
    Attachment,
    DraftRef,
    MailProvider,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    ProviderError,
    SentRef,
    ThrottledError,
)

log = logging.getLogger(__name__)

#: How long a message whose send began may stay without a copy in Sent before its row is given
#: up (as failed, never sent again). A copy normally shows within minutes.
UNCONFIRMED_FOR = timedelta(days=2)


class SentUnconfirmedError(ProviderError):
    """The send of this message began, and neither its copy in Sent nor its draft is there:
    it is in transit, or was deleted. It is not sent again; the row stays pending (or, after
    ``UNCONFIRMED_FOR``, failed)."""


def new_key() -> str:
    return uuid.uuid4().hex


def _payload(msg: OutgoingMessage) -> str:
    return json.dumps(
        {
            "to": list(msg.to),
            "cc": list(msg.cc),
            "subject": msg.subject,
            "text": msg.text,
            "in_reply_to": msg.in_reply_to,
            "references": list(msg.references),
            "thread_id": msg.thread_id,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "method": a.method,
                    "data": base64.b64encode(a.data).decode("ascii"),
                }
                for a in msg.attachments
            ],
        }
    )


def _message(key: str, payload: str) -> OutgoingMessage:
    data = json.loads(payload)
    return OutgoingMessage(
        to=tuple(data["to"]),
        cc=tuple(data["cc"]),
        subject=data["subject"],
        text=data["text"],
        outbox_key=key,
        in_reply_to=data["in_reply_to"],
        references=tuple(data["references"]),
        thread_id=data["thread_id"],
        attachments=tuple(
            Attachment(
                a["filename"], a["content_type"], base64.b64decode(a["data"]), a.get("method", "")
            )
            for a in data.get("attachments", [])
        ),
    )


def send(
    store: Store,
    provider: MailProvider,
    msg: OutgoingMessage,
    *,
    contact_id: int | None,
    purpose: str,
    now: datetime,
) -> SentRef:
    """Record, send, complete. The pipeline learns of the message from Sent mail, as for mail the
    user sends from their own client, so there is one path for both."""
    account = provider.account.id
    # A row under this key already: an earlier attempt may have reached the provider.
    tried = store.outbox.state(msg.outbox_key) is not None
    store.outbox.add(msg.outbox_key, account, contact_id, purpose, _payload(msg), now)
    try:
        return _deliver(store, provider, msg, look_first=tried, now=now)
    except ProviderError:
        raise  # offline or throttled: the row stays pending and the next round retries it
    except Exception as exc:
        # Refused for good (a bad address, a thread the server does not know): never retried,
        # so one bad message can never block the account's sync.
        store.outbox.failed(msg.outbox_key, f"{type(exc).__name__}: {exc}")
        raise


def _deliver(
    store: Store,
    provider: MailProvider,
    msg: OutgoingMessage,
    *,
    look_first: bool,
    now: datetime | None,
) -> SentRef:
    """``look_first``: an earlier attempt may have sent it - look in Sent before sending, and
    send only the draft of an attempt that began (``now`` dates the give-up)."""
    key = msg.outbox_key
    if look_first:
        already = provider.find_sent(key)
        if already is not None:
            store.outbox.done(key, already.id)
            return already
        begun = store.outbox.sending_draft(key)
        if begun is not None:
            return _send(store, provider, key, DraftRef(begun[0], None), begun[1], now)
    draft = provider.create_draft(msg)
    store.outbox.sending(key, draft.id)
    return _send(store, provider, key, draft, None, now)


def _send(
    store: Store,
    provider: MailProvider,
    key: str,
    draft: DraftRef,
    written: datetime | None,
    now: datetime | None,
) -> SentRef:
    """Send ``draft`` (at most once: sending a draft uses it up; a provider that has it as sent
    already answers with that). A draft gone with no copy in Sent is sent, unconfirmed; a row
    ``written`` more than UNCONFIRMED_FOR before ``now`` is then given up."""
    try:
        sent = provider.send_draft(draft)
    except KeyError:
        if now is not None and written is not None and now - written >= UNCONFIRMED_FOR:
            store.outbox.failed(
                key,
                "sent, unconfirmed: its send began but no copy appeared in Sent; look in Sent "
                "before sending it again",
            )
            log.warning("outbox %s: no sent copy after %s; given up", key, UNCONFIRMED_FOR)
        raise SentUnconfirmedError(f"draft {draft.id} was sent or deleted; no copy yet") from None
    store.outbox.done(key, sent.id)
    return sent


def resume(store: Store, provider: MailProvider, *, now: datetime | None = None) -> int:
    """Finish what a crash interrupted; returns how many rows were completed. ``now`` dates the
    give-up of a message sent but unconfirmed (without it, such a row waits for its copy)."""
    done = 0
    for key, _contact, _purpose, payload in store.outbox.pending(provider.account.id):
        try:
            _deliver(store, provider, _message(key, payload), look_first=True, now=now)
        except SentUnconfirmedError:
            log.info("outbox %s: sent, its copy not in Sent yet", key)
            continue
        except ProviderError as exc:
            if isinstance(exc, (OfflineError, ThrottledError, NeedsSignInError)):
                log.warning("outbox %s still pending: %s", key, type(exc).__name__)
                continue
            store.outbox.failed(key, f"{type(exc).__name__}: {exc}")
            log.warning("outbox %s refused by the provider: %s", key, type(exc).__name__)
            continue
        except Exception as exc:
            store.outbox.failed(key, f"{type(exc).__name__}: {exc}")
            log.warning("outbox %s cannot be sent: %s", key, type(exc).__name__)
            continue
        done += 1
    return done
