"""Outlook against the stricter Graph emulator: updates are not new mail, rounds start where they
should, reply drafts are found after a crash, nothing is read from Sent Items right after /send,
the caches stay bounded. The real provider, Store and sync pass; simulated time."""

from __future__ import annotations

import json
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Stage
from desktop.storage import Store
from desktop.sync import run_once
from mail.outlook import provider as outlook_provider
from mail.provider import (
    Folder,
    MeetingInvite,
    MessageRef,
    OutgoingMessage,
)
from tests.helpers.gmail_emulator import SimClock
from tests.helpers.graph_emulator import IMPLIES, GraphEmulator
from tests.integration.test_outlook import (
    T0,
    Setup,
    _provider,
    _request,
    _session,
    _stage,
)


def _contacts_who_wrote(
    emu: GraphEmulator, store: Store, clock: ManualClock, count: int
) -> list[tuple[int, str]]:
    """``count`` contacts, each with a message in the Inbox: ``count`` tracked threads."""
    out = []
    for n in range(count):
        address = f"c{n:04d}@people.test"
        contact = store.contacts.add(Contact(None, f"Contact {n}", (address,)))
        assert contact.id is not None
        msg = emu.deliver(address, f"Hello {n}", "Would you have time for a chat?\n",
                          when=clock.now(), message_id=f"<hello{n}+x=@people.test>")  # fmt: skip
        out.append((contact.id, msg.id))
    return out


