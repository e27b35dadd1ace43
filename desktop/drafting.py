"""The compose pipeline: fields -> slots -> render -> coaching -> why sending is blocked. Pure.

The composer dialog (ui/composer/) and ``coffeechat draft`` (desktop/cli/draft.py) write the
same message from the same inputs through these functions, so what one shows the other prints,
and what may be sent is decided here, not in a dialog. Everything is a plain function over plain
values (frozen dataclasses, slots, templates already loaded): no Qt, no database, no network.
What reads the store or a mailbox to gather the inputs is in desktop/compose.py; an
import-linter contract keeps this module free of both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop import templates
from desktop.domain.coaching import DraftToCheck, Finding, Severity, blocking, check
from desktop.domain.slots import (
    MeetingKind,
    Party,
    Slot,
    SlotRules,
    Span,
    candidates,
    propose_slots,
    render_slot,
)
from desktop.templates import MessageTemplate, RenderedMessage, TemplateKind
from mail.provider import OutgoingMessage

#: Kinds of message whose text ends with proposed times.
SLOT_KINDS = frozenset({TemplateKind.REQUEST, TemplateKind.FOLLOW_UP, TemplateKind.PROPOSE_TIMES})
#: Kinds of message that belong in the conversation already going on with the contact.
THREAD_KINDS = frozenset(
    {TemplateKind.FOLLOW_UP, TemplateKind.CLOSE_THE_LOOP, TemplateKind.THANK_YOU}
    | templates.REPLY_KINDS
)
#: Fields the composer fills by itself; the others are asked for (and these too, when empty).
COMPUTED_FIELDS = frozenset(
    {
        "name",
        "first_name",
        "user_name",
        "referrer_first_name",
        "slots",
        "meeting",
        "meeting_kind",
        "length_minutes",
        "thread_id",
    }
)
#: Computed from other inputs (the times, the meeting, a name), never typed.
NEVER_ASKED = frozenset(
    {
        "slots",
        "meeting",
        "meeting_kind",
        "length_minutes",
        "thread_id",
        "first_name",
        "referrer_first_name",
    }
)
#: Fields typed one item a line.
LIST_FIELDS = frozenset({"loose_ends"})
#: Fields typed in a box of several lines.
MULTILINE_FIELDS = templates.MULTILINE_FIELDS | LIST_FIELDS
#: Fields that name the reason for writing, for the "no reason" check.
REASON_FIELDS = ("referrer_name", "article_title", "affiliation", "reason")
#: Times proposed in one message.
SLOT_COUNT = 3


def zone_or_none(name: str) -> str | None:
    """``name`` if it is a time zone this machine knows, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


# ---------------------------------------------------------------------------------- fields
def fields_to_ask(template: MessageTemplate, known: Mapping[str, object]) -> list[str]:
    """The details the template uses that are typed (prefilled when ``known``), in the order
    the template first mentions them. Raises TemplateError for a template that does not parse."""
    used = templates.fields_used(template)
    wanted = [
        f for f in used if f not in NEVER_ASKED and (f not in COMPUTED_FIELDS or not known.get(f))
    ]
    source = template.source
    wanted.sort(key=lambda f: m.start() if (m := re.search(rf"\b{f}\b", source)) else 0)
    return wanted


def required_fields(
    template: MessageTemplate, known: Mapping[str, object], wanted: Sequence[str]
) -> set[str]:
    """The details without which the template cannot be written (probed by leaving each out in
    turn, everything else filled)."""
    filler: dict[str, object] = {f: "x" for f in wanted}
    filler.update({k: v for k, v in known.items() if v})
    filler.update({"slots": ["x"], "meeting": "x", "first_name": "x", "user_name": "x"})
    filler.setdefault("referrer_first_name", "x")
    filler.setdefault("name", "x")
    required: set[str] = set()
    for name in wanted:
        trial = {k: v for k, v in filler.items() if k != name}
        try:
            templates.render(template, trial)
        except templates.MissingFieldError as exc:
            if exc.field == name:
                required.add(name)
        except templates.TemplateError:
            continue
    return required


