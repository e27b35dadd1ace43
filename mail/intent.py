"""What a genuine reply to a request says: accepts a slot, proposes other times, declines, asks
a question, refers to someone else — or unknown, an honest answer that leaves it to the user.

Pure functions over the reply's new text (quotes and signature already removed), the slots the
request offered (as intervals whose own time zone is the one the contact saw) and the reply's
Date. Cue words cover EN, DE, FR, ES, IT, NL, PT and PL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from mail.dates import ClockTime, Found, clamp, find_dates, find_times, normalise
from mail.provider import Interval

ACCEPT = "accept"
PROPOSE = "propose"
DECLINE = "decline"
QUESTION = "question"
REFER = "refer"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: str
    evidence: str
    #: Index into the offered slots when ``kind`` is accept.
    slot: int | None = None
    #: The other times proposed, as written ("Wednesday 18 March at 11:00").
    proposed: tuple[str, ...] = ()
    referral_name: str = ""
    referral_address: str = ""


def _cue(words: Sequence[str]) -> re.Pattern[str]:
    parts = [re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


_ACCEPT_CUES = _cue([
    "works", "work for me", "works for me", "works well", "is good", "is fine", "is perfect",
    "sounds good", "suits me", "let's do", "let's go with", "lets do", "i can do", "see you",
    "talk then", "perfect", "great", "book it",
    "passt", "passt mir", "klappt", "geht", "gerne", "einverstanden",
    "me convient", "me va", "ça marche", "ca marche", "parfait", "d'accord", "ok pour moi",
    "me viene bien", "me va bien", "perfecto", "de acuerdo", "me parece bien", "me va perfecto",
    "va bene", "va benissimo", "perfetto", "d'accordo", "mi va bene",
    "past", "past mij", "is goed", "prima", "akkoord", "lukt",
    "funciona", "pode ser", "está ótimo", "combinado", "perfeito", "serve",
    "pasuje", "mi pasuje", "odpowiada", "zgoda", "może być", "super",
])  # fmt: skip
_NEGATION = _cue([
    "can't", "cannot", "can not", "won't", "unable", "not able", "doesn't work", "don't work",
    "do not work", "isn't good", "not good", "not great", "isn't great", "not ideal",
    "won't suit", "doesn't suit", "tricky", "no good", "not possible", "don't suit",
    "kann nicht", "geht nicht", "passt nicht", "passen mir", "passen nicht", "klappt nicht",
    "nicht möglich", "leider",
    "ne peux pas", "ne me convien", "ne conviennent pas", "pas possible", "pas disponible",
    "no puedo", "no me viene", "no me vienen", "no me va",
    "non posso", "non va", "non vanno", "non mi va",
    "kan niet", "lukt niet", "lukken niet", "past niet",
    "não posso", "não dá", "não dão", "nao posso",
    "nie mogę", "nie pasuje", "nie pasują", "nie mam",
])  # fmt: skip
_DECLINE_CUES = _cue([
    "unfortunately", "i'm afraid", "i am afraid", "afraid i", "can't", "cannot", "won't be able",
    "not able to", "unable to", "no time", "too busy", "stretched", "don't do", "do not do",
    "not available", "pass on this", "have to decline", "must decline", "sorry but", "any more",
    "anymore", "not the right person", "not the best person",
    "leider", "keine zeit", "nicht die richtige", "nicht der richtige", "absagen",
    "malheureusement", "je ne peux pas", "pas le temps", "pas la bonne personne", "désolé",
    "lamentablemente", "desafortunadamente", "no tengo tiempo", "no puedo", "lo siento",
    "purtroppo", "non ho tempo", "non posso", "non sono la persona giusta",
    "helaas", "geen tijd", "kan niet",
    "infelizmente", "não tenho", "não posso", "sem tempo",
    "niestety", "nie mam czasu", "nie mogę",
])  # fmt: skip
_REFER_CUES = _cue([
    "colleague", "talk to", "speak to", "speak with", "reach out to", "contact", "get in touch",
    "introduce you", "cc'd", "cc\u2019d", "copied", "better person", "right person", "write to",
    "kollegin", "kollege", "kollegen", "wenden sie sich", "schreiben sie", "kontaktieren",
    "collègue", "contacter", "contactez", "écrivez",
    "compañera", "compañero", "colega", "contacta", "escríbele", "escribe a", "habla con",
    "collega", "contattare", "contatta", "scrivi a",
    "contact opnemen", "neem contact", "mijn collega", "mail naar",
    "fale com", "contacte", "escreva",
    "koleżanki", "koleżanka", "kolegi", "kolega", "napisać do", "napisz do", "skontaktuj",
])  # fmt: skip
_ORDINALS: dict[int, tuple[str, ...]] = {
    0: ("first", "1st", "erste", "ersten", "erster", "premier", "première", "primera", "primer",
        "primo", "prima", "eerste", "primeira", "primeiro", "pierwsza", "pierwszy", "pierwszą"),
    1: ("second", "2nd", "zweite", "zweiten", "zweiter", "deuxième", "second", "seconde",
        "segunda", "segundo", "seconda", "secondo", "tweede", "druga", "drugi", "drugą"),
    2: ("third", "3rd", "dritte", "dritten", "dritter", "troisième", "tercera", "tercer",
        "terza", "terzo", "derde", "terceira", "terceiro", "trzecia", "trzeci", "trzecią"),
    -1: ("last", "letzte", "letzten", "dernier", "dernière", "última", "ultimo", "ultima",
         "laatste", "último", "ostatnia", "ostatni"),
}  # fmt: skip
_OPTION_NOUNS = (
    r"option|one|slot|time|choice|suggestion|termin|vorschlag|zeit|créneau|creneau|proposition|"
    r"choix|opción|opcion|horario|propuesta|opzione|proposta|orario|optie|tijd|voorstel|opção|"
    r"opcao|horário|opcja|termin|propozycja"
)
_ORD_WORDS = "|".join(
    re.escape(w) for ws in _ORDINALS.values() for w in sorted(ws, key=len, reverse=True)
)
_ORDINAL_RE = re.compile(
    rf"(?<!\w)(?P<ord>{_ORD_WORDS})(?:\s{{1,3}}\w{{1,40}}+)?\s{{1,3}}(?:{_OPTION_NOUNS})\b|"
    rf"\b(?:{_OPTION_NOUNS})\s{{0,3}}"
    rf"(?:(?:#|nr\.?|no\.?|number|nummer|numéro|número|numero)\s{{0,3}})?(?P<num>[1-9])\b",
    re.IGNORECASE,
)
_ORD_INDEX = {w.lower(): i for i, ws in _ORDINALS.items() for w in ws}
# Every repetition below is bounded and no two of them can share the same characters, so a
# match spans at most a few hundred characters and a search is linear in the text: the unbounded
# forms backtracked from every capital letter of a long word to its end (24 KB: seconds).
# A local part of at most 64 characters and labels of at most 63 (RFC 5321, RFC 1035).
_ADDRESS = r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
_EMAIL = re.compile(rf"(?<![\w.+-]){_ADDRESS}")
#: A capitalised word of a name, starting a word (not inside one), at most 40 letters.
_NAME_TOKEN = r"(?<![\w'\u2019-])[A-ZÀ-ÖØ-ÞĄĆĘŁŃÓŚŹŻ][\w'\u2019-]{1,39}+"
_PARTICLE = r"(?:de|da|van|der|den|von|del|di|dos|das|du|le|la|ter)"
_GAP = r"\s{1,3}"
_NAME_BEFORE_ADDRESS = re.compile(
    rf"(?P<name>{_NAME_TOKEN}(?:{_GAP}(?:{_PARTICLE}{_GAP})?{_NAME_TOKEN}){{0,3}})\s{{0,3}}"
    rf"(?:[(<\[]\s{{0,3}}|,\s{{0,3}}|{_GAP}at{_GAP}|{_GAP}-{_GAP}|:\s{{0,3}})(?:mailto:)?"
    rf"(?P<addr>{_ADDRESS})"
)
_NAME_AFTER_CUE = re.compile(
    rf"(?:colleague|kollegin|kollege|collègue|compañera|compañero|collega|colega|koleżanki|"
    rf"koleżanka|kolegi|kolega|cc'd|cc\u2019d|copied|talk to|speak with|contact){_GAP}"
    rf"(?:is{_GAP})?"
    rf"(?P<name>(?-i:{_NAME_TOKEN}(?:{_GAP}(?:{_PARTICLE}{_GAP})?{_NAME_TOKEN}){{0,2}}))",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "my",
        "mine",
        "meine",
        "mein",
        "meiner",
        "meinen",
        "mon",
        "ma",
        "mes",
        "mi",
        "mis",
        "il",
        "la",
        "le",
        "mijn",
        "minha",
        "meu",
        "a",
        "o",
        "moja",
        "mojej",
        "mojego",
        "kollegin",
        "kollege",
        "kollegen",
        "colleague",
        "collègue",
        "collega",
        "colega",
        "compañera",
        "compañero",
        "koleżanki",
        "koleżanka",
        "kolegi",
        "kolega",
        "mr",
        "mrs",
        "ms",
        "dr",
        "herr",
        "frau",
        "herrn",
        "the",
        "i",
        "je",
        "ich",
    ]
)
_ROLE_ADDRESSES = re.compile(
    r"^(?:info|office|support|hello|contact|admin|sales|team|hr|jobs|careers|noreply|no-reply)@",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def detect(
    text: str,
    *,
    slots: Sequence[Interval] = (),
    sent: datetime | None = None,
    sender: str = "",
    own: Sequence[str] = (),
    cc: Sequence[str] = (),
) -> Intent:
    """The intent of a reply whose new text is ``text``. ``slots`` are the offered intervals,
    ``sent`` the reply's Date (relative dates are resolved from it), ``sender`` and ``own`` the
    addresses that cannot be a referral, ``cc`` where a referred person may have been copied."""
    text = normalise(text)[:5000]
    base = clamp(sent).date() if sent is not None else date(2000, 1, 1)
    name, address = referral(text, sender=sender, own=own, cc=cc)
    refer_evidence = ""
    if address or (name and _REFER_CUES.search(text)):
        refer_evidence = f"referral to {name or address}"

    sentences = [s for s in _SENTENCES.split(text) if s.strip()]
    chosen, why = _accepted_slot(sentences, slots, base)
    if chosen is not None:
        return Intent(ACCEPT, why, chosen, (), name, address)

    proposed = _proposals(sentences, slots, base)
    if proposed:
        return Intent(PROPOSE, f"proposes {proposed[0]!r}", None, proposed, name, address)
    if refer_evidence:
        return Intent(REFER, refer_evidence, None, (), name, address)
    decline = _DECLINE_CUES.search(text)
    if decline:
        return Intent(DECLINE, f"phrase {decline.group(0)!r}", None, (), name, address)
    if "?" in text:
        return Intent(QUESTION, "asks a question", None, (), name, address)
    return Intent(UNKNOWN, "no clear intent", None, (), name, address)


@dataclass(frozen=True, slots=True)
class _Mentions:
    dates: list[Found]
    times: list[ClockTime]


def _mentions(sentence: str, base: date) -> _Mentions:
    dates = find_dates(sentence, base)
    times = [
        t for t in find_times(sentence) if all(t.end <= d.start or t.start >= d.end for d in dates)
    ]
    return _Mentions(dates, times)


def _slot_matches(m: _Mentions, slot: Interval) -> int:
    """A score > 0 when the mentions fit the slot, 0 when they say nothing, -1 when they clash."""
    start = slot.start
    score = 0
    if m.dates:
        days = {d.when for d in m.dates}
        weekdays = {d.when.weekday() for d in m.dates if not d.explicit}
        explicit = {d.when for d in m.dates if d.explicit}
        if explicit and not any(d.day == start.day for d in explicit):
            return -1
        if not explicit and start.weekday() not in weekdays:
            return -1
        score += 2 if start.date() in days or start.weekday() in weekdays else 1
    if m.times:
        ok = any(
            (t.hour, t.minute) == (start.hour, start.minute)
            or (t.ambiguous and (t.hour + 12, t.minute) == (start.hour, start.minute))
            for t in m.times
        )
        if not ok:
            return -1
        score += 1
    return score


def _accepted_slot(
    sentences: list[str], slots: Sequence[Interval], base: date
) -> tuple[int | None, str]:
    if not slots:
        return None, ""
    best: tuple[int, int] | None = None  # (score, index)
    why = ""
    for sentence in sentences:
        negated = _NEGATION.search(sentence) is not None
        accepted = _ACCEPT_CUES.search(sentence) is not None
        ordinal = _ordinal(sentence, len(slots))
        if ordinal is not None and not negated:
            return ordinal, f"accepts option {ordinal + 1}: {sentence.strip()[:80]!r}"
        if negated:
            continue
        m = _mentions(sentence, base)
        if not (m.dates or m.times):
            continue
        scores = [(_slot_matches(m, s), i) for i, s in enumerate(slots)]
        good = sorted((sc, i) for sc, i in scores if sc > 0)
        if not good:
            continue
        top = good[-1]
        if len(good) > 1 and good[-2][0] == top[0]:
            continue  # ambiguous: "Thursday" when two slots are on Thursdays
        short = len(sentence) < 80
        if (accepted or short) and (best is None or top[0] > best[0]):
            best = top
            why = f"accepts slot {top[1] + 1}: {sentence.strip()[:80]!r}"
    if best is None:
        return None, ""
    return best[1], why


def _ordinal(sentence: str, count: int) -> int | None:
    m = _ORDINAL_RE.search(sentence)
    if not m:
        return None
    if m["ord"]:
        index = _ORD_INDEX[m["ord"].lower()]
        index = count - 1 if index == -1 else index
    else:
        index = int(m["num"]) - 1
    return index if 0 <= index < count else None


def _proposals(sentences: list[str], slots: Sequence[Interval], base: date) -> tuple[str, ...]:
    out: list[str] = []
    for sentence in sentences:
        m = _mentions(sentence, base)
        if not m.dates:
            continue
        if slots and all(_slot_matches(m, s) > 0 for s in slots[:1]) and not m.times:
            continue
        # Each date with the time that follows it: "Wednesday 18 March at 11:00".
        for d in m.dates:
            if any(x.start < d.start < x.end for x in m.dates if x is not d):
                continue
            after = [t for t in m.times if t.start >= d.end and t.start - d.end < 25]
            end = after[0].end if after else d.end
            # A weekday followed by its date ("Wednesday 18 March") is one proposal.
            nxt = [x for x in m.dates if x.start >= d.end and x.start - d.end < 4]
            if nxt and not d.explicit:
                continue
            start = d.start
            prev = [
                x for x in m.dates if x.end <= d.start and d.start - x.end < 4 and not x.explicit
            ]
            if prev:
                start = prev[-1].start
            span = sentence[start:end].strip(" ,")
            if slots and any(_slot_matches(_mentions(span, base), s) > 0 for s in slots):
                continue
            if span and span not in out:
                out.append(span)
    return tuple(out)


def referral(
    text: str, *, sender: str = "", own: Sequence[str] = (), cc: Sequence[str] = ()
) -> tuple[str, str]:
    """(name, address) of someone the text refers the reader to, or empty strings."""
    skip = {sender.lower(), *(o.lower() for o in own)}
    for m in _NAME_BEFORE_ADDRESS.finditer(text):
        addr = m["addr"].lower().rstrip(".")
        if addr in skip or _ROLE_ADDRESSES.match(addr):
            continue
        return _clean_name(m["name"]), addr
    for m in _EMAIL.finditer(text):
        addr = m.group(0).lower().rstrip(".")
        if addr in skip or _ROLE_ADDRESSES.match(addr):
            continue
        if _REFER_CUES.search(text):
            return "", addr
    m2 = _NAME_AFTER_CUE.search(text)
    if m2:
        name = _clean_name(m2["name"])
        if name:
            tokens = [t.lower() for t in re.findall(r"\w+", name)]
            for addr in cc:
                local = addr.lower().partition("@")[0]
                if addr.lower() not in skip and tokens and tokens[0] in local:
                    return name, addr.lower()
            return name, ""
    return "", ""


def _clean_name(name: str) -> str:
    words = name.split()
    while words and words[0].lower().strip("'\u2019") in _NOT_NAMES:
        words.pop(0)
    return " ".join(words)


# ------------------------------------------------------------------------- for the reply card

#: What the reply card calls each intent (a decline that names someone is a referral).
LABELS: dict[str, str] = {
    ACCEPT: "Accepts a time",
    PROPOSE: "Proposes other times",
    DECLINE: "Declines",
    REFER: "Declines and refers someone",
    QUESTION: "Asks a question",
    UNKNOWN: "Unclear",
}
KINDS: tuple[str, ...] = (ACCEPT, PROPOSE, REFER, DECLINE, QUESTION, UNKNOWN)


def corrected(found: Intent, kind: str, slot: int | None = None) -> Intent:
    """The intent the user says the reply has; what was detected (times, referral) is kept."""
    if kind not in LABELS:
        raise ValueError(f"not an intent: {kind!r}; one of {', '.join(KINDS)}")
    if kind == found.kind and (kind != ACCEPT or slot in (None, found.slot)):
        return found
    chosen = slot if kind == ACCEPT else None
    why = "your correction" + (f": slot {chosen + 1}" if chosen is not None else "")
    return Intent(kind, why, chosen, found.proposed, found.referral_name, found.referral_address)


def proposed_starts(
    proposed: Sequence[str], *, sent: datetime | None, zone: tzinfo
) -> list[datetime]:
    """The proposals that name a day and a clock time, as aware instants read in ``zone`` (the
    contact's), in the order written: "Wednesday 9 December at 11:00" -> 11:00 in their zone.
    A proposal with a day but no time, or a time that does not exist that day, is left out."""
    base = clamp(sent).date() if sent is not None else date(2000, 1, 1)
    out: list[datetime] = []
    for text in proposed:
        days = find_dates(text, base)
        times = [
            t for t in find_times(text) if all(t.end <= d.start or t.start >= d.end for d in days)
        ]
        if not days or not times:
            continue
        t = times[0]
        # "at 4:30" is the afternoon for a meeting; "04:30", written with its zero, is not.
        afternoon = t.ambiguous and t.hour < 8 and not text[t.start : t.end].startswith("0")
        hour = t.hour + 12 if afternoon else t.hour
        local = datetime.combine(days[-1].when, time(hour, t.minute), tzinfo=zone)
        # A wall time skipped by a clock change has no instant: leave it to the user.
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(
            tzinfo=None
        ):
            continue
        if local not in out:
            out.append(local)
    return out
