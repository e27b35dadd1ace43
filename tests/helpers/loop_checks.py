"""Checks shared by the provider loop tests (Gmail, Outlook): the same outcome, any mailbox."""

from __future__ import annotations

from desktop.domain.model import EventKind, Stage
from desktop.storage import Store
from desktop.sync import SyncResult


def assert_replies_count_and_the_out_of_office_does_not(
    store: Store, result: SyncResult, *, replied: tuple[int, ...], away: int, relevant: int
) -> None:
    """A reply in the thread and one in a new thread move their contacts to *replied*; an
    out-of-office leaves its contact *requested*, recorded as an auto-reply and nothing more."""
    for contact_id in replied:
        assert store.pipeline.state(contact_id).stage is Stage.REPLIED
    assert store.pipeline.state(away).stage is Stage.REQUESTED
    kinds = {e.kind for e in store.pipeline.history(away)}
    assert EventKind.AUTO_REPLY in kinds and EventKind.GENUINE_REPLY not in kinds
    assert result.relevant == relevant