def typed_value(name: str, text: str) -> object:
    """What a typed detail stands for: a list (one item a line) or the text."""
    if name in LIST_FIELDS:
        return [line for line in text.splitlines() if line.strip()]
    return text


def merge_fields(known: Mapping[str, object], typed: Mapping[str, object]) -> dict[str, object]:
    """The known fields with what the user typed over them; a blank entry leaves the field
    out (so the template names it missing), a typed referrer gives the referrer's first name."""
    fields = dict(known)
    for key, value in typed.items():
        if (isinstance(value, str) and not value.strip()) or (
            isinstance(value, list) and not value
        ):
            fields.pop(key, None)
        else:
            fields[key] = value
    if fields.get("referrer_name"):
        fields["referrer_first_name"] = templates.first_name(str(fields["referrer_name"]))
    return fields


def slot_fields(
    slots: Sequence[Slot], user_tz: str, contact_tz: str | None, lang: str, kind: MeetingKind
) -> tuple[dict[str, object], list[str]]:
    """The fields that carry the ask (the meeting, the times as the contact reads them), and
    those times."""
    texts = [render_slot(s, user_tz, contact_tz, lang, audience="contact") for s in slots]
    fields: dict[str, object] = {
        "slots": texts,
        "meeting": templates.meeting_phrase(kind.value, kind.minutes),
        "meeting_kind": kind.value,
        "length_minutes": kind.minutes,
    }
    return fields, texts


# ----------------------------------------------------------------------------------- slots
@dataclass(frozen=True, slots=True)
class SlotInputs:
    """What proposing times needs, gathered once: who meets, when the user is busy (calendar and
    the app's own meetings), what is on offer to others, and the meeting's length."""

    now: datetime
    user: Party
    contact: Party | None
    busy: tuple[Span, ...]
    offered: tuple[Span, ...]
    kind: MeetingKind = MeetingKind.CALL
    count: int = SLOT_COUNT

    @property
    def rules(self) -> SlotRules:
        return SlotRules(count=self.count, length=timedelta(minutes=self.kind.minutes))


@dataclass(frozen=True, slots=True)
class Proposal:
    """Times to propose, and the times set aside (swapped away, regenerated past) after it."""

    slots: tuple[Slot, ...]
    excluded: tuple[Slot, ...] = ()


def propose(inputs: SlotInputs, excluded: Sequence[Slot] = ()) -> Proposal:
    """A fresh set of times, never one set aside; when too few are left, everything set aside
    is offered again (it was all seen once: start over)."""

    def fresh(aside: Sequence[Slot]) -> list[Slot]:
        busy = [*inputs.busy, *aside]
        return propose_slots(inputs.now, inputs.user, inputs.contact, busy, inputs.offered, rules)

    rules = inputs.rules
    slots = fresh(excluded)
    if len(slots) < rules.count and excluded:
        excluded = ()
        slots = fresh(excluded)
    return Proposal(tuple(slots), tuple(excluded))


def swap(inputs: SlotInputs, slots: Sequence[Slot], row: int, excluded: Sequence[Slot]) -> Proposal:
    """Replace the time at ``row`` with a free one on a day not yet proposed, as near as can be
    to the same time of day. The old time is set aside; no free time leaves ``slots`` as they are
    (check ``proposal.slots == slots``)."""
    old = slots[row]
    others = [s for n, s in enumerate(slots) if n != row]
    aside = (*excluded, old)
    busy = [*inputs.busy, *aside]
    by_day = candidates(
        inputs.now, inputs.user, inputs.contact, busy, [*inputs.offered, *others], inputs.rules
    )
    zone = inputs.user.zone
    used_days = {s.start.astimezone(zone).date() for s in others}
    fresh_days = [d for d in sorted(by_day) if d not in used_days] or sorted(by_day)
    if not fresh_days:
        return Proposal(tuple(slots), aside)
    aim = old.start.astimezone(zone).time()

    def distance(slot: Slot) -> float:
        clock = slot.start.astimezone(zone)
        return abs(clock.hour * 60 + clock.minute - (aim.hour * 60 + aim.minute))

    new = min(by_day[fresh_days[0]], key=distance)
    return Proposal(tuple(sorted([*others, new], key=lambda s: s.start)), aside)


