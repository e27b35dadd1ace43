"""``coffeechat draft CONTACT --template NAME``: the composer's draft, headless.

Prints the message as it would be saved (recipient, subject, body with real proposed times from
the account's calendar, or from working hours alone when there is no calendar) and the coaching
findings. Nothing is saved or sent. Qt-free.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from desktop import compose, drafting, settings, templates
from desktop.cli.common import fail, open_profile
from desktop.domain.coaching import Finding
from desktop.domain.slots import LANGUAGES, MeetingKind, Slot, render_slot
from desktop.paths import Paths
from desktop.storage import ContactRecord, Store


class DraftError(Exception):
    """Something the user must fix; the text says what."""


def add_parser(subparsers: Any) -> None:
    """Add the ``draft`` subcommand to ``coffeechat``'s subparsers."""
    draft = subparsers.add_parser(
        "draft",
        help="write a draft for a contact from a template, with proposed times and coaching",
        description="Write the draft the composer would write, without saving or sending it.",
    )
    draft.add_argument("contact", metavar="CONTACT", help="the contact's id, name or address")
    draft.add_argument(
        "--template", required=True, metavar="NAME", help="template name, e.g. request_referral"
    )
    draft.add_argument("--json", action="store_true", help="one JSON object")
    draft.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    draft.add_argument(
        "--kind",
        choices=[k.value for k in MeetingKind],
        default=MeetingKind.CALL.value,
        help="the meeting asked for: call (15 min, default), coffee (30) or lunch (60)",
    )
    draft.add_argument(
        "--slots", type=int, default=3, metavar="N", help="how many times to propose (default 3)"
    )
    draft.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the dates: en, de, fr or es (default: the one in Settings)",
    )
    draft.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a template field, e.g. --field article_title='Data at scale' (repeatable)",
    )
    draft.add_argument(
        "--now", metavar="ISO", default=None, help="pretend it is this instant (for scripts)"
    )


def run(args: argparse.Namespace) -> int:
    opened = open_profile(args)
    if isinstance(opened, int):
        return opened
    paths, store = opened
    try:
        result = make_draft(store, paths, args)
    except DraftError as exc:
        return fail(str(exc))
    finally:
        store.close()
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else _text(result))
    return 0


# ------------------------------------------------------------------------------------ pieces
def find_contact(store: Store, query: str) -> ContactRecord:
    """A contact by id, address, full name, or a part of the name that only one contact has."""
    query = query.strip()
    if query.isdigit():
        try:
            return store.contacts.get(int(query))
        except KeyError:
            pass
    by_address = store.contacts.address_index().get(query.lower())
    if by_address is not None:
        return store.contacts.get(by_address)
    records = store.contacts.all()
    wanted = query.casefold()
    exact = [r for r in records if r.contact.name.casefold() == wanted]
    partial = exact or [r for r in records if wanted and wanted in r.contact.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise DraftError(f"no contact matches {query!r} (give an id, a name or an address)")
    names = ", ".join(f"{r.contact.name} (id {r.id})" for r in partial[:8])
    raise DraftError(f"{query!r} matches several contacts: {names}; give the id")


def _calendars(store: Store, paths: Paths, now: datetime) -> compose.CalendarRead:
    """Busy blocks from every account's calendar, where they came from ("calendar" or "working
    hours"), and any account that could not be read."""
    from desktop.providers import build, profile_clock

    return compose.read_calendars(
        build(store, paths, profile_clock(paths)), now, now + compose.BUSY_WINDOW
    )


def _extra_fields(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DraftError(f"--field wants KEY=VALUE, not {pair!r}")
        out[key.strip()] = value
    return out


def _now(text: str | None, paths: Paths) -> datetime:
    if text is None:
        from desktop.providers import profile_clock

        return profile_clock(paths).now().astimezone(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise DraftError(f"--now is not an ISO 8601 date and time: {text!r}") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def make_draft(store: Store, paths: Paths, args: argparse.Namespace) -> dict[str, Any]:
    """The draft as one JSON-ready object (see the module docstring)."""
    prefs = settings.load(paths.settings)
    lang = args.lang or prefs.message_language
    record = find_contact(store, args.contact)
    contact = record.contact
    if not contact.primary_email:
        raise DraftError(f"{contact.name} has no e-mail address yet")
    try:
        to = templates.safe_address(contact.primary_email)
    except ValueError as exc:
        raise DraftError(f"{contact.name}'s address cannot be used: {exc}") from None
    try:
        template = templates.load(args.template, paths.profile / "templates")
    except templates.TemplateError as exc:
        raise DraftError(str(exc)) from None
    if not 0 <= args.slots <= 10:
        raise DraftError("--slots must be between 0 and 10")

    now = _now(args.now, paths)
    kind = MeetingKind(args.kind)
    user = compose.user_party(prefs)
    contact_tz = drafting.zone_or_none(contact.timezone)
    slots: tuple[Slot, ...] = ()
    source, problems = "none", list[str]()
    if args.slots and template.kind in compose.SLOT_KINDS:
        read = _calendars(store, paths, now)
        source, problems = read.source, list(read.problems)
        inputs = compose.slot_inputs(store, record, user, read, now, kind, args.slots)
        slots = drafting.propose(inputs).slots
    known = compose.contact_fields(store, record, prefs, {})
    draft = drafting.render(
        template,
        known,
        _extra_fields(args.field),
        slots,
        user_tz=user.timezone,
        contact_tz=contact_tz,
        lang=lang,
        kind=kind,
    )
    message, fields = draft.message, draft.fields
    if message is None:
        hint = ""
        if draft.problem is drafting.Problem.NO_SLOTS:
            hint = " (no free time was found within the horizon: try another meeting kind)"
        elif draft.problem is drafting.Problem.MISSING_FIELD:
            hint = f" (pass --field {draft.missing}=...)"
        raise DraftError(f"{draft.error}{hint}")

    findings = drafting.coach(
        template.kind, message.subject, message.body, contact.name, fields, len(slots)
    )
    return {
        "now": now.isoformat(),
        "contact": {"id": record.id, "name": contact.name, "timezone": contact_tz},
        "template": template.name,
        "kind": template.kind.value,
        "to": [to],
        "subject": message.subject,
        "body": message.body,
        "thread_id": fields.get("thread_id")
        if template.kind
        in (templates.TemplateKind.FOLLOW_UP, templates.TemplateKind.CLOSE_THE_LOOP)
        else None,
        "slots": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "text": t,
                "yours": render_slot(s, user.timezone, contact_tz, lang),
            }
            for s, t in zip(slots, draft.slot_texts, strict=True)
        ],
        "slots_from": source,
        "account_problems": problems,
        "findings": [_finding(f) for f in findings],
    }


def _finding(f: Finding) -> dict[str, str]:
    return {"code": f.code, "severity": f.severity.label, "message": f.message}


def _text(result: dict[str, Any]) -> str:
    lines = [f"To: {', '.join(result['to'])}", f"Subject: {result['subject']}", ""]
    lines.append(result["body"].rstrip("\n"))
    lines.append("")
    if result["slots_from"] == "calendar":
        lines.append("Proposed times: free in your calendar, inside your working hours and theirs.")
    elif result["slots_from"] == "working hours":
        lines.append(
            "Proposed times: from working hours alone (no calendar access: check them against "
            "your calendar)."
        )
    for problem in result["account_problems"]:
        lines.append(f"  could not read {problem}")
    if result["findings"]:
        lines.append("Coaching:")
        lines.extend(f"  [{f['severity']}] {f['message']}" for f in result["findings"])
    else:
        lines.append("Coaching: nothing to improve.")
    return "\n".join(lines)
