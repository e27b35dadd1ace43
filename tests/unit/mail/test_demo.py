from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.clock import ManualClock
from mail.classify import classify
from mail.demo import (
    ACCEPT_DELAY,
    BOUNCE_DELAY,
    DECLINE_DELAY,
    DEMO_CONTACTS,
    DEMO_USER_ADDRESS,
    DEMO_USER_NAME,
    OOO_DELAY,
    DemoContact,
    DemoMailbox,
)
from mail.provider import (
    Account,
    AccountKind,
    Folder,
    MailMessage,
    MailProvider,
    MeetingInvite,
    MessageRef,
    OutgoingMessage,
)
from tests.unit.mail import fixtures

START = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # a Monday afternoon
ACCOUNT = Account(1, AccountKind.DEMO, DEMO_USER_ADDRESS, DEMO_USER_NAME)


def contact(behaviour: str) -> DemoContact:
    return next(c for c in DEMO_CONTACTS if c.behaviour == behaviour)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "demo-mailbox"


@pytest.fixture
def box(directory: Path, clock: ManualClock) -> DemoMailbox:
    return DemoMailbox.create(directory, ACCOUNT, clock)


def drain(box: DemoMailbox, cursor: str | None) -> tuple[list[MessageRef], str]:
    changes = box.fetch_changes(cursor)
    assert not changes.reset
    return list(changes.refs), changes.cursor


def run_clock(
    box: DemoMailbox, clock: ManualClock, until: datetime, step: timedelta, cursor: str | None
) -> Iterator[tuple[MessageRef, str]]:
    """Advance the clock to ``until``, polling each ``step``; yields (ref, cursor) as they come."""
    while True:
        refs, cursor = drain(box, cursor)
        for ref in refs:
            yield ref, cursor
        if clock.now() >= until:
            return
        clock.advance(step)


def messages(box: DemoMailbox, refs: list[MessageRef]) -> list[MailMessage]:
    return [box.fetch_message(ref) for ref in refs]


def by_sender(msgs: list[MailMessage], sender: str) -> list[MailMessage]:
    return [m for m in msgs if m.sender == sender]


def send(box: DemoMailbox, to: str, text: str, key: str) -> None:
    out = OutgoingMessage(to=(to,), subject="A 15-minute chat?", text=text, outbox_key=key)
    box.send_draft(box.create_draft(out))


# --- the cast ---------------------------------------------------------------------------------


def test_demo_contacts() -> None:
    assert len(DEMO_CONTACTS) == 8
    assert len({c.email for c in DEMO_CONTACTS}) == 8
    assert {c.behaviour for c in DEMO_CONTACTS} == {
        "accepts", "away", "bounces", "declines_refers", "proposes", "silent",
    }  # fmt: skip
    for c in DEMO_CONTACTS:
        assert c.email.endswith(".example")
        ZoneInfo(c.timezone)
    decliner = contact("declines_refers")
    referred = [c for c in DEMO_CONTACTS if c.referrer_email is not None]
    assert [c.referrer_email for c in referred] == [decliner.email]
    assert DEMO_USER_ADDRESS == "sam.rivera@demo.example"
    assert DEMO_USER_NAME == "Sam Rivera"


def test_is_a_mail_provider(box: DemoMailbox) -> None:
    provider: MailProvider = box
    assert provider.account == ACCOUNT


def test_seed(box: DemoMailbox) -> None:
    refs, _ = drain(box, None)
    # Right after seeding: a newsletter, three requests, and the responses already due.
    msgs = messages(box, refs)
    sent = [m for m in msgs if m.ref.folder == Folder.SENT]
    assert {m.to[0] for m in sent} == {
        contact("accepts").email, contact("away").email, contact("bounces").email,
    }  # fmt: skip
    for m in sent:
        assert m.sender == DEMO_USER_ADDRESS
        assert START - timedelta(hours=3) <= m.date <= START - timedelta(hours=1)
        slots = [line for line in m.text.splitlines() if line.startswith("- ")]
        assert len(slots) == 3
        assert "attach" not in m.text.lower()
        assert m.content_type == "text/plain"
        assert classify(m).kind == "human"
    newsletter = by_sender(msgs, "digest@news.productweekly.example")
    assert len(newsletter) == 1
    assert newsletter[0].header("List-Unsubscribe")
    assert classify(newsletter[0]).kind == "bulk"


