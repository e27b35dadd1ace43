"""What an incoming message is: bounce, calendar reply, auto-reply, bulk or a genuine reply.

The order follows the provider notes: delivery reports first (RFC 3464 and the many text
formats flufl.bounce knows), then calendar replies (text/calendar parts), challenge-response
mails, the auto-reply headers of RFC 3834 and the big vendors, list/bulk headers, and the
localised subject and body phrases only as the last resort — read on the *new text* of the
message, so a person who quotes an out-of-office is still a person. Being in the thread is no
evidence of a reply: auto-replies carry In-Reply-To too.

Every result names its evidence. Human replies also get their new text and intent
(``mail.intent``). Classification is header-first and cheap: the raw message is re-parsed only
for bounce and calendar candidates, and dateparser is loaded only when an auto-reply's return
date is in a form ``mail.dates`` does not read.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from mail import intent as intents
from mail.bounces import BOUNCE, RAW_SCAN, TEXT_SCAN_CHARS, bounce, reparse
from mail.dates import clamp, find_dates, normalise
from mail.provider import Classification, Interval, MailMessage
from mail.quotes import new_text as reply_text

AUTO_REPLY = "auto_reply"
BULK = "bulk"
CALENDAR = "calendar"
HUMAN = "human"
KINDS = (BOUNCE, AUTO_REPLY, BULK, CALENDAR, HUMAN)

_NOREPLY = re.compile(
    r"(?:^|[-._+])(?:no-?reply|do-?not-?reply|donotreply|noreply)(?:$|[-._+])|"
    r"^(?:notifications?|newsletters?|digest|marketing|mailer|bounces?)(?:$|[-._+])"
)

#: Subject prefixes that only automatic replies use (checked case-insensitively, at the start).
AUTO_REPLY_PHRASES: tuple[str, ...] = (
    "Automatic reply", "Automatic response", "Autoreply", "Auto reply", "Auto-reply",
    "Auto response", "Autoresponse", "Auto-response", "Out of office", "Out of the office",
    "Away from the office", "Abwesenheitsnotiz", "Abwesenheit", "Abwesend",
    "Automatische Antwort", "Réponse automatique", "Absent du bureau", "Absence", "Absent",
    "Respuesta automática", "Fuera de la oficina", "Ausente", "Risposta automatica",
    "Fuori ufficio", "Fuori sede", "Automatisch antwoord", "Afwezigheidsmelding", "Afwezig",
    "Resposta automática", "Fora do escritório", "Ausência", "Odpowiedź automatyczna",
    "Poza biurem", "Nieobecność", "AUTO:",
)  # fmt: skip
_PHRASE_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?P<phrase>"
    + "|".join(re.escape(p) for p in sorted(AUTO_REPLY_PHRASES, key=len, reverse=True))
    + r")(?:(?<=:)|\s*(?::|$|[-\u2013(\[|]))",
    re.IGNORECASE,
)

_CHALLENGE_HEADERS = ("X-Boxtrapper", "X-Challenge", "X-Spam-Arrest", "X-Bluebottle-Request")
_CHALLENGE_STRONG = re.compile(
    r"challenge[- ]response|boxtrapper|white ?list|approved senders|"
    r"protect\w*\s+(?:myself|me|my inbox|their inbox)?\s*(?:from|against)\s+(?:receiving\s+)?"
    r"(?:junk|spam|unsolicited)|unsolicited e-?mail|spam[- ]?(?:filter|guard|protection)|"
    r"(?:confirm|prove)\s+(?:that\s+)?you\s+are\s+(?:a\s+)?human|ein mensch sind|vor spam|"
    r"only (?:need|have) to do this once|do this only once|nur einmal",
    re.IGNORECASE,
)
_CHALLENGE_VERIFY = re.compile(
    r"verif|bestätig|confirm|conferm|bevestig|potwierd|weryfik|click the link|klicken sie",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://", re.IGNORECASE)

# Body phrases of out-of-office notices, by kind of statement; two kinds (or an explicit
# "this is an automatic reply") make a body-only auto-reply.
_OOO_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("absence", re.compile(
        r"out of (?:the )?office|away from (?:the )?office|on (?:annual |parental |maternity |"
        r"paternity |sick )?leave|on vacation|on holiday|currently away|i am away|i'm away|"
        r"nicht im büro|außer haus|ausser haus|im urlaub|abwesend|nicht erreichbar|"
        r"absente? du bureau|en congés?|en vacances|fuera de la oficina|de vacaciones|"
        r"fuori (?:ufficio|sede)|in ferie|afwezig|met vakantie|niet aanwezig|"
        r"fora do escritório|de férias|poza biurem|na urlopie|nieobecn|niedostępn",
        re.IGNORECASE)),
    ("mail access", re.compile(
        r"(?:limited|no) access to (?:my )?e-?mail|not (?:be )?(?:checking|reading) (?:my )?"
        r"e-?mail|mail is not monitored|keinen zugriff|eingeschränkte[nm]? zugriff|"
        r"nicht weitergeleitet|accès limité|acceso limitado|accesso limitato|beperkt toegang|"
        r"niet doorgestuurd|acesso limitado|ograniczony dostęp|not be forwarded",
        re.IGNORECASE)),
    ("redirect", re.compile(
        r"for urgent matters|in urgent cases|if (?:it|this|your message) is urgent|"
        r"in dringenden fällen|en cas d'urgence|para asuntos urgentes|en caso de urgencia|"
        r"per urgenze|voor dringende zaken|em caso de urgência|w pilnych sprawach",
        re.IGNORECASE)),
    ("will reply", re.compile(
        r"(?:reply|respond|get back to you|answer)\w*(?: to your (?:message|e-?mail))? "
        r"(?:when|upon|after|on) (?:my|i) (?:return|get back|am back)|upon my return|"
        r"when i return|nach meiner rückkehr|dès mon retour|a mi regreso|al mio rientro|"
        r"na mijn terugkomst|após o meu regresso|po powrocie|after my return",
        re.IGNORECASE)),
    ("automatic", re.compile(
        r"this is an? (?:automatic|automated) (?:reply|response|message)|"
        r"(?:automated|automatic) (?:response|reply) to your message|"
        r"automatische (?:antwort|nachricht)|réponse automatique|message automatique|"
        r"respuesta automática|risposta automatica|automatisch antwoord|resposta automática|"
        r"odpowiedź automatyczna|the only notification you will receive",
        re.IGNORECASE)),
)  # fmt: skip

_THANKS_RE = re.compile(
    r"\b(thank|thx|grateful|appreciate|merci|danke|vielen dank|herzlichen dank|gracias|"
    r"agradec|grazie|bedankt|dank je|dank u|obrigad|dziękuj|dzięki)",
    re.IGNORECASE,
)

# Return-date triggers: the date follows. Strong ones first; "ab"/"from"-style ones (the day the
# absence *starts* in "ab 09.03. nicht im Büro") only when nothing else names a date.
_STRONG_TRIGGERS = re.compile(
    r"\b(?:until|till|til|through|thru|back(?: in(?: the)? office)?(?: on)?|returning(?: on)?|"
    r"return(?:s|ing)?(?: to the office)?(?: on)?|will be back(?: on)?|"
    r"bis(?: einschlie(?:ß|ss)lich)?(?: zum| zur| am| dem)?|wieder(?: ab| am)?|"
    r"zurück(?: am| ab)?|rückkehr(?: am)?|"
    r"jusqu['\u2019](?:au|à|a)|de retour(?: le)?|retour(?: prévu)?(?: le)?|"
    r"hasta(?: el(?: día)?)?|de vuelta(?: el)?|regreso(?: el)?|volveré(?: el)?|"
    r"fino (?:al|a|all['\u2019])|rientr(?:o|erò)(?: in ufficio)?(?: il)?|di ritorno(?: il)?|"
    r"tornerò(?: il)?|"
    r"tot en met|t/m|tot|terug(?: op)?|"
    r"até(?: ao| à| a| o| dia)?|regresso(?: a| em| no dia)?|de volta(?: a| em| no dia)?|"
    r"retorno(?: em| a)?|"
    r"do(?: dnia)?|wracam(?: dnia)?|powrót(?: dnia)?)\b",
    re.IGNORECASE,
)
_WEAK_TRIGGERS = re.compile(
    r"\b(?:ab(?: dem)?|from|as of|à partir du|dès le|a partir del?|a partire dal?|vanaf|"
    r"a partir de|od(?: dnia)?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?:\s|$)|[!?\n;]")
_EPOCH_YEAR = 1970  # parse_message's stand-in for a missing Date
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def classify(
    msg: MailMessage,
    *,
    now: datetime | None = None,
    slots: Sequence[Interval] = (),
    own: Sequence[str] = (),
) -> Classification:
    """Classify ``msg``. ``now`` bounds a return date when the message has no usable Date;
    ``slots`` are the times the request offered (for the intent of a human reply); ``own`` the
    user's addresses (never a referral)."""
    report = bounce(msg)
    if report is not None:
        return report

    calendar = _calendar(msg)
    if calendar is not None:
        return calendar

    text = reply_text(msg)
    challenge = _challenge(msg, text)
    if challenge is not None:
        return Classification(kind=BULK, evidence=challenge, new_text=text)

    marker = _auto_reply_header(msg)
    bulk = _bulk_header(msg)
    if marker is not None:
        if _has_list_headers(msg) and bulk is not None and "auto-generated" in marker:
            return Classification(kind=BULK, evidence=bulk, new_text=text)
        return _auto_reply(msg, marker, now, text)

    phrase = _subject_phrase(msg.subject)
    signals = _ooo_signals(text)
    if bulk is not None:
        # A vacation program that only sets "Precedence: bulk|junk" is still an auto-reply.
        if bulk.startswith("header Precedence") and not _has_list_headers(msg):
            if phrase is not None:
                return _auto_reply(msg, f"subject phrase {phrase!r} + {bulk}", now, text)
            if signals:
                return _auto_reply(msg, f"{bulk} + body phrase {signals[0][1]!r}", now, text)
        return Classification(kind=BULK, evidence=bulk, new_text=text)

    if phrase is not None:
        return _auto_reply(msg, f"subject phrase {phrase!r}", now, text)
    kinds = {kind for kind, _ in signals}
    if len(kinds) >= 2 or "automatic" in kinds:
        quoted = " + ".join(repr(found) for _, found in signals[:2])
        return _auto_reply(msg, f"body phrases {quoted}", now, text)

    local = msg.sender.partition("@")[0]
    if local and _NOREPLY.search(local):
        return Classification(kind=BULK, evidence=f"sender {msg.sender}", new_text=text)

    found = intents.detect(
        text,
        slots=slots,
        sent=msg.date,
        sender=msg.sender,
        own=(*own, *msg.to),
        cc=msg.cc,
    )
    return Classification(
        kind=HUMAN,
        evidence="no automatic-mail marker",
        new_text=text,
        intent=found.kind,
        slot=found.slot,
        proposed=found.proposed,
        referral_name=found.referral_name,
        referral_address=found.referral_address,
        extra={"intent_evidence": found.evidence},
    )


