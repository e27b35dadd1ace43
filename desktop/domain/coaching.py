"""The request checker: pure functions over a draft, shown live in the composer.

Each finding has a stable code (for tests and the UI), a severity and a sentence that says what
to change and why, in the spirit of PRODUCT.md ("Ask by email"): say why you are writing, keep it
short, ask for a concrete 15-minute call, end with a few times, attach no résumé, don't ask for a
job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

#: Words above which a request is too long (a warning), and far too long (a strong warning).
LONG_WORDS = 150
TOO_LONG_WORDS = 250


class Severity(IntEnum):
    """Ordered: a higher value is more serious. BLOCK means "do not send as it is"."""

    INFO = 0
    WARN = 1
    STRONG = 2
    BLOCK = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class DraftToCheck:
    """What the checker reads. ``is_request`` turns on the checks that only fit a first ask.

    ``reasons`` are the names or titles that make a reason for writing when mentioned (the
    referrer's name, the article's title, the affiliation); ``slot_count`` is how many proposed
    times the composer put in (None: look for times in the text).
    """

    subject: str
    body: str
    contact_name: str = ""
    attachments: tuple[str, ...] = ()
    is_request: bool = True
    reasons: tuple[str, ...] = ()
    slot_count: int | None = None
    #: The text says a résumé is attached (a warning the user may send past, not a block).
    mentions_resume: bool = False


def _fold(text: str) -> str:
    """Lower case without accents, for matching ("Résumé" finds "resume")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*", re.UNICODE)


def own_text(body: str) -> str:
    """The body without quoted lines ("> ...") and anything after a signature marker."""
    body = body.split("\n-- \n", 1)[0]
    return _QUOTED.sub("", body)


def word_count(body: str) -> int:
    return len(_WORD.findall(own_text(body)))


_REASON = re.compile(
    r"\b(suggest\w*|recommend\w*|referr\w*|refer\w*|introduc\w*|mention\w*|pointed me|"
    r"put me in touch|read (your|the|an|a)\b|\bi (read|saw|heard|listened)\b|writing because|"
    r"reason i am writing|article|interview|post\b|blog|podcast|talk you gave|"
    r"panel|newsletter|alumni|alumnus|alumna|fellow|association|member|graduate|class of|"
    r"same (school|university|college|program)|found you)",
)
_ASK = re.compile(
    r"(\b\d{1,3}\s*-?\s*(minutes?|mins?|min)\b|\b(fifteen|twenty|thirty|ten)[ -]minutes?\b|"
    r"half an hour|\ban hour\b|\bcoffee\b|\blunch\b|\bphone call\b|\bvideo call\b)"
)
_TIME = re.compile(
    r"(\b([01]?\d|2[0-3])[:.h][0-5]\d\b|\b(1[0-2]|0?[1-9])\s*(am|pm|a\.m\.|p\.m\.))", re.IGNORECASE
)
_DAY = re.compile(
    r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\b|\b\d{1,2}[./]\d{1,2}\b|\b(next week|tomorrow)\b"
)
_JOB = re.compile(
    r"\b(are you hiring|is your (team|company) hiring|you are hiring|hiring for|"
    r"(job|position|role|vacanc\w*|opening)s? (at|in|on) your|any (open|job)\w*|"
    r"(job|position|vacanc\w*) (opening|available)|open (position|role|job)s?|"
    r"(give|offer|find) me a (job|position|role)|looking for a job|apply(ing)? for|"
    r"consider me for|refer me for|hire me|my (cv|resume|application))\b"
)
_RESUME = re.compile(
    r"(resume|(^|[^a-z])cv([^a-z]|$)|curriculum|lebenslauf|curriculo|lettre de motivation)"
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|hallo|guten tag|"
    r"liebe[rs]?|sehr geehrte[rs]?|bonjour|salut|cher|chere|hola|estimad[oa]|buenos dias)\b"
)
_NO_NAME = re.compile(r"\b(sir|madam|to whom it may concern|there|all|team)\b")
_PLACEHOLDER = re.compile(
    r"(\{\{|\}\}|\{%|%\}|\{#|#\}|\[\s*(first\s*name|name|company|role|title|date|time|x+)\s*\]|"
    r"<\s*(first\s*name|name|company|role)\s*>|\bTODO\b|\bXXX+\b|\bTBD\b|\bINSERT\b|"
    r"\bLorem ipsum\b)",
    re.IGNORECASE,
)


#: Titles and honorifics that come before a name: never greeted as if they were one.
HONORIFICS = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir"}) | {
    *("dame", "rev", "herr", "frau", "mme", "mlle", "sr", "sra", "srta", "ing")
}


def _bare(token: str) -> str:
    return _fold(token).strip(".,;:'\u2019\"()")


def name_parts(name: str) -> list[str]:
    """The words of a name without leading titles ("Dr. Maya Chen" -> ["Maya", "Chen"])."""
    parts = name.split()
    while len(parts) > 1 and _bare(parts[0]) in HONORIFICS:
        parts = parts[1:]
    return parts


