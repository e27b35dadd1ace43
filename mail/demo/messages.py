"""The raw messages the demo contacts send back: replies, an out-of-office, a declined request,
a delivery report (RFC 3464) and a newsletter, with the headers real mail carries."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from zoneinfo import ZoneInfo

from desktop.domain.clock import utc
from mail.demo.script import AWAY_DAYS, DemoContact, quote
from mail.provider import (
    MailMessage,
)


def return_date(contact: DemoContact, sent: datetime) -> date:
    return utc(sent).astimezone(ZoneInfo(contact.timezone)).date() + timedelta(days=AWAY_DAYS)


def reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _token(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12].upper()


def _received(from_host: str, by_host: str, when: datetime, ident: str) -> str:
    return (
        f"from {from_host} ({from_host} [192.0.2.{int(ident[:2], 16) % 250 + 1}]) by {by_host} "
        f"with ESMTPS id {ident}; {format_datetime(when)}"
    )


def _threading(request: MailMessage) -> tuple[str, str]:
    refs = [r for r in request.references if r]
    if request.message_id and request.message_id not in refs:
        refs.append(request.message_id)
    return request.message_id, " ".join(refs)


def quoted_original(contact: DemoContact, request: MailMessage) -> str:
    if not request.text:
        return ""
    sent_local = request.date.astimezone(ZoneInfo(contact.timezone))
    return (
        f"\nOn {format_datetime(sent_local)}, {request.sender_name} <{request.sender}> wrote:\n"
        f"{quote(request.text)}\n"
    )


def reply(
    contact: DemoContact, request: MailMessage, when: datetime, subject: str, body: str
) -> EmailMessage:
    """A reply from ``contact`` to ``request``, with the headers its server would add."""
    local = when.astimezone(ZoneInfo(contact.timezone))
    ident = _token(contact.email, request.message_id, subject)
    msg = EmailMessage(policy=policy.default)
    msg["Received"] = _received(f"mail.{contact.domain}", "mx.demo.example", when, ident)
    msg["From"] = formataddr((contact.name, contact.email))
    msg["To"] = formataddr((request.sender_name, request.sender))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(local)
    msg["Message-ID"] = make_msgid(domain=contact.domain)
    in_reply_to, references = _threading(request)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body, charset="utf-8")
    return msg


def dsn(contact: DemoContact, request: MailMessage, when: datetime, domain: str) -> bytes:
    ident = _token("dsn", contact.email, request.message_id)
    boundary = f"{ident}.{int(when.timestamp())}/mx.{domain}"
    in_reply_to, references = _threading(request)
    original = "\r\n".join(f"{name}: {value}" for name, value in request.headers)
    diagnostic = (
        f"550 5.1.1 <{contact.email}>: Recipient address rejected: User unknown in virtual "
        f"mailbox table"
    )
    arrival = format_datetime(request.date)
    lines = [
        f"Received: by mx.{domain} (Postfix) id {ident}; {format_datetime(when)}",
        f"From: Mail Delivery System <MAILER-DAEMON@{domain}>",
        f"To: {request.sender}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{ident}.{int(when.timestamp())}@mx.{domain}>",
        *([f"In-Reply-To: {in_reply_to}"] if in_reply_to else []),
        *([f"References: {references}"] if references else []),
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status;",
        f'\tboundary="{boundary}"',
        "Content-Transfer-Encoding: 7bit",
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        'Content-Type: text/plain; charset="us-ascii"',
        "",
        f"This is the mail system at host mx.{domain}.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients. It's attached below.",
        "",
        "For further assistance, please send mail to postmaster.",
        "",
        "                   The mail system",
        "",
        f"<{contact.email}>: host mx.{contact.domain}[192.0.2.45] said: {diagnostic}",
        "    (in reply to RCPT TO command)",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: dns; mx.{domain}",
        f"X-Postfix-Queue-ID: {ident}",
        f"X-Postfix-Sender: rfc822; {request.sender}",
        f"Arrival-Date: {arrival}",
        "",
        f"Final-Recipient: rfc822; {contact.email}",
        f"Original-Recipient: rfc822;{contact.email}",
        "Action: failed",
        "Status: 5.1.1",
        f"Remote-MTA: dns; mx.{contact.domain}",
        f"Diagnostic-Code: smtp; {diagnostic}",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        original,
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def newsletter(to: str, when: datetime) -> bytes:
    msg = EmailMessage(policy=policy.default)
    msg["Received"] = _received("out.mailer.productweekly.example", "mx.demo.example", when, "9A1")
    msg["From"] = formataddr(("The Product Weekly", "digest@news.productweekly.example"))
    msg["To"] = to
    msg["Subject"] = "This week: roadmaps that survive contact with reality"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="news.productweekly.example")
    msg["List-Id"] = "The Product Weekly <weekly.news.productweekly.example>"
    msg["List-Unsubscribe"] = (
        "<https://news.productweekly.example/unsubscribe?u=demo>, "
        "<mailto:unsubscribe@news.productweekly.example>"
    )
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    msg.set_content(
        "This week in product: three roadmap formats, a reading list on discovery, and jobs.\n\n"
        "You are receiving this because you subscribed at productweekly.example.\n"
        "Unsubscribe: https://news.productweekly.example/unsubscribe?u=demo\n",
        charset="utf-8",
    )
    msg.add_alternative(
        "<html><body><h1>The Product Weekly</h1><p>Three roadmap formats, a reading list on "
        "discovery, and jobs.</p><p><a href='https://news.productweekly.example/unsubscribe'>"
        "Unsubscribe</a></p></body></html>",
        subtype="html",
        charset="utf-8",
    )
    return msg.as_bytes()
