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
    ana = store.contacts.add(Contact(None, "Ana", ("ana@x.org",)))
    raj = store.contacts.add(Contact(None, "Raj", ("raj@x.org",)))
    product = store.workspace.add_objective(
        Objective(None, "Product", ("PM",), ("Figma",), ("Software",))
    )
    data = store.workspace.add_objective(Objective(None, "Data science"))
    assert product.id is not None and data.id is not None
    store.workspace.set_contact_objectives(ana.id or 0, [product.id, data.id])
    store.workspace.set_contact_objectives(raj.id or 0, [data.id])
    assert store.workspace.objective_members() == {product.id: {ana.id}, data.id: {ana.id, raj.id}}
    assert store.workspace.objectives()[0] == product
    store.workspace.update_objective(Objective(product.id, "Product management", ("PM", "APM")))
    assert store.workspace.objectives()[0].titles == ("PM", "APM")
    store.contacts.delete(ana.id or 0)
    assert store.workspace.objective_members() == {product.id: set(), data.id: {raj.id}}
    store.workspace.delete_objective(data.id)
    assert store.workspace.contact_objectives(raj.id or 0) == []


def test_source_research_links_questions(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cid = store.contacts.add(Contact(None, "Zoë", ("zoe@x.org",))).id or 0
    assert store.workspace.source(cid) is None
    src = ContactSource(SourceKind.ARTICLE, "Data at scale", "https://example.org/a", "Wired")
    store.workspace.set_source(cid, src)
    assert store.workspace.source(cid) == src
    store.workspace.set_source(cid, ContactSource(SourceKind.ALUMNI, detail="MIT alumni"))
    assert store.workspace.sources() == {cid: ContactSource(SourceKind.ALUMNI, detail="MIT alumni")}
    store.workspace.set_research(cid, "# Zoë\n- led the *data* team", NOW)
    assert store.workspace.research(cid).startswith("# Zoë")
    store.workspace.set_links(cid, [Link("https://a.example", "Blog"), Link("https://b.example")])
    assert [link.url for link in store.workspace.links(cid)] == [
        "https://a.example",
        "https://b.example",
    ]
    saved = store.workspace.set_questions(
        cid, [Question(None, "First?"), Question(None, "Second?")]
    )
    store.workspace.set_questions(cid, [saved[1], saved[0]])  # reordered
    assert [q.text for q in store.workspace.questions(cid)] == ["Second?", "First?"]
    first = store.workspace.questions(cid)[1]
    assert first.id is not None
    store.workspace.set_question_checked(first.id, True)
    assert [q.checked for q in store.workspace.questions(cid)] == [False, True]


def test_interviews_and_drafts(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cid = store.contacts.add(Contact(None, "Ana", ("ana@x.org",))).id or 0
    rec = store.workspace.save_interview(InterviewRecord(None, cid, NOW, planned_minutes=15))
    assert rec.id is not None
    store.workspace.save_interview(
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
    [got] = store.workspace.interviews(cid)
    assert (got.ended_at, got.their_promises, got.my_promises, got.referrals) == (
        NOW.replace(hour=10),
        ("send the deck",),
        ("send my portfolio",),
        ("Raj Patel",),
    )
    draft = store.workspace.add_draft(Draft(None, cid, "request_referral", "Hi", "Body", NOW))
    assert store.workspace.drafts(cid) == [draft]
    assert draft.id is not None
    store.workspace.delete_draft(draft.id)
    assert store.workspace.drafts(cid) == []