def is_thank_you(text: str, subject: str) -> bool:
    """Does this (sent) message say thank you? ``text`` should be the new text, quotes removed."""
    return bool(_THANKS_RE.search(subject) or _THANKS_RE.search(text))


# --- calendar -------------------------------------------------------------------------------

_ICS_METHOD = re.compile(r"^METHOD:\s*(\w+)", re.MULTILINE | re.IGNORECASE)
_ICS_PARTSTAT = re.compile(r"PARTSTAT=([A-Z-]+)", re.IGNORECASE)
_CALENDAR_TYPES = ("text/calendar", "application/ics")


def _calendar(msg: MailMessage) -> Classification | None:
    head = msg.raw[:RAW_SCAN].lower()
    if not any(t.encode() in head for t in _CALENDAR_TYPES):
        return None
    parsed = reparse(msg.raw)
    if parsed is None:
        return None
    ics = ""
    try:
        for part in parsed.walk():
            if part.get_content_type() in _CALENDAR_TYPES:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    ics = payload[:200_000].decode("utf-8", "replace")
                    break
    except Exception:
        return None
    method_match = _ICS_METHOD.search(ics)
    if method_match is None:
        return None
    method = method_match.group(1).upper()
    response = {"COUNTER": "counter", "REQUEST": "invitation", "CANCEL": "cancelled"}.get(method)
    if method == "REPLY":
        statuses = [s.upper() for s in _ICS_PARTSTAT.findall(ics)]
        response = next(
            (
                {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}[s]
                for s in statuses
                if s in ("ACCEPTED", "DECLINED", "TENTATIVE")
            ),
            "reply",
        )
    if response is None:
        return None
    return Classification(
        kind=CALENDAR,
        evidence=f"text/calendar METHOD:{method}" + (f" ({response})" if method == "REPLY" else ""),
        calendar=response,
        new_text=reply_text(msg),
    )


