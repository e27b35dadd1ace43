from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mail.intent import detect, referral
from mail.provider import Interval

CET = timezone(timedelta(hours=1))
SENT = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # Monday


def slot(day: int, hour: int, minute: int = 0) -> Interval:
    start = datetime(2026, 3, day, hour, minute, tzinfo=CET)
    return Interval(start, start + timedelta(minutes=15))


SLOTS = (slot(12, 14), slot(13, 10), slot(17, 16, 30))  # Thu 14:00, Fri 10:00, Tue 16:30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday at 2pm works for me.", 0),
        ("Friday 10:00 is fine.", 1),
        ("Let's do the 17th at 4:30 pm.", 2),
        ("The second option, please - talk then.", 1),
        ("Option 3 works.", 2),
        ("The last one is perfect.", 2),
        ("Freitag um 10 Uhr passt mir.", 1),
        ("Jeudi à 14h me convient.", 0),
        ("El martes a las 16:30 me va bien.", 2),
        ("La prima opzione va bene.", 0),
        ("Vrijdag om 10:00 past prima.", 1),
        ("A segunda opção funciona.", 1),
        ("Czwartek o 14:00 mi pasuje.", 0),
        ("I can't do Thursday. Friday at 10:00 works though.", 1),
    ],
)
def test_accepts_a_slot(text: str, expected: int) -> None:
    got = detect(text, slots=SLOTS, sent=SENT)
    assert (got.kind, got.slot) == ("accept", expected), got.evidence


def test_two_slots_on_the_same_day_need_the_time() -> None:
    slots = (slot(12, 9), slot(12, 15))
    assert detect("Thursday works!", slots=slots, sent=SENT).kind != "accept"
    got = detect("Thursday at 3pm works!", slots=slots, sent=SENT)
    assert (got.kind, got.slot) == ("accept", 1)


def test_proposes_other_times() -> None:
    got = detect(
        "Those don't work for me. Could we do Wednesday 18 March at 11:00 or Thursday 19 March "
        "at 15:30 instead?",
        slots=SLOTS,
        sent=SENT,
    )
    assert got.kind == "propose"
    assert got.proposed == ("Wednesday 18 March at 11:00", "Thursday 19 March at 15:30")


def test_without_slots_a_named_time_is_a_proposal() -> None:
    assert detect("How about Friday at 3pm?", sent=SENT).kind == "propose"


@pytest.mark.parametrize(
    "text",
    [
        "Unfortunately I won't be able to make time for this.",
        "Leider habe ich keine Zeit.",
        "Malheureusement, je n'ai pas le temps.",
        "Lamentablemente no tengo tiempo.",
        "Purtroppo non ho tempo.",
        "Helaas heb ik geen tijd.",
        "Infelizmente não tenho disponibilidade.",
        "Niestety nie mam czasu.",
    ],
)
def test_declines(text: str) -> None:
    assert detect(text, slots=SLOTS, sent=SENT).kind == "decline"


def test_questions_and_unknown() -> None:
    assert detect("What would you like to know?", slots=SLOTS, sent=SENT).kind == "question"
    assert detect("Sure!", slots=SLOTS, sent=SENT).kind == "unknown"
    assert detect("", slots=SLOTS, sent=SENT).kind == "unknown"


def test_refers_with_name_and_address() -> None:
    got = detect(
        "I'm not the right person, but my colleague Erin Park (erin.park@northwind.example) is.",
        slots=SLOTS,
        sent=SENT,
        sender="daniel@northwind.example",
    )
    assert (got.kind, got.referral_name, got.referral_address) == (
        "refer", "Erin Park", "erin.park@northwind.example",
    )  # fmt: skip


def test_referral_found_in_cc_and_never_the_user_or_a_role_address() -> None:
    assert referral("I've cc'd my colleague Sofia Marin.", cc=("sofia.marin@cedar.example",)) == (
        "Sofia Marin",
        "sofia.marin@cedar.example",
    )
    assert referral("Write to me at sam@demo.example", own=("sam@demo.example",)) == ("", "")
    assert referral("For anything else: info@acme.example") == ("", "")
    assert referral("meine Kollegin Petra Lang <petra.lang@x.example>") == (
        "Petra Lang", "petra.lang@x.example",
    )  # fmt: skip


def test_accept_with_a_referral_keeps_both() -> None:
    got = detect(
        "Friday at 10:00 works. Also talk to Jane Roe (jane.roe@acme.example)!",
        slots=SLOTS,
        sent=SENT,
    )
    assert (got.kind, got.slot, got.referral_address) == ("accept", 1, "jane.roe@acme.example")


def test_a_rejected_option_is_not_an_acceptance() -> None:
    result = detect("Option 2 is not great, sorry.", slots=SLOTS, sent=SENT)
    assert result.slot is None
