"""A contact's source in words and as the recorded row are one field, both ways."""

from __future__ import annotations

from desktop.domain.workspace import ContactSource, SourceKind
from desktop.storage.sources import source_from_text, source_text


def test_words_give_the_kind_they_name_or_suggest() -> None:
    assert source_from_text("LinkedIn") == ContactSource(SourceKind.LINKEDIN)
    assert source_from_text("linkedin") == ContactSource(SourceKind.LINKEDIN)
    said = "Article in IEEE Spectrum"
    assert source_from_text(said) == ContactSource(SourceKind.ARTICLE, detail=said)
    assert source_from_text("Introduced by Jon").kind is SourceKind.REFERRAL
    assert source_from_text("MIT alumni list").kind is SourceKind.ALUMNI
    assert source_from_text("a friend").kind is SourceKind.OTHER


def test_a_recorded_source_in_words_reads_back_the_same() -> None:
    for source in (
        ContactSource(SourceKind.LINKEDIN),
        ContactSource(SourceKind.ARTICLE, detail="Article in IEEE Spectrum"),
        ContactSource(SourceKind.OTHER, detail="a friend"),
    ):
        assert source_from_text(source_text(source)) == source
    profile = ContactSource(SourceKind.LINKEDIN, detail="https://linkedin.example/in/ana")
    assert source_text(profile) == "LinkedIn: https://linkedin.example/in/ana"
    assert source_text(ContactSource(SourceKind.ARTICLE, "Ships")) == "News article: Ships"
    assert source_text(None) == ""
