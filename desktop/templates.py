"""Message templates: Jinja2 in a sandbox, with strict fields and no way into the headers. Qt-free.

A template is a text file: an optional ``{# kind: ... #}`` comment, a ``Subject:`` line, a blank
line, then the body. Defaults live in ``resources/templates/`` (found through desktop.resources,
installed or frozen alike); a user's own folder can add
templates or override a default by name.

Safety, field by field:

* Fields are plain data (text, numbers, lists of text) copied into the context; anything else is
  turned into its text first, so a template never holds a Python object of ours. The sandbox
  refuses attribute tricks (``''.__class__``) written in a template itself; a field whose *value*
  looks like template code is only text, never evaluated.
* A missing or empty field is an error naming the field (StrictUndefined): never a blank in the
  sent mail. Optional parts are written ``{% if company is defined %}``.
* Line breaks and other control characters in one-line fields become spaces, and the rendered
  subject is one line, so no field can add a header or a recipient.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from desktop import resources
from desktop.domain.coaching import greeting_name

SUFFIX = ".j2"


class TemplateKind(StrEnum):
    REQUEST = "request"
    FOLLOW_UP = "follow_up"
    CLOSE_THE_LOOP = "close_the_loop"
    THANK_YOU = "thank_you"
    CHECK_IN = "check_in"
    REFERRER_UPDATE = "referrer_update"
    #: Replies in the contact's thread, written from the reply card (desktop/replies.py).
    CONFIRM = "confirm"
    PROPOSE_TIMES = "propose_times"
    THANK_REFERRAL = "thank_referral"
    POLITE_CLOSE = "polite_close"
    ANSWER = "answer"
    OTHER = "other"


#: The kinds that answer a reply: always sent into the contact's thread, never as a new request.
REPLY_KINDS = frozenset(
    {
        TemplateKind.CONFIRM,
        TemplateKind.PROPOSE_TIMES,
        TemplateKind.THANK_REFERRAL,
        TemplateKind.POLITE_CLOSE,
        TemplateKind.ANSWER,
    }
)


#: Fields whose value may span several lines (they only ever reach the body).
MULTILINE_FIELDS = frozenset({"background", "news", "notes"})


class TemplateError(Exception):
    """A template that cannot produce a message; the text says why, in the user's words."""


class MissingFieldError(TemplateError):
    def __init__(self, template: str, field: str) -> None:
        self.template = template
        self.field = field
        super().__init__(
            f"The template {template!r} needs the field {field!r}, which is missing or empty. "
            f"Fill it in (or remove it from the template) before the message can be written."
        )


class UnsafeTemplateError(TemplateError):
    """The template tried to reach something templates are not allowed to touch."""


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    name: str
    source: str
    kind: TemplateKind = TemplateKind.OTHER
    builtin: bool = True


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    template: str
    kind: TemplateKind
    subject: str
    body: str


_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=False,  # see _standalone_tags: only a line holding nothing but a tag vanishes
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_KIND = re.compile(r"\A\s*\{#\s*kind:\s*(?P<kind>[a-z_]+)")
_LEADING_COMMENT = re.compile(r"\A\s*\{#.*?#\}[ \t]*\n?", re.DOTALL)
_SUBJECT = re.compile(r"\A[ \t]*Subject:[ \t]?(?P<subject>[^\n]*)\n(?P<body>.*)\Z", re.DOTALL)
_TAG_LINE = re.compile(
    r"^([ \t]*(?:\{%(?:[^%]|%(?!\}))*%\}|\{#(?:[^#]|#(?!\}))*#\})[ \t]*)\n", re.M
)
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined")
_NAME = re.compile(r"\A[A-Za-z0-9_-]+\Z")


# ----------------------------------------------------------------------------------- loading
def _kind_of(name: str, source: str) -> TemplateKind:
    match = _KIND.match(source)
    if match:
        try:
            return TemplateKind(match.group("kind"))
        except ValueError:
            return TemplateKind.OTHER
    if name.startswith("request"):
        return TemplateKind.REQUEST
    try:
        return TemplateKind(name)
    except ValueError:
        return TemplateKind.OTHER


def default_dir() -> Path:
    """The default templates shipped with the app."""
    return resources.path("templates")


