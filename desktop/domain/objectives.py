"""Per objective: how many contacts stand at each stage, and what to do next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.domain.model import Contact, ContactState, Objective, Stage


@dataclass(frozen=True, slots=True)
class ObjectiveSummary:
    objective: Objective
    counts: Mapping[Stage, int]
    total: int
    next_steps: tuple[str, ...]


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def summarise(
    objective: Objective,
    members: Iterable[tuple[Contact, ContactState]],
) -> ObjectiveSummary:
    people = list(members)
    counts = {s: 0 for s in Stage}
    for _c, state in people:
        counts[state.stage] += 1
    steps: list[str] = []
    if not people:
        steps.append(
            "No contacts yet: import your LinkedIn connections or add someone you read about."
        )
    companies = {_folded(c.company) for c, _s in people}
    for company in objective.companies:
        if _folded(company) not in companies:
            steps.append(f"No target yet at {company}.")
    roles = " ".join(_folded(c.role) for c, _s in people)
    for title in objective.titles:
        if _folded(title) not in roles:
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
    return ObjectiveSummary(objective, counts, len(people), tuple(steps))


def summaries(
    objectives: Iterable[Objective],
    members: Mapping[int, set[int]],
    people: Mapping[int, tuple[Contact, ContactState]],
) -> list[ObjectiveSummary]:
    out = []
    for o in objectives:
        ids = members.get(o.id or -1, set())
        out.append(summarise(o, (people[i] for i in sorted(ids) if i in people)))
    return out
