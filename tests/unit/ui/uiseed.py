"""Builders for UI tests and screenshots: a real AppContext in a folder, contacts in stages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.domain.model import Contact, Event, EventKind, Evidence, Stage
from desktop.paths import Paths
from desktop.settings import Settings
from desktop.storage import Store
from desktop.tasks import Tasks

if TYPE_CHECKING:
    pass
from mail.provider import Account, AccountKind, ChangeSet, MailMessage, MessageRef
from mail.relevance import Relevance

NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # a Thursday


@dataclass
class QuietProvider:
    """A mailbox with nothing new: records which thread each fetch ran on."""

    account: Account
    threads: list[str] = field(default_factory=list)

    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self.threads.append(threading.current_thread().name)
        return ChangeSet((), "cursor-1")

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        raise KeyError(ref.id)


def make_context(profile: Path, *, with_account: bool = True) -> AppContext:
    """The app's context on ``profile``; its store is read-only, as the app's is (a test arranges
    its data through ``writable``)."""
    providers: tuple[QuietProvider, ...] = ()
    if with_account:
        with closing(Store.open(profile)) as writer:
            account = writer.accounts.add(AccountKind.DEMO, "demo@example.org", "Demo mailbox")
        providers = (QuietProvider(account),)
    return AppContext(
        paths=Paths(profile=profile, logs=profile / "logs"),
        settings=Settings(user_name="Sam", timezone="UTC"),
        store=Store.open(profile, read_only=True),
        clock=ManualClock(NOW),
        tasks=Tasks(),
        providers=providers,  # type: ignore[arg-type]
        sync_interval_s=3600,
    )


@contextmanager
def opened_context(profile: Path) -> Iterator[AppContext]:
    """``make_context`` for a fixture: its workers and store are closed on exit."""
    context = make_context(profile)
    yield context
    context.tasks.shutdown()
    context.store.close()


@contextmanager
def writable(ctx: AppContext) -> Iterator[Store]:
    """A writable connection to the context's profile, for a test to arrange its data (the
    window's own store, ``ctx.store``, refuses writes); closed on exit."""
    with closing(Store.open(ctx.paths.profile)) as store:
        yield store


def _event(kind: EventKind, at: datetime, summary: str, key: str, **kw: object) -> Event:
    return Event(kind=kind, at=at, evidence=Evidence(summary, "test data"), key=key, **kw)  # type: ignore[arg-type]


def add(
    store: Store,
    name: str,
    company: str,
    role: str,
    emails: tuple[str, ...],
    steps: list[str],
    **kw: object,
) -> int:
    """Add a contact and walk it through named steps (request, reply, meet, …)."""
    contact = store.contacts.add(Contact(None, name, emails, company, role, **kw))  # type: ignore[arg-type]
    assert contact.id is not None
    cid = contact.id
    at = NOW - timedelta(days=20)
    for n, step in enumerate(steps):
        at = at + timedelta(days=2, hours=n)
        key = f"{cid}:{n}:{step}"
        if step == "request":
            ev = _event(EventKind.REQUEST_SENT, at, "Request seen in Sent mail", key)
        elif step == "followup":
            ev = _event(EventKind.FOLLOWUP_SENT, at, "Follow-up seen in Sent mail", key)
        elif step == "reply":
            ev = _event(EventKind.GENUINE_REPLY, NOW - timedelta(hours=30), "They replied", key)
        elif step == "fresh-reply":
            ev = _event(EventKind.GENUINE_REPLY, NOW - timedelta(hours=2), "They replied", key)
        elif step == "away":
            ev = _event(
                EventKind.AUTO_REPLY, at, "Out-of-office reply", key, away_until=date(2026, 3, 19)
            )
        elif step == "bounce":
            ev = _event(
                EventKind.BOUNCE, at, "Delivery failed", key, bounced_addresses=(emails[0],)
            )
        elif step == "meeting-soon":
            ev = _event(
                EventKind.MEETING_SET,
                at,
                "Meeting set",
                key,
                meeting_start=NOW + timedelta(hours=18),
                meeting_end=NOW + timedelta(hours=18, minutes=15),
            )
        elif step == "meeting-past":
            ev = _event(
                EventKind.MEETING_SET,
                at,
                "Meeting set",
                key,
                meeting_start=NOW - timedelta(days=3),
                meeting_end=NOW - timedelta(days=3) + timedelta(minutes=15),
            )
        elif step == "met":
            ev = _event(EventKind.MEETING_PASSED, NOW - timedelta(days=2), "Meeting ended", key)
        elif step == "thanked":
            ev = _event(EventKind.THANK_YOU_SENT, NOW - timedelta(days=1), "Thank-you sent", key)
        elif step == "checkin":
            ev = _event(EventKind.CHECK_IN_SENT, NOW - timedelta(hours=5), "Check-in sent", key)
        elif step == "declined":
            ev = _event(
                EventKind.OVERRIDE,
                at,
                "You moved the contact to Declined",
                key,
                target_stage=Stage.DECLINED,
            )
        else:
            raise ValueError(step)
        store.pipeline.apply(cid, ev)
    return cid


def seed(store: Store) -> dict[str, int]:
    """A dozen contacts spread over the pipeline."""
    ids = {
        "ada": add(
            store,
            "Ada Lovelace",
            "Analytical Engines",
            "Head of Research",
            ("ada@engines.example",),
            ["request", "reply"],
            timezone="Europe/London",
        ),
        "grace": add(
            store,
            "Grace Hopper",
            "Navy Computing",
            "Rear Admiral",
            ("grace@navy.example", "ghopper@mail.example"),
            ["request", "away"],
        ),
        "alan": add(
            store,
            "Alan Turing",
            "Bletchley Labs",
            "Mathematician",
            ("alan@bletchley.example",),
            ["request", "meeting-soon"],
        ),
        "katherine": add(
            store,
            "Katherine Johnson",
            "NASA Langley",
            "Research Mathematician",
            ("kj@nasa.example",),
            ["request", "meeting-past", "met"],
        ),
        "margaret": add(
            store,
            "Margaret Hamilton",
            "Hamilton Technologies",
            "Founder",
            ("margaret@ht.example",),
            ["request", "meeting-past", "met", "thanked"],
        ),
        "linus": add(
            store,
            "Linus Torvalds",
            "Linux Foundation",
            "Fellow",
            ("linus@lf.example",),
            ["request", "followup", "followup"],
        ),
        "barbara": add(
            store,
            "Barbara Liskov",
            "MIT CSAIL",
            "Institute Professor",
            ("liskov@mit.example",),
            ["request", "bounce"],
        ),
        "donald": add(
            store, "Donald Knuth", "Stanford", "Professor Emeritus", ("knuth@stanford.example",), []
        ),
        "radia": add(
            store,
            "Radia Perlman",
            "Dell Technologies",
            "Fellow",
            ("radia@dell.example",),
            [],
            source="Article in IEEE Spectrum",
        ),
        "frances": add(
            store,
            "Frances Allen",
            "IBM Research",
            "Fellow",
            ("fran@ibm.example",),
            ["request", "declined"],
        ),
        "edsger": add(
            store,
            "Edsger Dijkstra",
            "UT Austin",
            "Professor",
            ("ewd@utexas.example",),
            ["request", "fresh-reply"],
        ),
        "hedy": add(
            store,
            "Hedy Lamarr",
            "Frequency Hopping Ltd",
            "Inventor",
            ("hedy@fh.example",),
            ["request", "meeting-past", "met", "thanked", "checkin"],
        ),
    }
    return ids
