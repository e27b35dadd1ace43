"""A full day of Outlook: Coffeechat sends requests and a follow-up into a reply's conversation
(Sent Items copies showing a minute late), contacts reply in and out of the conversation, an
out-of-office, newsletters, other clients read, flag and categorise, Graph throttles, the delta
links expire. Every event once, nothing sent twice, no message fetched for an update, and the
requests the day cost. Real msal sign-in and provider, real Store, the Graph emulator."""

from __future__ import annotations

from datetime import timedelta

from desktop import outbox
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind, Stage
from mail.provider import OutgoingMessage
from tests.helpers.graph_emulator import GraphEmulator
from tests.helpers.mail_day import Day, assert_each_event_once, assert_sent_once
from tests.integration.test_outlook import Setup

#: The day's budget of Graph requests: 10 passes of 2 deltas, sends, recoveries, throttling.
DAY_BUDGET = 90


def test_a_full_day_of_outlook(emulator: GraphEmulator, opened: Setup, clock: ManualClock) -> None:
    store, provider, _account = opened
    people = [
        store.contacts.add(Contact(None, f"Person {n}", (f"p{n}@people.test",))).id
        for n in range(8)
    ]
    ids = [int(p) for p in people if p is not None]
    for n in range(150):  # the Inbox's past
        emulator.deliver(f"old{n}@l.test", "Old", "x\n", when=clock.now() - timedelta(days=n + 1),
                         message_id=f"<o{n}@l>")  # fmt: skip
    emulator.sent_delay = 60.0  # Sent Items copies show a minute after /send
    emulator.reset_counts()
    emulator.message_gets = 0
    day = Day(store, provider, clock)
    day.sync(minutes=0)  # 09:00 a baseline

    # 09:05 seven requests
    sent = {}
    for n in range(7):
        msg = OutgoingMessage(to=(f"p{n}@people.test",), subject=f"Coffee chat, {n}?",
                              text="Hello!\n\nSam\n", outbox_key=outbox.new_key())  # fmt: skip
        sent[n] = outbox.send(store, provider, msg, contact_id=ids[n], purpose="request",
                              now=clock.now())  # fmt: skip
    day.sync(minutes=0)  # the copies are not in Sent Items yet
    assert {store.pipeline.state(ids[n]).stage for n in range(7)} == {Stage.TARGET}
    day.sync()
    assert {store.pipeline.state(ids[n]).stage for n in range(7)} == {Stage.REQUESTED}

    # 10:00 replies: in the conversation, a new one, an out-of-office; newsletters
    r0 = emulator.deliver("p0@people.test", "RE: Coffee chat, 0?", "Yes! Thursday?\n",
                          when=clock.now(), message_id="<r0+a=@people.test>",
                          in_reply_to=sent[0].message_id)  # fmt: skip
    r1 = emulator.deliver("p1@people.test", "Talking next week", "Happy to - Tuesday?\n",
                          when=clock.now(), message_id="<r1@people.test>")  # fmt: skip
    away = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}
    r2 = emulator.deliver("p2@people.test", "Automatic reply: Coffee chat, 2?", "Away.\n",
                          when=clock.now(), message_id="<r2@people.test>",
                          in_reply_to=sent[2].message_id, extra=away)  # fmt: skip
    for n in range(15):
        emulator.deliver(f"news{n}@l.test", "Deals", "x\n", when=clock.now(),
                         message_id=f"<d{n}@l>")  # fmt: skip
    day.sync(minutes=55)

    # 10:30 the phone reads the replies, the web app flags and categorises them; Coffeechat
    # flags p0's conversation itself
    for msg in (r0, r1, r2):
        emulator.other_client(msg.id, read=True)
        emulator.other_client(msg.id, flag="flagged", categories=["Networking"])
    provider.set_thread_flag(r0.conversation_id, "Reply due", True)
    gets = emulator.message_gets
    quiet = day.sync(minutes=30)
    assert quiet.seen == 0 and emulator.message_gets == gets  # updates fetch nothing

    # 11:00 Graph throttles; p3 replies meanwhile
    emulator.fail_next(429, retry_after=20, times=10)
    emulator.deliver("p3@people.test", "RE: Coffee chat, 3?", "Sure.\n", when=clock.now(),
                     message_id="<r3@people.test>", in_reply_to=sent[3].message_id)  # fmt: skip
    day.sync(minutes=30)

    # 12:00 Coffeechat answers p0's reply in its conversation (createReply)
    answer = OutgoingMessage(
        to=("p0@people.test",), subject="RE: Coffee chat, 0?", text="Thursday it is.\n",
        outbox_key=outbox.new_key(), in_reply_to=r0.internet_message_id,
        references=(sent[0].message_id, r0.internet_message_id), thread_id=r0.conversation_id,
    )  # fmt: skip
    outbox.send(store, provider, answer, contact_id=ids[0], purpose="answer", now=clock.now())
    assert emulator.refused == []
    day.sync(minutes=60)

    # 14:00 the delta links expire while p5 writes in a new conversation
    emulator.deliver("p5@people.test", "Your note", "Let's talk!\n", when=clock.now(),
                     message_id="<r5@people.test>")  # fmt: skip
    emulator.expire_delta_links()
    stale = day.sync(minutes=120)
    assert stale.reset
    day.sync(minutes=60)  # 15:00 quiet
    before = emulator.count()
    day.sync(minutes=60)  # 16:00 idle: one delta request per folder
    assert emulator.count() - before == 2, emulator.requests[-4:]
    total = emulator.count()

    kinds = assert_each_event_once(store, ids)
    out = [m for m in emulator.messages.values() if m.folder in ("sentitems", "outbox")]
    assert_sent_once(m.internet_message_id for m in out)
    assert len(out) == 7 + 1
    assert kinds[EventKind.REQUEST_SENT] == 7
    assert kinds[EventKind.GENUINE_REPLY] == 4  # p0, p1 (new conversation), p3, p5 (new round)
    assert kinds[EventKind.AUTO_REPLY] == 1
    assert kinds[EventKind.USER_ANSWERED] == 1
    assert store.pipeline.state(ids[2]).stage is Stage.REQUESTED
    assert store.pipeline.state(ids[7]).stage is Stage.TARGET
    assert not emulator.violations  # no request went out before a Retry-After had passed
    print(f"\nOutlook day: {total} Graph requests, {emulator.message_gets} message fetches, "
          f"{day.failed} passes turned away")  # fmt: skip
    assert day.failed >= 1
    assert total <= DAY_BUDGET
