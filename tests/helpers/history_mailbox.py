"""A generated mailbox with months of history for hundreds of contacts: requests the user sent
before Coffeechat and what came back (replies in and out of the thread, from another address,
out-of-office notices with return dates, bounces, declines, acceptances of times written in the
request, bulk mail, several languages and charsets), and the stage each contact should end in.

Deterministic for a given count and ``now``; every message is raw RFC 5322 bytes with its folder
and date, so it can be put into any mailbox (Dovecot, the Gmail and Graph emulators)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from desktop.domain.due import ActionKind, due_actions, follow_up_due_at
from desktop.domain.model import EventKind, Stage
from desktop.settings import Settings
from desktop.storage import Store

ME = "sam@mail.test"
ME_NAME = "Sam Rivera"


@dataclass(frozen=True, slots=True)
class Mail:
    folder: str  # "inbox" or "sent"
    raw: bytes
    when: datetime
    message_id: str


@dataclass
class Person:
    index: int
    scenario: str
    name: str
    address: str
    expected: Stage
    #: The other address the person replies from (not in the contact list).
    other: str = ""
    mail: list[Mail] = field(default_factory=list)


#: Scenario -> the stage the contact should end in.
SCENARIOS: dict[str, Stage] = {
    "untouched": Stage.TARGET,
    "too_old": Stage.TARGET,
    "requested": Stage.REQUESTED,
    "reply_in_thread": Stage.REPLIED,
    "reply_new_thread": Stage.REPLIED,
    "reply_other_address": Stage.REPLIED,
    "away": Stage.REQUESTED,
    "bounced": Stage.BOUNCED,
    "declined": Stage.REPLIED,
    "bulk_only": Stage.REQUESTED,
    "accepts_written_times": Stage.SCHEDULED,
    "reply_german_latin1": Stage.REPLIED,
    "reply_french_cp1252": Stage.REPLIED,
    "reply_japanese": Stage.REPLIED,
    # Times written by hand, accepted, the meeting long over (no thank-you asked) or over a
    # few days ago (a thank-you is due).
    "met_long_ago": Stage.MET,
    "met_this_week": Stage.MET,
}
#: Scenarios where somebody answered, bounced or is away: no follow-up may be suggested.
NO_FOLLOW_UP = frozenset(s for s in SCENARIOS if s not in ("untouched", "too_old", "requested",
                                                           "bulk_only"))  # fmt: skip

_FIRST = ["Ada", "Bo", "Cleo", "Dan", "Eve", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lena"]
_LAST = ["Moreau", "Schmidt", "Tanaka", "Okafor", "Silva", "Novak", "Berg", "Rossi", "Khan"]


def _msg(
    sender: str,
    to: str,
    subject: str,
    text: str,
    when: datetime,
    message_id: str,
    *,
    in_reply_to: str = "",
    charset: str = "utf-8",
    extra: dict[str, str] | None = None,
    sender_name: str = "",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender_name} <{sender}>" if sender_name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(text, charset=charset)
    return msg.as_bytes()


def _bounce(failed: str, original: str, when: datetime, n: int, me: str) -> bytes:
    boundary = f"dsn-{n}"
    return (
        "From: MAILER-DAEMON@mx.mail.test (Mail Delivery System)\r\n"
        f"To: {me}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: <dsn-{n}@mx.mail.test>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n\r\n"
        f"<{failed}>: host mx.example.test said: 550 5.1.1 User unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.mail.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: User unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {ME_NAME} <{me}>\r\nTo: {failed}\r\nSubject: Coffee chat?\r\n"
        f"Message-ID: {original}\r\n\r\n--{boundary}--\r\n"
    ).encode()


def generate(count: int, now: datetime, me: str = ME) -> list[Person]:
    """``count`` people, the scenarios in turn, their mail spread over the last ten months."""
    names = list(SCENARIOS)
    people: list[Person] = []
    for i in range(count):
        scenario = names[i % len(names)]
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // len(_FIRST)) % len(_LAST)]} {i}"
        local = name.lower().replace(" ", ".")
        person = Person(i, scenario, name, f"{local}@corp{i % 7}.example", SCENARIOS[scenario])
        _history(person, now, me)
        people.append(person)
    return people


#: How long before "now" the requests with written times went out: the first time they offer
#: is a week later (to come, three days ago, 53 days ago).
_WRITTEN_SENT_DAYS = {"accepts_written_times": 3, "met_this_week": 10, "met_long_ago": 60}


def _history(p: Person, now: datetime, me: str) -> None:
    i = p.index
    if p.scenario == "untouched":
        return
    # Spread over ten months; the too-old request is from before the twelve-month window.
    sent = now - timedelta(days=400 if p.scenario == "too_old" else 7 + (i * 37) % 290)
    request_id = f"<req-{i}@mail.test>"
    text = f"Hi {p.name.split()[0]},\n\nWould you have 15 minutes for a coffee chat?\n\nSam\n"
    if p.scenario in ("accepts_written_times", "met_long_ago", "met_this_week"):
        # Written by hand, before Coffeechat: the times are only in the text.
        sent = now - timedelta(days=_WRITTEN_SENT_DAYS[p.scenario])
        first = (sent + timedelta(days=7)).replace(hour=15, minute=0, second=0, microsecond=0)
        second = first + timedelta(days=1)
        text = (
            f"Hi {p.name.split()[0]},\n\nWould you have 30 minutes for a call? I could do "
            f"{first:%A %d %B} at 15:00 or {second:%A %d %B} at 15:00 (UTC).\n\nSam\n"
        )
    p.mail.append(
        Mail(
            "sent",
            _msg(me, p.address, "Coffee chat?", text, sent, request_id, sender_name=ME_NAME),
            sent,
            request_id,
        )
    )
    if p.scenario in ("too_old", "requested"):
        return
    back = sent + timedelta(days=1, hours=3)
    reply_id = f"<reply-{i}@corp.example>"
    re = "Re: Coffee chat?"
    if p.scenario == "reply_in_thread":
        body = "Happy to chat! Let me know what suits you.\n\n> Would you have 15 minutes?\n"
        raw = _msg(p.address, me, re, body, back, reply_id, in_reply_to=request_id)
    elif p.scenario == "reply_new_thread":
        raw = _msg(p.address, me, "Your note", "Hi Sam, sure, I'd be glad to talk.\n", back,
                   reply_id)  # fmt: skip
    elif p.scenario == "reply_other_address":
        p.other = f"{p.name.split()[0].lower()}.{i}@personal.example"
        raw = _msg(p.other, me, re, "Writing from my own address: yes, gladly!\n", back,
                   reply_id, in_reply_to=request_id)  # fmt: skip
    elif p.scenario == "away":
        until = now + timedelta(days=10)
        sent_again = now - timedelta(days=2)  # asked again lately: the notice is current
        p.mail[0] = Mail(
            "sent",
            _msg(me, p.address, "Coffee chat?", text, sent_again, request_id, sender_name=ME_NAME),
            sent_again,
            request_id,
        )
        back = sent_again + timedelta(minutes=2)
        raw = _msg(p.address, me, "Automatic reply: Coffee chat?",
                   f"I am out of the office until {until:%d %B %Y} with limited access to "
                   "e-mail.\n", back, reply_id, in_reply_to=request_id,
                   extra={"Auto-Submitted": "auto-replied"})  # fmt: skip
    elif p.scenario == "bounced":
        raw = _bounce(p.address, request_id, sent + timedelta(minutes=1), i, me)
    elif p.scenario == "declined":
        raw = _msg(p.address, me, re, "Unfortunately I'm too busy these months, sorry.\n",
                   back, reply_id, in_reply_to=request_id)  # fmt: skip
    elif p.scenario == "bulk_only":
        raw = _msg(
            f"news@corp{i % 7}.example",
            p.address,
            "Our monthly newsletter",
            "Product news.\n",
            back,
            reply_id,
            extra={"List-Unsubscribe": "<mailto:u@corp.example>", "Precedence": "bulk"},
        )
        raw = raw.replace(f"To: {p.address}".encode(), f"To: {me}, {p.address}".encode())
    elif p.scenario in ("accepts_written_times", "met_long_ago", "met_this_week"):
        raw = _msg(p.address, me, re, "The first time works for me. Talk then!\n", back,
                   reply_id, in_reply_to=request_id)  # fmt: skip
    elif p.scenario == "reply_german_latin1":
        raw = _msg(p.address, me, re, "Gerne! Grüße aus München, ich freue mich.\n", back,
                   reply_id, in_reply_to=request_id, charset="iso-8859-1")  # fmt: skip
    elif p.scenario == "reply_french_cp1252":
        raw = _msg(p.address, me, re, "Avec plaisir, échangeons la semaine prochaine.\n",
                   back, reply_id, in_reply_to=request_id, charset="cp1252")  # fmt: skip
    else:  # reply_japanese
        raw = _msg(p.address, me, re, "喜んでお話しします。よろしくお願いします。\n", back,
                   reply_id, in_reply_to=request_id, charset="iso-2022-jp")  # fmt: skip
    p.mail.append(Mail("inbox", raw, back, reply_id))


def contacts_csv(people: list[Person]) -> str:
    """The contact list as a plain CSV (name, email), as the user would import it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Email"])
    for p in people:
        writer.writerow([p.name, p.address])
    return out.getvalue()


