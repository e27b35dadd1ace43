"""Sending from an IMAP account: drafts APPENDed to Drafts, the message through SMTP, the sent
copy filed in Sent unless the server filed one itself; the outbox marker (and a Message-ID derived
from it) finds a sent message again after a crash, so nothing is sent twice."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from email import policy
from typing import Any

from mail.heads import message_id_for
from mail.imap.connection import open_smtp, quit_quietly
from mail.imap.errors import (
    MaybeSentError,
    RecipientRefusedError,
    connection_error,
)
from mail.imap.session import HEADER_ITEM, ImapSession, body_of, message_ident, thread_root
from mail.mime import OUTBOX_HEADER, build_message, parse_message
from mail.provider import (
    DraftRef,
    Folder,
    MailMessage,
    MessageRef,
    OfflineError,
    OutgoingMessage,
    SentRef,
    ThrottledError,
)

log = logging.getLogger(__name__)

SENDING_KEYWORD = "$CoffeechatSending"


class ImapSending(ImapSession):
    """Drafts, sends and finding what was sent, over the kept connection."""

    def _message_id_for(self, outbox_key: str) -> str:
        return message_id_for(self.account.address, outbox_key)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        """APPEND to Drafts with \\Draft (and \\Seen: the user wrote it). A draft left by an
        attempt that crashed is reused, not doubled."""
        message_id = self._message_id_for(msg.outbox_key)
        built = build_message(
            msg, self.account.address, self.account.display_name, self._now(), message_id
        )
        raw = built.as_bytes(policy=policy.SMTP)
        ident = f"drafts:{message_id}"
        thread = thread_root(message_id, msg.in_reply_to, msg.references)
        with self._session() as client:
            drafts = self._drafts_folder()
            if msg.outbox_key and self._search_message_id(client, drafts, message_id) is not None:
                log.info("imap: reusing the draft of an earlier attempt")
            else:
                client.append(drafts, raw, flags=(b"\\Draft", b"\\Seen"), msg_time=self._now())
                self.commands += 1
        self._drafts[ident] = raw
        return DraftRef(ident, thread)

    def _draft_bytes(self, client: Any, draft: DraftRef) -> bytes | None:
        raw = self._drafts.get(draft.id)
        if raw is not None:
            return raw
        message_id = draft.id.partition(":")[2]
        uid = self._search_message_id(client, self._drafts_folder(), message_id)
        if uid is None:
            return None
        answers = client.fetch([uid], ["BODY.PEEK[]"])
        self.commands += 1
        return body_of(answers.get(uid, {}), b"BODY[]") or None

    def send_draft(self, draft: DraftRef) -> SentRef:
        message_id = draft.id.partition(":")[2]
        with self._session() as client:
            raw = self._draft_bytes(client, draft)
            if raw is None:
                found = self._in_sent(client, message_id, "")
                if found is not None:
                    return found
                raise KeyError(f"draft {draft.id} no longer exists")
            self._mark_sending(client, message_id)
        parsed = parse_message(raw, MessageRef(draft.id, "", Folder.SENT), full=False)
        try:
            self._smtp_send(raw, parsed)
        except MaybeSentError as exc:
            raise exc.error from None  # the mark stays: it may have gone out (at most once)
        except Exception:
            # Refused or never connected: certainly not sent, so the next attempt sends it.
            # (An interrupt keeps the mark: nobody knows how far SMTP got.)
            with contextlib.suppress(Exception), self._session() as client:
                self._unmark_sending(client, message_id)
            raise
        with self._session() as client:
            sent = self._file_sent(client, raw, parsed)
            self._remove_draft(client, message_id)
        self._drafts.pop(draft.id, None)
        return sent

    def _mark_sending(self, client: Any, message_id: str) -> None:
        """Before SMTP: the draft says a send began, so a crash before the sent copy is filed is
        taken as sent (at most once), never sent twice."""
        drafts = self._drafts_folder()
        uid = self._search_message_id(client, drafts, message_id)
        if uid is None:
            return
        self._select(client, drafts, write=True)
        client.add_flags([uid], [SENDING_KEYWORD.encode()], silent=True)
        self.commands += 1

    def _unmark_sending(self, client: Any, message_id: str) -> None:
        drafts = self._drafts_folder()
        uid = self._search_message_id(client, drafts, message_id)
        if uid is None:
            return
        self._select(client, drafts, write=True)
        client.remove_flags([uid], [SENDING_KEYWORD.encode()], silent=True)
        self.commands += 1

    def _remove_draft(self, client: Any, message_id: str) -> None:
        drafts = self._drafts_folder()
        self._select(client, drafts)
        uids = [int(u) for u in client.search(["HEADER", "Message-ID", message_id])]
        self.commands += 1
        if not uids:
            return
        self._select(client, drafts, write=True)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        self.commands += 1
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)  # only our draft: never EXPUNGE what the user marked
            self.commands += 1

    def _smtp_send(self, raw: bytes, parsed: MailMessage) -> None:
        recipients = list(dict.fromkeys((*parsed.to, *parsed.cc)))
        if not recipients:
            raise RecipientRefusedError("the draft has no recipients")
        smtp = open_smtp(self.settings, self.password())
        try:
            smtp.sendmail(self.account.address, recipients, raw)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(sorted(exc.recipients))
            raise RecipientRefusedError(
                f"the mail server refused the recipient {refused}"
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if 400 <= exc.smtp_code < 500:
                raise ThrottledError(retry_after=None) from None
            said = exc.smtp_error
            text = (said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said))[:200]
            raise RecipientRefusedError(f"the mail server refused the message: {text}") from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # Cut off in the middle of the transaction: the server may have taken the message.
            raise MaybeSentError(OfflineError(f"the SMTP connection dropped ({exc})")) from None
        except smtplib.SMTPException as exc:
            raise connection_error(
                exc, self.settings.outgoing_host, self.settings.smtp_port, "SMTP"
            ) from None
        finally:
            quit_quietly(smtp)

    def _file_sent(self, client: Any, raw: bytes, parsed: MailMessage) -> SentRef:
        """The sent copy in Sent: the server's own when it files one (Gmail does), else ours."""
        sent = self._folder(Folder.SENT)
        found = self._in_sent(client, parsed.message_id, "")
        if found is not None:
            return found
        client.append(sent, raw, flags=(b"\\Seen",), msg_time=self._now())
        self.commands += 1
        thread = thread_root(parsed.message_id, parsed.in_reply_to, parsed.references)
        return SentRef(f"sent:{parsed.message_id}", thread, parsed.message_id)

    def _in_sent(self, client: Any, message_id: str, outbox_key: str) -> SentRef | None:
        sent = self._folder(Folder.SENT)
        self._select(client, sent)
        criteria: list[Any] = ["HEADER", "Message-ID", message_id]
        if outbox_key:
            criteria = ["OR", *criteria, "HEADER", OUTBOX_HEADER, outbox_key]
        uids = [int(u) for u in client.search(criteria)]
        self.commands += 1
        if not uids:
            return None
        wanted = HEADER_ITEM
        answers = client.fetch([max(uids)], [wanted])
        self.commands += 1
        head = parse_message(
            body_of(answers.get(max(uids), {}), b"BODY[HEADER"),
            MessageRef("", "", Folder.SENT),
            full=False,
        )
        ident = message_ident(Folder.SENT, head.message_id, 0, max(uids))
        thread = thread_root(head.message_id, head.in_reply_to, head.references)
        return SentRef(ident, thread, head.message_id)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        message_id = self._message_id_for(outbox_key)
        with self._session() as client:
            found = self._in_sent(client, message_id, outbox_key)
            if found is not None:
                return found
            # A crash between SMTP and filing the copy: the draft carries the sending mark.
            drafts = self._folders.drafts if self._folders else None
            if drafts is None:
                return None
            self._select(client, drafts)
            uids = [
                int(u)
                for u in client.search(
                    ["HEADER", "Message-ID", message_id, "KEYWORD", SENDING_KEYWORD]
                )
            ]
            self.commands += 1
            if not uids:
                return None
            answers = client.fetch([max(uids)], ["BODY.PEEK[]"])
            self.commands += 1
            raw = body_of(answers.get(max(uids), {}), b"BODY[]")
            if not raw:
                return None
            log.warning("imap: a send was interrupted after it began; taking it as sent")
            parsed = parse_message(raw, MessageRef("", "", Folder.SENT), full=False)
            sent = self._file_sent(client, raw, parsed)
            self._remove_draft(client, message_id)
            return sent
