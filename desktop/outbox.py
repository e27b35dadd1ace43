"""Outgoing mail through an outbox row written BEFORE the provider call and completed after it.

The message carries the row's key (X-Coffeechat-Outbox). After a crash between "send" and
"record", ``resume`` finds the key in Sent and completes the row instead of sending twice. Only a
key that has a row already (an earlier attempt may have reached the provider) pays for that
look-up: a first attempt goes straight to the provider.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import datetime

from desktop.storage import Store
from mail.provider import (
    Attachment,
    MailProvider,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    ProviderError,
    SentRef,
    ThrottledError,
)

log = logging.getLogger(__name__)


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
        return _deliver(store, provider, msg, look_first=tried)
    except ProviderError:
        raise  # offline or throttled: the row stays pending and the next round retries it
    except Exception as exc:
        # Refused for good (a bad address, a thread the server does not know): never retried,
        # so one bad message can never block the account's sync.
        store.outbox.failed(msg.outbox_key, f"{type(exc).__name__}: {exc}")
        raise


def _deliver(
    store: Store, provider: MailProvider, msg: OutgoingMessage, *, look_first: bool
) -> SentRef:
    """``look_first``: an earlier attempt may have sent it - look in Sent before sending."""
    already = provider.find_sent(msg.outbox_key) if look_first else None
    if already is not None:
        store.outbox.done(msg.outbox_key, already.id)
        return already
    sent = provider.send_draft(provider.create_draft(msg))
    store.outbox.done(msg.outbox_key, sent.id)
    return sent


def resume(store: Store, provider: MailProvider) -> int:
    """Finish what a crash interrupted; returns how many rows were completed."""
    done = 0
    for key, _contact, _purpose, payload in store.outbox.pending(provider.account.id):
        try:
            _deliver(store, provider, _message(key, payload), look_first=True)
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
