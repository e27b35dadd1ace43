"""The demo mailbox's scripted contacts are classified right by the real classifier.

Nothing here is special-cased: the demo writes its replies, out-of-office, bounce and newsletter
as real messages, and ``mail.classify`` reads them like any other mail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from desktop.domain.clock import ManualClock
from mail.classify import classify
from mail.demo import DEMO_CONTACTS, DEMO_USER_ADDRESS, DEMO_USER_NAME, DemoMailbox
from mail.provider import Account, AccountKind, Folder, Interval, MailMessage, OutgoingMessage

START = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
ACCOUNT = Account(1, AccountKind.DEMO, DEMO_USER_ADDRESS, DEMO_USER_NAME)
_SLOT = re.compile(r"^- \w+ (\d{1,2}) (\w+) at (\d\d):(\d\d)", re.MULTILINE)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip


def offered_slots(request: MailMessage, tz: str) -> tuple[Interval, ...]:
    """The slots a demo request offers, read from its text as the contact would."""
    out = []
    for day, month, hour, minute in _SLOT.findall(request.text):
        start = datetime(
            request.date.year, _MONTHS.index(month) + 1, int(day), int(hour), int(minute),
            tzinfo=ZoneInfo(tz),
        )  # fmt: skip
        out.append(Interval(start, start + timedelta(minutes=15)))
    return tuple(out)


def test_every_scripted_message_is_classified_right(tmp_path: Path) -> None:
    clock = ManualClock(START)
    box = DemoMailbox.create(tmp_path / "demo", ACCOUNT, clock)
    # Daniel (declines and refers) gets his request too.
    daniel = next(c for c in DEMO_CONTACTS if c.behaviour == "declines_refers")
    out = OutgoingMessage(
        to=(daniel.email,),
        subject="Northwind Health: a 15-minute chat about your work?",
        text="Hi Daniel,\n\nWould one of these work?\n\n- Thursday 12 March at 14:00\n\nSam\n",
        outbox_key="k-daniel",
    )
    box.send_draft(box.create_draft(out))
    clock.advance(timedelta(days=4))
    refs = box.fetch_changes(None).refs
    msgs = [box.fetch_message(r) for r in refs]
    sent = {m.to[0]: m for m in msgs if m.ref.folder is Folder.SENT}
    by_email = {c.email: c for c in DEMO_CONTACTS}
    seen: dict[str, list[tuple[str, MailMessage]]] = {}
    for m in msgs:
        if m.ref.folder is not Folder.INBOX:
            continue
        contact = by_email.get(m.sender)
        slots = offered_slots(sent[m.sender], contact.timezone) if contact else ()
        result = classify(m, slots=slots)
        behaviour = contact.behaviour if contact else m.sender
        seen.setdefault(str(behaviour), []).append((result.kind, m))
        if contact is None and "mailer-daemon" in m.sender:
            assert result.kind == "bounce"
            assert result.permanent
            bouncer = next(c for c in DEMO_CONTACTS if c.behaviour == "bounces")
            assert result.bounced_addresses == (bouncer.email,)
        elif contact is None:
            assert result.kind == "bulk", m.sender
        elif contact.behaviour == "accepts":
            assert result.kind == "human"
            assert result.intent == "accept"
            assert result.slot == 1  # the demo accepts the second slot offered
        elif contact.behaviour == "away":
            if "Out of office" in m.subject:
                assert result.kind == "auto_reply"
                assert result.away_until is not None
                assert result.away_until.date() > sent[m.sender].date.date()
            else:
                assert result.kind == "human"
                assert result.intent == "question"  # "could you send me new options?"
        elif contact.behaviour == "declines_refers":
            assert result.kind == "human"
            assert result.intent == "refer"
            assert result.referral_name == "Erin Park"
            assert result.referral_address == "erin.park@northwind.example"
    assert set(seen) >= {"accepts", "away", "declines_refers", "mailer-daemon@demo.example"}
    assert len(seen["away"]) == 2