def all_mail(people: list[Person]) -> list[Mail]:
    return sorted((m for p in people for m in p.mail), key=lambda m: m.when)


def scenario_table(store: Store, people: list[Person]) -> str:
    """Per scenario: contacts, how many ended in the expected stage."""
    rows: Counter[tuple[str, str]] = Counter()
    good: Counter[str] = Counter()
    by_email = {a: c for a, c in store.contacts.address_index().items()}
    for p in people:
        stage = store.pipeline.state(by_email[p.address]).stage
        rows[(p.scenario, p.expected.value)] += 1
        good[p.scenario] += stage is p.expected
    lines = [f"{'scenario':24} {'expected':10} {'ok':>4} / {'all':>4}"]
    for (scenario, expected), n in sorted(rows.items()):
        lines.append(f"{scenario:24} {expected:10} {good[scenario]:>4} / {n:>4}")
    return "\n".join(lines)


def check_history(store: Store, people: list[Person], now: datetime) -> None:
    """Every contact in the expected stage; no automatic message counted as a reply; no
    follow-up due for anyone who answered, bounced or is away."""
    index = store.contacts.address_index()
    reminders = Settings().reminders()
    wrong = []
    for p in people:
        contact = index[p.address]
        state = store.pipeline.state(contact)
        if state.stage is not p.expected:
            wrong.append((p.scenario, p.name, state.stage.value, p.expected.value))
            continue
        kinds = [h.kind for h in store.pipeline.history(contact)]
        if p.scenario in ("away", "bounced", "bulk_only"):
            assert EventKind.GENUINE_REPLY not in kinds, (p.scenario, kinds)
        if p.scenario == "away":
            assert state.away_until is not None and state.away_until > now.date()
        if p.scenario in NO_FOLLOW_UP:
            due = follow_up_due_at(state, reminders)
            assert due is None or due > now, (p.scenario, p.name, due)
        if p.scenario == "accepts_written_times":
            assert state.meeting_start is not None and state.meeting_start.hour == 15
        if p.scenario in ("met_long_ago", "met_this_week"):
            # Met long ago: no thank-you asked; met this week: the thank-you is still due.
            thanks = [
                a for a in due_actions(contact, state, now, reminders)
                if a.kind is ActionKind.THANK_YOU_MISSING
            ]  # fmt: skip
            assert bool(thanks) is (p.scenario == "met_this_week"), (p.scenario, thanks)
    assert not wrong, wrong[:10]
