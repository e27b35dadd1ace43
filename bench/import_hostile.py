"""Imports of hostile files: how long reading takes where the work could grow faster than the file.

A vCard whose NOTE is one long quoted-printable value split by soft line breaks (600 KB in
12-character lines took 19 s when each piece was added to a growing string), the same with
RFC 6350 space folding, a large LinkedIn-style CSV, and one with a bad byte on every row.

    python bench/import_hostile.py [--kb 600] [--rows 20000]

Prints one line per case: the size, the time, the throughput. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop import importers  # noqa: E402
from desktop.importers.reading import _text  # noqa: E402


def folded_qp_vcard(kb: int, width: int = 75) -> bytes:
    """One card whose note is ``kb`` KB of quoted-printable, broken by soft line breaks every
    ``width`` characters (short lines made the old unfolding slowest: 600 KB in 19 s)."""
    encoded = "=C3=A9" * (kb * 1024 // 6)
    body = "=\r\n".join(encoded[i : i + width] for i in range(0, len(encoded), width))
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Long Note\r\nEMAIL:long@x.example\r\n"
        f"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{body}\r\nEND:VCARD\r\n"
    )
    return card.encode("ascii")


def space_folded_vcard(kb: int) -> bytes:
    value = "word " * (kb * 1024 // 5)
    lines = [value[i : i + 74] for i in range(0, len(value), 74)]
    note = "\r\n ".join(lines)
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Folded\r\nNOTE:{note}\r\nEND:VCARD\r\n".encode()


def linkedin_csv(rows: int, bad_bytes: bool = False) -> bytes:
    out = [b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"]
    for i in range(rows):
        first = b"Bad\xe9" if bad_bytes and i % 2 else "José".encode()
        out.append(
            first
            + f",Person{i},https://x.example/{i},p{i}@x.example,Acme,PM,01 Jan 2026\r\n".encode()
        )
    return b"".join(out)


def timed(label: str, data: bytes, read: Callable[[bytes], importers.Parsed]) -> None:
    start = time.perf_counter()
    parsed = read(data)
    seconds = time.perf_counter() - start
    print(
        f"{label:<42} {len(data) / 1024:8.0f} KB {seconds * 1000:9.1f} ms "
        f"{len(data) / 1024 / 1024 / max(seconds, 1e-9):7.1f} MB/s  "
        f"{len(parsed.people)} people, {len(parsed.rejected)} rejected"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=600, help="size of the folded values")
    parser.add_argument("--rows", type=int, default=20000, help="rows of the CSV cases")
    args = parser.parse_args()

    def read(data: bytes) -> importers.Parsed:
        return importers.read_text(_text(data, "bench"), "bench")

    timed("vCard, quoted-printable note, 75-char lines", folded_qp_vcard(args.kb), read)
    timed("vCard, quoted-printable note, 12-char lines", folded_qp_vcard(args.kb, 12), read)
    timed("vCard, space-folded note", space_folded_vcard(args.kb), read)
    timed(f"LinkedIn CSV, {args.rows} rows", linkedin_csv(args.rows), read)
    timed(f"CSV, {args.rows} rows, a bad byte every other row", linkedin_csv(args.rows, True), read)
    return 0


if __name__ == "__main__":
    sys.exit(main())
