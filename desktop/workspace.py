"""The interview workspace's application logic, Qt-free: the question bank, the end of an
interview (suggested names become targets with a request ready), the analytics and objective
overviews read from the store. The window's views call these; tests call them directly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from desktop import compose, settings, templates
from desktop.domain import analytics
from desktop.domain.clock import Clock
from desktop.domain.model import Contact
from desktop.domain.objectives import ObjectiveSummary, summaries
from desktop.domain.slots import MeetingKind, SlotRules, propose_slots
from desktop.domain.workspace import ContactSource, Draft, InterviewRecord, Question, SourceKind
from desktop.importers import name_key
from desktop.storage import Store

DEFAULT_BANK = Path(__file__).resolve().parent.parent / "resources" / "questions.md"
#: The user's own bank, in the profile folder (edited with File > Question bank…).
USER_BANK_NAME = "questions.md"
REFERRAL_TEMPLATE = "request_referral"


# --------------------------------------------------------------------------- question bank
def parse_bank(text: str) -> list[str]:
    """The questions of a bank file: its "- " lines, in order, without repeats."""
    items = [m.group(1).strip() for m in re.finditer(r"^\s*[-*]\s+(.+)$", text, re.MULTILINE)]
    return [q for q in dict.fromkeys(items) if q]


def question_bank(profile: Path | None = None) -> list[str]:
    """The user's bank when they have one (and it holds questions), else ours."""
    if profile is not None:
        own = Path(profile) / USER_BANK_NAME
        try:
            questions = parse_bank(own.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            questions = []
        if questions:
            return questions
    return parse_bank(DEFAULT_BANK.read_text(encoding="utf-8"))


def questions_for(store: Store, contact_id: int, bank: Sequence[str]) -> list[Question]:
    """The contact's list, seeded from the bank the first time it is asked for."""
    existing = store.workspace.questions(contact_id)
    if existing:
        return existing
    return store.workspace.set_questions(contact_id, [Question(None, q) for q in bank])


# ------------------------------------------------------------------- the end of an interview
@dataclass(frozen=True, slots=True)
class Suggested:
    """A name given in answer to "who else should I talk to?"."""

    name: str
    email: str = ""
    company: str = ""


def parse_suggestion(text: str) -> Suggested | None:
    """ "Raj Patel <raj@x.example>", "Raj Patel, raj@x.example", "Raj Patel (Stripe)"."""
    text = " ".join(text.split())
    if not text:
        return None
    company = ""
    paren = re.search(r"\(([^)]*)\)\s*$", text)
    if paren:
        company = paren.group(1).strip()
        text = text[: paren.start()].strip()
    name, address = parseaddr(text) if "<" in text else ("", "")
    if not address:
        found = re.search(r"[^\s,;<>]+@[^\s,;<>]+\.[^\s,;<>]+", text)
        if found:
            address = found.group(0)
            name = (text[: found.start()] + text[found.end() :]).strip(" ,;-")
        else:
            name = text
    if " at " in name and not company:
        name, _, company = name.partition(" at ")
    name = name.strip(" ,;-")
    return Suggested(name, address.lower(), company.strip()) if name else None


@dataclass(frozen=True, slots=True)
class Referral:
    contact_id: int
    name: str
    created: bool
    draft: Draft | None


@dataclass(frozen=True, slots=True)
class Finished:
    record: InterviewRecord
    referrals: tuple[Referral, ...]


def request_draft(
    store: Store,
    contact_id: int,
    prefs: settings.Settings,
    now: datetime,
    template_dir: Path | None = None,
) -> Draft:
    """A request to ``contact_id`` from the referral template, with times from working hours
    (the composer re-reads the calendar when the draft is opened)."""
    record = store.contacts.get(contact_id)
    template = templates.load(REFERRAL_TEMPLATE, template_dir)
    user = compose.user_party(prefs)
    kind = MeetingKind.CALL
    slots = propose_slots(
        now,
        user,
        compose.contact_party(record),
        compose.app_busy(store, contact_id),
        compose.offered_elsewhere(store, contact_id),
        SlotRules(length=timedelta(minutes=kind.minutes)),
    )
    fields = compose.contact_fields(store, record, prefs, {})
    asked, _texts = compose.slot_fields(
        slots, user.timezone, compose.zone_or_none(record.contact.timezone), "en", kind
    )
    fields.update(asked)
    message = templates.render(template, fields)
    return store.workspace.add_draft(
        Draft(None, contact_id, template.name, message.subject, message.body, now)
    )


def capture_referrals(
    store: Store,
    referrer_id: int,
    names: Sequence[str],
    prefs: settings.Settings,
    now: datetime,
    template_dir: Path | None = None,
) -> list[Referral]:
    """Each name becomes a target introduced by ``referrer_id`` (or, when already a contact,
    gets them as referrer if they had none), with a request drafted and ready."""
    out: list[Referral] = []
    with store.transaction():
        index = store.contacts.address_index()
        by_name: dict[str, list[int]] = {}
        for r in store.contacts.all():
            by_name.setdefault(name_key(r.contact.name), []).append(r.id)
        for text in names:
            suggestion = parse_suggestion(text)
            if suggestion is None:
                continue
            existing = index.get(suggestion.email) if suggestion.email else None
            if existing is None:
                same = by_name.get(name_key(suggestion.name), [])
                existing = same[0] if len(same) == 1 else None
            if existing is not None and existing != referrer_id:
                current = store.contacts.get(existing).contact
                if current.referrer_id is None:
                    store.contacts.update(replace(current, referrer_id=referrer_id))
                out.append(Referral(existing, current.name, False, None))
                continue
            if existing == referrer_id:
                continue
            contact = store.contacts.add(
                Contact(
                    None,
                    suggestion.name,
                    (suggestion.email,) if suggestion.email else (),
                    company=suggestion.company,
                    source=SourceKind.REFERRAL.value,
                    referrer_id=referrer_id,
                )
            )
            assert contact.id is not None
            store.workspace.set_source(contact.id, ContactSource(SourceKind.REFERRAL))
            store.workspace.set_contact_objectives(
                contact.id, store.workspace.contact_objectives(referrer_id)
            )
            by_name.setdefault(name_key(suggestion.name), []).append(contact.id)
            draft = request_draft(store, contact.id, prefs, now, template_dir)
            out.append(Referral(contact.id, contact.name, True, draft))
    return out


def finish_interview(
    store: Store,
    record: InterviewRecord,
    referral_names: Sequence[str],
    prefs: settings.Settings,
    now: datetime,
    template_dir: Path | None = None,
) -> Finished:
    """Store what the conversation yielded and turn the suggested names into targets: one
    transaction, so a failure keeps none of it (the window keeps the text to retry)."""
    with store.transaction():
        names = tuple(n.strip() for n in referral_names if n.strip())
        saved = store.workspace.save_interview(
            replace(record, ended_at=record.ended_at or now, referrals=names)
        )
        referrals = capture_referrals(store, record.contact_id, names, prefs, now, template_dir)
    return Finished(saved, tuple(referrals))


def loose_ends(store: Store, contact_id: int, notes: str) -> list[str]:
    """What the thank-you lists: what they promised in the last interview, then the open items
    in the notes."""
    interviews = store.workspace.interviews(contact_id)
    promised = list(interviews[-1].their_promises) if interviews else []
    return [i for i in dict.fromkeys([*promised, *templates.loose_ends(notes)]) if i]


# -------------------------------------------------------------------------------- overviews
def analytics_from_store(
    store: Store, clock: Clock, period: analytics.Period
) -> analytics.Analytics:
    records = store.contacts.all()
    return analytics.compute(
        store.pipeline.all_events(),
        clock=clock,
        period=period,
        sources={c: s.kind for c, s in store.workspace.sources().items()},
        referrers={r.id: r.contact.referrer_id for r in records},
    )


def objective_overview(store: Store) -> list[ObjectiveSummary]:
    people = {r.id: (r.contact, r.state) for r in store.contacts.all()}
    return summaries(store.workspace.objectives(), store.workspace.objective_members(), people)
