"""Per objective: how many contacts stand at each stage, and what to do next."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.domain.model import Contact, ContactState, Objective, Stage


@dataclass(frozen=True, slots=True)
class ObjectiveSummary:
    objective: Objective
    counts: Mapping[Stage, int]
    total: int
    next_steps: tuple[str, ...]
    #: Contacts not given to the objective whose company or role matches it, by name.
    suggested: tuple[int, ...] = ()


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _has(text: str, phrase: str) -> bool:
    """``phrase`` in ``text`` as whole words, case and spacing aside ("NASA" in "NASA Langley",
    "data scientist" in "Senior Data Scientist"; not "ai" in "Airbus")."""
    phrase, text = _words(phrase), _words(text)
    return bool(phrase) and f" {phrase} " in f" {text} "


def matches(objective: Objective, contact: Contact) -> bool:
    """The contact works at one of the objective's companies or as one of its titles."""
    return any(_has(contact.company, c) for c in objective.companies) or any(
        _has(contact.role, t) for t in objective.titles
    )


def summarise(
    objective: Objective,
    members: Iterable[tuple[Contact, ContactState]],
    others: Iterable[tuple[Contact, ContactState]] = (),
) -> ObjectiveSummary:
    """``members`` are the contacts given to the objective; ``others`` every other contact,
    of which those matching the objective are suggested (and count for its next steps)."""
    people = list(members)
    suggested = [c for c, _s in others if c.id is not None and matches(objective, c)]
    counts = {s: 0 for s in Stage}
    for _c, state in people:
        counts[state.stage] += 1
    steps: list[str] = []
    if suggested:
        n = len(suggested)
        steps.append(
            "1 contact you have matches this objective: add it."
            if n == 1
            else f"{n} contacts you have match this objective: add them."
        )
    elif not people:
        steps.append(
            "No contacts yet: import your LinkedIn connections or add someone you read about."
        )
    known = [c for c, _s in people] + suggested
    for company in objective.companies:
        if not any(_has(c.company, company) for c in known):
            steps.append(f"No target yet at {company}.")
    for title in objective.titles:
        if not any(_has(c.role, title) for c in known):
            steps.append(f"No one yet who works as {title}.")
    if counts[Stage.REPLIED]:
        n = counts[Stage.REPLIED]
        steps.append(f"Answer {n} {'person' if n == 1 else 'people'} who replied.")
    if counts[Stage.MET]:
        n = counts[Stage.MET]
        steps.append(f"Thank {n} {'person' if n == 1 else 'people'} you met.")
    if counts[Stage.SCHEDULED]:
        n = counts[Stage.SCHEDULED]
        steps.append(f"Prepare {n} upcoming {'conversation' if n == 1 else 'conversations'}.")
    if counts[Stage.TARGET]:
        n = counts[Stage.TARGET]
        steps.append(f"Ask {n} {'target' if n == 1 else 'targets'} for a conversation.")
    active = sum(counts[s] for s in (Stage.REQUESTED, Stage.REPLIED, Stage.SCHEDULED))
    if people and not counts[Stage.TARGET] and not active:
        steps.append("Everyone has been asked: find new targets (ask whom they recommend).")
    return ObjectiveSummary(
        objective, counts, len(people), tuple(steps), tuple(sorted(c.id or 0 for c in suggested))
    )


def summaries(
    objectives: Iterable[Objective],
    members: Mapping[int, set[int]],
    people: Mapping[int, tuple[Contact, ContactState]],
) -> list[ObjectiveSummary]:
    out = []
    for o in objectives:
        ids = members.get(o.id or -1, set())
        out.append(
            summarise(
                o,
                (people[i] for i in sorted(ids) if i in people),
                (p for i, p in people.items() if i not in ids),
            )
        )
    return out
