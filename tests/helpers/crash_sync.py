"""Run in a child process by the crash tests: syncs a demo profile and dies at a chosen point
with os._exit (no clean-up, no rollback by Python: exactly what a kill -9 leaves behind)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop import outbox
from desktop.storage import Store
from desktop.sync import run_once
from mail.provider import DraftRef, OutgoingMessage, SentRef
from tests.helpers.demo_profile import open_demo


def main() -> None:
    root, mode, point = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    demo, clock, paths = open_demo(root)
    store = Store.open(paths.profile)
    if mode == "sync":

        def die_at(n: int) -> None:
            if n == point:
                os._exit(9)

        run_once(store, demo.mailbox, clock, on_message=die_at)
    elif mode == "send":
        real_send = demo.mailbox.send_draft

        def send_then_die(draft: DraftRef) -> SentRef:
            real_send(draft)  # the provider has sent it...
            os._exit(9)  # ...and we die before recording that

        demo.mailbox.send_draft = send_then_die  # type: ignore[method-assign]
        outbox.send(
            store,
            demo.mailbox,
            OutgoingMessage(
                to=("lena.svensson@fjord.example",),
                subject="Hello",
                text="A short request.",
                outbox_key=sys.argv[4],
            ),
            contact_id=None,
            purpose="request",
            now=clock.now(),
        )
    raise SystemExit(3)  # the kill point was never reached


if __name__ == "__main__":
    main()
