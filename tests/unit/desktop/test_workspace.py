"""The workspace logic on a real profile: the question bank, referrals made at the end of an
interview, the sources the composer uses, the loose ends of the thank-you."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desktop import compose, settings, templates, workspace
from desktop.domain.model import Contact, EventKind, Objective, Stage
from desktop.domain.network import chain_to, chains, introduced_by
from desktop.domain.workspace import ContactSource, InterviewRecord, SourceKind
from desktop.storage import Store
from tests.helpers.builders import T0, event

PREFS = settings.Settings(user_name="Sam Lee", timezone="Europe/London")


def test_the_default_bank_covers_the_practice_and_the_users_own_wins(tmp_path: Path) -> None:
    bank = workspace.question_bank(None)
    text = " ".join(bank).casefold()
    for topic in (
        "drew you",
        "training",
        "typical day",
        "like most",
        "like least",
        "advice",
        "who else",
    ):
        assert topic in text, topic
    assert len(bank) >= 15
    (tmp_path / "questions.md").write_text("# Mine\n- Only this?\nnot a question\n")
    assert workspace.question_bank(tmp_path) == ["Only this?"]
    (tmp_path / "questions.md").write_text("nothing here")
    assert workspace.question_bank(tmp_path) == bank


def test_questions_are_seeded_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    cid = store.contacts.add(Contact(None, "Ana")).id or 0
    first = workspace.questions_for(store, cid, ["A?", "B?"])
    store.workspace.set_questions(cid, first[::-1])
    assert [q.text for q in workspace.questions_for(store, cid, ["C?"])] == ["B?", "A?"]


def test_parse_suggestions() -> None:
    p = workspace.parse_suggestion
    assert p("Raj Patel <RAJ@stripe.example>") == workspace.Suggested(
        "Raj Patel", "raj@stripe.example"
    )
    assert p("Mei Chen, mei@x.example") == workspace.Suggested("Mei Chen", "mei@x.example")
    assert p("Lars Berg (Spotify)") == workspace.Suggested("Lars Berg", "", "Spotify")
    assert p("Ola Nordmann at Equinor") == workspace.Suggested("Ola Nordmann", "", "Equinor")
    assert p("   ") is None


def test_finishing_an_interview_makes_targets_with_referrer_and_drafts(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    ana = store.contacts.add(Contact(None, "Ana Silva", ("ana@figma.example",))).id or 0
    objective = store.workspace.add_objective(Objective(None, "Product")).id or 0
    store.workspace.set_contact_objectives(ana, [objective])
    known = store.contacts.add(Contact(None, "Lars Berg", ("lars@x.example",))).id or 0
    done = workspace.finish_interview(
        store,
        InterviewRecord(
            None, ana, T0, planned_minutes=15, their_promises=("the team's reading list",)
        ),
        ["Raj Patel <raj@stripe.example>", "Mei Chen (Canva)", "Lars Berg", ""],
        PREFS,
        T0 + timedelta(minutes=20),
    )
    assert [(r.name, r.created) for r in done.referrals] == [
        ("Raj Patel", True),
        ("Mei Chen", True),
        ("Lars Berg", False),
    ]
    assert done.record.ended_at == T0 + timedelta(minutes=20)
    assert done.record.referrals == (
        "Raj Patel <raj@stripe.example>",
        "Mei Chen (Canva)",
        "Lars Berg",
    )
    for r in done.referrals[:2]:
        record = store.contacts.get(r.contact_id)
        assert (record.contact.referrer_id, record.state.stage) == (ana, Stage.TARGET)
        assert store.workspace.source(r.contact_id) == ContactSource(SourceKind.REFERRAL)
        assert store.workspace.contact_objectives(r.contact_id) == [objective]
        [draft] = store.workspace.drafts(r.contact_id)
        assert draft.template == "request_referral"
        assert draft.subject == "Ana Silva suggested I get in touch"
        assert f"Hi {r.name.split()[0]}," in draft.body
        assert "Ana Silva suggested I speak with you" in draft.body
        assert draft.body.count("\n- ") == 3  # three proposed times
    assert (
        store.contacts.get(known).contact.referrer_id == ana
    )  # an existing contact is not doubled
    assert store.workspace.drafts(known) == []
    assert store.contacts.get(done.referrals[1].contact_id).contact.company == "Canva"
    # The thank-you to Ana lists what she promised.
    store.contacts.set_notes(ana, "[ ] send my portfolio link")
    fields = compose.contact_fields(
        store, store.contacts.get(ana), PREFS, {"meeting_day": "Monday"}
    )
    assert fields["loose_ends"] == ["the team's reading list", "send my portfolio link"]
    body = templates.render(templates.load("thank_you"), fields).body
    assert "- the team's reading list\n- send my portfolio link" in body


def test_the_composer_writes_for_the_source(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    cid = store.contacts.add(Contact(None, "Zoë Martin", ("zoe@x.example",))).id or 0
    store.workspace.set_source(
        cid, ContactSource(SourceKind.ARTICLE, "Data at scale", "https://w.example/a", "Wired")
    )
    record = store.contacts.get(cid)
    names = list(templates.available())
    assert compose.default_template(record, names, None, SourceKind.ARTICLE) == "request_article"
    fields = compose.contact_fields(
        store, record, PREFS, {"slots": ["Mon 10:00"], "meeting": "a call"}
    )
    message = templates.render(templates.load("request_article"), fields)
    assert 'I read "Data at scale" in Wired' in message.body
    store.workspace.set_source(
        cid, ContactSource(SourceKind.ALUMNI, detail="the Imperial College alumni network")
    )
    record = store.contacts.get(cid)
    assert compose.default_template(record, names, None, SourceKind.ALUMNI) == "request_affiliation"
    fields = compose.contact_fields(
        store, record, PREFS, {"slots": ["Mon 10:00"], "meeting": "a call"}
    )
    assert fields["affiliation"] == "the Imperial College alumni network"


def test_referral_chains() -> None:
    referrers: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 1, 5: None, 6: 7, 7: 6, 8: None}
    names = {1: "Ana", 2: "Raj", 3: "Mei", 4: "Bo", 5: "Solo", 6: "X", 7: "Y", 8: "Z"}
    trees = chains(referrers, names)
    assert [(t.contact_id, t.size, t.depth) for t in trees] == [(1, 4, 3), (6, 2, 2)]
    assert [c.contact_id for c in trees[0].children] == [4, 2]  # by name
    assert chain_to(referrers, 3) == [1, 2, 3]
    assert sorted(introduced_by(referrers, 1)) == [2, 4]


def test_objective_overview_says_what_to_do_next(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    product = store.workspace.add_objective(
        Objective(None, "Product", ("Product Manager",), ("Figma", "Canva"))
    )
    empty = store.workspace.add_objective(Objective(None, "Climate tech"))
    a = (
        store.contacts.add(Contact(None, "Ana", company="Figma", role="Senior Product Manager")).id
        or 0
    )
    b = store.contacts.add(Contact(None, "Bo", company="Stripe")).id or 0
    store.pipeline.apply(b, event(EventKind.REQUEST_SENT, T0))
    store.pipeline.apply(b, event(EventKind.GENUINE_REPLY, T0 + timedelta(hours=3)))
    store.workspace.set_contact_objectives(a, [product.id or 0])
    store.workspace.set_contact_objectives(b, [product.id or 0])
    first, second = workspace.objective_overview(store)
    assert (first.total, first.counts[Stage.TARGET], first.counts[Stage.REPLIED]) == (2, 1, 1)
    assert first.next_steps == (
        "No target yet at Canva.",
        "Answer 1 person who replied.",
        "Ask 1 target for a conversation.",
    )
    assert second.objective == empty
    assert second.next_steps[0].startswith("No contacts yet")


def test_analytics_from_the_store(tmp_path: Path) -> None:
    from desktop.domain.analytics import Period, Rate
    from desktop.domain.clock import ManualClock

    store = Store.open(tmp_path)
    a = store.contacts.add(Contact(None, "A", ("a@x.example",))).id or 0
    b = store.contacts.add(Contact(None, "B", ("b@x.example",), referrer_id=a)).id or 0
    store.pipeline.apply(a, event(EventKind.REQUEST_SENT, T0))
    store.pipeline.apply(b, event(EventKind.REQUEST_SENT, T0))
    store.pipeline.apply(b, event(EventKind.AUTO_REPLY, T0 + timedelta(hours=1)))
    store.pipeline.apply(a, event(EventKind.GENUINE_REPLY, T0 + timedelta(hours=2)))
    clock = ManualClock(T0 + timedelta(days=5))
    result = workspace.analytics_from_store(store, clock, Period(T0, clock.now()))
    assert (result.reply_rate, result.auto_replies_ignored) == (Rate(1, 2), 1)
    assert dict(result.by_source) == {"not recorded": Rate(1, 1), "referral": Rate(0, 1)}
