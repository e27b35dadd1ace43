"""The demo: a fresh profile with the built-in demo mailbox, and the same story played headless.

The demo profile is an ordinary profile whose one account is the simulated mailbox of mail/demo.py;
its scripted contacts answer on an accelerated clock, and every stage change comes from classifying
the real RFC 5322 messages they send, through the same sync engine as a real account.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop import compose, invites, outbox, replies, settings
from desktop.actions import all_due
from desktop.domain.clock import Clock, ManualClock
from desktop.domain.due import DueAction
from desktop.domain.model import STAGE_ORDER, Contact, Stage, Transition
from desktop.domain.pipeline import Step
from desktop.domain.slots import propose_slots, render_slots, reserved_for_others
from desktop.jobs import SyncRound, sync_round
from desktop.paths import Paths
from desktop.storage import Store
from desktop.storage.files import FILE_MODE, private_dir
from mail import intent as intents
from mail.demo import (
    DEMO_CONTACTS,
    DEMO_USER_ADDRESS,
    DEMO_USER_NAME,
    SEED_REASONS,
    SEED_SLOT_LENGTH,
    Behaviour,
    DemoMailbox,
    seed_slot_starts,
)
from mail.provider import AccountKind, OutgoingMessage

#: Demo minutes per real second in the windowed demo (1 s = 10 min: a demo day in 2.4 minutes).
DEMO_SPEED = 600.0
STEP = timedelta(minutes=10)


@dataclass
class Demo:
    store: Store
    mailbox: DemoMailbox
    ids_by_email: dict[str, int]
    #: True when this call seeded the profile (a fresh demo), False when it reopened one.
    created: bool = False
    paths: Paths | None = None

    def contact_id(self, behaviour: str) -> int:
        for demo in DEMO_CONTACTS:
            if demo.behaviour == behaviour:
                return self.ids_by_email[demo.email]
        raise KeyError(behaviour)


#: Written into every demo profile: only a folder that has it is ever reset.
MARKER = ".coffeechat-demo"


class NotADemoProfileError(Exception):
    """The folder given for the demo holds something else; it was left alone."""


def fresh_profile(paths: Paths, *, ours: bool = False) -> None:
    """Remove a previous demo profile so every `make demo` starts the story from the beginning.

    Only a folder that is empty or was made by the demo (it has the marker file) is removed: a
    mistyped ``--profile`` pointing at real data is refused, never deleted. ``ours`` is for the
    default demo folder, which lives in Coffeechat's own data folder.
    """
    root = paths.profile
    if not root.exists():
        return
    if not root.is_dir():
        raise NotADemoProfileError(
            f"{root} is a file, not a demo profile folder; it was left alone"
        )
    if not ours and any(root.iterdir()) and not (root / MARKER).exists():
        raise NotADemoProfileError(
            f"{root} is not a demo profile (it has other files); it was left alone. Choose an "
            "empty or new folder for the demo."
        )
    shutil.rmtree(root)


def claim(paths: Paths, *, ours: bool = False) -> None:
    """Make (or recognise) the demo profile folder; a folder holding anything else is refused."""
    root = paths.profile
    if root.exists() and not root.is_dir():
        raise NotADemoProfileError(
            f"{root} is a file, not a demo profile folder; it was left alone"
        )
    if not ours and root.is_dir() and any(root.iterdir()) and not (root / MARKER).exists():
        raise NotADemoProfileError(
            f"{root} is not a demo profile (it has other files); the demo will not write into it."
        )
    private_dir(root)
    (root / MARKER).touch(mode=FILE_MODE)


def prepare(paths: Paths, clock: Clock) -> Demo:
    """Open (or create) the demo profile: its account, mailbox and contacts."""
    claim(paths)
    store = Store.open(paths.profile)
    account = store.accounts.add(AccountKind.DEMO, DEMO_USER_ADDRESS, "Demo mailbox")
    private_dir(paths.demo_mailbox)
    mailbox = DemoMailbox.create(paths.demo_mailbox, account, clock)
    created = store.contacts.count() == 0
    if created:
        _seed_contacts(store, clock)
        path = paths.settings
        current = settings.load(path)
        if not current.user_name:
            settings.save(path, settings.Settings(user_name=DEMO_USER_NAME, welcome_done=True))
    ids_by_email = {r.contact.primary_email: r.id for r in store.contacts.all()}
    return Demo(store, mailbox, ids_by_email, created, paths)


def _seed_contacts(store: Store, clock: Clock) -> None:
    """The demo's contacts, in one transaction: a full disk half-way leaves none (the next run
    seeds them all), never a story with some of its people missing."""
    ids: dict[str, int] = {}
    with store.transaction():
        for demo in DEMO_CONTACTS:  # referrers first is not guaranteed: link them afterwards
            stored = store.contacts.add(
                Contact(
                    id=None,
                    name=demo.name,
                    emails=(demo.email,),
                    company=demo.company,
                    role=demo.role,
                    timezone=demo.timezone,
                    source=demo.source,
                )
            )
            assert stored.id is not None
            ids[demo.email] = stored.id
        for demo in DEMO_CONTACTS:
            if demo.referrer_email and demo.referrer_email in ids:
                record = store.contacts.get(ids[demo.email])
                store.contacts.update(replace(record.contact, referrer_id=ids[demo.referrer_email]))
        # The seeded requests offered three times each: those times are held for the contacts
        # who can answer (the bounced address never could; its report arrives in the first
        # pass, before anything is known about it).
        seeded = [c for c in DEMO_CONTACTS if c.email in SEED_REASONS]
        for offset, demo in enumerate(seeded):
            if demo.behaviour == Behaviour.BOUNCES:
                continue
            starts = seed_slot_starts(clock.now(), demo, offset)
            store.messages.add_offers(
                ids[demo.email], [(a, a + SEED_SLOT_LENGTH) for a in starts], clock.now()
            )


#: The requests the user sends as a fresh demo opens: the one who declines and refers a
#: colleague, the one who proposes other times, and one who never answers.
OPENING_REQUESTS = ("declines_refers", "proposes", "silent")


def send_requests(demo: Demo, behaviours: tuple[str, ...], now: datetime) -> None:
    """The user sends more requests at the start of the story (through the outbox), each with
    three times nobody else holds (slots are reserved: desktop/domain/slots.py)."""
    prefs = settings.load(demo.paths.settings) if demo.paths else settings.Settings()
    user = compose.user_party(prefs)
    for behaviour in behaviours:
        record = demo.store.contacts.get(demo.contact_id(behaviour))
        first = record.contact.name.split()[0]
        their = compose.contact_party(record)
        held = reserved_for_others(demo.store.messages.pending_offers(), record.id, now)
        slots = propose_slots(now, user, their, (), held)
        lines = "\n".join(
            f"- {t}"
            for t in render_slots(slots, user.timezone, record.contact.timezone or None,
                                  audience="contact")
        )  # fmt: skip
        text = (
            f"Hi {first},\n\nI read your recent interview about {record.contact.company} and "
            "would love to hear how you got into your role. Would you have 15 minutes for a short "
            f"phone call? I am free at any of these times:\n\n{lines}\n\n"
            f"Thank you,\n{DEMO_USER_NAME}"
        )
        msg = OutgoingMessage(
            to=(record.contact.primary_email,),
            subject="A 15-minute call about your work?",
            text=text,
            outbox_key=outbox.new_key(),
        )
        compose.send_job(
            demo.store, demo.mailbox, msg, contact_id=record.id, purpose="request", now=now,
            offers=[(x.start, x.end) for x in slots],
        )  # fmt: skip


def reply_in_thread(demo: Demo, contact_id: int, text: str, purpose: str, now: datetime) -> None:
    messages = [m for m in demo.store.messages.for_contact(contact_id) if m.folder == "inbox"]
    record = demo.store.contacts.get(contact_id)
    last = messages[-1] if messages else None
    subject = last.subject if last else "Thank you"
    if last and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    outbox.send(
        demo.store,
        demo.mailbox,
        OutgoingMessage(
            to=(record.contact.primary_email,),
            subject=subject,
            text=text,
            outbox_key=outbox.new_key(),
            thread_id=last.thread_id if last else None,
        ),
        contact_id=contact_id,
        purpose=purpose,
        now=now,
    )


# ------------------------------------------------------------------ headless story
def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%a %d %b %H:%M")


def play_headless(
    paths: Paths, *, start: datetime, days: int = 12, out: Callable[[str], None] = print
) -> dict[Stage, int]:
    """Play the demo story on a stepped clock and print each stage change with its evidence.

    Returns the number of contacts per stage at the end (the tests read it).
    """
    clock = ManualClock(start)
    demo = prepare(paths, clock)
    names = {r.id: r.contact.name for r in demo.store.contacts.all()}
    out(f"Coffeechat demo — headless story, demo clock starting {_when(start)} UTC")
    out(f"Profile: {paths.profile}")
    out(f"{len(names)} contacts; mailbox of {DEMO_USER_ADDRESS}\n")

    acted: set[str] = set()
    seen_due: set[tuple[str, int]] = set()
    reminders = settings.load(paths.settings).reminders()
    # The rounds have a connection of their own, as the window's database worker has.
    rounds = Store.open(paths.profile)
    try:
        out("First sync of the demo mailbox: what happened before you opened Coffeechat")
        _print_round(sync_round(rounds, (demo.mailbox,), clock), names, out)
        out("")
        asked = OPENING_REQUESTS
        send_requests(demo, asked, clock.now())
        who = ", ".join(names[demo.contact_id(b)] for b in asked)
        out(f"{_when(clock.now())}  You send requests to {who}, three times each held for them")

        end = start + timedelta(days=days)
        while clock.now() <= end:
            _print_round(sync_round(rounds, (demo.mailbox,), clock), names, out)
            _story_reactions(demo, clock, names, acted, out)
            _print_new_due(
                all_due(demo.store.contacts.all(), clock.now(), reminders),
                names,
                seen_due,
                clock.now(),
                out,
            )
            clock.advance(STEP)
    finally:
        rounds.close()

    counts = {stage: 0 for stage in STAGE_ORDER}
    for record in demo.store.contacts.all():
        counts[record.state.stage] += 1
    out("\nThe pipeline now:")
    for record in demo.store.contacts.all():
        away = record.state.away_until
        extra = f" (was away until {away:%a %d %b})" if away else ""
        bounced = record.state.bounced_addresses
        extra += f" (bad address {', '.join(bounced)})" if bounced else ""
        out(f"  {record.state.stage.label:<12} {record.contact.name}{extra}")
    return counts


def _transition_lines(name: str, t: Transition) -> str:
    detail = f" [{t.evidence.detail}]" if t.evidence.detail else ""
    return (
        f"{_when(t.at)}  {name:<16} {t.from_stage.label} → {t.to_stage.label}\n"
        f"{'':18}evidence: {t.evidence.summary}{detail}"
    )


def _print_round(round_: SyncRound, names: dict[int, str], out: Callable[[str], None]) -> None:
    """A round's stage changes and away notices, in the order they happened."""
    lines: list[tuple[datetime, int, str]] = []
    for outcome in round_.outcomes:
        if outcome.result is None:
            out(f"  sync: {outcome.state}: {outcome.message}")
            continue
        for change in outcome.result.changes:
            name = names.get(change.contact_id, "?")
            lines.append(
                (change.transition.at, len(lines), _transition_lines(name, change.transition))
            )
        for notice in outcome.result.notices:
            if notice.kind == "auto_reply":  # the others show as stage changes already
                lines.append((notice.at, len(lines), f"{_when(notice.at)}  {notice.text}"))
    for change in round_.time_changes:
        name = names.get(change.contact_id, "?")
        lines.append((change.transition.at, len(lines), _transition_lines(name, change.transition)))
    for _, _, text in sorted(lines):
        out(text)


