"""The history pass over a local mailbox (the demo provider, filled by the history generator):
stages from the past, cancel and resume, a crash mid-batch, live sync alongside, no duplicate
events, a summary instead of notifications; and the first commands on a new profile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.actions import all_due
from desktop.cli.registry import main
from desktop.domain.clock import ManualClock
from desktop.domain.due import ActionKind
from desktop.domain.model import Contact, EventKind
from desktop.history import (
    AddressError,
    Progress,
    add_address,
    offered_addresses,
    run_pass,
    summary_lines,
    window_start,
)
from desktop.settings import Settings
from desktop.storage import Store
from desktop.sync import pass_time_only, run_once
from mail.demo.mailbox import DemoMailbox
from mail.provider import Account, AccountKind, Folder, MailMessage, MessageRef
from tests.helpers.history_mailbox import ME, Person, all_mail, check_history, generate

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class Crashing:
    """The mailbox, failing after ``limit`` full fetches (a crash mid-batch)."""

    def __init__(self, box: DemoMailbox, limit: int) -> None:
        self.box = box
        self.account = box.account
        self.limit = limit

    def __getattr__(self, name: str) -> object:
        return getattr(self.box, name)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        if full:
            self.limit -= 1
            if self.limit < 0:
                raise RuntimeError("killed")
        return self.box.fetch_message(ref, full=full)


@pytest.fixture
def people() -> list[Person]:
    return generate(56, NOW)


@pytest.fixture
def setup(tmp_path: Path, people: list[Person]) -> Iterator[tuple[Store, DemoMailbox]]:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    box = DemoMailbox(tmp_path / "box", Account(account.id, AccountKind.IMAP, ME), ManualClock(NOW))
    for mail in all_mail(people):
        box.add_raw_message(mail.raw, Folder.SENT if mail.folder == "sent" else Folder.INBOX)
    for p in people:
        store.contacts.add(Contact(None, p.name, (p.address,)))
    yield store, box
    store.close()


def _keys(store: Store) -> list[str]:
    rows = store.database.connection.execute("SELECT contact_id, key FROM events").fetchall()
    return sorted(f"{c}:{k}" for c, k in rows)


def test_the_pass_puts_each_contact_in_the_stage_of_their_past(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    seen: list[Progress] = []
    run = run_pass(store, box, ManualClock(NOW), batch=10, on_progress=seen.append)
    check_history(store, people, NOW)
    assert run.state == "done" and (run.contacts_done, run.contacts_total) == (56, 56)
    assert [p.contacts_done for p in seen] == [10, 20, 30, 40, 50, 56]
    assert seen[-1].messages_read == run.messages_read > 0
    lines = summary_lines([run])
    assert lines[0] == f"Read the past of 56 contacts: {run.messages_read} messages"
    assert any("replies" in line for line in lines) and any("bounces" in line for line in lines)
    assert any("address not on the contact" in line for line in lines)
    for stage in ("requested", "replied", "scheduled", "bounced"):
        n = sum(p.expected.value == stage for p in people)
        assert f"{n} contacts now {stage}" in lines
    # A second run reads nothing and records nothing.
    events = _keys(store)
    again = run_pass(store, box, ManualClock(NOW), batch=10)
    assert again.messages_read == run.messages_read and _keys(store) == events


def test_a_cancelled_pass_resumes_where_it_stopped_with_no_duplicate(
    setup: tuple[Store, DemoMailbox], people: list[Person], tmp_path: Path
) -> None:
    store, box = setup
    asked = iter([False, False, True])
    run = run_pass(store, box, ManualClock(NOW), batch=10, cancelled=lambda: next(asked, True))
    assert (run.state, run.contacts_done) == ("cancelled", 20)
    # Live sync meanwhile: its baseline (the mail already there is the pass's), then a new
    # reply from someone whose past was read.
    clock = ManualClock(NOW)
    store.accounts.set_cursor(box.account.id, box.fetch_changes(None).cursor, NOW)
    first = people[3]  # reply_in_thread, in the first batch
    assert first.scenario == "reply_in_thread"
    later = NOW + timedelta(hours=1)
    raw = (
        first.mail[-1]
        .raw.replace(b"<reply-3@", b"<reply-3b@")
        .replace(b"Happy to chat", b"Also: Thursday?")
    )
    box.add_raw_message(raw, Folder.INBOX)
    run_once(store, box, clock)
    resumed = run_pass(store, box, ManualClock(later), batch=10)
    assert (resumed.state, resumed.contacts_done, resumed.contacts_total) == ("done", 56, 56)
    assert resumed.since == window_start(NOW, 12)  # the window did not slide
    check_history(store, people, NOW)
    keys = _keys(store)
    assert len(keys) == len(set(keys))


def test_a_crash_mid_batch_commits_nothing_of_it_and_the_next_run_goes_on(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    with pytest.raises(RuntimeError, match="killed"):
        run_pass(store, Crashing(box, 25), ManualClock(NOW), batch=10)  # type: ignore[arg-type]
    crashed = store.past.run(box.account.id)
    assert crashed is not None and crashed.state == "running"
    assert crashed.contacts_done % 10 == 0 and crashed.contacts_done < 56
    done = run_pass(store, box, ManualClock(NOW), batch=10)
    assert (done.state, done.contacts_done) == ("done", 56)
    check_history(store, people, NOW)


def test_a_contact_added_later_has_their_past_read_by_the_next_pass(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    late = people[3]
    store.contacts.delete(store.contacts.address_index()[late.address])
    run_pass(store, box, ManualClock(NOW))
    added = store.contacts.add(Contact(None, late.name, (late.address,)))
    assert added.id is not None
    run = run_pass(store, box, ManualClock(NOW))
    assert (run.contacts_done, run.contacts_total) == (1, 1)
    assert store.pipeline.state(added.id).stage is late.expected


def test_cli_history_cancel_is_seen_by_the_running_pass(
    setup: tuple[Store, DemoMailbox],
) -> None:
    store, box = setup
    calls = iter(range(100))

    def cancel_from_elsewhere() -> bool:
        if next(calls) == 1:
            assert store.past.request_cancel() == 1  # what `coffeechat history --cancel` does
        return False

    run = run_pass(store, box, ManualClock(NOW), batch=10, cancelled=cancel_from_elsewhere)
    assert (run.state, run.contacts_done) == ("cancelled", 10)


def test_window_start_counts_calendar_months() -> None:
    assert window_start(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert window_start(NOW, 12) == datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "command",
    [["status"], ["history", "--status"], ["sync"], ["draft", "Ada", "--template", "intro"]],
)
def test_first_commands_on_a_new_profile_say_in_one_line_how_to_start(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "new"
    assert main([*command, "--profile", str(profile)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "coffeechat import CONTACTS.csv" in err and "account add" in err
    assert not profile.exists()


def test_history_status_on_a_profile_without_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "p"
    Store.open(profile).close()
    assert main(["history", "--status", "--profile", str(profile)]) == 0
    assert "No history pass yet" in capsys.readouterr().out
    assert main(["history", "--profile", str(profile)]) == 0
    assert "No account is connected" in capsys.readouterr().out


@pytest.mark.parametrize("same_pass", [False, True], ids=["later-pass", "same-pass"])
def test_live_sync_counts_a_reply_in_our_thread_from_another_address_and_offers_it(
    tmp_path: Path, same_pass: bool
) -> None:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    box = DemoMailbox(tmp_path / "box", Account(account.id, AccountKind.IMAP, ME), ManualClock(NOW))
    person = next(p for p in generate(14, NOW) if p.scenario == "reply_other_address")
    contact = store.contacts.add(Contact(None, person.name, (person.address,)))
    assert contact.id is not None
    clock = ManualClock(NOW)
    store.accounts.set_cursor(account.id, box.fetch_changes(None).cursor, NOW)  # the baseline
    request, reply = person.mail
    box.add_raw_message(request.raw, Folder.SENT)
    if not same_pass:
        run_once(store, box, clock)
    box.add_raw_message(reply.raw, Folder.INBOX)
    result = run_once(store, box, clock)
    assert store.pipeline.state(contact.id).stage.value == "replied"
    offered = [n for n in result.notices if n.kind == "new_address"]
    assert [n.text for n in offered] == [
        f"{person.name} replied from {person.other}: add it to their addresses?"
    ]
    store.close()


def test_a_pass_read_a_few_batches_at_a_time_ends_as_one_pass(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    states = []
    while True:
        run = run_pass(store, box, ManualClock(NOW), batch=10, batches=2)
        states.append((run.state, run.contacts_done))
        if run.state == "done":
            break
    assert states == [("running", 20), ("running", 40), ("done", 56)]
    check_history(store, people, NOW)


def test_a_contact_deleted_between_two_batches_is_left_out(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    first = run_pass(store, box, ManualClock(NOW), batch=10, batches=1)
    assert first.contacts_done == 10
    gone = store.contacts.address_index()[people[15].address]
    store.contacts.delete(gone)
    done = run_pass(store, box, ManualClock(NOW), batch=10)
    assert done.state == "done" and done.contacts_done == 55


def test_meetings_the_pass_finds_long_over_become_met_with_no_thank_you_and_nothing_to_notify(
    setup: tuple[Store, DemoMailbox], people: list[Person]
) -> None:
    store, box = setup
    run = run_pass(store, box, ManualClock(NOW), batch=10)
    check_history(store, people, NOW)  # met long ago: no thank-you due; met this week: due
    assert run.summary.get("now_met") == sum(p.scenario.startswith("met_") for p in people) > 0
    long_ago_n = sum(p.scenario == "met_long_ago" for p in people)
    assert f"{long_ago_n} meetings over more than a week ago: no thank-you asked" in summary_lines(
        [run]
    )
    # The pass moved them itself: the next live round has no "met" to announce.
    assert pass_time_only(store, ManualClock(NOW)) == []
    index = store.contacts.address_index()
    long_ago = [index[p.address] for p in people if p.scenario == "met_long_ago"]
    for contact_id in long_ago:
        kinds = [h.kind for h in store.pipeline.history(contact_id)]
        assert kinds.count(EventKind.PAST_MEETING) == 1
    due = all_due(store.contacts.all(), NOW, Settings().reminders())
    thanks = {a.contact_id for a in due if a.kind is ActionKind.THANK_YOU_MISSING}
    assert thanks and not thanks & set(long_ago)
    # Run again (and a week later, for contacts added meanwhile): still one waiver each.
    run_pass(store, box, ManualClock(NOW + timedelta(days=7)), batch=10)
    for contact_id in long_ago:
        kinds = [h.kind for h in store.pipeline.history(contact_id)]
        assert kinds.count(EventKind.PAST_MEETING) == 1


def _replied_from_other_address(tmp_path: Path) -> tuple[Store, Person, int]:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.IMAP, ME, "Sam Rivera")
    box = DemoMailbox(tmp_path / "box", Account(account.id, AccountKind.IMAP, ME), ManualClock(NOW))
    person = next(p for p in generate(14, NOW) if p.scenario == "reply_other_address")
    contact = store.contacts.add(Contact(None, person.name, (person.address,)))
    assert contact.id is not None
    for mail in person.mail:
        box.add_raw_message(mail.raw, Folder.SENT if mail.folder == "sent" else Folder.INBOX)
    run_pass(store, box, ManualClock(NOW))
    return store, person, contact.id


def test_the_address_a_contact_replied_from_is_offered_and_added_once(tmp_path: Path) -> None:
    store, person, contact_id = _replied_from_other_address(tmp_path)
    assert offered_addresses(store, contact_id) == [person.other]
    assert add_address(store, contact_id, person.other.upper()) is True
    assert store.contacts.get(contact_id).contact.emails == (person.address, person.other)
    assert offered_addresses(store, contact_id) == []
    assert add_address(store, contact_id, person.other) is False  # theirs already
    store.close()


def test_adding_a_bad_or_taken_address_says_why_and_changes_nothing(tmp_path: Path) -> None:
    store, person, contact_id = _replied_from_other_address(tmp_path)
    other = store.contacts.add(Contact(None, "Ola Berg", ("ola@corp.example",)))
    with pytest.raises(AddressError, match="not an e-mail address"):
        add_address(store, contact_id, "not an address")
    with pytest.raises(AddressError, match="already Ola Berg's address"):
        add_address(store, contact_id, "ola@corp.example")
    assert store.contacts.get(contact_id).contact.emails == (person.address,)
    assert (
        other.id is not None
        and store.contacts.get(other.id).contact.emails[0] == "ola@corp.example"
    )
    store.close()


def test_cli_contact_add_address_lists_then_adds_the_offered_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, person, contact_id = _replied_from_other_address(tmp_path)
    store.close()
    profile = str(tmp_path / "profile")
    assert main(["contact", "add-address", person.address, "--profile", profile]) == 0
    out = capsys.readouterr().out
    assert f"replied from {person.other}: coffeechat contact add-address {contact_id}" in out
    assert main(["contact", "add-address", person.name, "--all", "--profile", profile]) == 0
    assert f"Added {person.other} to {person.name}." in capsys.readouterr().out
    assert main(["contact", "add-address", str(contact_id), "x@", "--profile", profile]) == 1
    assert "'x@' is not an e-mail address: nothing was changed" in capsys.readouterr().err
    assert main(["contact", "add-address", "Nobody Here", "a@b.example", "--profile", profile]) == 1
    assert "there is no contact 'Nobody Here'" in capsys.readouterr().err
    again = Store.open(tmp_path / "profile")
    assert again.contacts.get(contact_id).contact.emails == (person.address, person.other)
    again.close()