def _read_dir(directory: Path, builtin: bool) -> dict[str, MessageTemplate]:
    out: dict[str, MessageTemplate] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        name = path.name[: -len(SUFFIX)]
        if not _NAME.match(name):
            continue
        source = path.read_text(encoding="utf-8")
        out[name] = MessageTemplate(name, source, _kind_of(name, source), builtin)
    return out


def available(user_dir: Path | None = None) -> dict[str, MessageTemplate]:
    """The defaults, with the user's own templates added (and overriding a default by name)."""
    templates = _read_dir(default_dir(), builtin=True)
    if user_dir is not None:
        templates.update(_read_dir(user_dir, builtin=False))
    return templates


def load(name: str, user_dir: Path | None = None) -> MessageTemplate:
    templates = available(user_dir)
    if name not in templates:
        known = ", ".join(sorted(templates)) or "none"
        raise TemplateError(f"There is no template named {name!r}. Known templates: {known}.")
    return templates[name]


def from_source(name: str, source: str) -> MessageTemplate:
    """A template typed or edited by the user (not stored yet)."""
    return MessageTemplate(name, source, _kind_of(name, source), builtin=False)


# ---------------------------------------------------------------------------------- fields
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")


def one_line(text: str) -> str:
    """``text`` with every line break and control character turned into a single space."""
    return _SPACES.sub(" ", _CONTROLS.sub(" ", unicodedata.normalize("NFC", text))).strip()


def multi_line(text: str) -> str:
    """``text`` with its line breaks kept (as LF) and every other control character removed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text).strip()


Scalar = str | int | float | bool


def _plain(name: str, value: object) -> Scalar | list[str] | None:
    """A field value as plain data; None means "leave it out" (so it counts as missing)."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        cleaned = multi_line(value) if name in MULTILINE_FIELDS else one_line(value)
        return cleaned or None
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray | Mapping):
        items = [one_line(str(v)) for v in value if v is not None]
        items = [i for i in items if i]
        return items or None
    return one_line(str(value)) or None


def context(fields: Mapping[str, object]) -> dict[str, Scalar | list[str]]:
    """The fields a template sees: cleaned, plain, empty ones left out."""
    out: dict[str, Scalar | list[str]] = {}
    for key, value in fields.items():
        plain = _plain(str(key), value)
        if plain is not None:
            out[str(key)] = plain
    return out


def safe_address(address: str) -> str:
    """An e-mail address fit for a To/Cc header, or ValueError (line breaks, several addresses)."""
    address = address.strip()
    if (
        not address
        or _CONTROLS.search(address)
        or any(c in address for c in ',;<>"() ')
        or address.count("@") != 1
        or address.startswith("@")
        or address.endswith("@")
    ):
        raise ValueError(f"not a single e-mail address: {address!r}")
    return address


# -------------------------------------------------------------------------------- rendering
def _split(template: MessageTemplate) -> tuple[str, str]:
    source = template.source.replace("\r\n", "\n")
    while True:
        stripped = _LEADING_COMMENT.sub("", source, count=1)
        if stripped == source:
            break
        source = stripped
    match = _SUBJECT.match(source.lstrip("\n"))
    if match is None:
        raise TemplateError(
            f"The template {template.name!r} must start with a 'Subject:' line, then a blank "
            f"line, then the message."
        )
    return match.group("subject"), match.group("body").lstrip("\n")


def _standalone_tags(source: str) -> str:
    """Drop the line break after a line that holds only a tag (``{% for ... %}``), so such lines
    leave nothing behind, while a tag at the end of a line of text keeps its line break."""
    return _TAG_LINE.sub(r"\1", source)


def _render_part(template: MessageTemplate, source: str, values: Mapping[str, object]) -> str:
    try:
        return _ENV.from_string(_standalone_tags(source)).render(values)
    except UndefinedError as exc:
        found = _UNDEFINED.search(str(exc))
        if found:
            raise MissingFieldError(template.name, found.group("name")) from None
        raise TemplateError(f"The template {template.name!r} uses a field wrongly: {exc}") from None
    except SecurityError:
        raise UnsafeTemplateError(
            f"The template {template.name!r} tries to reach inside the program, which templates "
            f"cannot do. Use only the fields, such as {{{{ first_name }}}}."
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"The template {template.name!r} has a mistake on line {exc.lineno}: {exc.message}"
        ) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(
            f"The template {template.name!r} could not be filled in: {exc}"
        ) from None


