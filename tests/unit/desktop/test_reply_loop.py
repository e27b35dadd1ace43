"""The reply loop without a window, on the demo profile: times held for others come from the
offers table (released and expired ones do not count), and a polite close is a threaded reply
that closes the card."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desktop import compose, demo_story, replies, settings
from desktop.domain.model import Stage
from desktop.domain.slots import Slot, clashes
from desktop.jobs import sync_round
from desktop.storage import Store
from desktop.templates import TemplateKind
from mail import intent as intents
from mail.provider import Folder
from tests.helpers.demo_profile import START, open_demo


def test_times_offered_to_one_contact_are_held_from_the_others(tmp_path: Path) -> None:
    demo, clock, _paths = open_demo(tmp_path / "demo", START)
    # Jonas's seeded request offered three times; he is away, so they are still pending.
    jonas = demo.contact_id("away")
    daniel = demo.contact_id("declines_refers")
    rounds = Store.open(_paths.profile)
    sync_round(rounds, (demo.mailbox,), clock)  # the request is seen: he is requested
    rounds.close()
    held = compose.offered_elsewhere(demo.store, daniel, clock.now())
    offered = [Slot(a, b) for a, b in demo.store.messages.offers_for(jonas)]
    assert offered and all(clashes(s, held) for s in offered)
    assert compose.offered_elsewhere(demo.store, jonas, clock.now()) == []  # never from himself
    # The requests sent now avoid them, whatever the contacts' zones.
    demo_story.send_requests(demo, ("declines_refers", "proposes"), clock.now())
    for other in (daniel, demo.contact_id("proposes")):
        for a, b in demo.store.messages.offers_for(other):
            assert not clashes(Slot(a, b), offered)
    # Expired after the setting's days: free again.
    later = clock.now() + timedelta(days=settings.Settings().offer_expiry_days)
    assert not any(
        clashes(s, compose.offered_elsewhere(demo.store, daniel, later)) for s in offered
    )
    demo.store.close()


def test_a_polite_close_is_a_threaded_reply_and_releases_their_times(tmp_path: Path) -> None:
    demo, clock, paths = open_demo(tmp_path / "demo", START)
    prefs = settings.load(paths.settings)
    tomas = demo.contact_id("proposes")
    demo_story.send_requests(demo, ("proposes",), clock.now())
    rounds = Store.open(paths.profile)
    sync_round(rounds, (demo.mailbox,), clock)
    clock.advance(timedelta(hours=2))
    sync_round(rounds, (demo.mailbox,), clock)
    rounds.close()
    case = replies.read_case(demo.store, tomas, prefs)
    assert case is not None and case.intent.kind == intents.PROPOSE
    assert len(case.proposed) == 2 and demo.store.messages.offers_for(tomas)
    replies.correct(demo.store, case, intents.DECLINE, None, clock.now())
    case = replies.read_case(demo.store, tomas, prefs)
    assert case is not None and case.template is TemplateKind.POLITE_CLOSE
    replies.send_reply(demo.store, demo.mailbox, case, case.template, prefs, clock.now())
    assert demo.store.pipeline.state(tomas).stage is Stage.DECLINED
    assert demo.store.messages.offers_for(tomas) == []
    sent = [
        demo.mailbox.fetch_message(r)
        for r in demo.mailbox.fetch_changes(None).refs
        if r.folder is Folder.SENT
    ]
    (close,) = [m for m in sent if "I completely understand" in m.text]
    reply_id, _ = demo.store.messages.identity(case.key) or ("", "")
    assert close.in_reply_to == reply_id and close.subject.startswith("Re: ")
    demo.store.close()
