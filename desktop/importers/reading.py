"""A file to people: its size, its encoding, then vCard or CSV by what it holds."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from pathlib import Path

from desktop.importers.csv_file import read_csv
from desktop.importers.people import MAX_BYTES, ImportError_, Parsed, strip_unsafe
from desktop.importers.vcard import read_vcards

#: Byte-order marks, longest first (UTF-32 LE's begins as UTF-16 LE's does).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


#: A character UTF-8 decoding produced (not ASCII, not an invalid byte kept as U+DC80-U+DCFF).
_DECODED = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


def _text(data: bytes, name: str) -> str:
    """The file's text: by its byte-order mark, else UTF-8, else Windows-1252 for a file wholly in
    it. A UTF-8 file with a few invalid bytes keeps them as ``surrogateescape`` code points, so
    the readers reject the rows holding them (with the line) instead of the whole file being
    read as Windows-1252."""
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportError_(
                    f"{name} is not in a text encoding Coffeechat can read: it says it is "
                    f"{label}, but its bytes from offset {exc.start} are not."
                ) from exc
    if b"\x00" in data[:4096]:
        raise ImportError_(f"{name} is not a text file (it looks like binary data).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    if not _DECODED.search(text):
        # Not one UTF-8 sequence in it: a legacy export (Excel on Windows), wholly Windows-1252.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportError_(
                f"{name} is not in a text encoding Coffeechat can read (UTF-8 or Windows-1252)."
            ) from None
    return text


def file_text(path: Path) -> str:
    """The text of a contact file, decoded as the import reads it (byte-order mark, UTF-8,
    Windows-1252); ImportError_ when it is too large, unreadable or not text."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportError_(f"{path.name} is too large to be a contact list ({size} bytes).")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return _text(data, path.name)


def read_file(path: Path, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Parse ``path`` by its content (vCard, LinkedIn export or another CSV).

    Raises ImportError_ when nothing in it can be read (unreadable, binary, no header, an empty
    file); rows that are wrong on their own are returned as rejected, with the reason."""
    path = Path(path)
    return read_text(file_text(path), path.name, mapping)


def read_text(
    text: str, name: str = "the file", mapping: Mapping[str, str] | None = None
) -> Parsed:
    text = strip_unsafe(text)
    if not text.strip():
        raise ImportError_(f"{name} is empty.")
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return read_vcards(text, name)
    return read_csv(text, name, mapping)