def test_create_is_idempotent(directory: Path, clock: ManualClock, box: DemoMailbox) -> None:
    refs, cursor = drain(box, None)
    again = DemoMailbox.create(directory, ACCOUNT, clock)
    assert drain(again, cursor) == ([], cursor)
    assert drain(again, None)[0] == refs


def test_three_days_of_scripted_mail(directory: Path, clock: ManualClock, box: DemoMailbox) -> None:
    seen: list[MessageRef] = []
    cursor: str | None = None
    # Poll every 10 demo minutes over three days, re-opening the mailbox now and then.
    for day in range(3):
        until = START + timedelta(days=day + 1)
        for ref, new_cursor in run_clock(box, clock, until, timedelta(minutes=10), cursor):
            seen.append(ref)
            cursor = new_cursor
        box = DemoMailbox(directory, ACCOUNT, clock)
        assert drain(box, cursor) == ([], cursor)
    assert len({r.id for r in seen}) == len(seen)
    everything, _ = drain(box, None)
    assert everything == seen

    msgs = messages(box, seen)
    sent = {m.to[0]: m for m in msgs if m.ref.folder == Folder.SENT}
    inbox = [m for m in msgs if m.ref.folder == Folder.INBOX]
    assert len(inbox) == 5

    accepts, away, bounces = contact("accepts"), contact("away"), contact("bounces")

    (reply,) = by_sender(inbox, accepts.email)
    request = sent[accepts.email]
    assert reply.date == request.date + ACCEPT_DELAY
    assert "Thursday 12 March at 10:00 (New York time) works for me" in reply.text
    assert classify(reply).kind == "human"
    assert_threaded(reply, request)

    ooo, back = by_sender(inbox, away.email)
    request = sent[away.email]
    assert ooo.date == request.date + OOO_DELAY
    assert ooo.subject == f"Out of office: {request.subject}"
    result = classify(ooo)
    assert result.kind == "auto_reply"
    return_day = date(2026, 3, 11)  # two days after Monday's request
    assert result.away_until == datetime.combine(return_day, datetime.min.time(), UTC)
    assert "until Wednesday 11 March" in ooo.text
    expected = datetime(2026, 3, 12, 9, 30, tzinfo=ZoneInfo(away.timezone))
    assert back.date == expected
    assert classify(back).kind == "human"
    assert_threaded(ooo, request)
    assert_threaded(back, request)

    (dsn,) = by_sender(inbox, f"mailer-daemon@{DEMO_USER_ADDRESS.partition('@')[2]}")
    request = sent[bounces.email]
    assert dsn.date == request.date + BOUNCE_DELAY
    result = classify(dsn)
    assert result.kind == "bounce"
    assert result.bounced_addresses == (bounces.email,)
    assert result.permanent
    assert dsn.ref.thread_id == request.ref.thread_id

    (newsletter,) = by_sender(inbox, "digest@news.productweekly.example")
    assert classify(newsletter).kind == "bulk"

    for m in inbox:
        assert m.header("Received")
        assert m.header("MIME-Version") == "1.0"
        assert "charset" in m.header("Content-Type") or m.content_type.startswith("multipart/")
        assert m.message_id
        assert m.defects == ()


def assert_threaded(reply: MailMessage, request: MailMessage) -> None:
    assert reply.in_reply_to == request.message_id
    assert request.message_id in reply.references
    assert reply.ref.thread_id == request.ref.thread_id
    assert reply.to == (DEMO_USER_ADDRESS,)


def test_responses_appear_only_when_due(clock: ManualClock, box: DemoMailbox) -> None:
    _, cursor = drain(box, None)
    decliner = contact("declines_refers")
    send(box, decliner.email, "Hi Daniel, would a short call work?", "k-decline")
    refs, cursor = drain(box, cursor)
    assert [r.folder for r in refs] == [Folder.SENT]
    clock.advance(DECLINE_DELAY - timedelta(seconds=1))
    assert drain(box, cursor) == ([], cursor)
    clock.advance(timedelta(seconds=1))
    refs, cursor = drain(box, cursor)
    (decline,) = messages(box, refs)
    assert decline.date == START + DECLINE_DELAY
    assert "Erin Park (erin.park@northwind.example)" in decline.text
    assert classify(decline).kind == "human"


