"""Flags in the mailbox, end to end: real sync rounds (desktop.jobs) against the Gmail and Graph
emulators. A thread waiting for a thank-you gets the flag when the thank-you is due and loses it
when the thank-you is sent; a follow-up due flags the request's thread; and nothing else in the
mailbox changes: the whole before/after state of every message is compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from desktop import outbox
from desktop.actions import set_meeting
from desktop.domain.clock import ManualClock
from desktop.domain.due import ReminderSettings
from desktop.domain.model import Contact, Stage
from desktop.jobs import SyncRound, SyncState, sync_round
from desktop.mailflags import FOLLOW_UP_DUE, THANK_YOU_DUE, account_key
from desktop.storage import Store
from mail.auth.microsoft import MicrosoftAuth
from mail.auth.tokens import TokenStore
from mail.gmail import GmailProvider
from mail.outlook import OutlookProvider
from mail.provider import AccountKind, MailProvider, OutgoingMessage, SentRef
from tests.helpers.gmail_emulator import GmailEmulator, SimClock, endpoints_for, grant_for, mail
from tests.helpers.graph_emulator import CLIENT_ID, GraphEmulator
from tests.helpers.memory_keyring import MemoryKeyring

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
REMINDERS = ReminderSettings()
ADA, BOB = "ada@contact.test", "bob@contact.test"


def _request(to: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(to,), subject="Coffee chat?", text="Hello!\n\nSam\n", outbox_key=outbox.new_key()
    )


def _thank_you(to: str, after: SentRef, in_reply_to: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(to,), subject="Re: Coffee chat?",
        text="Hi Ada,\n\nThank you so much for your time today - it helped a lot.\n\nSam\n",
        outbox_key=outbox.new_key(), in_reply_to=in_reply_to, references=(in_reply_to,),
        thread_id=after.thread_id,
    )  # fmt: skip


def _round(
    profile: Path, provider: MailProvider, clock: ManualClock, off: frozenset[str] = frozenset()
) -> SyncRound:
    with closing(Store.open(profile)) as rounds:  # a connection of its own, as the worker has
        result = sync_round(rounds, (provider,), clock, REMINDERS, off)
    assert [o.state for o in result.outcomes] == [SyncState.IDLE], result.outcomes
    return result


def _flag_story(
    profile: Path,
    store: Store,
    provider: MailProvider,
    clock: ManualClock,
    *,
    state: Callable[[], dict[str, object]],
    reply: Callable[[str, str, str], str],
    user_marks: Callable[[SentRef], None],
    flagged: Callable[[str], set[str]],
) -> None:
    """The same story on any mailbox. ``state`` is every message's labels/flag; ``reply``
    (sender, text, in-reply-to) delivers a reply and gives its provider id; ``user_marks``
    has the user flag or label mail of their own (Bob's request among it); ``flagged(flag)``
    are the threads that carry our ``flag`` now."""
    ada = store.contacts.add(Contact(None, "Ada Byron", (ADA,))).id
    bob = store.contacts.add(Contact(None, "Bob Stone", (BOB,))).id
    assert ada is not None and bob is not None
    _round(profile, provider, clock)  # baseline
    to_ada = outbox.send(store, provider, _request(ADA), contact_id=ada, purpose="request",
                         now=clock.now())  # fmt: skip
    to_bob = outbox.send(store, provider, _request(BOB), contact_id=bob, purpose="request",
                         now=clock.now())  # fmt: skip
    user_marks(to_bob)
    clock.advance(timedelta(hours=2))
    reply(ADA, "Hi Sam,\n\nHappy to help. Tuesday works.\n\nAda\n", to_ada.message_id)
    _round(profile, provider, clock)
    assert store.pipeline.state(ada).stage is Stage.REPLIED
    start = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    set_meeting(store, ada, start, start + timedelta(minutes=30), clock.now())

    # --- the meeting was yesterday and no thank-you went out: the thread is flagged ---------
    before = state()
    clock.set(datetime(2026, 3, 4, 11, 0, tzinfo=UTC))
    due = _round(profile, provider, clock)
    assert store.pipeline.state(ada).stage is Stage.MET
    assert [(a.kind.value, a.contact_id) for a in due.due or ()] == [("thank_you_missing", ada)]
    assert flagged(THANK_YOU_DUE) == {to_ada.thread_id}
    after = state()
    changed = {k for k in before if before[k] != after[k]}
    assert changed and all(k in ada_thread_ids(store, ada) for k in changed), changed
    assert set(after) == set(before)

    # --- another round changes nothing (set once) --------------------------------------------
    clock.advance(timedelta(minutes=5))
    _round(profile, provider, clock)
    assert state() == after

    # --- the thank-you is sent: the flag goes, and the mailbox is as it was ------------------
    last = store.messages.for_contact(ada)[-1]
    thanks = _thank_you(ADA, to_ada, last.message_id)
    outbox.send(store, provider, thanks, contact_id=ada, purpose="thank-you", now=clock.now())
    clock.advance(timedelta(minutes=5))
    done = _round(profile, provider, clock)
    assert store.pipeline.state(ada).stage is Stage.THANKED and not done.due
    assert flagged(THANK_YOU_DUE) == set()
    now = state()
    assert {k: v for k, v in now.items() if k in before} == before
    assert store.marks.mailbox_flags() == {}

    # --- Bob's follow-up comes due: his thread is flagged; his reply clears it --------------
    before = state()
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))  # 5 business days after the request
    due = _round(profile, provider, clock)
    assert [(a.kind.value, a.contact_id) for a in due.due or ()] == [("follow_up", bob)]
    clock.advance(timedelta(hours=1))
    reply(BOB, "Hi Sam, sorry for the delay. Yes, gladly!\n\nBob\n", to_bob.message_id)
    _round(profile, provider, clock)
    assert store.pipeline.state(bob).stage is Stage.REPLIED
    assert flagged(FOLLOW_UP_DUE) == set()
    now = state()
    assert {k: v for k, v in now.items() if k in before} == before  # the user's marks stayed
    assert store.marks.mailbox_flags() == {}


def ada_thread_ids(store: Store, contact_id: int) -> set[str]:
    """Provider ids of the messages in the contact's threads."""
    threads = {m.thread_id for m in store.messages.for_contact(contact_id)}
    return {
        m.key.partition(":")[2]
        for m in store.messages.for_contact(contact_id)
        if m.thread_id in threads
    }


# ================================================================================ Outlook
def _session(certificate: tuple[Path, Path]) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate[0])
    return session


