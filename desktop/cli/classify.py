"""``coffeechat classify FILE.eml... [--json] [--slots START/END ...]``: what each message is.

For each file: its kind (bounce, auto_reply, bulk, calendar, human), the intent of a human reply,
the away-until date, the bounced addresses, the accepted slot (among ``--slots``), the new text
and the evidence. With ``--json`` one JSON object per line, in the order of the files, each with
a ``kind`` key. An unreadable file gets an error object (``kind`` "error") and exit status 2 at
the end; the other files are still classified. No input bytes make it crash.

Headless: never imports Qt, and reads no profile.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from mail.provider import Classification, Interval, MessageRef

EXIT_UNREADABLE = 2
_NEW_TEXT_CHARS = 2000


def add_parser(subparsers: Any) -> None:
    """Add the ``classify`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "classify",
        help="classify .eml files: bounce, auto-reply, bulk, calendar or a genuine reply",
        description="Classify each message file and say why: kind, intent, away-until, "
        "bounced addresses, accepted slot, new text and evidence.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE.eml", help="message files (RFC 5322)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--slots",
        nargs="+",
        default=[],
        type=parse_slot,
        metavar="START/END",
        help="the slots the request offered, as ISO 8601 intervals "
        "(e.g. 2026-03-12T14:00+01:00/2026-03-12T14:15+01:00)",
    )


def parse_slot(text: str) -> Interval:
    """An ISO 8601 interval START/END (END may also be a duration-free time on the same day)."""
    start_text, sep, end_text = text.partition("/")
    if not sep:
        raise argparse.ArgumentTypeError(f"not an interval START/END: {text!r}")
    try:
        start = datetime.fromisoformat(start_text.strip())
        end_raw = end_text.strip()
        if "T" not in end_raw and len(end_raw) <= 8:  # "…T14:00+01:00/14:15"
            end = datetime.fromisoformat(f"{start.date().isoformat()}T{end_raw}")
            if end.tzinfo is None:
                end = end.replace(tzinfo=start.tzinfo)
        else:
            end = datetime.fromisoformat(end_raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 interval: {text!r} ({exc})") from exc
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise argparse.ArgumentTypeError(f"give both ends a UTC offset, or neither: {text!r}")
    if end <= start:
        raise argparse.ArgumentTypeError(f"the interval ends before it starts: {text!r}")
    return Interval(start, end)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Classify ``args.files``; returns 0, or 2 when any file could not be read."""
    stream = out if out is not None else sys.stdout
    slots: tuple[Interval, ...] = tuple(getattr(args, "slots", None) or ())
    status = 0
    for name in args.files:
        record = classify_file(name, slots)
        if record["kind"] == "error":
            status = EXIT_UNREADABLE
        if args.json:
            stream.write(_valid(json.dumps(record, ensure_ascii=False)) + "\n")
        else:
            stream.write(_valid(_human_readable(record)))
        stream.flush()
    return status


def _valid(text: str) -> str:
    """Text any UTF-8 stdout accepts: the message's fields are valid already (mail.mime), but a
    file name with a byte that is not UTF-8 reaches us as a lone surrogate."""
    return text.encode("utf-8", "replace").decode("utf-8")


def classify_file(name: str, slots: tuple[Interval, ...] = ()) -> dict[str, Any]:
    """The JSON-ready record for one file (an error record when it cannot be read)."""
    try:
        raw = Path(name).read_bytes()
    except (OSError, ValueError) as exc:
        return {"file": name, "kind": "error", "error": f"{type(exc).__name__}: {exc}"}
    try:
        # Imported here: the classifier's tables cost 0.2 s, which the window's start-up (which
        # builds this command's parser) should not pay.
        from mail.classify import classify
        from mail.mime import parse_message

        msg = parse_message(raw, MessageRef(name, name))
        verdict = classify(msg, slots=slots)
    except Exception as exc:  # a bug, not bad input: reported for this file, the rest go on
        return {"file": name, "kind": "error", "error": f"classifier failed: {type(exc).__name__}"}
    record = _record(name, msg.sender, msg.subject, verdict, slots)
    record["defects"] = list(msg.defects[:10])
    return record


def _record(
    name: str, sender: str, subject: str, v: Classification, slots: tuple[Interval, ...]
) -> dict[str, Any]:
    accepted = None
    if v.slot is not None and 0 <= v.slot < len(slots):
        s = slots[v.slot]
        accepted = f"{s.start.isoformat()}/{s.end.isoformat()}"
    return {
        "file": name,
        "kind": v.kind,
        # The finer class: delay (a bounce that is not permanent), challenge, ticket,
        # read_receipt, or the kind itself.
        "class": "delay"
        if v.kind == "bounce" and not v.permanent
        else v.extra.get("class", v.kind),
        "evidence": v.evidence,
        "from": sender,
        "subject": subject,
        "intent": v.intent or None,
        "intent_evidence": v.extra.get("intent_evidence"),
        "accepted_slot": accepted,
        "accepted_slot_index": v.slot,
        "proposed": list(v.proposed),
        "referral": (
            {"name": v.referral_name, "address": v.referral_address}
            if v.referral_name or v.referral_address
            else None
        ),
        "away_until": v.away_until.date().isoformat() if v.away_until else None,
        "bounced": list(v.bounced_addresses),
        "permanent": v.permanent if v.kind == "bounce" else None,
        "calendar": v.calendar or None,
        "new_text": v.new_text[:_NEW_TEXT_CHARS],
    }


def _human_readable(r: dict[str, Any]) -> str:
    if r["kind"] == "error":
        return f"{r['file']}: error: {r['error']}\n"
    shown = r["kind"] if r["class"] == r["kind"] else f"{r['kind']} ({r['class']})"
    lines = [f"{r['file']}: {shown}  ({r['evidence']})"]
    if r["intent"]:
        lines.append(f"  intent: {r['intent']}  ({r['intent_evidence']})")
    if r["accepted_slot"]:
        lines.append(f"  accepted slot: {r['accepted_slot']}")
    if r["proposed"]:
        lines.append(f"  proposed: {'; '.join(r['proposed'])}")
    if r["referral"]:
        ref = r["referral"]
        lines.append(f"  referral: {ref['name']} <{ref['address']}>".replace(" <>", ""))
    if r["away_until"]:
        lines.append(f"  away until: {r['away_until']}")
    if r["bounced"]:
        kind = "permanent" if r["permanent"] else "temporary"
        lines.append(f"  bounced ({kind}): {', '.join(r['bounced'])}")
    if r["calendar"]:
        lines.append(f"  calendar: {r['calendar']}")
    text = r["new_text"].strip()
    if text:
        shown = text if len(text) <= 400 else text[:400] + "…"
        lines.append("  new text:")
        lines.extend(f"    {line}" for line in shown.splitlines())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m desktop.cli.classify``), the same as the subcommand."""
    parser = argparse.ArgumentParser(prog="coffeechat")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