def test_requests_sent_later_get_their_scripts(clock: ManualClock, box: DemoMailbox) -> None:
    _, cursor = drain(box, None)
    erin = next(c for c in DEMO_CONTACTS if c.referrer_email)
    silent = contact("silent")
    slots = (
        "Hi Erin,\n\nDaniel suggested I speak with you. Would one of these work?\n\n"
        "- Tuesday 17 March at 09:00 (Chicago time)\n"
        "- Wednesday 18 March at 13:30 (Chicago time)\n"
        "- Friday 20 March at 11:00 (Chicago time)\n\nSam\n"
    )
    send(box, erin.email, slots, "k-erin")
    send(box, silent.email, "Hi Lena, a quick call?", "k-lena")
    send(box, "stranger@elsewhere.example", "Hello", "k-stranger")
    send(box, contact("bounces").email, "Hi again Alex", "k-alex")
    found = list(run_clock(box, clock, START + timedelta(days=3), timedelta(hours=1), cursor))
    msgs = messages(box, [ref for ref, _ in found])
    inbox = [m for m in msgs if m.ref.folder == Folder.INBOX]
    new = [m for m in inbox if m.date >= START]
    senders = sorted(m.sender for m in new if m.sender != contact("away").email)
    assert senders == ["erin.park@northwind.example", "mailer-daemon@demo.example"]
    assert not by_sender(inbox, silent.email)
    (reply,) = by_sender(inbox, erin.email)
    assert "Wednesday 18 March at 13:30 (Chicago time) works for me" in reply.text
    (dsn,) = by_sender(new, "mailer-daemon@demo.example")
    assert classify(dsn).bounced_addresses == (contact("bounces").email,)


def test_a_contact_answers_only_the_first_request(clock: ManualClock, box: DemoMailbox) -> None:
    clock.advance(timedelta(days=1))
    _, cursor = drain(box, None)
    send(box, contact("accepts").email, "Thank you for the chat!", "k-thanks")
    end = clock.now() + timedelta(days=2)
    found = [ref for ref, _ in run_clock(box, clock, end, timedelta(hours=2), cursor)]
    assert not by_sender(messages(box, found), contact("accepts").email)


def test_find_sent(box: DemoMailbox) -> None:
    assert box.find_sent("k-1") is None
    out = OutgoingMessage(to=("someone@else.example",), subject="Hi", text="x", outbox_key="k-1")
    draft = box.create_draft(out)
    assert box.find_sent("k-1") is None  # a draft is not sent yet
    sent = box.send_draft(draft)
    assert box.find_sent("k-1") == sent
    assert box.find_sent("") is None
    msg = box.fetch_message(MessageRef(sent.id, sent.thread_id, Folder.SENT))
    assert msg.message_id == sent.message_id
    with pytest.raises(KeyError):
        box.send_draft(draft)


def test_send_draft_dates_and_threads(clock: ManualClock, box: DemoMailbox) -> None:
    refs, _ = drain(box, None)
    request = next(m for m in messages(box, refs) if m.ref.folder == Folder.SENT)
    clock.advance(timedelta(minutes=7))
    draft = box.create_draft(
        OutgoingMessage(
            to=request.to, subject=f"Re: {request.subject}", text="Following up", outbox_key="f1",
            in_reply_to=request.message_id, references=(request.message_id,),
        )
    )  # fmt: skip
    clock.advance(timedelta(minutes=3))
    sent = box.send_draft(draft)
    assert sent.thread_id == request.ref.thread_id
    msg = box.fetch_message(MessageRef(sent.id, sent.thread_id, Folder.SENT))
    assert msg.date == clock.now()
    assert msg.ref.folder == Folder.SENT

    explicit = box.send_draft(
        box.create_draft(
            OutgoingMessage(to=("x@y.example",), subject="s", text="t", outbox_key="f2",
                            thread_id=request.ref.thread_id)
        )
    )  # fmt: skip
    assert explicit.thread_id == request.ref.thread_id
    new = OutgoingMessage(to=("x@y.example",), subject="s", text="t", outbox_key="f3")
    fresh = box.send_draft(box.create_draft(new))
    assert fresh.thread_id not in {r.thread_id for r in refs}