@pytest.fixture
def graph(
    certificate: tuple[Path, Path], sim: SimClock, clock: ManualClock
) -> Iterator[GraphEmulator]:
    with GraphEmulator("me@outlook.test", *certificate, clock=sim.now, wall=clock.now) as emu:
        yield emu


def _outlook(
    tmp_path: Path, emu: GraphEmulator, certificate: tuple[Path, Path], sim: SimClock,
    clock: ManualClock,
) -> tuple[Store, OutlookProvider]:  # fmt: skip
    options = {"authority": emu.authority, "instance_discovery": False,
               "http_client": _session(certificate)}  # fmt: skip
    MicrosoftAuth(CLIENT_ID, tokens=TokenStore(), **options).sign_in_device(lambda _: None)
    store = Store.open(tmp_path)
    account = store.accounts.add(AccountKind.OUTLOOK, emu.address)
    provider = OutlookProvider.from_keyring(
        account, TokenStore(), auth_options=options, base_url=emu.graph,
        session=_session(certificate),
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: store.contacts.address_index().keys(),
        clock=sim.now, sleep=sim.sleep, now=clock.now,
    )  # fmt: skip
    return store, provider


def _graph_flagged(emu: GraphEmulator, flag: str) -> set[str]:
    return {
        m.conversation_id
        for m in emu.messages.values()
        if m.flag_status == "flagged" and flag in "".join(m.properties.values())
    }


