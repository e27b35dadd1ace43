"""The workspace repositories on a real SQLite file: round trips, order, cascades."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.model import Contact, Objective
from desktop.domain.workspace import (
    ContactSource,
    Draft,
    InterviewRecord,
    Link,
    Question,
    SourceKind,
)
from desktop.storage import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    return Store.open(tmp_path)


def test_objectives_and_their_contacts(tmp_path: Path) -> None:
    store = _store(tmp_path)
    ana = store.add_contact(Contact(None, "Ana", ("ana@x.org",)))
    raj = store.add_contact(Contact(None, "Raj", ("raj@x.org",)))
    product = store.add_objective(Objective(None, "Product", ("PM",), ("Figma",), ("Software",)))
    data = store.add_objective(Objective(None, "Data science"))
    assert product.id is not None and data.id is not None
    store.set_contact_objectives(ana.id or 0, [product.id, data.id])
    store.set_contact_objectives(raj.id or 0, [data.id])
    assert store.objective_members() == {product.id: {ana.id}, data.id: {ana.id, raj.id}}
    assert store.objectives()[0] == product
    store.update_objective(Objective(product.id, "Product management", ("PM", "APM")))
    assert store.objectives()[0].titles == ("PM", "APM")
    store.delete_contact(ana.id or 0)
    assert store.objective_members() == {product.id: set(), data.id: {raj.id}}
    store.delete_objective(data.id)
    assert store.contact_objectives(raj.id or 0) == []


def test_source_research_links_questions(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cid = store.add_contact(Contact(None, "Zoë", ("zoe@x.org",))).id or 0
    assert store.source(cid) is None
    src = ContactSource(SourceKind.ARTICLE, "Data at scale", "https://example.org/a", "Wired")
    store.set_source(cid, src)
    assert store.source(cid) == src
    store.set_source(cid, ContactSource(SourceKind.ALUMNI, detail="MIT alumni"))
    assert store.sources() == {cid: ContactSource(SourceKind.ALUMNI, detail="MIT alumni")}
    store.set_research(cid, "# Zoë\n- led the *data* team", NOW)
    assert store.research(cid).startswith("# Zoë")
    store.set_links(cid, [Link("https://a.example", "Blog"), Link("https://b.example")])
    assert [link.url for link in store.links(cid)] == ["https://a.example", "https://b.example"]
    saved = store.set_questions(cid, [Question(None, "First?"), Question(None, "Second?")])
    store.set_questions(cid, [saved[1], saved[0]])  # reordered
    assert [q.text for q in store.questions(cid)] == ["Second?", "First?"]
    first = store.questions(cid)[1]
    assert first.id is not None
    store.set_question_checked(first.id, True)
    assert [q.checked for q in store.questions(cid)] == [False, True]


def test_interviews_and_drafts(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cid = store.add_contact(Contact(None, "Ana", ("ana@x.org",))).id or 0
    rec = store.save_interview(InterviewRecord(None, cid, NOW, planned_minutes=15))
    assert rec.id is not None
    store.save_interview(
        InterviewRecord(
            rec.id,
            cid,
            NOW,
            NOW.replace(hour=10),
            15,
            "notes",
            ("send the deck",),
            ("send my portfolio",),
            ("Raj Patel",),
        )
    )
    [got] = store.interviews(cid)
    assert (got.ended_at, got.their_promises, got.my_promises, got.referrals) == (
        NOW.replace(hour=10),
        ("send the deck",),
        ("send my portfolio",),
        ("Raj Patel",),
    )
    draft = store.add_draft(Draft(None, cid, "request_referral", "Hi", "Body", NOW))
    assert store.drafts(cid) == [draft]
    assert draft.id is not None
    store.delete_draft(draft.id)
    assert store.drafts(cid) == []