def replace_slot(slots: Sequence[Slot], row: int, slot: Slot) -> tuple[Slot, ...]:
    """The times with the one at ``row`` replaced by a time chosen by hand, in order."""
    changed = [*slots]
    changed[row] = slot
    return tuple(sorted(changed, key=lambda s: s.start))


def offers(kind: TemplateKind, slots: Sequence[Slot]) -> list[tuple[datetime, datetime]]:
    """The times a message of this kind offers (recorded when it is saved or sent)."""
    return [(s.start, s.end) for s in slots] if kind in SLOT_KINDS else []


# ---------------------------------------------------------------------------------- render
class Problem(StrEnum):
    """Why there is no message to show."""

    NONE = ""
    #: A field the template needs is empty (``Draft.missing`` names it).
    MISSING_FIELD = "missing_field"
    #: The template needs proposed times and there are none (yet).
    NO_SLOTS = "no_slots"
    #: The template itself is wrong (``Draft.error`` says how).
    TEMPLATE = "template"


@dataclass(frozen=True, slots=True)
class Draft:
    """The message written from a template: the fields it saw, the times as the contact reads
    them, and the message, or why there is none."""

    fields: Mapping[str, object]
    slot_texts: tuple[str, ...] = ()
    message: RenderedMessage | None = None
    problem: Problem = Problem.NONE
    missing: str = ""
    error: str = ""


def render(
    template: MessageTemplate,
    known: Mapping[str, object],
    typed: Mapping[str, object],
    slots: Sequence[Slot],
    *,
    user_tz: str,
    contact_tz: str | None,
    lang: str,
    kind: MeetingKind,
) -> Draft:
    """Fields -> message: ``known`` (desktop.compose.contact_fields) with what was ``typed``
    over it, and, for a kind that proposes times, the meeting and the ``slots``."""
    fields = merge_fields(known, typed)
    texts: list[str] = []
    if template.kind in SLOT_KINDS:
        asked, texts = slot_fields(slots, user_tz, contact_tz, lang, kind)
        if not slots:
            asked.pop("slots")
            fields.pop("slots", None)
        fields.update(asked)
    try:
        message = templates.render(template, fields)
    except templates.MissingFieldError as exc:
        problem = Problem.NO_SLOTS if exc.field == "slots" else Problem.MISSING_FIELD
        return Draft(fields, tuple(texts), None, problem, exc.field, str(exc))
    except templates.TemplateError as exc:
        return Draft(fields, tuple(texts), None, Problem.TEMPLATE, error=str(exc))
    return Draft(fields, tuple(texts), message)


# ------------------------------------------------------------------------- threads, messages
def strip_re(subject: str) -> str:
    """The subject without its "Re:" prefixes."""
    subject = subject.strip()
    while subject.lower().startswith("re:"):
        subject = subject[3:].strip()
    return subject


@dataclass(frozen=True, slots=True)
class Thread:
    thread_id: str
    subject: str
    #: For In-Reply-To / References: the message answered, and the conversation's ids.
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    account_id: int | None = None


def reply_subject(thread: Thread) -> str:
    return f"Re: {thread.subject}" if thread.subject else "Re:"


def subject_for(message: RenderedMessage, conversation: Thread | None) -> str:
    """The subject shown and sent: the conversation's "Re:" when the message goes into one."""
    subject = message.subject
    if conversation is not None and not subject.lower().startswith("re:"):
        return reply_subject(conversation)
    return subject


def has_message(draft: Draft | None, hand_edited: bool, body: str) -> bool:
    """Whether there is a message to save: the text typed by hand, else the one written."""
    if hand_edited:
        return bool(body.strip())
    return draft is not None and draft.message is not None


def outgoing(
    address: str, subject: str, body: str, outbox_key: str, conversation: Thread | None
) -> OutgoingMessage:
    """The message as it leaves: one-line subject, a body ending in a newline, threaded into
    the conversation by id and by headers."""
    if not body.endswith("\n"):
        body += "\n"
    return OutgoingMessage(
        to=(address,),
        subject=templates.one_line(subject),
        text=body,
        outbox_key=outbox_key,
        thread_id=conversation.thread_id if conversation is not None else None,
        in_reply_to=conversation.in_reply_to if conversation is not None else "",
        references=conversation.references if conversation is not None else (),
    )