def test_outlook_flags_the_thread_waiting_for_a_thank_you_and_nothing_else(
    tmp_path: Path,
    graph: GraphEmulator,
    certificate: tuple[Path, Path],
    sim: SimClock,
    clock: ManualClock,
    memory_keyring: MemoryKeyring,
) -> None:
    store, provider = _outlook(tmp_path, graph, certificate, sim, clock)
    newsletter = graph.deliver("news@else.test", "Weekly", "Hi\n", when=T0,
                               message_id="<n1@else.test>")  # fmt: skip

    def reply(sender: str, text: str, in_reply_to: str) -> str:
        return graph.deliver(sender, "RE: Coffee chat?", text, when=clock.now(),
                             message_id=f"<{outbox.new_key()}@contact.test>",
                             in_reply_to=in_reply_to).id  # fmt: skip

    def user_marks(to_bob: SentRef) -> None:
        # The user flagged a newsletter and their request to Bob in Outlook themselves.
        graph.messages[newsletter.id].flag_status = "flagged"
        graph.messages[to_bob.id].flag_status = "flagged"

    def state() -> dict[str, object]:
        return dict(graph.flag_state())

    try:
        _flag_story(
            tmp_path, store, provider, clock, state=state, reply=reply, user_marks=user_marks,
            flagged=lambda flag: _graph_flagged(graph, flag),
        )  # fmt: skip
        assert graph.messages[newsletter.id].flag_status == "flagged"
        assert any(m.flag_status == "flagged" for m in graph.messages.values()
                   if m.to == [BOB])  # fmt: skip
    finally:
        provider.close()
        store.close()


def test_outlook_leaves_a_flag_the_user_set_and_clears_only_its_own(
    tmp_path: Path,
    graph: GraphEmulator,
    certificate: tuple[Path, Path],
    sim: SimClock,
    clock: ManualClock,
    memory_keyring: MemoryKeyring,
) -> None:
    store, provider = _outlook(tmp_path, graph, certificate, sim, clock)
    try:
        msg = graph.deliver(ADA, "Hello", "Hi\n", when=T0, message_id="<h1@contact.test>")
        msg.flag_status = "flagged"  # the user's own flag
        provider.set_thread_flag(msg.conversation_id, THANK_YOU_DUE, True)
        provider.set_thread_flag(msg.conversation_id, THANK_YOU_DUE, False)
        assert msg.flag_status == "flagged" and not any(msg.properties.values())
        # ours, then the user completes it in Outlook: clearing leaves their "complete" alone
        other = graph.deliver(BOB, "Hi", "Hi\n", when=T0, message_id="<h2@contact.test>")
        provider.set_thread_flag(other.conversation_id, FOLLOW_UP_DUE, True)
        assert other.flag_status == "flagged"
        provider.set_thread_flag(other.conversation_id, FOLLOW_UP_DUE, True)  # idempotent
        other.flag_status = "complete"
        provider.set_thread_flag(other.conversation_id, FOLLOW_UP_DUE, False)
        assert other.flag_status == "complete"
        # two of our flags on one message: it stays flagged until both are cleared
        third = graph.deliver(BOB, "Again", "Hi\n", when=T0, message_id="<h3@contact.test>")
        provider.set_thread_flag(third.conversation_id, FOLLOW_UP_DUE, True)
        provider.set_thread_flag(third.conversation_id, THANK_YOU_DUE, True)
        provider.set_thread_flag(third.conversation_id, FOLLOW_UP_DUE, False)
        assert third.flag_status == "flagged"
        provider.set_thread_flag(third.conversation_id, THANK_YOU_DUE, False)
        assert third.flag_status == "notFlagged"
    finally:
        provider.close()
        store.close()


