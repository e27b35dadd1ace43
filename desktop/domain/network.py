"""Referral chains ("you -> Ana -> Raj"): who introduced whom, from the contacts' referrers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    contact_id: int
    children: tuple[Node, ...] = ()

    @property
    def size(self) -> int:
        return 1 + sum(c.size for c in self.children)

    @property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


def chains(referrers: Mapping[int, int | None], names: Mapping[int, str]) -> tuple[Node, ...]:
    """The referral trees, one per contact who was introduced by nobody but introduced someone,
    largest first (ties by name). Contacts in no chain are left out; a loop (A introduced B,
    B introduced A: a data-entry slip) is broken at the contact seen first."""
    children: dict[int, list[int]] = {}
    for contact, referrer in referrers.items():
        if referrer is not None and referrer != contact and referrer in referrers:
            children.setdefault(referrer, []).append(contact)
    seen: set[int] = set()

    def build(contact: int) -> Node:
        seen.add(contact)
        kids = sorted(
            (c for c in children.get(contact, []) if c not in seen),
            key=lambda c: names.get(c, "").casefold(),
        )
        return Node(contact, tuple(build(k) for k in kids if k not in seen))

    roots = [
        c
        for c in referrers
        if children.get(c)
        and (referrers[c] is None or referrers[c] not in referrers or referrers[c] == c)
    ]
    trees = [build(r) for r in roots]
    # Loops have no root: start them at their first member.
    for c in sorted(children, key=lambda c: names.get(c, "").casefold()):
        if c not in seen:
            trees.append(build(c))
    return tuple(sorted(trees, key=lambda n: (-n.size, names.get(n.contact_id, "").casefold())))


def introduced_by(referrers: Mapping[int, int | None], contact_id: int) -> list[int]:
    """The people this contact introduced."""
    return [c for c, r in referrers.items() if r == contact_id and c != contact_id]


def chain_to(referrers: Mapping[int, int | None], contact_id: int) -> list[int]:
    """The chain from its first introducer down to this contact: [Ana, Raj] for Raj."""
    path = [contact_id]
    while (r := referrers.get(path[-1])) is not None and r not in path:
        path.append(r)
    return path[::-1]
