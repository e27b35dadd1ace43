"""The interview workspace's domain types: how a contact was found, what to prepare, what an
interview yielded. Frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """How a contact was found (PRODUCT.md, "Scout for targets")."""

    REFERRAL = "referral"
    ALUMNI = "alumni"
    ASSOCIATION = "association"
    LINKEDIN = "linkedin"
    ARTICLE = "article"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS: dict[SourceKind, str] = {
    SourceKind.REFERRAL: "Referral",
    SourceKind.ALUMNI: "Alumni / career centre",
    SourceKind.ASSOCIATION: "Professional association",
    SourceKind.LINKEDIN: "LinkedIn",
    SourceKind.ARTICLE: "News article",
    SourceKind.OTHER: "Other",
}


@dataclass(frozen=True, slots=True)
class ContactSource:
    """Where a contact came from. The referrer itself is the contact's ``referrer_id``;
    ``detail`` is free text (the association's name, the search, how you met)."""

    kind: SourceKind
    article_title: str = ""
    article_url: str = ""
    article_source: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a contact's list, in its order; ``checked`` once asked."""

    id: int | None
    text: str
    checked: bool = False


@dataclass(frozen=True, slots=True)
class InterviewRecord:
    """What one conversation yielded: notes, what they promised (the thank-you's loose ends),
    what the user promised, and the names they suggested."""

    id: int | None
    contact_id: int
    started_at: datetime
    ended_at: datetime | None = None
    planned_minutes: int = 15
    notes: str = ""
    their_promises: tuple[str, ...] = ()
    my_promises: tuple[str, ...] = ()
    referrals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    """A message made ready for the composer (for example a request to a suggested name)."""

    id: int | None
    contact_id: int
    template: str
    subject: str
    body: str
    created_at: datetime