# -------------------------------------------------------------------------------- coaching
def reasons(fields: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(str(fields[k]) for k in REASON_FIELDS if fields.get(k))


_RESUME_MENTION = re.compile(
    r"\b(attach\w*|enclos\w*|find)\b[^.\n]{0,40}\b(resume|cv|curriculum vitae)\b"
    r"|\b(resume|cv|curriculum vitae)\b[^.\n]{0,30}\b(attach\w*|enclos\w*)"
)
#: What a résumé that the text says is attached is called in the coaching.
RESUME_IN_TEXT = "résumé (the message says it is attached)"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentioned_attachments(body: str) -> tuple[str, ...]:
    """A résumé the text says is attached counts as attached: the request would either carry
    one or promise one that is not there (our messages carry no files)."""
    return (RESUME_IN_TEXT,) if _RESUME_MENTION.search(_fold(body)) else ()


def coach(
    kind: TemplateKind,
    subject: str,
    body: str,
    contact_name: str,
    fields: Mapping[str, object],
    slot_count: int,
    attachments: Sequence[str] = (),
) -> list[Finding]:
    """The coaching findings for a message of this kind."""
    request = kind is TemplateKind.REQUEST
    return check(
        DraftToCheck(
            subject=subject,
            body=body,
            contact_name=contact_name,
            attachments=tuple(attachments),
            is_request=request,
            reasons=reasons(fields),
            slot_count=slot_count if request else None,
            mentions_resume=kind in SLOT_KINDS and bool(mentioned_attachments(body)),
        )
    )


# --------------------------------------------------------------------------- may it be sent
def cap_reached(kind: TemplateKind, sent_today: int, daily_cap: int) -> bool:
    """A request over the user's daily limit waits as a draft; other messages are not counted."""
    return kind is TemplateKind.REQUEST and sent_today >= daily_cap


class Block(StrEnum):
    """Why *Send now* is off, most pressing first."""

    BUSY = "busy"
    NO_MAILBOX = "no_mailbox"
    NO_RECIPIENT = "no_recipient"
    NO_MESSAGE = "no_message"
    FINDING = "finding"
    ATTACHMENTS = "attachments"
    DAILY_CAP = "daily_cap"


@dataclass(frozen=True, slots=True)
class SendState:
    """What deciding whether a message may be saved or sent looks at."""

    busy: bool = False
    has_mailbox: bool = True
    recipient_error: str = ""
    has_message: bool = True
    #: The message changed and its coaching is not recomputed yet.
    coaching_due: bool = False
    findings: tuple[Finding, ...] = ()
    attachments: int = 0
    cap_reached: bool = False


@dataclass(frozen=True, slots=True)
class Blocked:
    reason: Block
    #: The finding that blocks, for ``Block.FINDING``.
    finding: Finding | None = field(default=None)


def send_blocked(state: SendState) -> Blocked | None:
    """Why the message may not be sent now, or None. While the coaching is due, nothing after
    the message itself is judged yet (the findings are a keystroke old)."""
    if state.busy:
        return Blocked(Block.BUSY)
    if not state.has_mailbox:
        return Blocked(Block.NO_MAILBOX)
    if state.recipient_error:
        return Blocked(Block.NO_RECIPIENT)
    if not state.has_message:
        return Blocked(Block.NO_MESSAGE)
    if state.coaching_due:
        return None
    for finding in state.findings:
        if finding.severity is Severity.BLOCK:
            return Blocked(Block.FINDING, finding)
    if state.attachments:
        return Blocked(Block.ATTACHMENTS)
    if state.cap_reached:
        return Blocked(Block.DAILY_CAP)
    return None


def can_send(state: SendState) -> bool:
    return send_blocked(state) is None and not blocking(list(state.findings))


def can_save_draft(state: SendState) -> bool:
    """A draft may be saved over the daily limit, with coaching findings or attachments: the
    user finishes it in their mail app."""
    return not state.busy and state.has_mailbox and not state.recipient_error and state.has_message
