"""Outlook end to end: the real msal against a local HTTPS authority and the provider against the
local Graph emulator, the real Store and sync pass. Time is simulated: nothing here waits."""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import logging
import threading
import urllib.parse
import urllib.request
import webbrowser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from icalendar import Calendar

from desktop import logs, outbox
from desktop.cli import account as cli_account
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, EventKind, Stage
from desktop.domain.slots import Slot
from desktop.invites import accept_slot
from desktop.paths import resolve
from desktop.storage import Store
from desktop.sync import run_once
from mail.auth import AuthError
from mail.auth.microsoft import DeviceCode, MicrosoftAuth, SignInCancelled
from mail.auth.tokens import TokenStore
from mail.outlook import OutlookProvider
from mail.provider import (
    Account,
    AccountKind,
    Interval,
    MeetingInvite,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    ThrottledError,
)
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator, fake_browser
from tests.helpers.loop_checks import assert_replies_count_and_the_out_of_office_does_not
from tests.helpers.memory_keyring import MemoryKeyring

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = "me@outlook.test"


def _session(certificate: tuple[Path, Path]) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
    session.verify = str(certificate[0])
    return session


def _auth_options(emu: GraphEmulator, certificate: tuple[Path, Path]) -> dict[str, object]:
    return {
        "authority": emu.authority,
        "instance_discovery": False,
        "http_client": _session(certificate),
    }


def _sign_in(emu: GraphEmulator, certificate: tuple[Path, Path]) -> str:
    auth = MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **_auth_options(emu, certificate))
    shown: list[str] = []
    address = auth.sign_in_device(shown.append)
    assert "COFFEE42" in shown[0]
    return address


def _provider(
    emu: GraphEmulator,
    certificate: tuple[Path, Path],
    store: Store,
    account: Account,
    sim: SimClock,
    clock: ManualClock,
) -> OutlookProvider:
    return OutlookProvider.from_keyring(
        account,
        TokenStore(),
        auth_options=_auth_options(emu, certificate),
        base_url=emu.graph,
        session=_session(certificate),
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: store.contacts.address_index().keys(),
        clock=sim.now,
        sleep=sim.sleep,
        now=clock.now,
    )


def _stage(store: Store, contact_id: int) -> Stage:
    return store.pipeline.state(contact_id).stage


def _request(to: str, subject: str = "Coffee chat?") -> OutgoingMessage:
    return OutgoingMessage(
        to=(to,), subject=subject, text="Hello!\n\nSam\n", outbox_key=outbox.new_key()
    )