# --- challenge-response, auto-replies and bulk ----------------------------------------------


def _challenge(msg: MailMessage, text: str) -> str | None:
    for name in _CHALLENGE_HEADERS:
        value = msg.header(name).strip()
        if value:
            return f"challenge-response: header {name}"
    words = msg.subject + "\n" + text[:1500]
    strong = _CHALLENGE_STRONG.search(words)
    if strong is None or _CHALLENGE_VERIFY.search(words) is None:
        return None
    if _URL.search(words) is None and not msg.header("Auto-Submitted"):
        return None
    return f"challenge-response: phrase {strong.group(0)!r}"


def _auto_reply_header(msg: MailMessage) -> str | None:
    auto_submitted = msg.header("Auto-Submitted").strip()
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"header Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated"):
        value = msg.header(name).strip()
        if value:
            return f"header {name}: {value}"
    precedence = msg.header("Precedence").strip()
    if precedence.lower() == "auto_reply":
        return f"header Precedence: {precedence}"
    loop = msg.header("X-MS-Exchange-Inbox-Rules-Loop").strip()
    suppress = msg.header("X-Auto-Response-Suppress").strip()
    if loop and suppress:
        return (
            f"headers X-MS-Exchange-Inbox-Rules-Loop: {loop} + X-Auto-Response-Suppress: {suppress}"
        )
    return None