def render(template: MessageTemplate, fields: Mapping[str, object]) -> RenderedMessage:
    """Fill ``template`` with ``fields``; raises TemplateError (MissingFieldError, ...)."""
    subject_source, body_source = _split(template)
    values = context(fields)
    subject = one_line(_render_part(template, subject_source, values))
    body = _render_part(template, body_source, values)
    body = re.sub(r"\n{3,}", "\n\n", body.replace("\r\n", "\n")).strip("\n") + "\n"
    return RenderedMessage(template.name, template.kind, subject, body)


def fields_used(template: MessageTemplate) -> set[str]:
    """Every field the template mentions (required or optional), for the composer's form."""
    try:
        subject, body = _split(template)
        return set(
            meta.find_undeclared_variables(_ENV.parse(_standalone_tags(subject + "\n" + body)))
        )
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"The template {template.name!r} has a mistake on line {exc.lineno}: {exc.message}"
        ) from None


# ------------------------------------------------------------------------ field helpers
_PHRASES = {
    "call": "a {m}-minute phone call",
    "coffee": "a coffee ({m} minutes or so, my treat)",
    "lunch": "lunch (about {m} minutes, my treat)",
}


def meeting_phrase(kind: str, minutes: int) -> str:
    """The concrete ask: "a 15-minute phone call", "a coffee (30 minutes or so, my treat)"."""
    return _PHRASES.get(kind, _PHRASES["call"]).format(m=minutes)


def first_name(name: str) -> str:
    """The given name a greeting uses, after any title ("Dr. Maya Chen" -> "Maya"): the same
    rule the coaching's greeting check applies."""
    return greeting_name(one_line(name))


_LOOSE = re.compile(
    r"^\s*(?:[-*\u2022]\s*)?(?:\[ \]|todo:?|to do:?|loose end:?|follow[- ]up:?)\s*(?P<item>.+)$",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(will send|will introduce|promised|to send|send me|intro to|introduce me)\b", re.IGNORECASE
)


def loose_ends(notes: str) -> list[str]:
    """Open items in the meeting notes: "[ ] ...", "TODO ...", or lines with a promise in them."""
    items: list[str] = []
    for line in multi_line(notes).splitlines():
        match = _LOOSE.match(line)
        if match:
            items.append(one_line(match.group("item")))
        elif _PROMISE.search(line):
            items.append(one_line(line.lstrip("-*\u2022 ")))
    return [i for i in dict.fromkeys(items) if i]


# ------------------------------------------------------------------------ the user's own
def valid_name(name: str) -> bool:
    """A template name is a file name: letters, digits, "_" and "-"."""
    return bool(_NAME.match(name))


def save_user_template(user_dir: Path, name: str, source: str) -> Path:
    """Write the user's template ``name`` (atomically: a crash leaves the old file whole).

    Raises TemplateError with the reason when the name or the text cannot make a template."""
    if not valid_name(name):
        raise TemplateError(
            f"{name!r} cannot be a template name: use letters, digits, '_' and '-' only."
        )
    _split(from_source(name, source))  # a Subject: line, then the message
    fields_used(from_source(name, source))  # no syntax mistake
    user_dir.mkdir(parents=True, exist_ok=True)
    path = user_dir / f"{name}{SUFFIX}"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(source.replace("\r\n", "\n"), encoding="utf-8")
    tmp.replace(path)
    return path


def delete_user_template(user_dir: Path, name: str) -> bool:
    """Remove the user's template ``name`` (for a customised default: back to the default)."""
    if not valid_name(name):
        return False
    path = user_dir / f"{name}{SUFFIX}"
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


def default_names() -> set[str]:
    return set(_read_dir(default_dir(), builtin=True))


def free_name(base: str, taken: Iterable[str]) -> str:
    """``base`` made unique among ``taken``: "request_cold_2", "request_cold_3"..."""
    used = set(taken)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", base).strip("_") or "my_template"
    if stem not in used:
        return stem
    n = 2
    while f"{stem}_{n}" in used:
        n += 1
    return f"{stem}_{n}"
