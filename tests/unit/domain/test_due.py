"""Due-action rules with an injected clock: time is moved, never waited for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from desktop.domain.due import ActionKind, ReminderSettings, due_actions, sort_actions
from desktop.domain.model import ContactState, Stage

S = ReminderSettings(timezone="UTC")
MON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def kinds(state: ContactState, now: datetime, settings: ReminderSettings = S) -> list[ActionKind]:
    return [a.kind for a in due_actions(1, state, now, settings)]


def requested(at: datetime = MON, **kw: object) -> ContactState:
    return ContactState(stage=Stage.REQUESTED, requested_at=at, last_nudge_at=at, **kw)  # type: ignore[arg-type]


def test_follow_up_due_after_exactly_five_business_days() -> None:
    state = requested()
    due = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # next Monday, weekend skipped
    assert kinds(state, due - timedelta(seconds=1)) == []
    assert kinds(state, due) == [ActionKind.FOLLOW_UP]


def test_holidays_push_the_follow_up() -> None:
    settings = ReminderSettings(timezone="UTC", holidays=frozenset({date(2026, 3, 4)}))
    assert kinds(requested(), datetime(2026, 3, 9, 9, 0, tzinfo=UTC), settings) == []
    assert kinds(requested(), datetime(2026, 3, 10, 9, 0, tzinfo=UTC), settings) == [
        ActionKind.FOLLOW_UP
    ]


def test_away_until_pushes_follow_up_to_first_business_day_after() -> None:
    state = requested(away_until=date(2026, 3, 13))  # away until Friday the 13th
    assert kinds(state, datetime(2026, 3, 13, 12, 0, tzinfo=UTC)) == []
    assert kinds(state, datetime(2026, 3, 16, 0, 0, tzinfo=UTC)) == [ActionKind.FOLLOW_UP]


def test_no_third_follow_up_but_close_the_loop() -> None:
    state = requested(followups_sent=2)
    assert kinds(state, MON + timedelta(days=30)) == [ActionKind.CLOSE_THE_LOOP]


def test_needs_answer_after_one_day() -> None:
    state = ContactState(stage=Stage.REPLIED, replied_at=MON)
    assert kinds(state, MON + timedelta(hours=1)) == [ActionKind.REPLY_RECEIVED]
    assert kinds(state, MON + timedelta(days=1)) == [ActionKind.NEEDS_ANSWER]
    answered = ContactState(stage=Stage.REPLIED, replied_at=MON, answered_at=MON + timedelta(1))
    assert kinds(answered, MON + timedelta(days=3)) == []


def test_prepare_within_24_hours_of_the_meeting() -> None:
    start = MON + timedelta(days=3)
    state = ContactState(
        stage=Stage.SCHEDULED, meeting_start=start, meeting_end=start + timedelta(minutes=15)
    )
    assert kinds(state, start - timedelta(hours=25)) == []
    assert kinds(state, start - timedelta(hours=23)) == [ActionKind.PREPARE]
    assert kinds(state, start + timedelta(minutes=1)) == []


def test_thank_you_missing_24_hours_after_the_meeting_and_cleared_by_thanks() -> None:
    end = MON + timedelta(minutes=15)
    met = ContactState(stage=Stage.MET, meeting_start=MON, meeting_end=end)
    assert kinds(met, end + timedelta(hours=23)) == []
    assert kinds(met, end + timedelta(hours=24)) == [ActionKind.THANK_YOU_MISSING]
    thanked = ContactState(
        stage=Stage.THANKED,
        meeting_end=end,
        thanked_at=end + timedelta(hours=30),
        last_exchange_at=end + timedelta(hours=30),
    )
    assert kinds(thanked, end + timedelta(hours=48)) == []


def test_check_in_at_90_days() -> None:
    last = MON
    state = ContactState(stage=Stage.THANKED, thanked_at=last, last_exchange_at=last)
    assert kinds(state, last + timedelta(days=89)) == []
    assert kinds(state, last + timedelta(days=90)) == [ActionKind.CHECK_IN]


def test_update_referrer_only_for_referred_contacts() -> None:
    end = MON + timedelta(minutes=15)
    state = ContactState(stage=Stage.MET, meeting_end=end, thanked_at=end)
    assert [a.kind for a in due_actions(1, state, end, S, has_referrer=True)] == [
        ActionKind.UPDATE_REFERRER
    ]
    assert due_actions(1, state, end, S, has_referrer=False) == []


def test_sorting_puts_the_most_urgent_first() -> None:
    follow = due_actions(1, requested(), MON + timedelta(days=10), S)
    replied = ContactState(stage=Stage.REPLIED, replied_at=MON)
    answer = due_actions(2, replied, MON + timedelta(2), S)
    ordered = sort_actions([*follow, *answer])
    assert [a.kind for a in ordered] == [ActionKind.NEEDS_ANSWER, ActionKind.FOLLOW_UP]


def test_rules_use_the_users_time_zone_for_business_days() -> None:
    # Friday 23:30 in Los Angeles is Saturday in UTC: counted from Friday locally. US clocks
    # move forward on Sunday 8 March, so Friday 13 Mar 23:30 local is 06:30 UTC, not 07:30.
    sent = datetime(2026, 3, 7, 7, 30, tzinfo=UTC)  # = Fri 6 Mar 23:30 PST
    la = ReminderSettings(timezone="America/Los_Angeles")
    state = requested(at=sent)
    assert kinds(state, datetime(2026, 3, 14, 6, 29, tzinfo=UTC), la) == []
    assert kinds(state, datetime(2026, 3, 14, 6, 30, tzinfo=UTC), la) == [ActionKind.FOLLOW_UP]


def test_follow_up_counts_the_users_working_days() -> None:
    sun_thu = ReminderSettings(timezone="UTC", workdays=frozenset({6, 0, 1, 2, 3}))
    state = requested()  # Monday 2 March 09:00
    # Mon -> Tue(1) Wed(2) Thu(3) Sun(4) Mon(5): Friday and Saturday are skipped
    due = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert kinds(state, due - timedelta(seconds=1), sun_thu) == []
    assert kinds(state, due, sun_thu) == [ActionKind.FOLLOW_UP]
    three_days = ReminderSettings(timezone="UTC", workdays=frozenset({0, 1, 2}))
    # Mon -> Tue(1) Wed(2) Mon(3) Tue(4) Wed(5)
    due = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert kinds(state, due - timedelta(seconds=1), three_days) == []
    assert kinds(state, due, three_days) == [ActionKind.FOLLOW_UP]
    # an out-of-office until a Thursday pushes to the next working day: Monday, in a Mon-Wed week
    away = requested(away_until=date(2026, 3, 12))
    assert kinds(away, datetime(2026, 3, 13, 12, 0, tzinfo=UTC), three_days) == []
    assert kinds(away, datetime(2026, 3, 16, 0, 0, tzinfo=UTC), three_days) == [
        ActionKind.FOLLOW_UP
    ]


def test_the_settings_hand_their_working_days_to_the_rules() -> None:
    from desktop.settings import Settings

    assert Settings(work_days=(0, 1, 2, 3)).reminders().workdays == frozenset({0, 1, 2, 3})
    assert Settings().reminders().workdays == frozenset(range(5))
    from desktop.compose import user_party

    party = user_party(Settings(work_days=(6, 0, 1, 2, 3)))
    assert party.hours.weekdays == frozenset({6, 0, 1, 2, 3})


def test_an_accepted_time_the_sync_scheduled_still_waits_for_the_users_answer() -> None:
    meeting = MON + timedelta(days=3)
    state = ContactState(
        stage=Stage.SCHEDULED,
        replied_at=MON,
        meeting_start=meeting,
        meeting_end=meeting + timedelta(minutes=15),
    )
    assert kinds(state, MON + timedelta(hours=1)) == [ActionKind.REPLY_RECEIVED]
    assert kinds(state, MON + timedelta(days=1)) == [ActionKind.NEEDS_ANSWER]
    answered = ContactState(
        stage=Stage.SCHEDULED,
        replied_at=MON,
        answered_at=MON + timedelta(hours=2),
        meeting_start=meeting,
        meeting_end=meeting + timedelta(minutes=15),
    )
    assert kinds(answered, MON + timedelta(days=1)) == []


def test_a_replys_line_names_who_what_they_said_and_what_answers_it() -> None:
    from desktop.domain.due import REPLY_LINES, excerpt, reply_line
    from mail import intent as intents

    assert set(REPLY_LINES) == set(intents.KINDS)  # every intent the reader knows has a line
    assert reply_line("Maya", "accept", when="Thu 14:00") == (
        "Maya accepted Thu 14:00 — confirm and invite"
    )
    assert reply_line("Daniel", "refer", referral="Erin Park").startswith(
        "Daniel declined and referred Erin Park — thank them"
    )
    assert reply_line("Daniel", "refer") == "Daniel declined and referred someone — thank them"
    assert reply_line("Ann", "accept") == "Ann accepted a time — confirm and invite"
    assert reply_line("Ann", "something new") == "Ann replied — read it and answer"
    assert "They replied" not in reply_line("Tomás", "propose", when=" (2)")
    assert excerpt("Thursday  at 2\nworks great!") == "Thursday at 2 works great!"
    long = excerpt("word " * 60, limit=30)
    assert long.endswith("…") and len(long) <= 31 and "  " not in long
