"""The times a request written by hand proposes, and the zone it names (mail.dates); and the
history searches each provider builds (IMAP criteria, Gmail query, Graph KQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mail.dates import proposed_times, zone_named
from mail.gmail.history import query
from mail.imap.history import criteria, either
from mail.outlook.history import kql

SENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_dates_with_a_time_after_them_become_slots_in_the_named_zone() -> None:
    text = (
        "Would you have 45 minutes? I could do Tuesday 8 December at 15:00 or Wednesday "
        "9 December at 10am (CET). Thanks, Sam"
    )
    times, zone = proposed_times(text, SENT)
    assert zone == "Europe/Paris"
    assert times == [
        (datetime(2026, 12, 8, 14, 0, tzinfo=UTC), datetime(2026, 12, 8, 14, 45, tzinfo=UTC)),
        (datetime(2026, 12, 9, 9, 0, tzinfo=UTC), datetime(2026, 12, 9, 9, 45, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday at 2pm ET?", "America/New_York"),
        ("10:00 Europe/Berlin", "Europe/Berlin"),
        ("et puis jeudi à 14h", ""),  # French "et" is a word, not Eastern Time
        ("Thursday at 2pm", ""),
    ],
)
def test_zone_named(text: str, expected: str) -> None:
    assert zone_named(text) == expected


def test_no_time_no_slot_and_past_times_are_left_out() -> None:
    assert proposed_times("Could we talk on 8 December?", SENT)[0] == []
    assert proposed_times("It was great on 20 November at 15:00.", SENT)[0] == []


def test_imap_search_is_one_balanced_or_since_the_window() -> None:
    found = criteria(["b@x.example", "a@x.example"], SENT, ["<r1@mail.test>"])
    assert found[:2] == ["SINCE", SENT.date()]
    keys = found[2:]
    assert keys.count("OR") == 3 * 2 + 2 + 3 - 1  # keys - 1
    assert keys[keys.index("FROM") : keys.index("FROM") + 2] == ["FROM", "a@x.example"]
    assert "mailer-daemon" in keys and "<r1@mail.test>" in keys
    assert either([["FROM", "a"]]) == ["FROM", "a"]
    assert criteria([], SENT, []) == []


def test_gmail_query_and_graph_kql_name_every_address_and_the_window() -> None:
    q = query(["a@x.example", "b@x.example"], SENT)
    assert q == (
        "(from:(a@x.example OR b@x.example OR mailer-daemon OR postmaster) OR "
        "to:(a@x.example OR b@x.example) OR cc:(a@x.example OR b@x.example)) after:2026/11/30"
    )
    k = kql(["a@x.example"], SENT)
    assert k == (
        "(from:a@x.example OR to:a@x.example OR cc:a@x.example OR from:mailer-daemon OR "
        "from:postmaster) AND received>=2026-12-01"
    )