def _print_step(step: Step | None, name: str, out: Callable[[str], None]) -> None:
    """A change the user made by hand, printed like the others, with its evidence."""
    if step is not None and step.transition is not None:
        out(_transition_lines(name, step.transition))


def _print_new_due(
    actions: list[DueAction],
    names: dict[int, str],
    seen: set[tuple[str, int]],
    now: datetime,
    out: Callable[[str], None],
) -> None:
    for action in actions:
        mark = (action.kind.value, action.contact_id)
        if mark not in seen:
            seen.add(mark)
            out(
                f"{_when(now)}  Today: {action.title} — {names.get(action.contact_id, '?')}: "
                f"{action.detail}"
            )


def _story_reactions(
    demo: Demo,
    clock: ManualClock,
    names: dict[int, str],
    acted: set[str],
    out: Callable[[str], None],
) -> None:
    """What the demo's user does, as a person would in the window: each reply is read on its
    reply card and answered with the card's one click; then the thank-you after the meeting."""
    now = clock.now()
    prefs = settings.load(demo.paths.settings) if demo.paths else settings.Settings()
    for behaviour in ("accepts", "declines_refers", "proposes"):
        contact_id = demo.contact_id(behaviour)
        if behaviour in acted:
            continue
        case = replies.read_case(demo.store, contact_id, prefs, own=(DEMO_USER_ADDRESS,))
        if case is None:
            continue
        acted.add(behaviour)
        _answer(demo, case, prefs, now, out)
    accepts = demo.contact_id("accepts")
    state = demo.store.pipeline.state(accepts)
    first = names[accepts].split()[0]
    if state.stage is Stage.MET and "thank" not in acted:
        due = state.meeting_end and now >= state.meeting_end + timedelta(hours=26)
        if due:
            acted.add("thank")
            reply_in_thread(
                demo,
                accepts,
                f"Dear {first},\n\nThank you so much for your time today — your advice on where "
                f"to start was exactly what I needed.\n\nBest,\n{DEMO_USER_NAME}",
                "thank_you",
                now,
            )
            out(f"{_when(now)}  You send {names[accepts]} a thank-you")


