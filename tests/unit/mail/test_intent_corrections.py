"""The reply card's side of intent: the user's correction, and proposals read as instants."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mail import intent as intents

SENT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday


def test_a_correction_keeps_what_was_found_and_says_whose_word_it_is() -> None:
    found = intents.detect(
        "Thursday 12 March at 11:00 would suit me better. My colleague Ana Ruiz "
        "(ana.ruiz@example.org) knows more.",
        sent=SENT,
    )
    assert found.kind == intents.PROPOSE
    fixed = intents.corrected(found, intents.REFER)
    assert fixed.kind == intents.REFER and fixed.evidence == "your correction"
    assert (fixed.referral_name, fixed.referral_address) == ("Ana Ruiz", "ana.ruiz@example.org")
    assert fixed.proposed == found.proposed
    accept = intents.corrected(found, intents.ACCEPT, 1)
    assert accept.slot == 1 and accept.evidence == "your correction: slot 2"
    assert intents.corrected(found, intents.PROPOSE) is found
    with pytest.raises(ValueError, match="not an intent"):
        intents.corrected(found, "maybe")


def test_proposals_become_instants_in_the_contacts_zone() -> None:
    zone = ZoneInfo("Europe/Berlin")
    starts = intents.proposed_starts(
        ("Thursday 12 March at 11:00", "Friday 13 March at 4:30 pm", "next week sometime"),
        sent=SENT,
        zone=zone,
    )
    assert starts == [
        datetime(2026, 3, 12, 11, 0, tzinfo=zone),
        datetime(2026, 3, 13, 16, 30, tzinfo=zone),
    ]
    assert starts[0].astimezone(UTC).hour == 10  # CET, one hour ahead of UTC


def test_a_wall_time_skipped_by_the_clock_change_is_left_to_the_user() -> None:
    # Europe's clocks jump from 02:00 to 03:00 on Sunday 29 March 2026.
    zone = ZoneInfo("Europe/Berlin")
    assert intents.proposed_starts(("Sunday 29 March at 02:30",), sent=SENT, zone=zone) == []
    after = intents.proposed_starts(("Monday 30 March at 10:00",), sent=SENT, zone=zone)
    assert after[0].astimezone(UTC).hour == 8  # CEST now: two hours ahead
