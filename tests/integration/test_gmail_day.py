"""A full day of Gmail: Coffeechat sends requests and a follow-up (one answer lost on the way),
contacts reply in and out of the thread, an out-of-office, newsletters, the user answers from
Gmail itself, other clients read, Gmail throttles, the history id goes stale. Every event
once, nothing sent twice, and the requests the day cost. Real client, real Store, emulator."""

from __future__ import annotations

from pathlib import Path

from desktop import outbox
from desktop.domain.model import Contact, EventKind, Stage
from mail.provider import OutgoingMessage
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, mail
from tests.helpers.mail_day import Day, assert_each_event_once, assert_sent_once
from tests.integration.test_gmail import ME, _open

#: The day's budget of HTTP requests (a batch is one): 10 passes, 9 sends, a recovery.
DAY_BUDGET = 90


def test_a_full_day_of_gmail(tmp_path: Path, gmail: GmailEmulator, sim: SimClock) -> None:
    emulator = gmail
    store, provider, clock = _open(tmp_path, emulator, sim)
    people = [
        store.contacts.add(Contact(None, f"Person {n}", (f"p{n}@people.test",))).id
        for n in range(8)
    ]
    assert all(p is not None for p in people)
    ids = [int(p) for p in people if p is not None]
    for n in range(200):  # the mailbox's past
        emulator.deliver(mail(f"old{n}@l.test", ME, "Old", "x", message_id=f"<o{n}@l>",
                              when=clock.now()))  # fmt: skip
    emulator.reset_counters()
    day = Day(store, provider, clock)
    day.sync(minutes=0)  # 09:00 the app starts: a baseline

    # 09:05 seven requests; Gmail carries out the last one but its answer is lost
    sent = {}
    for n in range(7):
        if n == 6:
            emulator.fail_next("lost")
        msg = OutgoingMessage(to=(f"p{n}@people.test",), subject=f"Coffee chat, {n}?",
                              text="Hello!\n\nSam\n", outbox_key=outbox.new_key())  # fmt: skip
        sent[n] = outbox.send(store, provider, msg, contact_id=ids[n], purpose="request",
                              now=clock.now())  # fmt: skip
    day.sync()
    assert {store.pipeline.state(ids[n]).stage for n in range(7)} == {Stage.REQUESTED}

    # 10:00 replies: in the thread, in a new thread, an out-of-office; and newsletters
    replies = {
        0: mail("p0@people.test", ME, "Re: Coffee chat, 0?", "Yes! Thursday?\n",
                message_id="<r0@people.test>", when=clock.now(), in_reply_to=sent[0].message_id),
        1: mail("p1@people.test", ME, "Talking next week", "Happy to - Tuesday?\n",
                message_id="<r1@people.test>", when=clock.now()),
        2: mail("p2@people.test", ME, "Automatic reply: Coffee chat, 2?", "Out of office.\n",
                message_id="<r2@people.test>", when=clock.now(), in_reply_to=sent[2].message_id,
                extra={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}),
    }  # fmt: skip
    delivered = {n: emulator.deliver(raw)[0] for n, raw in replies.items()}
    for n in range(15):
        emulator.deliver(mail(f"news{n}@l.test", ME, "Deals", "x", message_id=f"<d{n}@l>",
                              when=clock.now()))  # fmt: skip
    day.sync(minutes=55)
    day.sync(minutes=30)  # nothing new

    # 11:00 the phone reads the replies; Gmail throttles for a while; p3 replies meanwhile
    for ident in delivered.values():
        emulator.mark_read(ident)
    emulator.fail_next("429", count=12, retry_after=30)
    emulator.deliver(mail("p3@people.test", ME, "Re: Coffee chat, 3?", "Sure.\n",
                          message_id="<r3@people.test>", when=clock.now(),
                          in_reply_to=sent[3].message_id))  # fmt: skip
    day.sync(minutes=30)

    # 12:00 the user answers p0 from Gmail itself; Coffeechat sends p4 a follow-up in its thread
    emulator.deliver(
        mail(ME, "p0@people.test", "Re: Coffee chat, 0?", "Thursday it is.\n",
             message_id="<me-0@example.test>", when=clock.now(), in_reply_to="<r0@people.test>"),
        labels=("SENT",),
    )  # fmt: skip
    follow = OutgoingMessage(
        to=("p4@people.test",), subject="Re: Coffee chat, 4?", text="Just bumping this.\n",
        outbox_key=outbox.new_key(), in_reply_to=sent[4].message_id,
        references=(sent[4].message_id,), thread_id=sent[4].thread_id,
    )  # fmt: skip
    outbox.send(store, provider, follow, contact_id=ids[4], purpose="follow-up", now=clock.now())
    day.sync(minutes=60)

    # 14:00 the history id goes stale while p5 writes in a new thread
    emulator.deliver(mail("p5@people.test", ME, "Your note", "Let's talk!\n",
                          message_id="<r5@people.test>", when=clock.now()))  # fmt: skip
    emulator.expire_history()
    stale = day.sync(minutes=120)
    assert stale.reset
    day.sync(minutes=60)  # 15:00 quiet
    emulator_requests = emulator.http_requests
    idle_before = emulator.http_requests
    day.sync(minutes=60)  # 16:00 idle: one history.list
    assert emulator.http_requests - idle_before == 1

    kinds = assert_each_event_once(store, ids)
    assert_sent_once(m.message_id for m in emulator.sent_messages())
    assert len(emulator.sent_messages()) == 7 + 1 + 1  # requests, follow-up, the user's answer
    assert kinds[EventKind.REQUEST_SENT] == 7
    assert kinds[EventKind.GENUINE_REPLY] == 4  # p0, p1 (new thread), p3, p5 (after the 404)
    assert kinds[EventKind.AUTO_REPLY] == 1
    assert kinds[EventKind.FOLLOWUP_SENT] == 1
    assert kinds[EventKind.USER_ANSWERED] == 1
    stages = {n: store.pipeline.state(ids[n]).stage for n in range(8)}
    assert stages[2] is Stage.REQUESTED and stages[7] is Stage.TARGET
    assert emulator.quota_rejections == 0
    print(f"\nGmail day: {emulator_requests} HTTP requests, {emulator.total_units} units, "
          f"{day.failed} passes turned away")  # fmt: skip
    assert day.failed >= 1  # the throttling was felt ...
    assert emulator_requests <= DAY_BUDGET  # ... and the day stayed cheap
    provider.close()
    store.close()
