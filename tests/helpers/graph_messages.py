"""The Graph emulator's mailbox items: a message as Graph shows it (mutable or immutable ids,
change keys, flags, categories), and the least permission each request needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class Msg:
    id: str
    folder: str  # inbox, sentitems, drafts
    conversation_id: str
    internet_message_id: str
    subject: str
    sender: str
    sender_name: str
    to: list[str]
    cc: list[str]
    when: datetime
    text: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    seq: int = 0
    #: The follow-up flag: notFlagged, flagged or complete.
    flag_status: str = "notFlagged"
    #: Single-value extended properties: id -> value.
    properties: dict[str, str] = field(default_factory=dict)
    #: fileAttachment resources as posted (name, contentType, contentBytes in base64)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    is_read: bool = False
    categories: list[str] = field(default_factory=list)
    #: the seq at which it entered its folder (what ``changeType=created`` reports)
    entered: int = 0
    #: moves so far: a mutable (default) id names the message in one folder only
    moves: int = 0
    #: sent, in transit: its Sent Items copy appears at this wall time
    visible_at: datetime | None = None

    def ident(self, immutable: bool) -> str:
        """Without ``Prefer: IdType="ImmutableId"`` an id changes when the message moves."""
        return self.id if immutable else f"{self.id}-m{self.moves}"

    def json(self, full: bool, expand: str = "", *, immutable: bool = True) -> dict[str, Any]:
        def rcpt(addresses: list[str]) -> list[dict[str, Any]]:
            return [{"emailAddress": {"address": a, "name": ""}} for a in addresses]

        stamp = self.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data: dict[str, Any] = {
            "id": self.ident(immutable),
            "changeKey": f"ck{self.seq}",
            "conversationId": self.conversation_id,
            "internetMessageId": self.internet_message_id,
            "subject": self.subject,
            "from": {"emailAddress": {"address": self.sender, "name": self.sender_name}},
            "toRecipients": rcpt(self.to),
            "ccRecipients": rcpt(self.cc),
            "receivedDateTime": stamp,
            "sentDateTime": stamp,
            "isDraft": self.folder == "drafts",
            "isRead": self.is_read,
            "categories": list(self.categories),
            "flag": {"flagStatus": self.flag_status},
        }
        # $expand=singleValueExtendedProperties($filter=id eq '...'): only that property, and
        # only when the message has it (as Graph does).
        if expand.startswith("singleValueExtendedProperties"):
            wanted = expand.partition("eq '")[2].rpartition("'")[0].lower()
            found = [
                {"id": k, "value": v} for k, v in self.properties.items() if k.lower() == wanted
            ]
            if found:
                data["singleValueExtendedProperties"] = found
        if full:
            data["body"] = {"contentType": "text", "content": self.text}
            if self.folder == "inbox":
                data["internetMessageHeaders"] = [{"name": n, "value": v} for n, v in self.headers]
        return data


def permission(method: str, path: str) -> str:
    """The least delegated permission a request needs, from Graph's per-API tables."""
    if path.endswith("/send") or path.endswith("/sendMail"):
        return "Mail.Send"
    if "/calendar/getSchedule" in path or "/calendarView" in path:
        return "Calendars.Read"
    if path.endswith("/events"):
        return "Calendars.ReadWrite" if method == "POST" else "Calendars.Read"
    if "mailboxSettings" in path:
        return "MailboxSettings.Read" if method == "GET" else "MailboxSettings.ReadWrite"
    if path.endswith("/getMailTips"):
        return "Mail.Read"
    return "Mail.Read" if method == "GET" else "Mail.ReadWrite"


#: A permission and what it includes.
IMPLIES = {
    "Mail.ReadWrite": {"Mail.Read", "Mail.ReadWrite"},
    "Calendars.ReadWrite": {"Calendars.Read", "Calendars.ReadWrite"},
    "MailboxSettings.ReadWrite": {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
}
