"""Reserved slots: a time offered to one contact is held from every other contact while the
offer is pending, until released or expired. Instants are compared, never wall clocks, so the
property holds across time zones and the 2026 daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.slots import (
    Offer,
    Party,
    Slot,
    clashes,
    holds,
    propose_slots,
    reserved_for_others,
)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Europe/London",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "UTC",
)
#: Days before the 2026 clock changes (US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Sydney 5 Apr / 4 Oct).
ANCHORS = (
    datetime(2026, 3, 4, 8, tzinfo=UTC),
    datetime(2026, 3, 25, 8, tzinfo=UTC),
    datetime(2026, 4, 1, 8, tzinfo=UTC),
    datetime(2026, 10, 1, 8, tzinfo=UTC),
    datetime(2026, 10, 21, 8, tzinfo=UTC),
    datetime(2026, 10, 28, 8, tzinfo=UTC),
)
EXPIRY_DAYS = 14


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, list[tuple[int, str, int, bool]]]:
    """The user's zone, and requests in time order: (contact, contact zone, minutes after the
    previous request, whether that contact then declines, releasing their times)."""
    user_zone = draw(st.sampled_from(ZONES))
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(1, 6),
                st.sampled_from(ZONES),
                st.integers(0, 3 * 1440),
                st.booleans(),
            ),
            min_size=2,
            max_size=7,
        )
    )
    return user_zone, steps


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ANCHORS), histories())
def test_no_slot_is_offered_to_two_contacts_while_pending(
    start: datetime, history: tuple[str, list[tuple[int, str, int, bool]]]
) -> None:
    user_zone, steps = history
    user = Party(user_zone)
    offers: list[Offer] = []
    now = start
    for contact_id, zone, minutes, declines in steps:
        now += timedelta(minutes=minutes)
        held = reserved_for_others(offers, contact_id, now, EXPIRY_DAYS)
        slots = propose_slots(now, user, Party(zone), (), held)
        for slot in slots:
            # The property: no time still held for someone else is offered again ...
            others = [
                o for o in offers if o.contact_id != contact_id and holds(o, now, EXPIRY_DAYS)
            ]
            assert not clashes(slot, [Slot(o.start, o.end) for o in others])
            # ... however the two zones write it on their clocks.
            local = slot.start.astimezone(ZoneInfo(zone))
            assert local.astimezone(UTC) == slot.start
        # A new request to the same contact replaces their earlier offers.
        offers = [
            Offer(o.contact_id, o.start, o.end, o.offered_at, now)
            if o.contact_id == contact_id and o.released_at is None
            else o
            for o in offers
        ]
        offers += [Offer(contact_id, s.start, s.end, now) for s in slots]
        pending = [o for o in offers if holds(o, now, EXPIRY_DAYS)]
        for a in pending:
            for b in pending:
                if a.contact_id != b.contact_id:
                    assert not clashes(Slot(a.start, a.end), [Slot(b.start, b.end)])
        if declines:
            offers = [
                Offer(o.contact_id, o.start, o.end, o.offered_at, now)
                if o.contact_id == contact_id and o.released_at is None
                else o
                for o in offers
            ]


def test_the_same_instant_in_another_zone_is_held() -> None:
    """Maya accepted 10:00 New York; 16:00 Berlin is the same instant and is not offered."""
    ny = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    offer = Offer(1, ny, ny + timedelta(minutes=15), datetime(2026, 3, 10, tzinfo=UTC))
    berlin = datetime(2026, 3, 16, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # EU still on CET
    now = datetime(2026, 3, 11, tzinfo=UTC)
    held = reserved_for_others([offer], 2, now)
    assert clashes(Slot(berlin, berlin + timedelta(minutes=15)), held)
    # The same wall time in Berlin (10:00) is another instant: free.
    wall = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert not clashes(Slot(wall, wall + timedelta(minutes=15)), held)
    # Their own times are never held from them.
    assert reserved_for_others([offer], 1, now) == []


def test_an_offer_is_released_by_a_decline_or_a_choice_and_expires() -> None:
    at = datetime(2026, 5, 4, 9, tzinfo=UTC)
    start = at + timedelta(days=20)
    offer = Offer(1, start, start + timedelta(minutes=15), at)
    assert holds(offer, at + timedelta(days=13), 14)
    assert not holds(offer, at + timedelta(days=14), 14)  # expired after the setting's days
    released = Offer(1, offer.start, offer.end, at, at + timedelta(days=1))
    assert holds(released, at + timedelta(hours=1), 14)
    assert not holds(released, at + timedelta(days=1), 14)
    assert not holds(
        offer, start + timedelta(minutes=15), 0
    )  # a time that has passed holds nothing
