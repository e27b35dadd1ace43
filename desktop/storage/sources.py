"""One source per contact: the words a user or an import gives ("LinkedIn", "Article in IEEE
Spectrum") and the recorded source (``contact_sources``: a kind, the article, a detail) are one
field. ``source_from_text`` reads words into a recorded source; ``source_text`` says a recorded
source in words (the contact's ``source``, shown in its header and edited in its dialog)."""

from __future__ import annotations

import re

from desktop.domain.workspace import SOURCE_LABELS, ContactSource, SourceKind

_GUESSES: tuple[tuple[SourceKind, re.Pattern[str]], ...] = (
    (SourceKind.LINKEDIN, re.compile(r"linked\s*in")),
    (SourceKind.REFERRAL, re.compile(r"referr|refer\b|introduc|suggested by|recommended by")),
    (SourceKind.ALUMNI, re.compile(r"alumn|career (centre|center|office)|same (school|uni)")),
    (SourceKind.ASSOCIATION, re.compile(r"association|society|chapter|meetup|member")),
    (
        SourceKind.ARTICLE,
        re.compile(r"article|blog|podcast|newsletter|interview|talk|wrote|post\b|paper"),
    ),
)


def source_from_text(text: str) -> ContactSource:
    """The recorded source for words: a kind's own name gives that kind alone ("LinkedIn");
    other words give the kind they suggest, kept as the detail."""
    said = " ".join(text.split())
    folded = said.casefold()
    for kind, label in SOURCE_LABELS.items():
        if folded in (label.casefold(), kind.value):
            return ContactSource(kind)
    for kind, pattern in _GUESSES:
        if pattern.search(folded):
            return ContactSource(kind, detail=said)
    return ContactSource(SourceKind.OTHER, detail=said)


def source_text(source: ContactSource | None) -> str:
    """A recorded source in words: its detail, else its kind (with the article's title)."""
    if source is None:
        return ""
    if source.detail:
        if source.detail.startswith(("http://", "https://")):  # a profile's address
            return f"{source.kind.label}: {source.detail}"
        return source.detail
    if source.article_title:
        return f"{source.kind.label}: {source.article_title}"
    return source.kind.label
