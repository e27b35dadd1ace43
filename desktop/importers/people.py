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


#: Characters never kept from a file: C0 and C1 controls but tab, line feed and carriage return
#: (an escape sequence printed to a terminal can rewrite the screen), DEL, and the bidi
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make a name display
#: as something else ("\u202egnp.exe").
UNSAFE = dict.fromkeys(
    [
        *(c for c in range(0x20) if chr(c) not in "\t\n\r"),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
#: The bytes that are not UTF-8, as ``surrogateescape`` decoding keeps them (U+DC80-U+DCFF).
_INVALID = re.compile("[\udc80-\udcff]")


def strip_unsafe(text: str) -> str:
    """``text`` without the control and bidi-override characters of :data:`UNSAFE`."""
    return text.translate(UNSAFE)


def invalid_byte(text: str) -> str | None:
    """The first byte of ``text`` that was not UTF-8 ("0xE9"), or None when all of it was."""
    found = _INVALID.search(text)
    return f"0x{ord(found.group()) - 0xDC00:02X}" if found else None


def not_utf8(byte: str) -> str:
    """The reason a row or card holding an invalid byte is rejected."""
    return f"not valid UTF-8 (byte {byte}); save the file as UTF-8 to import it"


def printable(text: str) -> str:
    """``text`` with its invalid bytes written as escapes (``\\xe9``), safe to show or print."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def clean(value: str) -> str:
    """A cell or property with its runs of white space folded to one space."""
    return " ".join(value.split())
