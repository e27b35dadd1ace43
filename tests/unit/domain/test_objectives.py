"""Objectives: which contacts match one, and what its summary suggests."""

from __future__ import annotations

from desktop.domain.model import Contact, ContactState, Objective, Stage
from desktop.domain.objectives import matches, summarise

OBJ = Objective(1, "Data at Lumen", ("Data Scientist",), ("Lumen",))


def _c(cid: int, company: str, role: str) -> tuple[Contact, ContactState]:
    return Contact(cid, f"P{cid}", company=company, role=role), ContactState(Stage.TARGET)


def test_a_contact_matches_by_company_or_title_as_whole_words() -> None:
    assert matches(OBJ, _c(1, "Lumen Health", "Engineer")[0])
    assert matches(OBJ, _c(2, "Acme", "Senior Data Scientist, ML")[0])
    assert not matches(OBJ, _c(3, "Luminous", "Data Engineer")[0])
    assert not matches(Objective(2, "Empty"), _c(4, "Lumen", "Data Scientist")[0])


def test_matching_contacts_not_given_to_it_are_suggested_and_counted_in_the_steps() -> None:
    members = [_c(1, "Lumen", "Designer")]
    others = [_c(2, "Acme", "Data Scientist"), _c(3, "Acme", "Designer")]
    summary = summarise(OBJ, members, others)
    assert summary.total == 1
    assert summary.suggested == (2,)
    assert "1 contact you have matches this objective: add it." in summary.next_steps
    assert not any(s.startswith("No one yet who works as") for s in summary.next_steps)
    alone = summarise(OBJ, [], [])
    assert alone.suggested == ()
    assert "No target yet at Lumen." in alone.next_steps
