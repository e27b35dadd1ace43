"""A file to people: its size, its encoding, then vCard or CSV by what it holds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from desktop.importers.csv_file import read_csv
from desktop.importers.people import MAX_BYTES, ImportError_, Parsed
from desktop.importers.vcard import read_vcards


def _text(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise ImportError_(f"{name} is not a text file (it looks like binary data).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{name} is not in a text encoding Coffeechat can read (UTF-8).")


def read_file(path: Path, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Parse ``path`` by its content (vCard, LinkedIn export or another CSV).

    Raises ImportError_ when nothing in it can be read (unreadable, binary, no header, an empty
    file); rows that are wrong on their own are returned as rejected, with the reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportError_(f"{path.name} is too large to be a contact list ({size} bytes).")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return read_text(_text(data, path.name), path.name, mapping)


def read_text(
    text: str, name: str = "the file", mapping: Mapping[str, str] | None = None
) -> Parsed:
    if not text.strip():
        raise ImportError_(f"{name} is empty.")
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return read_vcards(text, name)
    return read_csv(text, name, mapping)
