"""A sender's history is evidence: once a contact has written a genuine reply, the sync's prepare
step tells the classifier so, and their later mail that only looks like a mailing (a sales
tool's List-Unsubscribe on one person's message) is read as theirs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desktop import demo_story
from desktop.sync import run_once
from mail.provider import Folder
from tests.helpers.demo_profile import open_demo

LENA = "lena.svensson@fjord.example"


def _mail(when: object, subject: str, body: str, *, unsubscribe: bool) -> bytes:
    return (
        f"From: Lena Svensson <{LENA}>\r\nTo: sam.rivera@demo.example\r\n"
        f"Subject: {subject}\r\nDate: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        + ("List-Unsubscribe: <https://outreach.fjord.example/u/81723>\r\n" if unsubscribe else "")
        + f"\r\n{body}\r\n"
    ).encode()


def test_a_sender_who_replied_before_is_read_as_a_person_despite_a_list_header(
    tmp_path: Path,
) -> None:
    demo, clock, _ = open_demo(tmp_path)
    run_once(demo.store, demo.mailbox, clock)
    lena = demo.contact_id("silent")
    demo_story.send_requests(demo, ("silent",), clock.now())
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)

    def kind_of(subject: str) -> tuple[str, str]:
        found = next(m for m in demo.store.messages.for_contact(lena) if m.subject == subject)
        return found.kind, found.evidence

    # No history yet: a message with a list header only is bulk.
    first = "Our spring programme"
    demo.mailbox.add_raw_message(
        _mail(clock.now(), first, "Have a look at our programme.", unsubscribe=True),
        Folder.INBOX,
    )
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert kind_of(first)[0] == "bulk"
    assert demo.store.corrections.replies_from(LENA, [lena]) == 0

    # She answers by hand: a genuine reply, her history from now on.
    demo.mailbox.add_raw_message(
        _mail(clock.now(), "Re: a call", "Happy to talk next week.", unsubscribe=False),
        Folder.INBOX,
    )
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    assert kind_of("Re: a call")[0] == "human"
    assert demo.store.corrections.replies_from(LENA, [lena]) == 1

    # The same shape of message as the first one is now hers.
    later = "Notes for our call"
    demo.mailbox.add_raw_message(
        _mail(clock.now(), later, "Some notes before we talk.", unsubscribe=True), Folder.INBOX
    )
    clock.advance(timedelta(minutes=1))
    run_once(demo.store, demo.mailbox, clock)
    kind, evidence = kind_of(later)
    assert kind == "human"
    assert f"{LENA} wrote 1 genuine reply before" in evidence
    # Another sender's address has no history of hers.
    assert demo.store.corrections.replies_from("someone@else.example", [lena]) == 0