def greeting_name(name: str) -> str:
    """The name a greeting uses: the given name after any title ("Dr. Maya Chen" -> "Maya").
    The templates' ``first_name`` and the greeting check both use it, so they agree."""
    parts = name_parts(name)
    return parts[0].strip(",;:") if parts else ""


def _mentions(text: str, phrase: str) -> bool:
    phrase = _fold(phrase).strip()
    return bool(phrase) and phrase in text


def _first_line(body: str) -> str:
    for line in own_text(body).splitlines():
        if line.strip():
            return line.strip()
    return ""


_ORDER = (
    "resume_attached",
    "template_text",
    "resume_mentioned",
    "no_subject",
    "too_long",
    "asks_for_job",
    "long",
    "no_reason",
    "no_concrete_ask",
    "no_times",
    "greeting_without_name",
    "attachment",
)


def _greets_without_name(first_line: str, contact_name: str) -> bool:
    if not _GREETING.match(first_line):
        return False
    names = [n for n in (_bare(p) for p in name_parts(contact_name)) if len(n) > 1]
    if not names:
        return bool(_NO_NAME.search(first_line))
    return not any(re.search(rf"\b{re.escape(n)}\b", first_line) for n in names)


def check(draft: DraftToCheck) -> list[Finding]:
    """Every finding for the draft, most serious first (then in a fixed order)."""
    found: list[Finding] = []

    def add(code: str, severity: Severity, message: str) -> None:
        found.append(Finding(code, severity, message))

    body = own_text(draft.body)
    folded = _fold(body)

    if not draft.subject.strip():
        add(
            "no_subject",
            Severity.STRONG,
            "Add a subject: a message without one looks like spam and is easy to skip.",
        )

    words = word_count(draft.body)
    if words > TOO_LONG_WORDS:
        add(
            "too_long",
            Severity.STRONG,
            f"{words} words: far too long. Keep a request under {LONG_WORDS} words, much "
            "shorter than a cover letter.",
        )
    elif words > LONG_WORDS:
        add(
            "long",
            Severity.WARN,
            f"{words} words: a little long. Aim for under {LONG_WORDS}; busy people answer "
            "short messages.",
        )

    for name in draft.attachments:
        if _RESUME.search(_fold(name)):
            add(
                "resume_attached",
                Severity.BLOCK,
                f"Remove the attachment {name!r}: attach no résumé to a request for advice. It "
                "turns the conversation into a job application; offer it later if they ask.",
            )
        else:
            add(
                "attachment",
                Severity.WARN,
                f"The attachment {name!r} adds weight to a first message; a link, or nothing "
                "at all, is usually better.",
            )

    if draft.mentions_resume:
        add(
            "resume_mentioned",
            Severity.STRONG,
            "The message says a résumé is attached: a request for advice goes best without one "
            "(and Coffeechat sends no files). Offer it later if they ask, or send anyway.",
        )

    if _PLACEHOLDER.search(draft.subject) or _PLACEHOLDER.search(body):
        add(
            "template_text",
            Severity.BLOCK,
            "Some template text is still unresolved (a {{ field }}, [Name] or TODO): fill it in "
            "before sending.",
        )

    if _greets_without_name(_fold(_first_line(draft.body)), draft.contact_name):
        first = greeting_name(draft.contact_name) or "Maya"
        add(
            "greeting_without_name",
            Severity.WARN,
            f'Greet them by name ("Hi {first},"): a message that could go to anyone reads like '
            "one.",
        )

    if draft.is_request:
        if not _REASON.search(folded) and not any(_mentions(folded, r) for r in draft.reasons):
            add(
                "no_reason",
                Severity.WARN,
                "Say why you are writing to this person: who suggested them, the article you "
                "read, or what you share (a school, an association).",
            )
        if not _ASK.search(folded):
            add(
                "no_concrete_ask",
                Severity.WARN,
                'Make the ask concrete: "15 minutes on the phone" is easy to say yes to; an '
                "open-ended chat is not.",
            )
        if draft.slot_count is not None:
            has_times = draft.slot_count > 0
        else:
            has_times = bool(_TIME.search(body) and _DAY.search(folded))
        if not has_times:
            add(
                "no_times",
                Severity.WARN,
                "End with two or three concrete times you are free: it saves a round of e-mail.",
            )
        if _JOB.search(folded):
            add(
                "asks_for_job",
                Severity.STRONG,
                "Don't ask for a job or an opening: ask for their advice and experience. A job "
                "can come later, from the relationship.",
            )

    return sorted(found, key=lambda f: (-f.severity, _ORDER.index(f.code)))


def blocking(findings: list[Finding]) -> bool:
    """True when the draft should not be sent as it is."""
    return any(f.severity is Severity.BLOCK for f in findings)