_STORIES = {
    intents.ACCEPT: "accept → schedule → confirm + invite",
    intents.REFER: "decline with referral → new target drafted",
    intents.PROPOSE: "propose other times → pick → confirm + invite",
}


def _answer(
    demo: Demo,
    case: replies.ReplyCase,
    prefs: settings.Settings,
    now: datetime,
    out: Callable[[str], None],
) -> None:
    """One reply card, answered: what it shows, the click, and what the click did."""
    pad = " " * 18
    said = " ".join(case.text.split())
    story = _STORIES.get(case.intent.kind, "a reply to answer")
    out(f"{_when(now)}  Reply card — {case.name}: {case.label}  (story: {story})")
    out(f"{pad}they wrote: {said[:110]}{'…' if len(said) > 110 else ''}")
    out(f"{pad}evidence: {case.intent.evidence}")
    kind = case.intent.kind
    slot = None
    if kind == intents.ACCEPT:
        slot = case.accepted
        if slot is not None:
            out(f"{pad}accepted: {case.both_zones(slot)}")
    elif kind == intents.PROPOSE and case.proposed:
        for n, other in enumerate(case.proposed, 1):
            out(f"{pad}option {n}: {case.both_zones(other)}")
        slot = case.proposed[0]
        out(f"{pad}You pick option 1")
    if slot is not None:
        record = demo.store.contacts.get(case.contact_id)
        where = replies.location_for(slot, prefs)
        seen = invites.preview(
            record.contact, slot, user_name=prefs.user_name, user_tz=case.user_tz, location=where
        )
        out(f"{pad}invitation preview: {seen.title}; {seen.their_time}; {seen.your_time}; "
            f"to {seen.attendee}; place: {seen.place or '(none)'}")  # fmt: skip
        if seen.warning:
            out(f"{pad}warning: {seen.warning}")
        done = replies.confirm_and_invite(demo.store, demo.mailbox, case, slot, prefs, now)
        reply_to = done.message.in_reply_to
        event = done.invitation.event
        how = f"through your calendar, event {event.id}" if event else invites.ICS_NAME
        out(f"{pad}You confirm in their thread (template confirm, In-Reply-To {reply_to}) and "
            f"send the invitation ({how})")  # fmt: skip
        _print_step(done.invitation.step, case.name, out)
    elif kind == intents.REFER:
        who = case.intent.referral_name or case.intent.referral_address
        out(f"{pad}referral: {who} <{case.intent.referral_address or 'no address'}>")
        done_ref = replies.thank_and_refer(
            demo.store, demo.mailbox, case, prefs, now,
            name=case.intent.referral_name, address=case.intent.referral_address,
        )  # fmt: skip
        target = demo.store.contacts.get(done_ref.target_id).contact
        out(f"{pad}You thank {case.name} in their thread (template thank_referral); the card "
            f"closes as Declined")  # fmt: skip
        drafted = (
            "drafted" if done_ref.draft is not None else f"not drafted: {done_ref.draft_error}"
        )
        out(f"{pad}New target: {target.name}, referred by {case.name}; request {drafted}")
    else:
        out(f"{pad}Left for you: a threaded {case.template.value} reply from the card")


def demo_paths(base: Path | None) -> Paths:
    from desktop.paths import resolve

    if base is not None:
        return resolve(base)
    import platformdirs

    root = Path(platformdirs.user_data_dir("Coffeechat", appauthor=False)) / "demo-profile"
    return resolve(root)
