"""The headless demo tells the three reply stories with their evidence: accept -> schedule ->
confirm + invite; decline with a referral -> new target drafted; other times proposed -> pick."""

from __future__ import annotations

from pathlib import Path

from desktop import demo_story
from desktop.domain.model import Stage
from tests.helpers.demo_profile import START, paths_in


def test_the_headless_demo_prints_the_three_reply_stories(tmp_path: Path) -> None:
    lines: list[str] = []
    counts = demo_story.play_headless(
        paths_in(tmp_path / "demo"), start=START, days=2, out=lines.append
    )
    text = "\n".join(lines)

    def story(title: str) -> str:
        start = next(i for i, line in enumerate(lines) if f"(story: {title})" in line)
        end = next(
            (i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines)
        )
        return "\n".join(lines[start:end])

    accept = story("accept → schedule → confirm + invite")
    assert "Maya Chen: Accepts a time" in accept
    assert "evidence: accepts slot 2" in accept
    assert "accepted: Mon 30 Nov, 10:00\u201310:15 (EST) · 15:00 your time" in accept
    assert "invitation preview:" in accept and "to Maya Chen <maya.chen@lumen.example>" in accept
    assert "warning: The invitation has no place or phone number" in accept
    assert "template confirm, In-Reply-To <" in accept

    refer = story("decline with referral → new target drafted")
    assert "Daniel Okafor: Declines and refers someone" in refer
    assert "evidence: referral to Erin Park" in refer
    assert "New target: Erin Park, referred by Daniel Okafor; request drafted" in refer

    pick = story("propose other times → pick → confirm + invite")
    assert "Tomás Ortega: Proposes other times" in pick
    assert "option 1: Thu 3 Dec, 11:00\u201311:15 (CST) · 17:00 your time" in pick
    assert "option 2: Fri 4 Dec" in pick and "You pick option 1" in pick
    # The stage changes that follow, with their evidence.
    assert "Tomás Ortega     Replied → Scheduled" in text
    assert "Daniel Okafor" in text and counts[Stage.DECLINED] == 1
    assert counts[Stage.SCHEDULED] == 2  # Maya and Tomás