def test_the_switch_off_clears_what_was_set_and_sets_nothing(
    tmp_path: Path,
    graph: GraphEmulator,
    certificate: tuple[Path, Path],
    sim: SimClock,
    clock: ManualClock,
    memory_keyring: MemoryKeyring,
) -> None:
    store, provider = _outlook(tmp_path, graph, certificate, sim, clock)
    try:
        bob = store.contacts.add(Contact(None, "Bob Stone", (BOB,))).id
        _round(tmp_path, provider, clock)
        sent = outbox.send(store, provider, _request(BOB), contact_id=bob, purpose="request",
                           now=clock.now())  # fmt: skip
        _round(tmp_path, provider, clock)
        off = frozenset({account_key(provider.account)})
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
        _round(tmp_path, provider, clock, off)
        assert graph.messages[sent.id].flag_status == "notFlagged"
        _round(tmp_path, provider, clock)  # on again (the default)
        assert graph.messages[sent.id].flag_status == "flagged"
        _round(tmp_path, provider, clock, off)
        assert graph.messages[sent.id].flag_status == "notFlagged"
        assert store.marks.mailbox_flags() == {}
    finally:
        provider.close()
        store.close()


# ================================================================================ Gmail
def test_gmail_labels_the_thread_waiting_for_a_thank_you_and_nothing_else(
    tmp_path: Path, gmail: GmailEmulator, sim: SimClock, clock: ManualClock
) -> None:
    store = Store.open(tmp_path)
    account = store.accounts.add(AccountKind.GMAIL, gmail.address)
    grant = grant_for(gmail)
    provider = GmailProvider(
        account, lambda: grant, endpoints=endpoints_for(gmail),
        tracked_threads=lambda: store.messages.tracked_threads(account.id),
        known_addresses=lambda: store.contacts.address_index().keys(),
        clock=sim.now, sleep=sim.sleep, now=clock.now,
    )  # fmt: skip
    news = mail("news@else.test", gmail.address, "Weekly", "Hi\n", message_id="<n1@else.test>",
                when=T0)  # fmt: skip
    news_id, _ = gmail.deliver(news, labels=("INBOX", "Label_work"))
    gmail.labels["Label_work"] = "Work"

    def reply(sender: str, text: str, in_reply_to: str) -> str:
        raw = mail(sender, gmail.address, "Re: Coffee chat?", text,
                   message_id=f"<{outbox.new_key()}@contact.test>", when=clock.now(),
                   in_reply_to=in_reply_to)  # fmt: skip
        return gmail.deliver(raw)[0]

    def user_marks(to_bob: SentRef) -> None:
        gmail.messages[to_bob.id].labels.append("STARRED")

    def state() -> dict[str, object]:
        return {i: sorted(m.labels) for i, m in gmail.messages.items()}

    def flagged(flag: str) -> set[str]:
        ours = {i for i, name in gmail.labels.items() if name == f"Coffeechat/{flag}"}
        return {m.thread_id for m in gmail.messages.values() if ours & set(m.labels)}

    try:
        _flag_story(
            tmp_path, store, provider, clock, state=state, reply=reply, user_marks=user_marks,
            flagged=flagged,
        )  # fmt: skip
        assert sorted(gmail.messages[news_id].labels) == ["INBOX", "Label_work"]
        assert "Coffeechat/Thank-you due" in gmail.labels.values()  # created when missing
    finally:
        provider.close()
        store.close()


# ================================================================================ IMAP (Dovecot)
IMAP_ME, IMAP_PASSWORD = "sam@mail.test", "app-pass-1"


