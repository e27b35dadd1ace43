"""What an import reads: the people, the rows it rejected and why, the file as parsed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

MAX_BYTES = 20 * 1024 * 1024
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


class ImportError_(Exception):
    """The file cannot be imported at all; the text says why. Nothing was written."""


class Format(StrEnum):
    LINKEDIN = "linkedin"
    CSV = "csv"
    VCARD = "vcard"


@dataclass(frozen=True, slots=True)
class Person:
    """One person read from the file (``line`` is where their row or card starts)."""

    line: int
    name: str
    emails: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    url: str = ""
    notes: str = ""
    phones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Parsed:
    format: Format
    people: tuple[Person, ...]
    rejected: tuple[Rejected, ...]
    #: The CSV header (for the dialog's column mapping); empty for vCard.
    columns: tuple[str, ...] = ()
    mapping: Mapping[str, str] = field(default_factory=dict)


def clean(value: str) -> str:
    """A cell or property with its runs of white space folded to one space."""
    return " ".join(value.split())