def test_cursor_handling(box: DemoMailbox) -> None:
    refs, cursor = drain(box, None)
    assert cursor == str(len(refs))
    for bad in ("garbage", "-1", "999999", ""):
        changes = box.fetch_changes(bad)
        assert changes.reset
        assert list(changes.refs) == refs
        assert changes.cursor == cursor


def test_add_raw_message_and_fetch(box: DemoMailbox) -> None:
    ref = box.add_raw_message(b"\xff\xfe garbage \x00\n\n\xff", Folder.INBOX)
    msg = box.fetch_message(ref)
    assert msg.raw == b"\xff\xfe garbage \x00\n\n\xff"
    assert msg.defects
    ref2 = box.add_raw_message(fixtures.GMAIL_VACATION, Folder.INBOX, thread_id="t-custom")
    assert ref2.thread_id == "t-custom"
    header_only = box.fetch_message(ref2, full=False)
    assert not header_only.complete
    assert header_only.text == ""
    refs, _ = drain(box, None)
    assert [r for r in refs if r in (ref, ref2)] == [ref, ref2]
    with pytest.raises(KeyError):
        box.fetch_message(MessageRef("nope", "t"))


def test_injected_reply_joins_its_thread(box: DemoMailbox) -> None:
    sent = box.add_raw_message(
        b"From: sam.rivera@demo.example\nTo: x@y.example\nMessage-ID: <q@demo.example>\n\nhi\n",
        Folder.SENT,
    )
    reply = box.add_raw_message(
        b"From: x@y.example\nTo: sam.rivera@demo.example\nIn-Reply-To: <q@demo.example>\n\nok\n",
        Folder.INBOX,
    )
    assert reply.thread_id == sent.thread_id


def test_busy_blocks_and_events(directory: Path, clock: ManualClock, box: DemoMailbox) -> None:
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    blocks = box.busy_blocks(monday, monday + timedelta(days=7))
    assert len(blocks) == 10  # two per weekday, none at the weekend
    assert blocks[0].start == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert blocks[0].end == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert all(b.start.weekday() < 5 for b in blocks)
    saturday = monday + timedelta(days=5)
    assert box.busy_blocks(saturday, saturday + timedelta(days=2)) == []

    invite = MeetingInvite(
        title="Coffee chat with Maya Chen",
        start=datetime(2026, 3, 14, 15, 0, tzinfo=UTC),
        end=datetime(2026, 3, 14, 15, 15, tzinfo=UTC),
        attendees=("maya.chen@lumen.example",),
    )
    event = box.create_event(invite)
    assert event.id
    reopened = DemoMailbox(directory, ACCOUNT, clock)
    assert reopened.events() == [invite]
    weekend = reopened.busy_blocks(saturday, saturday + timedelta(days=2))
    assert [(b.start, b.end) for b in weekend] == [(invite.start, invite.end)]
    # Blocks are clipped to the asked range.
    noon = monday + timedelta(hours=12)
    clipped = box.busy_blocks(noon + timedelta(minutes=30), noon + timedelta(hours=2))
    assert [(b.start.hour, b.start.minute, b.end.hour) for b in clipped] == [(12, 30, 13)]


def test_thread_flags_persist(directory: Path, clock: ManualClock, box: DemoMailbox) -> None:
    box.set_thread_flag("t000002", "coffeechat", True)
    box.set_thread_flag("t000002", "starred", True)
    box.set_thread_flag("t000002", "starred", False)
    assert DemoMailbox(directory, ACCOUNT, clock).thread_flags("t000002") == {"coffeechat"}


def test_files_are_real_eml(directory: Path, box: DemoMailbox) -> None:
    drain(box, None)
    files = sorted((directory / "messages").glob("*.eml"))
    assert len(files) == 7  # newsletter, 3 requests, reply, out-of-office, bounce
    assert not list(directory.rglob("*.tmp"))
    for path in files:
        assert path.read_bytes().startswith((b"Received:", b"From:"))