def test_whole_loop_from_sign_in_to_replies_and_no_token_on_disk(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    sim: SimClock,
    clock: ManualClock,
    memory_keyring: MemoryKeyring,
) -> None:
    # --- device-code sign-in with the real msal: the cache goes to the (test) keyring only ---
    address = _sign_in(emulator, certificate)
    assert address == ME
    entries = "".join(v for (_, k), v in memory_keyring.entries.items() if k.startswith("outlook:"))
    assert "rt-" in entries and all(len(v) <= 2560 for v in memory_keyring.entries.values())

    profile = tmp_path / "profile"
    store = Store.open(profile)
    logs.setup(resolve(profile).logs, level=logging.DEBUG)
    account = store.accounts.add(AccountKind.OUTLOOK, ME, "Sam Rivera")
    provider = _provider(emulator, certificate, store, account, sim, clock)
    ada = store.contacts.add(Contact(None, "Ada Byron", ("ada@contact.test",))).id
    bob = store.contacts.add(Contact(None, "Bob Ooo", ("bob@contact.test",))).id
    cleo = store.contacts.add(Contact(None, "Cleo New", ("cleo@contact.test",))).id
    assert ada is not None and bob is not None and cleo is not None
    first = run_once(store, provider, clock)
    assert first.seen == 0 and set(json.loads(first.cursor)) == {"inbox", "sent", "at"}

    # --- request saved as a draft: nothing moves ---------------------------------------------
    request = _request("ada@contact.test", "A 15-minute chat about your work?")
    draft = provider.create_draft(request)
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.TARGET

    # --- sent: the Sent Items delta makes Ada *requested* ------------------------------------
    sent = provider.send_draft(draft)
    assert sent.id == draft.id  # immutable ids: the draft's id is the sent copy's
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, ada) is Stage.REQUESTED
    requests_ = {}
    for contact_id, to in ((bob, "bob@contact.test"), (cleo, "cleo@contact.test")):
        requests_[contact_id] = outbox.send(
            store, provider, _request(to), contact_id=contact_id, purpose="request",
            now=clock.now(),
        )  # fmt: skip
    clock.advance(timedelta(minutes=1))
    run_once(store, provider, clock)
    assert _stage(store, bob) is Stage.REQUESTED and _stage(store, cleo) is Stage.REQUESTED

    # --- replies: in the conversation, an out-of-office, and one in a new conversation ------
    clock.advance(timedelta(hours=2))
    reply = emulator.deliver(
        "ada@contact.test", f"RE: {request.subject}",
        "Hi Sam,\n\nHappy to help. Thursday works for me.\n\nAda\n",
        when=clock.now(), message_id="<r1@contact.test>", in_reply_to=sent.message_id,
        name="Ada Byron",
    )  # fmt: skip
    assert reply.conversation_id == sent.thread_id
    emulator.deliver(
        "bob@contact.test", "Automatic reply: Coffee chat?",
        "I am out of the office until Monday 9 March with limited access to email.\n",
        when=clock.now(), message_id="<ooo@contact.test>",
        in_reply_to=requests_[bob].message_id, name="Bob Ooo",
        extra={"Auto-Submitted": "auto-replied", "X-MS-Exchange-Inbox-Rules-Loop": ME,
               "X-Auto-Response-Suppress": "All"},
    )  # fmt: skip
    emulator.deliver(
        "cleo@contact.test", "Coffee next week",
        "Hi Sam, sorry for the delay - yes, let's talk. Tuesday?\n\nCleo\n",
        when=clock.now(), message_id="<cleo-new@contact.test>", name="Cleo New",
    )  # fmt: skip
    clock.advance(timedelta(minutes=5))
    result = run_once(store, provider, clock)
    assert_replies_count_and_the_out_of_office_does_not(
        store, result, replied=(ada, cleo), away=bob, relevant=3
    )

    # --- a follow-up in Bob's conversation goes through createReply ---------------------------
    follow = OutgoingMessage(
        to=("bob@contact.test",), subject="Re: Coffee chat?", text="Hi Bob, welcome back!\n",
        outbox_key=outbox.new_key(), in_reply_to=requests_[bob].message_id,
        references=(requests_[bob].message_id,), thread_id=requests_[bob].thread_id,
    )  # fmt: skip
    followed = outbox.send(store, provider, follow, contact_id=bob, purpose="follow-up",
                           now=clock.now())  # fmt: skip
    assert followed.thread_id == requests_[bob].thread_id
    assert any("createReply" in path for _, path in emulator.requests)
    clock.advance(timedelta(minutes=5))
    run_once(store, provider, clock)
    assert EventKind.FOLLOWUP_SENT in {e.kind for e in store.pipeline.history(bob)}

    # --- calendar --------------------------------------------------------------------------
    emulator.busy = [(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))]
    blocks = provider.busy_blocks(T0, T0 + timedelta(days=7))
    assert blocks == [Interval(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))]
    invite = MeetingInvite("Coffee", T0 + timedelta(days=2), T0 + timedelta(days=2, minutes=30),
                           ("ada@contact.test",))  # fmt: skip
    assert provider.create_event(invite).id == emulator.events[0]["id"]

    # --- no token anywhere in the profile (database, WAL, logs) -----------------------------
    provider.close()
    store.close()
    logs.shutdown()
    secrets = [s for s in emulator.issued_secrets if s]
    assert any(s.startswith("at-") for s in secrets) and any(s.startswith("rt-") for s in secrets)
    files = [p for p in profile.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a token leaked into {path.name}"
    assert emulator.max_in_flight <= 4


Setup = tuple[Store, OutlookProvider, Account]


def _seed(emu: GraphEmulator, store: Store, provider: OutlookProvider, n: int) -> None:
    for i in range(n):
        to = f"contact{i:04d}@people.test"
        store.contacts.add(Contact(None, f"Contact {i}", (to,)))
        provider.send_draft(provider.create_draft(_request(to)))


@pytest.mark.parametrize("tracked", [3, 25])
def test_an_idle_pass_is_one_delta_request_per_folder(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, tracked: int
) -> None:
    store, provider, _ = opened
    run_once(store, provider, clock)
    _seed(emulator, store, provider, tracked)
    run_once(store, provider, clock)
    emulator.reset_counts()
    result = run_once(store, provider, clock)
    assert result.seen == 0
    assert emulator.count() == 2
    assert emulator.count("/mailFolders/inbox/messages/delta") == 1
    assert emulator.count("/mailFolders/sentitems/messages/delta") == 1


def test_an_expired_delta_link_starts_a_new_round_without_duplicate_events(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    ada = store.contacts.add(Contact(None, "Ada", ("ada@contact.test",))).id
    assert ada is not None
    run_once(store, provider, clock)
    sent = provider.send_draft(provider.create_draft(_request("ada@contact.test")))
    run_once(store, provider, clock)
    emulator.deliver("stranger@else.test", "Newsletter", "Hi\n", when=clock.now(),
                     message_id="<n1@else.test>")  # fmt: skip
    clock.advance(timedelta(hours=1))
    emulator.deliver("ada@contact.test", "RE: Coffee chat?", "Yes, happy to talk.\n\nAda\n",
                     when=clock.now(), message_id="<a1@contact.test>",
                     in_reply_to=sent.message_id)  # fmt: skip
    emulator.expire_delta_links()
    result = run_once(store, provider, clock)
    assert result.reset
    assert _stage(store, ada) is Stage.REPLIED
    history = store.pipeline.history(ada)
    # a second recovery round sees the same mail again: no new events
    emulator.expire_delta_links()
    again = run_once(store, provider, clock)
    assert again.reset and again.events == 0
    assert len(store.pipeline.history(ada)) == len(history)
    # the stranger's mail was never fetched in full
    assert not any("n1" in path for _, path in emulator.requests)


def test_429_pauses_every_request_until_retry_after(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, sim: SimClock
) -> None:
    store, provider, _ = opened
    run_once(store, provider, clock)
    emulator.fail_next(429, retry_after=30, times=2)
    start = sim.now()
    run_once(store, provider, clock)
    assert emulator.violations == []
    assert sim.now() - start >= 60
    assert emulator.max_in_flight <= 4
    emulator.fail_next(429, retry_after=10, times=10)
    with pytest.raises(ThrottledError):
        run_once(store, provider, clock)
    assert emulator.violations == []


def test_429_without_retry_after_backs_off_exponentially(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, sim: SimClock
) -> None:
    store, provider, _ = opened
    run_once(store, provider, clock)
    emulator.fail_next(429, times=3)
    run_once(store, provider, clock)
    assert sim.slept[-3:] == [1.0, 2.0, 4.0]


def test_dropped_connections_and_503_become_offline(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, account = opened
    run_once(store, provider, clock)
    cursor = store.accounts.cursor(account.id)
    emulator.drop_next(times=10)
    with pytest.raises(OfflineError):
        run_once(store, provider, clock)
    emulator.faults.clear()
    emulator.fail_next(503, times=10)
    with pytest.raises(OfflineError):
        run_once(store, provider, clock)
    emulator.faults.clear()
    assert store.accounts.cursor(account.id) == cursor
    run_once(store, provider, clock)


def test_expired_access_token_is_refreshed_and_a_revoked_grant_needs_sign_in(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    emulator.expire_access_tokens()
    run_once(store, provider, clock)  # 401 -> refresh with the refresh token -> retry
    emulator.expire_access_tokens()
    emulator.revoked = True
    with pytest.raises(NeedsSignInError):
        run_once(store, provider, clock)


def test_personal_accounts_read_busy_blocks_from_calendar_view(
    emulator: GraphEmulator, opened: Setup
) -> None:
    _, provider, _ = opened
    emulator.personal = True
    emulator.busy = [(T0, T0 + timedelta(hours=1))]
    assert provider.busy_blocks(T0, T0 + timedelta(days=1)) == [
        Interval(T0, T0 + timedelta(hours=1))
    ]
    assert emulator.count("/calendarView") == 1


def test_no_stored_sign_in_needs_sign_in(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = Store.open(tmp_path / "profile")
    account = store.accounts.add(AccountKind.OUTLOOK, ME)
    provider = OutlookProvider.from_keyring(account, TokenStore(), base_url="https://127.0.0.1:9")
    with pytest.raises(NeedsSignInError):
        provider.fetch_changes(None)
    assert provider.requests == 0
    store.close()


def test_account_add_outlook_from_the_command_line(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile = tmp_path / "profile"
    args = argparse.Namespace(
        account_kind="outlook", client_id=CLIENT_ID, profile=str(profile), name="Sam",
        device_code=True, timeout=30.0,
    )  # fmt: skip
    assert cli_account.run_outlook(args, **_auth_options(emulator, certificate)) == 0
    out = capsys.readouterr().out
    assert f"Open {emulator.base}/devicelogin and enter the code COFFEE42" in out
    assert "browser" not in out  # --device-code: no browser was tried
    store = Store.open(profile)
    (account,) = store.accounts.all()
    assert account.kind is AccountKind.OUTLOOK and account.address == ME
    store.close()
    logs.shutdown()
    for path in (p for p in profile.rglob("*") if p.is_file()):
        for secret in emulator.issued_secrets:
            assert secret.encode() not in path.read_bytes()


def test_mail_tips_say_who_is_away_before_sending(emulator: GraphEmulator, opened: Setup) -> None:
    _, provider, _ = opened
    emulator.away = {"bob@contact.test": "Away until Monday"}
    assert provider.away(["Bob@contact.test", "ada@contact.test"]) == {
        "bob@contact.test": "Away until Monday"
    }


def test_starts_offline_and_syncs_when_the_network_returns(
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    opened: Setup,
    clock: ManualClock,
    sim: SimClock,
) -> None:
    store, _, account = opened
    dead = "https://127.0.0.1:9"
    offline = OutlookProvider.from_keyring(
        account, TokenStore(),
        auth_options={**_auth_options(emulator, certificate), "authority": f"{dead}/common"},
        base_url=dead, session=_session(certificate), clock=sim.now, sleep=sim.sleep,
    )  # fmt: skip
    with pytest.raises(OfflineError):
        run_once(store, offline, clock)
    assert store.accounts.cursor(account.id) is None
    online = _provider(emulator, certificate, store, account, sim, clock)
    assert run_once(store, online, clock).cursor == store.accounts.cursor(account.id)


def test_never_more_than_four_requests_in_flight(emulator: GraphEmulator, opened: Setup) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, provider, _ = opened
    refs = [
        MessageRef(emulator.deliver(f"p{i}@x.test", "Hi", "Hi\n", when=T0,
                                    message_id=f"<p{i}@x.test>").id, "")
        for i in range(8)
    ]  # fmt: skip
    emulator.hold_until = 8  # would all be held at once without the client's limit
    emulator.max_in_flight = 0
    with ThreadPoolExecutor(8) as pool:
        fetched = list(pool.map(provider.fetch_message, refs))
    assert len(fetched) == 8 and emulator.max_in_flight == 4


def test_interactive_sign_in_over_the_loopback_redirect(
    certificate: tuple[Path, Path], emulator: GraphEmulator, memory_keyring: MemoryKeyring
) -> None:
    auth = MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **_auth_options(emulator, certificate))
    assert auth.sign_in_interactive(timeout=10, open_url=fake_browser) == ME
    assert any(k.startswith("outlook:") for _, k in memory_keyring.entries)
    assert auth.access_token().startswith("at-")


def _browser(monkeypatch: pytest.MonkeyPatch, answer: Callable[[str], bool]) -> list[str]:
    """The system browser, as msal opens it (webbrowser.open); returns the pages it was given."""
    opened: list[str] = []

    def open_(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return answer(url)

    monkeypatch.setattr(webbrowser, "open", open_)
    return opened


def _consenting(url: str) -> bool:
    fake_browser(url)
    return True


def test_account_add_outlook_signs_in_in_the_browser(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, _consenting)
    profile = tmp_path / "profile"
    args = argparse.Namespace(account_kind="outlook", client_id=CLIENT_ID, profile=str(profile),
                              name="", device_code=False, timeout=30.0)  # fmt: skip
    assert cli_account.run_outlook(args, **_auth_options(emulator, certificate)) == 0
    out = capsys.readouterr().out
    assert "in your browser" in out and "COFFEE42" not in out
    assert len(opened) == 1 and "/oauth2/v2.0/authorize" in opened[0]
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A" in opened[0]  # the loopback redirect
    store = Store.open(profile)
    assert [a.address for a in store.accounts.all()] == [ME]
    store.close()
    logs.shutdown()


def test_without_a_browser_the_device_code_takes_over(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, lambda url: False)  # no browser on this machine
    args = argparse.Namespace(account_kind="outlook", client_id=CLIENT_ID,
                              profile=str(tmp_path / "profile"), name="", device_code=False,
                              timeout=30.0)  # fmt: skip
    assert cli_account.run_outlook(args, **_auth_options(emulator, certificate)) == 0
    out = capsys.readouterr().out
    assert "No browser could be opened" in out and "enter the code COFFEE42" in out
    assert len(opened) == 1
    assert emulator.count("/devicecode") == 1
    logs.shutdown()


def _auth(emu: GraphEmulator, certificate: tuple[Path, Path]) -> MicrosoftAuth:
    return MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **_auth_options(emu, certificate))


def test_cancel_stops_a_browser_sign_in_that_waits(
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _browser(monkeypatch, lambda url: True)  # a browser the user never finishes in
    auth = _auth(emulator, certificate)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(auth.sign_in, lambda code: None, timeout=60)
        for _ in range(200):
            if opened:
                break
            threading.Event().wait(0.05)
        assert opened
        auth.cancel()
        with pytest.raises(SignInCancelled):
            future.result(timeout=30)
    assert emulator.count("/devicecode") == 0 and not memory_keyring.entries


def test_cancel_stops_a_device_code_sign_in_that_waits(
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
) -> None:
    emulator.device_pending = True  # the user has not entered the code
    auth = _auth(emulator, certificate)
    codes: list[DeviceCode] = []
    shown = threading.Event()

    def on_code(code: DeviceCode) -> None:
        codes.append(code)
        shown.set()

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(auth.sign_in, on_code, browser=False)
        assert shown.wait(30)
        assert (codes[0].code, codes[0].url) == ("COFFEE42", f"{emulator.base}/devicelogin")
        auth.cancel()
        with pytest.raises(SignInCancelled, match="cancelled"):
            future.result(timeout=30)
    assert not memory_keyring.entries


def test_a_browser_that_never_answers_times_out_with_a_clear_message(
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _browser(monkeypatch, lambda url: True)
    with pytest.raises(AuthError, match="No answer from the browser within 1 seconds"):
        _auth(emulator, certificate).sign_in(lambda code: None, timeout=1)


def test_a_refused_consent_says_so(
    certificate: tuple[Path, Path],
    emulator: GraphEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(url: str) -> bool:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        form = urllib.parse.urlencode({"error": "access_denied", "state": query["state"]})
        redirect = query["redirect_uri"].replace("localhost", "127.0.0.1")

        def post() -> None:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with contextlib.suppress(OSError):
                opener.open(urllib.request.Request(redirect, data=form.encode()), timeout=10)

        threading.Thread(target=post, daemon=True).start()
        return True

    _browser(monkeypatch, refuse)
    with pytest.raises(AuthError, match="access was refused"):
        _auth(emulator, certificate).sign_in(lambda code: None, timeout=30)
    assert not memory_keyring.entries


def test_no_keyring_is_said_before_the_browser_opens(
    certificate: tuple[Path, Path], emulator: GraphEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    opened = _browser(monkeypatch, _consenting)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(AuthError, match="keyring"):
            _auth(emulator, certificate).sign_in(lambda code: None, timeout=30)
    finally:
        keyring.set_keyring(previous)
    assert opened == []


def test_a_mailbox_without_calendar_mails_the_invitation_as_a_file_attachment(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    emulator.calendar_denied = True
    ada = store.contacts.add(Contact(None, "Ada Lovelace", ("ada@contact.test",)))
    slot = Slot(T0 + timedelta(days=3), T0 + timedelta(days=3, minutes=15))
    accepted = accept_slot(
        store, provider, ada.id, slot, clock.now(), location="Phone: +44 20 7946 0000"
    )
    assert store.pipeline.state(ada.id).stage is Stage.SCHEDULED
    assert accepted.event is None and accepted.emailed is not None and not accepted.error
    assert emulator.events == []
    sent = emulator.messages[accepted.emailed.id]
    assert sent.folder == "sentitems" and sent.to == ["ada@contact.test"]
    (attachment,) = sent.attachments
    assert (attachment["name"], attachment["contentType"]) == ("invite.ics", "text/calendar")
    ics = base64.b64decode(attachment["contentBytes"])
    assert ics == accepted.ics
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (slot.start, slot.end)
    assert str(event["ATTENDEE"]) == "mailto:ada@contact.test"
    assert str(event["LOCATION"]) == "Phone: +44 20 7946 0000"


def test_a_reply_to_a_message_id_with_plus_equals_and_slash_goes_into_its_conversation(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    # Gmail's Message-IDs look like this: "+" (a space once a server decodes the query),
    # "=" and "/" must reach Graph percent-encoded or the filter matches nothing.
    _, provider, _ = opened
    message_id = "<CAB+x=Y7/q9+Zz@mail.gmail.com>"
    theirs = emulator.deliver("ada@contact.test", "Coffee?", "Sure.\n", when=clock.now(),
                              message_id=message_id, name="Ada")  # fmt: skip
    reply = OutgoingMessage(
        to=("ada@contact.test",), subject="Re: Coffee?", text="Thursday?\n",
        outbox_key=outbox.new_key(), in_reply_to=message_id, references=(message_id,),
        thread_id=theirs.conversation_id,
    )  # fmt: skip
    draft = provider.create_draft(reply)
    assert any(path.endswith(f"/{theirs.id}/createReply") for _, path in emulator.requests)
    assert draft.thread_id == theirs.conversation_id
    assert ("In-Reply-To", message_id) in emulator.messages[draft.id].headers


def test_a_retried_event_post_creates_one_event(emulator: GraphEmulator, opened: Setup) -> None:
    # The first POST /me/events is carried out but its answer is lost (a 503 after the work):
    # the retry carries the same transactionId, so Graph hands back the same event.
    _, provider, _ = opened
    invite = MeetingInvite(
        "Coffee", T0 + timedelta(days=2), T0 + timedelta(days=2, minutes=30),
        ("ada@contact.test",), uid="coffeechat-7-20260304T090000Z@outlook.test",
    )  # fmt: skip
    emulator.fail_after_next(503)
    first = provider.create_event(invite)
    assert emulator.count("/me/events") == 2
    assert [e["id"] for e in emulator.events] == [first.id]
    assert provider.create_event(invite) == first  # asked again (a second click): the same
    assert len(emulator.events) == 1


def test_the_flag_goes_on_the_newest_message_of_a_long_conversation(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    # Graph lists 10 messages a page: the newest of twelve is on the second page.
    _, provider, _ = opened
    previous = ""
    for i in range(12):
        clock.advance(timedelta(minutes=1))
        msg = emulator.deliver("ada@contact.test", "Coffee?", f"{i}\n", when=clock.now(),
                               message_id=f"<m{i}@contact.test>", in_reply_to=previous)  # fmt: skip
        previous = msg.internet_message_id
    provider.set_thread_flag(msg.conversation_id, "Thank-you due", True)
    assert emulator.flag_state()[msg.id] == "flagged"
    assert list(emulator.flag_state().values()).count("flagged") == 1
