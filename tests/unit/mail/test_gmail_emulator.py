"""The Gmail emulator is strict where the client relies on it: the search operators the client
uses (and nothing else passes silently), the batch endpoints Google serves, and quota prices
taken from the client's own table - checked through the real client."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mail.gmail import GmailProvider, ratelimit
from mail.provider import Account, AccountKind
from tests.helpers.gmail_emulator import (
    UNITS,
    GmailEmulator,
    SimClock,
    endpoints_for,
    grant_for,
    mail,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = "me@example.test"


@pytest.fixture
def box(gmail: GmailEmulator) -> GmailEmulator:
    gmail.wall = lambda: T0
    gmail.deliver(mail("ada@a.test", ME, "One", "x", message_id="<1@a>", when=T0))
    gmail.wall = lambda: T0 + timedelta(days=3)
    gmail.deliver(mail("bob@b.test", ME, "Two", "x", message_id="<2@b>", when=T0))
    gmail.deliver(mail(ME, "cleo@c.test", "Three", "x", message_id="<3@c>", when=T0),
                  labels=("SENT",))  # fmt: skip
    gmail.wall = lambda: T0 + timedelta(days=10)
    return gmail


def _subjects(emu: GmailEmulator, q: str) -> set[str]:
    return {m.subject for m in emu.messages.values() if emu._matches(m, q)}


def test_search_operators_the_client_uses(box: GmailEmulator) -> None:
    day2 = int((T0 + timedelta(days=2)).timestamp())
    assert _subjects(box, f"after:{day2}") == {"Two", "Three"}
    assert _subjects(box, f"before:{day2}") == {"One"}
    assert _subjects(box, "newer_than:8d") == {"Two", "Three"}
    assert _subjects(box, "from:ada@a.test OR to:cleo@c.test") == {"One", "Three"}
    assert _subjects(box, "{from:ada@a.test from:bob@b.test}") == {"One", "Two"}
    assert _subjects(box, f"in:sent after:{day2}") == {"Three"}
    assert _subjects(box, f"-in:sent after:{day2}") == {"Two"}
    with pytest.raises(ValueError):
        _subjects(box, "has:attachment")  # never answered as if it matched everything


@pytest.fixture
def provider(gmail: GmailEmulator, sim: SimClock) -> Iterator[GmailProvider]:
    grant = grant_for(gmail)
    p = GmailProvider(
        Account(1, AccountKind.GMAIL, ME), lambda: grant, endpoints=endpoints_for(gmail),
        clock=sim.now, sleep=sim.sleep, now=lambda: T0,
    )  # fmt: skip
    yield p
    p.close()


def test_unknown_batch_paths_are_refused(gmail: GmailEmulator) -> None:
    request = urllib.request.Request(
        gmail.url + "/batch/drive/v3", data=b"--x--", method="POST",
        headers={"Content-Type": "multipart/mixed; boundary=x"},
    )  # fmt: skip
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(request, timeout=10)
    assert raised.value.code == 404
    raised.value.close()


def test_the_emulator_charges_the_clients_prices(
    gmail: GmailEmulator, provider: GmailProvider
) -> None:
    assert {k.removeprefix("gmail.users."): v for k, v in UNITS.items()} == {
        k: v for k, v in ratelimit.UNITS.items() if k != "calendar"
    }
    for n in range(30):
        gmail.deliver(mail(f"x{n}@a.test", ME, "Hi", "x", message_id=f"<x{n}@a>", when=T0))
    cursor = provider.fetch_changes(None).cursor
    for n in range(30):
        gmail.deliver(mail(f"y{n}@a.test", ME, "Hi", "x", message_id=f"<y{n}@a>", when=T0))
    gmail.reset_counters()
    provider.limiter.granted.clear()
    provider.fetch_changes(cursor)
    charged_by_client = sum(units for _, units in provider.limiter.granted)
    assert charged_by_client == gmail.total_units > 0