def test_a_day_of_other_clients_flag_changes_on_500_tracked_threads_fetches_nothing(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, account = opened
    run_once(store, provider, clock)  # baseline
    seeded = _contacts_who_wrote(emulator, store, clock, 500)
    clock.advance(timedelta(minutes=5))
    first = run_once(store, provider, clock)
    assert first.relevant == 500 and len(store.messages.tracked_threads(account.id)) == 500
    # The day: the phone reads them all, the web app flags and categorises them, and
    # Coffeechat sets its own follow-up flag on some.
    for n, (_contact, ident) in enumerate(seeded):
        emulator.other_client(ident, read=True)
        if n % 2:
            emulator.other_client(ident, flag="flagged", categories=["Networking"])
    for _contact, ident in seeded[:20]:
        provider.set_thread_flag(emulator.messages[ident].conversation_id, "Reply due", True)
    emulator.reset_counts()
    emulator.message_gets = 0
    clock.advance(timedelta(hours=8))

    day = run_once(store, provider, clock)

    print("\nflag-change day on 500 tracked threads:", emulator.message_gets, "message fetches,",
          emulator.count(), "requests")  # fmt: skip
    assert day.seen == 0 and day.events == 0
    assert emulator.message_gets == 0
    assert emulator.count() == 2  # one delta request per folder


def test_the_first_pass_and_a_new_round_do_not_page_through_the_whole_inbox(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    ada = store.contacts.add(Contact(None, "Ada", ("ada@contact.test",))).id
    assert ada is not None
    for n in range(400):  # years of mail already in the Inbox
        old = clock.now() - timedelta(days=400 - n)
        emulator.deliver(f"n{n}@l.test", "News", "news\n", when=old, message_id=f"<n{n}@l>")
    emulator.reset_counts()
    run_once(store, provider, clock)
    assert emulator.count() == 2  # one delta page per folder: a baseline, not a walk
    clock.advance(timedelta(hours=2))
    emulator.deliver("ada@contact.test", "Coffee?", "Happy to talk.\n", when=clock.now(),
                     message_id="<ada1@contact.test>")  # fmt: skip
    emulator.expire_delta_links()
    emulator.reset_counts()
    result = run_once(store, provider, clock)
    assert result.reset and result.relevant == 1 and result.events == 1  # Ada's mail, once
    delta = emulator.count("/messages/delta")
    # per folder: the expired link (410), then one page since the last good pass
    assert delta == 4, emulator.requests


def test_a_reply_draft_is_found_after_a_crash_and_no_refused_field_is_patched(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    _store, provider, _ = opened
    theirs = emulator.deliver("ada@contact.test", "Coffee?", "Sure.\n", when=clock.now(),
                              message_id="<a+1=/x@contact.test>")  # fmt: skip
    reply = OutgoingMessage(
        to=("ada@contact.test",), subject="RE: Coffee?", text="Thursday works.\n",
        outbox_key="reply-key-1", in_reply_to=theirs.internet_message_id,
        references=(theirs.internet_message_id,),
    )  # fmt: skip
    draft = provider.create_draft(reply)
    assert emulator.refused == []
    assert emulator.messages[draft.id].conversation_id == theirs.conversation_id
    provider.send_draft(draft)
    # The app died before recording the send: the next attempt must find it in Sent Items.
    found = provider.find_sent("reply-key-1")
    assert found is not None and found.id == draft.id
    assert found.thread_id == theirs.conversation_id


def test_nothing_is_read_from_sent_items_right_after_send(
    emulator: GraphEmulator,
    opened: Setup,
    clock: ManualClock,
    certificate: tuple[Path, Path],
    sim: SimClock,
) -> None:
    store, provider, account = opened
    ada = store.contacts.add(Contact(None, "Ada", ("ada@contact.test",))).id
    assert ada is not None
    run_once(store, provider, clock)
    emulator.sent_delay = 90.0  # the Sent Items copy appears a minute and a half later
    draft = provider.create_draft(_request("ada@contact.test"))
    # The app restarted between saving the draft and sending it: a provider that never saw it.
    later = _provider(emulator, certificate, store, account, sim, clock)
    try:
        sent = later.send_draft(draft)
    finally:
        later.close()
    assert sent.id == draft.id
    assert sent.message_id == emulator.messages[draft.id].internet_message_id
    assert run_once(store, provider, clock).seen == 0  # not in Sent Items yet
    clock.advance(timedelta(minutes=2))
    assert run_once(store, provider, clock).seen == 1
    assert _stage(store, ada) is Stage.REQUESTED
    assert run_once(store, provider, clock).seen == 0  # once


def test_the_provider_caches_stay_bounded(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store, provider, _ = opened
    monkeypatch.setattr(outlook_provider, "DRAFTS_MAX", 8, raising=False)
    monkeypatch.setattr(outlook_provider, "CACHE_MAX", 10, raising=False)
    for n in range(20):  # saved, never sent
        provider.create_draft(_request(f"p{n}@people.test"))
    assert len(provider._drafts) <= 8
    for n in range(25):  # read outside a sync pass (the composer, the flags)
        msg = emulator.deliver(f"x{n}@a.test", "Hi", "x\n", when=clock.now(),
                               message_id=f"<hi{n}@a.test>")  # fmt: skip
        provider.fetch_message(MessageRef(msg.id, msg.conversation_id, Folder.INBOX))
    assert len(provider._cache.heads) + len(provider._cache.full) <= 10


# ------------------------------------------------------------------ the emulator itself
def _get(emu: GraphEmulator, session: requests.Session, token: str, url: str,
         prefer: str = 'IdType="ImmutableId"') -> requests.Response:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Prefer": prefer}
    return session.get(url if url.startswith("https") else emu.graph + url, headers=headers)


def _token(emu: GraphEmulator) -> str:
    return next(s for s in reversed(emu.issued_secrets) if s.startswith("at-"))


def test_the_emulator_pages_delta_at_10_or_maxpagesize_and_reports_updates(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, certificate: tuple[Path, Path]
) -> None:
    session, token = _session(certificate), _token(emulator)
    msgs = [emulator.deliver(f"x{n}@a.test", "s", "t", when=clock.now(), message_id=f"<{n}@a>")
            for n in range(25)]  # fmt: skip
    first = _get(emulator, session, token, "/me/mailFolders/inbox/messages/delta?$select=id")
    page = first.json()
    assert len(page["value"]) == 10 and "@odata.nextLink" in page
    sized = _get(emulator, session, token, "/me/mailFolders/inbox/messages/delta?$select=id",
                 'IdType="ImmutableId", odata.maxpagesize=20').json()  # fmt: skip
    assert len(sized["value"]) == 20
    url: str | None = page["@odata.nextLink"]
    link = ""
    while url:
        page = _get(emulator, session, token, url).json()
        url = page.get("@odata.nextLink")
        link = page.get("@odata.deltaLink", link)
    emulator.other_client(msgs[3].id, read=True)
    updated = _get(emulator, session, token, link).json()
    assert [v["id"] for v in updated["value"]] == [msgs[3].id]  # an update comes back
    created = "/me/mailFolders/inbox/messages/delta?changeType=created&$select=id"
    url = created
    while url:
        page = _get(emulator, session, token, url).json()
        url = page.get("@odata.nextLink")
        link = page.get("@odata.deltaLink", link)
    assert "changeType=created" in link  # carried in the links
    emulator.other_client(msgs[4].id, flag="flagged")
    assert _get(emulator, session, token, link).json()["value"] == []


def test_the_emulator_gives_mutable_ids_without_the_prefer_header(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, certificate: tuple[Path, Path]
) -> None:
    _store, provider, _ = opened
    session, token = _session(certificate), _token(emulator)
    draft = provider.create_draft(_request("ada@contact.test"))
    mutable = _get(emulator, session, token, f"/me/messages/{draft.id}?$select=id", "").json()
    assert mutable["id"] != draft.id
    provider.send_draft(draft)  # moved to Sent Items: the old mutable id is gone
    assert _get(emulator, session, token, f"/me/messages/{mutable['id']}", "").status_code == 404
    assert _get(emulator, session, token, f"/me/messages/{draft.id}").status_code == 200


def test_the_emulator_decodes_plus_as_space_and_refuses_patching_headers(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock, certificate: tuple[Path, Path]
) -> None:
    _store, provider, _ = opened
    session, token = _session(certificate), _token(emulator)
    emulator.deliver("a@b.test", "s", "t", when=clock.now(), message_id="<a+b@x>")
    raw = "/me/messages?$filter=internetMessageId eq '<a+b@x>'"
    assert _get(emulator, session, token, raw).json()["value"] == []
    quoted = "/me/messages?$filter=" + urllib.parse.quote("internetMessageId eq '<a+b@x>'")
    assert len(_get(emulator, session, token, quoted).json()["value"]) == 1
    draft = provider.create_draft(_request("ada@contact.test"))
    answer = session.patch(
        f"{emulator.graph}/me/messages/{draft.id}",
        headers={"Authorization": f"Bearer {token}"},
        json={"internetMessageHeaders": [{"name": "X-A", "value": "b"}]},
    )
    assert answer.status_code == 400 and emulator.refused


def test_the_emulator_throttles_past_four_concurrent_requests(
    emulator: GraphEmulator, opened: Setup, certificate: tuple[Path, Path]
) -> None:
    token = _token(emulator)
    emulator.hold_until, emulator.hold_for = 6, 2.0

    def one(_: int) -> int:
        with _session(certificate) as session:
            return _get(emulator, session, token, "/me/messages").status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(one, range(6)))
    assert codes.count(429) >= 1 and emulator.throttled_concurrency >= 1
    assert json.dumps(codes)


def test_every_scope_asked_for_at_sign_in_is_used(
    emulator: GraphEmulator, opened: Setup, clock: ManualClock
) -> None:
    store, provider, _ = opened
    run_once(store, provider, clock)
    theirs = emulator.deliver("ada@contact.test", "Coffee?", "Sure.\n", when=clock.now(),
                              message_id="<ada-s@contact.test>")  # fmt: skip
    provider.send_draft(provider.create_draft(_request("ada@contact.test")))
    provider.set_thread_flag(theirs.conversation_id, "Reply due", True)
    provider.busy_blocks(T0, T0 + timedelta(days=7))
    provider.away(["ada@contact.test"])
    provider.create_event(
        MeetingInvite("Coffee", T0 + timedelta(days=2), T0 + timedelta(days=2, minutes=30),
                      ("ada@contact.test",), uid="coffeechat-scope@outlook.test")
    )  # fmt: skip
    granted_by_use = set().union(*(IMPLIES.get(p, {p}) for p in emulator.permissions_used))
    asked = emulator.scopes_requested - {"openid", "profile", "offline_access", "User.Read"}
    assert asked, "the sign-in asked for no Graph scope"
    assert asked - granted_by_use == set(), "scopes asked for and never used"
