"""Sync passes over a demo mailbox holding mutated messages from the contacts, and among them
one genuine reply: the pass goes on, and the reply moves its contact (no data lost)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from desktop.actions import override_stage
from desktop.domain.model import Stage
from desktop.sync import run_once
from mail.provider import Folder
from tests.fuzz import messages
from tests.helpers.demo_profile import open_demo

_FROM_OR_ID = re.compile(rb"^(from|message-id)[ \t]*:.*?(\r?\n(?![ \t]))", re.I | re.M | re.S)


def from_contact(raw: bytes, address: str, message_id: str) -> bytes:
    """``raw`` as sent by ``address``: its own From and Message-ID fields replaced, so the sync
    finds it relevant."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    head = _FROM_OR_ID.sub(b"", head)
    fields = f"From: <{address}>\r\nMessage-ID: <{message_id}>\r\n".encode()
    return fields + head + sep + body


@dataclass(frozen=True, slots=True)
class PassResult:
    hostile: int
    #: Messages the pass stored (read, or kept as "could not be read").
    stored: int
    #: The genuine reply did not move its contact to "replied".
    lost: bool


def passes(root: Path, batches: Iterator[list[bytes]]) -> Iterator[PassResult]:
    """One sync pass per batch of hostile messages, each pass with a genuine reply from a
    contact that waits on one. A demo profile serves a few passes, then a fresh one starts (in a
    new folder under ``root``). Exceptions of the sync propagate (a crash)."""
    number = 0
    while True:
        demo, clock, _ = open_demo(root / f"profile-{number}")
        run_once(demo.store, demo.mailbox, clock)
        addresses = sorted(demo.ids_by_email)
        try:
            for target in addresses[:8]:
                batch = next(batches, None)
                if batch is None:
                    return
                number += 1
                contact = demo.ids_by_email[target]
                if demo.store.pipeline.state(contact).stage is not Stage.REQUESTED:
                    # Back to waiting on a reply, whatever the demo did first (Maya's reply
                    # accepts a time her seeded request offered: the sync schedules her).
                    override_stage(demo.store, contact, Stage.REQUESTED, clock.now())
                others = [a for a in addresses if a != target]
                for i, raw in enumerate(batch):
                    sender = others[i % len(others)]
                    hostile = from_contact(raw, sender, f"fuzz-{number}-{i}@fuzz.example")
                    demo.mailbox.add_raw_message(hostile, Folder.INBOX)
                when = f"{clock.now():%a, %d %b %Y %H:%M:%S +0000}"
                demo.mailbox.add_raw_message(
                    (
                        f"From: <{target}>\r\nTo: Sam Rivera <sam.rivera@demo.example>\r\n"
                        f"Subject: Re: A 15-minute call about your work?\r\nDate: {when}\r\n"
                        f"Message-ID: <genuine-{number}@fuzz.example>\r\n\r\n"
                        "Sure, happy to talk next week!\r\n"
                    ).encode(),
                    Folder.INBOX,
                )
                clock.advance(timedelta(minutes=10))
                before = demo.store.messages.count()
                run_once(demo.store, demo.mailbox, clock)
                stage = demo.store.pipeline.state(contact).stage
                stored = demo.store.messages.count() - before
                yield PassResult(len(batch), stored, stage is not Stage.REPLIED)
        finally:
            demo.store.close()


def batches_of(first: int, count: int, size: int) -> Iterator[list[bytes]]:
    """``count`` batches of ``size`` mutated messages, from case ``first`` on."""
    for b in range(count):
        start = first + b * size
        yield [messages.case(n)[1] for n in range(start, start + size)]