def test_imap_flags_the_thread_waiting_for_a_thank_you_and_nothing_else(
    tmp_path: Path, clock: ManualClock, memory_keyring: MemoryKeyring
) -> None:
    from email.message import EmailMessage
    from email.utils import format_datetime

    from mail.auth.tokens import PasswordStore
    from mail.imap import ImapProvider, ImapSettings, Security
    from tests.helpers.dovecot import mail_servers

    def raw(sender: str, subject: str, text: str, message_id: str, in_reply_to: str = "") -> bytes:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, IMAP_ME, subject
        msg["Date"], msg["Message-ID"] = format_datetime(clock.now()), message_id
        if in_reply_to:
            msg["In-Reply-To"] = msg["References"] = in_reply_to
        msg.set_content(text)
        return msg.as_bytes()

    with mail_servers(users={IMAP_ME: IMAP_PASSWORD}) as (d, s):
        store = Store.open(tmp_path)
        account = store.accounts.add(AccountKind.IMAP, IMAP_ME, "Sam Rivera")
        settings = ImapSettings(
            host="127.0.0.1", username=IMAP_ME, port=d.port, security=Security.STARTTLS,
            smtp_host="127.0.0.1", smtp_port=s.port, smtp_security=Security.PLAIN,
            ca_file=str(d.cert), timeout=10,
        )  # fmt: skip
        store.accounts.set_settings(account.id, settings.to_json())
        PasswordStore().save(IMAP_ME, IMAP_PASSWORD)
        provider = ImapProvider.from_keyring(
            account, settings, tracked_threads=lambda: store.messages.tracked_threads(account.id),
            known_addresses=lambda: list(store.contacts.address_index()), now=clock.now,
        )  # fmt: skip
        folders = {"inbox": "", "sent": "Sent", "drafts": "Drafts"}
        d.deliver(IMAP_ME, raw("news@else.test", "Weekly", "Hi\n", "<n1@else.test>"))
        d.deliver(IMAP_ME, raw("x@else.test", "Mine", "Hi\n", "<mine@else.test>"))
        d.doveadm("flags", "add", "-u", IMAP_ME, "\\Flagged", "mailbox", "INBOX",
                  "HEADER", "Message-ID", "<mine@else.test>")  # fmt: skip

        def state() -> dict[str, object]:
            # every message of every folder: (folder:Message-ID) -> its Maildir flags
            return {
                f"{name}:{m['Message-ID']}": m.get_flags()
                for name, folder in folders.items()
                for m in d.messages(IMAP_ME, folder)
            }

        def reply(sender: str, text: str, in_reply_to: str) -> str:
            message_id = f"<{outbox.new_key()}@contact.test>"
            d.deliver(IMAP_ME, raw(sender, "Re: Coffee chat?", text, message_id, in_reply_to))
            return message_id

        def user_marks(to_bob: SentRef) -> None:
            d.doveadm("flags", "add", "-u", IMAP_ME, "\\Flagged", "mailbox", "Sent",
                      "HEADER", "Message-ID", to_bob.message_id)  # fmt: skip

        def flagged(flag: str) -> set[str]:
            # IMAP has one flag: a thread is ours when a message has \Flagged and our keyword
            ours = set()
            for folder in folders.values():
                for m in d.messages(IMAP_ME, folder):
                    if "F" in m.get_flags() and _has_our_keyword(d, folder, m["Message-ID"]):
                        ours.add(store_thread(m["Message-ID"]))
            return ours

        def store_thread(message_id: str) -> str:
            found = [m.thread_id for c in store.contacts.all()
                     for m in store.messages.for_contact(c.id)
                     if m.message_id == message_id]  # fmt: skip
            return found[0] if found else message_id

        try:
            _flag_story(
                tmp_path, store, provider, clock, state=state, reply=reply,
                user_marks=user_marks, flagged=flagged,
            )  # fmt: skip
            final = state()
            assert final["inbox:<mine@else.test>"] == "F"  # the user's own flag stayed
            assert final["inbox:<n1@else.test>"] == ""  # untouched, still unread
            assert [v for k, v in final.items() if k.startswith("sent:")].count("FS") == 1, (
                final
            )  # Bob's
        finally:
            provider.close()
            store.close()


def _has_our_keyword(d: object, folder: str, message_id: str) -> bool:
    from tests.helpers.dovecot import Dovecot

    assert isinstance(d, Dovecot)
    out = d.doveadm("fetch", "-u", IMAP_ME, "flags", "mailbox", folder or "INBOX",
                    "HEADER", "Message-ID", message_id)  # fmt: skip
    return "$CoffeechatFlagged" in out