def _has_list_headers(msg: MailMessage) -> bool:
    return any(msg.header(n).strip() for n in ("List-Id", "List-Unsubscribe", "List-Post"))


def _bulk_header(msg: MailMessage) -> str | None:
    for name in ("List-Id", "List-Unsubscribe", "List-Post", "Mailing-List"):
        value = msg.header(name).strip()
        if value:
            return f"header {name}: {value[:80]}"
    precedence = msg.header("Precedence").strip()
    if precedence.lower() in _BULK_PRECEDENCE:
        return f"header Precedence: {precedence}"
    feedback = msg.header("Feedback-ID").strip()
    if feedback:
        return f"header Feedback-ID: {feedback[:80]}"
    return None


def _subject_phrase(subject: str) -> str | None:
    match = _PHRASE_RE.match(subject)
    return match.group("phrase") if match else None


def _ooo_signals(text: str) -> list[tuple[str, str]]:
    head = text[:TEXT_SCAN_CHARS]
    found: list[tuple[str, str]] = []
    for kind, pattern in _OOO_SIGNALS:
        m = pattern.search(head)
        if m:
            found.append((kind, m.group(0)))
    return found


def _auto_reply(msg: MailMessage, evidence: str, now: datetime | None, text: str) -> Classification:
    base = msg.date
    if base.year <= _EPOCH_YEAR and now is not None:
        base = now
    away = away_until(msg.subject + "\n" + (text or msg.text), base)
    return Classification(kind=AUTO_REPLY, evidence=evidence, away_until=away, new_text=text)


# --- return dates ---------------------------------------------------------------------------


def away_until(text: str, sent: datetime) -> datetime | None:
    """The return date an out-of-office text announces, as 00:00 UTC of that day, or None.

    Relative dates ("back on Tuesday", "bis Donnerstag", "tomorrow") count from ``sent``; a
    date without a year is the next such date; an ambiguous 05/01 is the sooner reading."""
    text = normalise(text[:TEXT_SCAN_CHARS])
    base = clamp(sent).astimezone(UTC)
    day = base.date()
    earliest = day - timedelta(days=1)
    latest = day + timedelta(days=400)
    for pattern in (_STRONG_TRIGGERS, _WEAK_TRIGGERS):
        for match in pattern.finditer(text):
            found = _date_after(text, match.end(), day)
            if found is not None and earliest <= found <= latest:
                return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return _away_with_dateparser(text, base, earliest, latest)


def _date_after(text: str, pos: int, base: date) -> date | None:
    rest = text[pos : pos + 80]
    end = _SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start() + 1]
    lead = rest.lstrip(" ,:")
    skipped = len(rest) - len(lead)
    dates = find_dates(lead, base)
    if not dates or dates[0].start > 24 + skipped:
        return None
    first = dates[0]
    # "Monday, 16 March": the explicit date that follows the weekday wins.
    explicit = [d for d in dates if d.explicit and d.start - first.end < 6]
    if not first.explicit and explicit:
        return explicit[0].when
    return first.when


# dateparser is the fallback for forms mail.dates does not read; it takes long to import (and
# ships no types), so it is loaded on the first auto-reply that needs it only.
_DATEPARSER_LANGS = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]


def _away_with_dateparser(
    text: str, base: datetime, earliest: date, latest: date
) -> datetime | None:
    matches = list(_STRONG_TRIGGERS.finditer(text))[:6]
    if not matches:
        return None
    try:
        dateparser = importlib.import_module("dateparser")
    except ImportError:
        return None
    naive = base.replace(tzinfo=None)
    for match in matches:
        found = _parse_phrase(dateparser.parse, text[match.end() : match.end() + 80], naive)
        if found is not None and earliest <= found <= latest:
            return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def _parse_phrase(parse: Callable[..., object], rest: str, base: datetime) -> date | None:
    end = _SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start()]
    words = rest.replace(",", " , ").split()[:5]
    if not any(ch.isdigit() for ch in rest) and len(words) > 3:
        words = words[:3]
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PARSERS": ["relative-time", "absolute-time"],
    }
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).replace(" , ", ", ").strip(" ,")
        if not candidate or not any(ch.isalnum() for ch in candidate):
            continue
        try:
            result = parse(candidate, languages=_DATEPARSER_LANGS, settings=settings)
        except Exception:
            return None
        if isinstance(result, datetime):
            return result.date()
    return None
