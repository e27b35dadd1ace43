# ruff: noqa: E501  (the corpus texts are prose, kept one message per line)
"""Builds the reply-understanding corpus: realistic messages written for this project.

Every message is generated here, deterministically, from short hand-written texts wrapped in the
shapes the common clients and servers produce (Gmail, Outlook/Exchange, Apple Mail, Thunderbird,
mobile clients; Postfix, Exim, qmail, Sendmail, Exchange, Gmail and Yahoo bounces; Gmail, Exchange,
Lotus Notes, Zimbra and qmail-style autoresponders; lists, newsletters, challenge-response systems;
calendar replies). ``python -m tests.unit.mail.corpus_builder`` rewrites ``corpus/`` (the .eml
files and ``manifest.json`` with each file's expected labels); a test checks the files on disk
still match this builder.

All names, addresses and domains are invented (``.example``).
"""

from __future__ import annotations

import hashlib
import json
import quopri
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
MANIFEST = "manifest.json"

USER = "Sam Rivera"
USER_ADDR = "sam.rivera@demo.example"
REQUEST_SENT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # a Monday
REQUEST_SUBJECT = "A 15-minute chat about your work?"
#: The slots every request offered, as wall-clock times in the contact's own zone.
SLOT_TIMES = ((12, 14, 0), (13, 10, 0), (17, 16, 30))  # Thu 12, Fri 13, Tue 17 March 2026
SLOT_MINUTES = 15


def _request_text(first: str, tzname: str) -> str:
    return (
        f"Hi {first},\n\n"
        "I read your interview in Product Weekly and it is the reason I am writing. I am "
        "exploring a move into a role like yours, and 15 minutes on the phone with you would "
        "help me understand what the work is really like.\n\n"
        "Would one of these times work for you?\n\n"
        f"- Thursday 12 March at 14:00 ({tzname} time)\n"
        f"- Friday 13 March at 10:00 ({tzname} time)\n"
        f"- Tuesday 17 March at 16:30 ({tzname} time)\n\n"
        "If none of them suits, I am happy to fit around your schedule.\n\n"
        f"Best wishes,\n{USER}\n"
    )


def _token(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def _qp(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, encoded body) for a UTF-8 text."""
    data = text.replace("\r\n", "\n")
    if (
        all(ord(ch) < 128 for ch in data)
        and max((len(x) for x in data.split("\n")), default=0) < 900
    ):
        return "7bit", data
    encoded = quopri.encodestring(data.encode("utf-8")).decode("ascii")
    return "quoted-printable", encoded


def _leaf(ctype: str, text: str, extra: str = "") -> str:
    cte, body = _qp(text)
    return (
        f'Content-Type: {ctype}; charset="UTF-8"{extra}\nContent-Transfer-Encoding: {cte}\n\n{body}'
    )


def _multipart(subtype: str, parts: list[str], seed: str, extra: str = "") -> str:
    boundary = f"000000000000{_token('b', seed, subtype)}"
    chunks = "".join(f"--{boundary}\n{p.rstrip()}\n\n" for p in parts)
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"{extra}\n\n'
        f"{chunks}--{boundary}--\n"
    )


def _html(text: str, wrapper: str = "div") -> str:
    paras = []
    for block in text.strip().split("\n\n"):
        lines = [_esc(line) for line in block.split("\n")]
        paras.append(f"<{wrapper}>" + "<br>".join(lines) + f"</{wrapper}>")
    return "\n".join(paras)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _msg(headers: list[tuple[str, str]], content: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return (head + "MIME-Version: 1.0\n" + content).encode("utf-8")


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    addr: str
    lang: str
    tz: int  # hours from UTC in March 2026

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def domain(self) -> str:
        return self.addr.partition("@")[2]

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(hours=self.tz))

    @property
    def city(self) -> str:
        return {-5: "New York", -6: "Chicago", -7: "Denver", -8: "San Francisco", 0: "London"}.get(
            self.tz, "local" if self.tz != 1 else "Central European"
        )

    def request_id(self) -> str:
        return f"<req-{_token(self.addr)[:10]}@demo.example>"

    def slots(self) -> list[str]:
        out = []
        for day, hour, minute in SLOT_TIMES:
            start = datetime(2026, 3, day, hour, minute, tzinfo=self.zone)
            end = start + timedelta(minutes=SLOT_MINUTES)
            out.append(f"{start.isoformat()}/{end.isoformat()}")
        return out


# --- quoting in the styles of the clients --------------------------------------------------------

_ATTRIBUTION = {
    # (Gmail style, Apple Mail style, Thunderbird style)
    "en": (
        "On Mon, 9 Mar 2026 at 10:00, Sam Rivera <sam.rivera@demo.example> wrote:",
        "On 9 Mar 2026, at 10:00, Sam Rivera <sam.rivera@demo.example> wrote:",
        "On 09/03/2026 10:00, Sam Rivera wrote:",
    ),
    "de": (
        "Am Mo., 9. März 2026 um 10:00 Uhr schrieb Sam Rivera <sam.rivera@demo.example>:",
        "Am 09.03.2026 um 10:00 schrieb Sam Rivera <sam.rivera@demo.example>:",
        "Am 09.03.26 um 10:00 schrieb Sam Rivera:",
    ),
    "fr": (
        "Le lun. 9 mars 2026 à 10:00, Sam Rivera <sam.rivera@demo.example> a écrit :",
        "Le 9 mars 2026 à 10:00, Sam Rivera <sam.rivera@demo.example> a écrit :",
        "Le 09/03/2026 à 10:00, Sam Rivera a écrit :",
    ),
    "es": (
        "El lun, 9 mar 2026 a las 10:00, Sam Rivera (<sam.rivera@demo.example>) escribió:",
        "El 9 mar 2026, a las 10:00, Sam Rivera <sam.rivera@demo.example> escribió:",
        "El 9/3/26 a las 10:00, Sam Rivera escribió:",
    ),
    "it": (
        "Il giorno lun 9 mar 2026 alle ore 10:00 Sam Rivera <sam.rivera@demo.example> ha scritto:",
        "Il giorno 9 mar 2026, alle ore 10:00, Sam Rivera <sam.rivera@demo.example> ha scritto:",
        "Il 09/03/2026 10:00, Sam Rivera ha scritto:",
    ),
    "nl": (
        "Op ma 9 mrt 2026 om 10:00 schreef Sam Rivera <sam.rivera@demo.example>:",
        "Op 9 mrt 2026 om 10:00 heeft Sam Rivera <sam.rivera@demo.example> het volgende "
        "geschreven:",
        "Op 09-03-2026 om 10:00 schreef Sam Rivera:",
    ),
    "pt": (
        "Em seg., 9 de mar. de 2026 às 10:00, Sam Rivera <sam.rivera@demo.example> escreveu:",
        "Em 9 de mar. de 2026, à(s) 10:00, Sam Rivera <sam.rivera@demo.example> escreveu:",
        "Em 09/03/2026 10:00, Sam Rivera escreveu:",
    ),
    "pl": (
        "pon., 9 mar 2026 o 10:00 Sam Rivera <sam.rivera@demo.example> napisał(a):",
        "Wiadomość napisana przez Sam Rivera <sam.rivera@demo.example> w dniu 9.03.2026, o "
        "godz. 10:00:",
        "W dniu 9.03.2026 o 10:00, Sam Rivera pisze:",
    ),
}

_OUTLOOK_FIELDS = {
    "en": ("From", "Sent", "To", "Subject", "Monday, March 9, 2026 10:00 AM"),
    "de": ("Von", "Gesendet", "An", "Betreff", "Montag, 9. März 2026 10:00"),
    "fr": ("De", "Envoyé", "À", "Objet", "lundi 9 mars 2026 10:00"),
    "es": ("De", "Enviado", "Para", "Asunto", "lunes, 9 de marzo de 2026 10:00"),
    "it": ("Da", "Inviato", "A", "Oggetto", "lunedì 9 marzo 2026 10:00"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp", "maandag 9 maart 2026 10:00"),
    "pt": ("De", "Enviada", "Para", "Assunto", "segunda-feira, 9 de março de 2026 10:00"),
    "pl": ("Od", "Wysłano", "Do", "Temat", "poniedziałek, 9 marca 2026 10:00"),
}

_MOBILE_SIG = {
    "en": "Sent from my iPhone",
    "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone",
    "es": "Enviado desde mi iPhone",
    "it": "Inviato da iPhone",
    "nl": "Verstuurd vanaf mijn iPhone",
    "pt": "Enviado do meu iPhone",
    "pl": "Wysłane z iPhone'a",
}

_RE = {
    "en": "Re",
    "de": "AW",
    "fr": "RE",
    "es": "RE",
    "it": "R",
    "nl": "RE",
    "pt": "RE",
    "pl": "Odp",
}


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.rstrip().split("\n"))


def _quote_block(client: str, who: Person, original: str) -> str:
    gmail, apple, thunderbird = _ATTRIBUTION[who.lang]
    if client in ("gmail", "android"):
        return f"\n\n{gmail}\n\n{_quoted(original)}\n"
    if client in ("apple", "iphone"):
        return f"\n\n> {apple}\n>\n{_quoted(original)}\n"
    if client == "thunderbird":
        return f"\n\n{thunderbird}\n{_quoted(original)}\n"
    if client == "outlook_old":
        return (
            f"\n\n-----Original Message-----\nFrom: {USER} [mailto:{USER_ADDR}]\n"
            f"Sent: Monday, March 9, 2026 10:00 AM\nTo: {who.name} <{who.addr}>\n"
            f"Subject: {REQUEST_SUBJECT}\n\n{original}"
        )
    f_from, f_sent, f_to, f_subj, when = _OUTLOOK_FIELDS[who.lang]
    return (
        f"\n\n________________________________\n{f_from}: {USER} <{USER_ADDR}>\n"
        f"{f_sent}: {when}\n{f_to}: {who.name} <{who.addr}>\n{f_subj}: {REQUEST_SUBJECT}\n\n"
        f"{original}"
    )


def _gmail_html(new: str, who: Person, original: str) -> str:
    gmail = _ATTRIBUTION[who.lang][0]
    return (
        f'<div dir="ltr">{_html(new)}</div><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">{_esc(gmail)}<br></div><blockquote class="gmail_quote" '
        f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
        f'padding-left:1ex">{_html(original)}</blockquote></div>\n'
    )


def _outlook_html(new: str, who: Person, original: str) -> str:
    f_from, f_sent, f_to, f_subj, when = _OUTLOOK_FIELDS[who.lang]
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:Calibri}</style></head>"
        f'<body lang="EN-US"><div class="WordSection1">{_html(new, "p class=MsoNormal")}'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal"><b>{f_from}:</b> {USER} &lt;{USER_ADDR}&gt;<br><b>{f_sent}:</b> '
        f"{when}<br><b>{f_to}:</b> {_esc(who.name)}<br><b>{f_subj}:</b> {REQUEST_SUBJECT}</p>"
        f"</div>{_html(original, 'p class=MsoNormal')}</div></body></html>\n"
    )


# --- builders for each kind ----------------------------------------------------------------------


@dataclass
class Case:
    name: str
    raw: bytes
    label: dict[str, Any] = field(default_factory=dict)


def _received(host: str, by: str, when: datetime, seed: str) -> str:
    octet = int(_token(seed)[:2], 16) % 250 + 1
    return (
        f"from {host} ({host} [198.51.100.{octet}])\n        by {by} with ESMTPS id "
        f"{_token('rcv', seed)[:12]};\n        {format_datetime(when)}"
    )


def human(
    name: str,
    who: Person,
    new: str,
    *,
    client: str,
    when: datetime,
    intent: str,
    slot: int | None = None,
    sender: Person | None = None,
    html_only: bool = False,
    new_thread: bool = False,
    subject: str | None = None,
    quote: str | None = None,
    cc: str = "",
    extra_headers: tuple[tuple[str, str], ...] = (),
    referral: tuple[str, str] | None = None,
    note: str = "",
) -> Case:
    """A genuine reply from ``who`` (or from ``sender``, another address of theirs)."""
    frm = sender or who
    original = _request_text(who.first, who.city) if quote is None else quote
    quote_subject = subject or f"{_RE[who.lang]}: {REQUEST_SUBJECT}"
    local = when.astimezone(who.zone)
    seed = name + new
    headers: list[tuple[str, str]] = [
        ("Received", _received(f"mail.{frm.domain}", "mx.demo.example", when, seed)),
    ]
    if client == "gmail" or client == "android":
        headers.append(
            (
                "DKIM-Signature",
                f"v=1; a=rsa-sha256; d={frm.domain}; s=20230601; "
                f"h=to:subject:message-id:date:from; bh={_token(seed)}=",
            )
        )
    headers += [("From", f"{frm.name} <{frm.addr}>"), ("Date", format_datetime(local))]
    if new_thread:
        headers.append(("Subject", subject or "Coffee chat"))
    else:
        headers.append(("Subject", quote_subject))
    headers.append(("To", f"{USER} <{USER_ADDR}>"))
    if cc:
        headers.append(("Cc", cc))
    mid_host = {
        "gmail": "mail.gmail.example",
        "android": "mail.gmail.example",
        "outlook": f"{frm.domain}.prod.outlook.example",
        "outlook_old": frm.domain,
        "outlook_html": f"{frm.domain}.prod.outlook.example",
        "apple": frm.domain,
        "iphone": frm.domain,
        "thunderbird": frm.domain,
    }[client]
    headers.append(("Message-ID", f"<{_token('mid', seed).upper()}@{mid_host}>"))
    if not new_thread:
        headers.append(("In-Reply-To", who.request_id()))
        headers.append(("References", who.request_id()))
    if client.startswith("outlook"):
        headers += [
            ("Thread-Topic", REQUEST_SUBJECT),
            ("Thread-Index", f"AQHa{_token('ti', seed)[:18]}=="),
            ("Content-Language", {"en": "en-US"}.get(who.lang, f"{who.lang}-{who.lang.upper()}")),
            ("X-MS-Has-Attach", ""),
            ("X-MS-TNEF-Correlator", ""),
            ("X-Auto-Response-Suppress", "All")
            if name.endswith("suppress")
            else ("X-MS-Exchange-Organization-SCL", "1"),
        ]
    if client == "thunderbird":
        headers.append(("User-Agent", "Mozilla Thunderbird"))
    if client in ("apple",):
        headers.append(("X-Mailer", "Apple Mail (2.3774.300.61.1.2)"))
    if client == "iphone":
        headers.append(("X-Mailer", "iPhone Mail (21D61)"))
    headers += list(extra_headers)

    body = new.rstrip() + "\n"
    if client == "iphone":
        body += f"\n{_MOBILE_SIG[who.lang]}\n"
    if client == "android":
        body += "\nGet Outlook for Android\n"
    if client == "thunderbird":
        body += f"\n-- \n{who.name}\n{who.domain.split('.')[0].title()}\n"
    quoted = "" if new_thread else _quote_block(client, who, original)
    if html_only:
        html = (
            _outlook_html(body, who, original)
            if client.startswith("outlook")
            else _gmail_html(body, who, original)
        )
        if new_thread:
            html = f'<div dir="ltr">{_html(body)}</div>\n'
        content = _leaf("text/html", html)
    elif client in ("gmail", "android", "outlook", "outlook_html", "apple", "iphone"):
        html = (
            _outlook_html(body, who, original)
            if client.startswith("outlook")
            else _gmail_html(body, who, original)
        )
        if new_thread:
            html = f'<div dir="ltr">{_html(body)}</div>\n'
        content = _multipart(
            "alternative", [_leaf("text/plain", body + quoted), _leaf("text/html", html)], seed
        )
    else:
        content = _leaf("text/plain", body + quoted, "; format=flowed")
    label: dict[str, Any] = {
        "kind": "human",
        "lang": who.lang,
        "client": client,
        "intent": intent,
        "slots": who.slots(),
    }
    if slot is not None:
        label["slot"] = slot
    if referral is not None:
        label["referral_name"], label["referral_address"] = referral
    if note:
        label["note"] = note
    return Case(name, _msg(headers, content), label)


def _date(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# The people. Languages: en de fr es it nl pt pl.
P = {
    "maya": Person("Maya Chen", "maya.chen@lumen.example", "en", -5),
    "priya": Person("Priya Nair", "priya.nair@brightpath.example", "en", 0),
    "daniel": Person("Daniel Okafor", "daniel.okafor@northwind.example", "en", -6),
    "erin": Person("Erin Park", "erin.park@northwind.example", "en", -6),
    "olivia": Person("Olivia Grant", "ogrant@harbor-bank.example", "en", 0),
    "ben": Person("Ben Adeyemi", "ben@tinyforge.example", "en", -8),
    "grace": Person("Grace Liu", "grace.liu@cedar.example", "en", -7),
    "jonas": Person("Jonas Weber", "jonas.weber@kraftwerk-labs.example", "de", 1),
    "anna": Person("Anna Schmidt", "a.schmidt@rheinwerk.example", "de", 1),
    "lukas": Person("Lukas Hofer", "lukas.hofer@alpenbahn.example", "de", 1),
    "claire": Person("Claire Dubois", "claire.dubois@lumiere.example", "fr", 1),
    "julien": Person("Julien Martin", "j.martin@atelier-nord.example", "fr", 1),
    "lucia": Person("Lucía Fernández", "lucia.fernandez@solara.example", "es", 1),
    "javier": Person("Javier Ruiz", "jruiz@meseta.example", "es", 1),
    "giulia": Person("Giulia Rossi", "giulia.rossi@fonderia.example", "it", 1),
    "marco": Person("Marco Bianchi", "m.bianchi@portofino-tech.example", "it", 1),
    "sanne": Person("Sanne de Vries", "sanne.devries@polder.example", "nl", 1),
    "pieter": Person("Pieter Jansen", "p.jansen@dijkstra-bv.example", "nl", 1),
    "ana": Person("Ana Sousa", "ana.sousa@tejo.example", "pt", 0),
    "rafael": Person("Rafael Costa", "rafael.costa@ipe.example", "pt", -3),
    "kasia": Person("Katarzyna Nowak", "katarzyna.nowak@wisla.example", "pl", 1),
    "tomasz": Person("Tomasz Wójcik", "t.wojcik@bursztyn.example", "pl", 1),
}
# Other addresses of the same people.
MAYA_HOME = Person("Maya Chen", "maya.chen.home@gmail.example", "en", -5)
ANNA_HOME = Person("Anna Schmidt", "anna.schmidt84@webmail.example", "de", 1)

OOO_QUOTE_EN = (
    "Thank you for your message. I am out of the office until Monday 16 March with limited "
    "access to email. For urgent matters please contact office@northwind.example.\n"
)


def humans() -> list[Case]:
    p = P
    c: list[Case] = []
    add = c.append
    # English
    add(
        human(
            "human_en_gmail_accept_weekday",
            p["maya"],
            "Hi Sam,\n\nHappy to help! Friday at 10:00 works for me. I'll call you from my desk.\n\nBest,\nMaya",
            client="gmail",
            when=_date(9, 14, 12),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_en_outlook_accept_ordinal",
            p["priya"],
            "Hi Sam,\n\nThe second option is perfect - talk then.\n\nKind regards,\nPriya Nair\nLearning Experience Designer | BrightPath Learning\nT +44 20 7946 0012",
            client="outlook",
            when=_date(9, 11, 3),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_en_apple_accept_date",
            p["grace"],
            "Sam - Tuesday the 17th at 4:30 pm works. Talk then!\n\nGrace",
            client="apple",
            when=_date(10, 1, 40),
            intent="accept",
            slot=2,
        )
    )
    add(
        human(
            "human_en_iphone_sure",
            p["ben"],
            "Sure!",
            client="iphone",
            when=_date(9, 17, 5),
            intent="unknown",
            note="one-word reply",
        )
    )
    add(
        human(
            "human_en_thunderbird_propose",
            p["olivia"],
            "Hello Sam,\n\nThose days are tricky for me, I'm travelling. Could we do Wednesday 18 March at 11:00 or Thursday 19 March at 15:30 instead?\n\nOlivia",
            client="thunderbird",
            when=_date(9, 16, 45),
            intent="propose",
        )
    )
    add(
        human(
            "human_en_gmail_decline_polite",
            p["erin"],
            "Hi Sam,\n\nThanks so much for thinking of me. Unfortunately I'm stretched very thin this quarter and won't be able to make time for calls. I wish you the best with the move!\n\nErin",
            client="gmail",
            when=_date(9, 20, 0),
            intent="decline",
        )
    )
    add(
        human(
            "human_en_outlook_question",
            p["daniel"],
            "Hi Sam,\n\nBefore we set a time - are you mostly interested in the engineering side or in product? And is a video call OK for you?\n\nDaniel",
            client="outlook",
            when=_date(9, 15, 30),
            intent="question",
        )
    )
    add(
        human(
            "human_en_gmail_refer",
            p["daniel"],
            "Hi Sam,\n\nThank you for reaching out. I'm afraid the next few weeks are very full for me, so I can't make any of those times.\n\nMy colleague Erin Park (erin.park@northwind.example) would be a much better person to talk to: she leads a team here and remembers the switch well. Feel free to mention my name.\n\nGood luck with your search,\nDaniel",
            client="gmail",
            when=_date(9, 12, 0),
            intent="refer",
            referral=("Erin Park", "erin.park@northwind.example"),
        )
    )
    add(
        human(
            "human_en_gmail_quotes_ooo",
            p["daniel"],
            "Hi Sam, sorry for the delay - I'm back now. Thursday at 14:00 works for me.\n\nDaniel",
            client="gmail",
            when=_date(16, 15, 0),
            intent="accept",
            slot=0,
            subject="Re: Automatic reply: A 15-minute chat?",
            quote=OOO_QUOTE_EN,
            note="quotes his own out-of-office",
        )
    )
    add(
        human(
            "human_en_outlook_quotes_ooo_html",
            p["olivia"],
            "Hi Sam, I'm back - apologies for the automatic reply. Could we talk on Friday 20 March at 9:30?\n\nOlivia",
            client="outlook",
            html_only=True,
            when=_date(16, 9, 0),
            intent="propose",
            subject="RE: Automatic reply: A 15-minute chat?",
            quote=OOO_QUOTE_EN,
            note="html only, quotes an out-of-office",
        )
    )
    add(
        human(
            "human_en_gmail_html_only",
            p["maya"],
            "Hi Sam,\n\nLet's go with Thursday at 2pm.\n\nMaya",
            client="gmail",
            html_only=True,
            when=_date(9, 15, 0),
            intent="accept",
            slot=0,
            note="html only",
        )
    )
    add(
        human(
            "human_en_other_address",
            p["maya"],
            "Hi Sam - writing from my personal account. Thursday 14:00 is good for me.\n\nMaya",
            sender=MAYA_HOME,
            client="gmail",
            when=_date(10, 2, 0),
            intent="accept",
            slot=0,
            note="from another address of the contact",
        )
    )
    add(
        human(
            "human_en_new_thread",
            p["ben"],
            "Hi Sam,\n\nSaw your note come in on my phone and lost it - is this the right address? Happy to chat, Friday 10:00 works.\n\nBen",
            client="gmail",
            new_thread=True,
            subject="Coffee chat",
            when=_date(10, 18, 0),
            intent="accept",
            slot=1,
            note="reply in a new thread",
        )
    )
    add(
        human(
            "human_en_outlook_suppress",
            p["priya"],
            "Hi Sam, Thursday at 14:00 works for me. Talk then!\nPriya",
            client="outlook",
            when=_date(9, 10, 0),
            intent="accept",
            slot=0,
            note="X-Auto-Response-Suppress alone",
        )
    )
    add(
        human(
            "human_en_android_accept",
            p["ben"],
            "Fri 10am works, talk then",
            client="android",
            when=_date(9, 19, 0),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_en_thunderbird_out_of_office_mention",
            p["grace"],
            "Hi Sam,\n\nI'll be out of the office next week, so let's do Thursday 12 March at 14:00 if that still works.\n\nGrace",
            client="thunderbird",
            when=_date(9, 23, 0),
            intent="accept",
            slot=0,
            note="mentions out of office but is a person",
        )
    )
    add(
        human(
            "human_en_outlook_old_decline",
            p["olivia"],
            "Sam,\n\nI'm sorry but I don't do informational interviews any more - too many requests. Best of luck.\n\nOlivia Grant",
            client="outlook_old",
            when=_date(9, 13, 0),
            intent="decline",
        )
    )
    add(
        human(
            "human_en_cc_referral",
            p["grace"],
            "Hi Sam,\n\nI'm not the best person for this, but I've cc'd my colleague Sofia Marin, who made exactly that move last year. Sofia, meet Sam!\n\nGrace",
            client="gmail",
            cc="Sofia Marin <sofia.marin@cedar.example>",
            when=_date(10, 0, 30),
            intent="refer",
            referral=("Sofia Marin", "sofia.marin@cedar.example"),
        )
    )
    add(
        human(
            "human_en_list_cc",
            p["maya"],
            "Hi Sam, looping in our alumni list so others can chime in too. I'm happy to talk - the first slot works for me.\n\nMaya",
            client="gmail",
            cc="Lakeside Alumni <alumni@lists.lakeside.example>",
            when=_date(9, 18, 0),
            intent="accept",
            slot=0,
            note="direct copy of a reply that Cc'd a list",
        )
    )
    add(
        human(
            "human_en_apple_thanks_question",
            p["grace"],
            "Thanks for reaching out, Sam. Could you tell me a bit more about what you are hoping to learn?",
            client="apple",
            when=_date(9, 22, 15),
            intent="question",
        )
    )
    add(
        human(
            "human_en_subject_out_of_office_new_thread",
            p["olivia"],
            "Hi Sam,\n\nI was on vacation until yesterday and just saw your note. I'm happy to talk; could we do Monday 23 March at 10:00 instead?\n\nOlivia",
            client="outlook",
            new_thread=True,
            subject="Out of office last week - your coffee chat request",
            when=_date(10, 9, 0),
            intent="propose",
            note="a person's subject that starts like an out-of-office",
        )
    )
    add(
        human(
            "human_en_interleaved",
            p["daniel"],
            "Hi Sam, answers inline.\n\n> Would one of these times work for you?\n\nYes - Tuesday 17 March at 16:30 is best for me.\n\n> If none of them suits, I am happy to fit around your schedule.\n\nNo need, see above.",
            client="thunderbird",
            when=_date(10, 15, 0),
            intent="accept",
            slot=2,
            note="inline answers between quoted lines",
        )
    )
    add(
        human(
            "human_en_apple_html_only",
            p["grace"],
            "Happy to! Thursday at 2:00 pm works.\n\nGrace",
            client="outlook_html",
            html_only=True,
            when=_date(9, 21, 30),
            intent="accept",
            slot=0,
            note="html only",
        )
    )
    add(
        human(
            "human_en_thanks_for_auto_reply_context",
            p["priya"],
            "Hi Sam - thanks for your patience, I was travelling with limited access to email. What would you like to know? I could also do a call next week.",
            client="gmail",
            when=_date(12, 10, 0),
            intent="question",
            note="mentions limited email access, one signal only",
        )
    )
    # German
    add(
        human(
            "human_de_gmail_accept",
            p["jonas"],
            "Hallo Sam,\n\nDonnerstag um 14:00 passt mir gut. Ich rufe Sie an.\n\nViele Grüße\nJonas",
            client="gmail",
            when=_date(9, 13, 0),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_de_outlook_propose",
            p["anna"],
            "Hallo Herr Rivera,\n\nleider passen mir die Termine nicht. Wie wäre es mit Mittwoch, 18.03. um 11 Uhr oder Donnerstag, 19.03. um 15 Uhr?\n\nMit freundlichen Grüßen\nAnna Schmidt",
            client="outlook",
            when=_date(9, 14, 0),
            intent="propose",
        )
    )
    add(
        human(
            "human_de_outlook_decline",
            p["lukas"],
            "Hallo Sam,\n\nvielen Dank für Ihre Nachricht. Leider habe ich in den nächsten Wochen keine Zeit für ein Gespräch. Ich wünsche Ihnen viel Erfolg!\n\nBeste Grüße\nLukas Hofer",
            client="outlook",
            when=_date(9, 15, 0),
            intent="decline",
        )
    )
    add(
        human(
            "human_de_thunderbird_ordinal",
            p["lukas"],
            "Hallo Sam,\n\ngerne - die zweite Option passt.\n\nGruß\nLukas",
            client="thunderbird",
            when=_date(10, 8, 0),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_de_iphone_question",
            p["jonas"],
            "Worum genau soll es gehen? Eher Produkt oder Technik?",
            client="iphone",
            when=_date(9, 19, 30),
            intent="question",
        )
    )
    add(
        human(
            "human_de_other_address_refer",
            p["anna"],
            "Hallo Sam,\n\nich schreibe von meiner privaten Adresse. Ich bin dafür leider nicht die Richtige, aber meine Kollegin Petra Lang (petra.lang@rheinwerk.example) kennt sich damit bestens aus. Schreiben Sie ihr gerne.\n\nAnna",
            sender=ANNA_HOME,
            client="gmail",
            when=_date(10, 9, 0),
            intent="refer",
            referral=("Petra Lang", "petra.lang@rheinwerk.example"),
            note="another address, refers",
        )
    )
    add(
        human(
            "human_de_html_only",
            p["jonas"],
            "Hallo Sam,\n\nFreitag, 13. März um 10 Uhr klappt bei mir.\n\nJonas",
            client="outlook_html",
            html_only=True,
            when=_date(9, 16, 0),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_de_quotes_ooo",
            p["anna"],
            "Hallo Sam, ich bin wieder da. Dienstag um 16:30 passt.\n\nAnna",
            client="outlook",
            when=_date(16, 8, 0),
            intent="accept",
            slot=2,
            subject="AW: Automatische Antwort: A 15-minute chat?",
            quote="Vielen Dank für Ihre Nachricht. Ich bin bis zum 16.03.2026 nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an info@rheinwerk.example.\n",
            note="quotes an out-of-office",
        )
    )
    add(
        human(
            "human_de_ja",
            p["lukas"],
            "Ja, gerne!",
            client="iphone",
            when=_date(9, 12, 0),
            intent="unknown",
        )
    )
    # French
    add(
        human(
            "human_fr_gmail_accept",
            p["claire"],
            "Bonjour Sam,\n\nAvec plaisir ! Jeudi à 14h me convient très bien.\n\nBien à vous,\nClaire",
            client="gmail",
            when=_date(9, 13, 20),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_fr_outlook_propose",
            p["julien"],
            "Bonjour,\n\nCes créneaux ne me conviennent pas. Seriez-vous disponible mercredi 18 mars à 11h ?\n\nCordialement,\nJulien Martin",
            client="outlook",
            when=_date(9, 14, 40),
            intent="propose",
        )
    )
    add(
        human(
            "human_fr_apple_decline",
            p["claire"],
            "Bonjour Sam,\n\nMerci pour votre message. Malheureusement, je n'ai pas le temps en ce moment. Je vous souhaite bonne chance !\n\nClaire",
            client="apple",
            when=_date(10, 10, 0),
            intent="decline",
        )
    )
    add(
        human(
            "human_fr_thunderbird_ordinal",
            p["julien"],
            "Bonjour Sam,\n\nLe premier créneau me va.\n\nJulien",
            client="thunderbird",
            when=_date(9, 17, 0),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_fr_refer",
            p["julien"],
            "Bonjour Sam,\n\nJe ne suis pas la bonne personne, mais je vous conseille de contacter ma collègue Inès Laurent (ines.laurent@atelier-nord.example).\n\nBien cordialement,\nJulien",
            client="gmail",
            when=_date(10, 11, 0),
            intent="refer",
            referral=("Inès Laurent", "ines.laurent@atelier-nord.example"),
        )
    )
    add(
        human(
            "human_fr_html_only_question",
            p["claire"],
            "Bonjour Sam,\n\nPourriez-vous m'en dire plus sur votre parcours avant notre appel ?\n\nClaire",
            client="gmail",
            html_only=True,
            when=_date(9, 21, 0),
            intent="question",
        )
    )
    add(
        human(
            "human_fr_iphone_oui",
            p["claire"],
            "Oui, volontiers !",
            client="iphone",
            when=_date(9, 11, 30),
            intent="unknown",
        )
    )
    # Spanish
    add(
        human(
            "human_es_gmail_accept",
            p["lucia"],
            "Hola Sam,\n\n¡Claro! El viernes a las 10:00 me viene bien.\n\nUn saludo,\nLucía",
            client="gmail",
            when=_date(9, 12, 10),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_es_outlook_decline",
            p["javier"],
            "Hola Sam,\n\nGracias por escribirme. Lamentablemente no tengo tiempo estas semanas. ¡Mucha suerte!\n\nSaludos,\nJavier Ruiz",
            client="outlook",
            when=_date(9, 16, 10),
            intent="decline",
        )
    )
    add(
        human(
            "human_es_apple_propose",
            p["javier"],
            "Hola Sam,\n\nEsas fechas no me vienen bien. ¿Podría ser el miércoles 18 de marzo a las 12:00?\n\nJavier",
            client="apple",
            when=_date(10, 9, 30),
            intent="propose",
        )
    )
    add(
        human(
            "human_es_android_ordinal",
            p["lucia"],
            "La tercera opción me va perfecto.",
            client="android",
            when=_date(10, 13, 0),
            intent="accept",
            slot=2,
        )
    )
    add(
        human(
            "human_es_refer",
            p["lucia"],
            "Hola Sam,\n\nCreo que mi compañera Marta Gil (marta.gil@solara.example) te puede ayudar mejor que yo. Escríbele de mi parte.\n\nLucía",
            client="thunderbird",
            when=_date(10, 16, 0),
            intent="refer",
            referral=("Marta Gil", "marta.gil@solara.example"),
        )
    )
    add(
        human(
            "human_es_question",
            p["javier"],
            "Hola Sam, ¿qué te gustaría saber exactamente? ¿Prefieres llamada o videollamada?",
            client="iphone",
            when=_date(9, 20, 30),
            intent="question",
        )
    )
    # Italian
    add(
        human(
            "human_it_gmail_accept",
            p["giulia"],
            "Ciao Sam,\n\nvolentieri! Giovedì alle 14:00 va benissimo.\n\nA presto,\nGiulia",
            client="gmail",
            when=_date(9, 14, 50),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_it_outlook_decline",
            p["marco"],
            "Buongiorno Sam,\n\ngrazie per il messaggio. Purtroppo in questo periodo non ho tempo per una chiamata. In bocca al lupo!\n\nCordiali saluti,\nMarco Bianchi",
            client="outlook",
            when=_date(9, 10, 30),
            intent="decline",
        )
    )
    add(
        human(
            "human_it_thunderbird_propose",
            p["marco"],
            "Ciao Sam,\n\nquesti orari non vanno bene per me. Possiamo fare mercoledì 18 marzo alle 17:00?\n\nMarco",
            client="thunderbird",
            when=_date(10, 7, 45),
            intent="propose",
        )
    )
    add(
        human(
            "human_it_ordinal",
            p["giulia"],
            "Ciao Sam, la seconda opzione va bene per me.\n\nGiulia",
            client="apple",
            when=_date(10, 12, 0),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_it_html_only",
            p["giulia"],
            "Ciao Sam,\n\nmi puoi dire qualcosa in più sul tuo percorso?\n\nGiulia",
            client="outlook_html",
            html_only=True,
            when=_date(9, 18, 30),
            intent="question",
        )
    )
    add(
        human(
            "human_it_refer",
            p["marco"],
            "Ciao Sam,\n\nnon sono la persona giusta, ma ti consiglio di contattare il mio collega Luca Ferri (luca.ferri@portofino-tech.example).\n\nMarco",
            client="gmail",
            when=_date(11, 9, 0),
            intent="refer",
            referral=("Luca Ferri", "luca.ferri@portofino-tech.example"),
        )
    )
    # Dutch
    add(
        human(
            "human_nl_gmail_accept",
            p["sanne"],
            "Hoi Sam,\n\nLeuk! Vrijdag om 10:00 past mij prima.\n\nGroet,\nSanne",
            client="gmail",
            when=_date(9, 11, 10),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_nl_outlook_decline",
            p["pieter"],
            "Beste Sam,\n\nBedankt voor je bericht. Helaas heb ik de komende weken geen tijd. Veel succes!\n\nMet vriendelijke groet,\nPieter Jansen",
            client="outlook",
            when=_date(9, 15, 15),
            intent="decline",
        )
    )
    add(
        human(
            "human_nl_thunderbird_propose",
            p["pieter"],
            "Hoi Sam,\n\nDie tijden lukken niet. Kan het ook woensdag 18 maart om 14:00?\n\nPieter",
            client="thunderbird",
            when=_date(10, 8, 20),
            intent="propose",
        )
    )
    add(
        human(
            "human_nl_iphone_ordinal",
            p["sanne"],
            "De eerste optie is goed!",
            client="iphone",
            when=_date(9, 21, 0),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_nl_refer",
            p["sanne"],
            "Hoi Sam,\n\nJe kunt beter contact opnemen met mijn collega Joost Bakker (joost.bakker@polder.example), hij weet er veel meer van.\n\nSanne",
            client="outlook",
            when=_date(10, 14, 0),
            intent="refer",
            referral=("Joost Bakker", "joost.bakker@polder.example"),
        )
    )
    # Portuguese
    add(
        human(
            "human_pt_gmail_accept",
            p["ana"],
            "Olá Sam,\n\nClaro! Quinta-feira às 14:00 funciona para mim.\n\nAbraço,\nAna",
            client="gmail",
            when=_date(9, 13, 40),
            intent="accept",
            slot=0,
        )
    )
    add(
        human(
            "human_pt_outlook_decline",
            p["rafael"],
            "Olá Sam,\n\nObrigado pela mensagem. Infelizmente não tenho disponibilidade nas próximas semanas. Boa sorte!\n\nAtenciosamente,\nRafael Costa",
            client="outlook",
            when=_date(9, 18, 0),
            intent="decline",
        )
    )
    add(
        human(
            "human_pt_apple_propose",
            p["rafael"],
            "Oi Sam,\n\nEsses horários não dão para mim. Pode ser na quarta-feira, 18 de março, às 10:00?\n\nRafael",
            client="apple",
            when=_date(10, 11, 20),
            intent="propose",
        )
    )
    add(
        human(
            "human_pt_question",
            p["ana"],
            "Olá Sam, o que gostaria de saber exatamente?",
            client="android",
            when=_date(9, 22, 0),
            intent="question",
        )
    )
    add(
        human(
            "human_pt_refer",
            p["ana"],
            "Olá Sam,\n\nA minha colega Beatriz Lopes (beatriz.lopes@tejo.example) é a pessoa certa para isso. Fale com ela em meu nome.\n\nAna",
            client="thunderbird",
            when=_date(11, 10, 0),
            intent="refer",
            referral=("Beatriz Lopes", "beatriz.lopes@tejo.example"),
        )
    )
    # Polish
    add(
        human(
            "human_pl_gmail_accept",
            p["kasia"],
            "Cześć Sam,\n\nJasne! Piątek o 10:00 mi pasuje.\n\nPozdrawiam,\nKasia",
            client="gmail",
            when=_date(9, 12, 30),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_pl_outlook_decline",
            p["tomasz"],
            "Dzień dobry,\n\nDziękuję za wiadomość. Niestety nie mam teraz czasu na rozmowę. Powodzenia!\n\nZ poważaniem,\nTomasz Wójcik",
            client="outlook",
            when=_date(9, 14, 20),
            intent="decline",
        )
    )
    add(
        human(
            "human_pl_thunderbird_propose",
            p["tomasz"],
            "Dzień dobry,\n\nTe terminy mi nie pasują. Czy może być środa 18 marca o 13:00?\n\nTomasz",
            client="thunderbird",
            when=_date(10, 9, 10),
            intent="propose",
        )
    )
    add(
        human(
            "human_pl_iphone_ordinal",
            p["kasia"],
            "Druga opcja mi pasuje.",
            client="iphone",
            when=_date(10, 7, 0),
            intent="accept",
            slot=1,
        )
    )
    add(
        human(
            "human_pl_question",
            p["kasia"],
            "Cześć Sam, o czym dokładnie chciałbyś porozmawiać?",
            client="gmail",
            when=_date(9, 19, 0),
            intent="question",
        )
    )
    add(
        human(
            "human_pl_refer",
            p["tomasz"],
            "Dzień dobry,\n\nProszę napisać do mojej koleżanki Magdaleny Zając (magdalena.zajac@bursztyn.example), ona lepiej odpowie na te pytania.\n\nTomasz",
            client="outlook",
            when=_date(11, 8, 0),
            intent="refer",
            referral=("Magdaleny Zając", "magdalena.zajac@bursztyn.example"),
        )
    )
    return c


# --- auto-replies --------------------------------------------------------------------------------


def auto_reply(
    name: str,
    who: Person,
    subject: str,
    body: str,
    *,
    when: datetime,
    style: str,
    away_until: str | None,
    html: bool = False,
    extra_headers: tuple[tuple[str, str], ...] = (),
    note: str = "",
) -> Case:
    local = when.astimezone(who.zone)
    seed = name + body
    headers: list[tuple[str, str]] = [
        ("Received", _received(f"mail.{who.domain}", "mx.demo.example", when, seed)),
        ("From", f"{who.name} <{who.addr}>"),
        ("To", f"{USER} <{USER_ADDR}>"),
        ("Subject", subject),
        ("Date", format_datetime(local)),
        ("Message-ID", f"<{_token('ar', seed)}@{who.domain}>"),
        ("In-Reply-To", who.request_id()),
        ("References", who.request_id()),
    ]
    if style == "gmail":
        headers += [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")]
    elif style == "exchange":
        headers += [
            ("Thread-Topic", REQUEST_SUBJECT),
            ("Auto-Submitted", "auto-generated"),
            ("X-MS-Exchange-Inbox-Rules-Loop", who.addr),
            ("X-MS-Exchange-Organization-AutoReply", "true"),
            ("X-Auto-Response-Suppress", "All"),
            ("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent"),
        ]
    elif style == "exchange_noas":
        headers += [
            ("Thread-Topic", REQUEST_SUBJECT),
            ("X-MS-Exchange-Inbox-Rules-Loop", who.addr),
            ("X-Auto-Response-Suppress", "All"),
        ]
    elif style == "notes":
        headers += [
            ("X-Mailer", "Lotus Notes Release 9.0.1FP10 HF383 January 23, 2018"),
            ("X-MIMETrack", "Serialize by Router on Notes01/Acme(Release 9.0.1FP10)"),
        ]
    elif style == "notes_as":
        headers += [
            ("X-Mailer", "Lotus Notes Release 8.5.3 September 15, 2011"),
            ("Auto-Submitted", "auto-generated"),
            ("Precedence", "bulk"),
        ]
    elif style == "zimbra":
        headers += [
            ("Auto-Submitted", "auto-replied (zimbra; vacation)"),
            ("X-Mailer", "Zimbra 9.0.0_GA_4178 (zclient/9.0.0_GA_4178)"),
        ]
    elif style == "qmail":
        headers += [("Precedence", "bulk"), ("X-Mailer", "qmail-autoresponder 2.0")]
    elif style == "vacation":
        headers += [("Precedence", "junk"), ("X-Mailer", "vacation 1.2.7")]
    elif style == "cpanel":
        headers += [("X-Autorespond", "Vacation"), ("Precedence", "auto_reply")]
    elif style == "icloud":
        headers += [("Auto-Submitted", "auto-replied"), ("X-Mailer", "iCloud MailServer")]
    elif style == "helpdesk":
        headers += [("Auto-Submitted", "auto-generated"), ("X-Autoreply", "yes")]
    elif style == "none":
        pass
    else:
        raise ValueError(style)
    headers += list(extra_headers)
    if html:
        content = _multipart(
            "alternative", [_leaf("text/plain", body), _leaf("text/html", _html(body))], seed
        )
    else:
        content = _leaf("text/plain", body)
    label: dict[str, Any] = {"kind": "auto_reply", "lang": who.lang, "client": style}
    label["away_until"] = away_until
    if note:
        label["note"] = note
    return Case(name, _msg(headers, content), label)


def auto_replies() -> list[Case]:
    p = P
    c: list[Case] = []
    add = c.append
    when = _date(9, 9, 2)
    add(
        auto_reply(
            "ooo_en_gmail_back_on_tuesday",
            p["maya"],
            "Out of office",
            "Hi,\n\nI'm away at a conference and will be back on Tuesday. I'll reply when I return.\n\nMaya\n",
            when=when,
            style="gmail",
            away_until="2026-03-10",
        )
    )
    add(
        auto_reply(
            "ooo_en_gmail_returning_slash",
            p["ben"],
            "Away",
            "Thanks for your email. I'm on parental leave, returning 05/01. Until then I am not checking email.\n",
            when=when,
            style="gmail",
            away_until="2026-05-01",
        )
    )
    add(
        auto_reply(
            "ooo_en_exchange_until",
            p["olivia"],
            f"Automatic reply: {REQUEST_SUBJECT}",
            "Thank you for your message. I am out of the office until Friday 20 March 2026 with limited access to email. For urgent matters please contact my colleague James Hart on james.hart@harbor-bank.example.\n",
            when=when,
            style="exchange",
            away_until="2026-03-20",
            html=True,
        )
    )
    add(
        auto_reply(
            "ooo_en_exchange_noas",
            p["priya"],
            f"Automatic reply: {REQUEST_SUBJECT}",
            "I'm out of the office until 16 March. I'll respond as soon as I can.\n",
            when=when,
            style="exchange_noas",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_en_notes",
            p["daniel"],
            "AUTO: Daniel Okafor is out of the office (returning 03/23/2026)",
            'I am out of the office until 03/23/2026.\n\nI will respond to your message when I return.\n\n\nNote: This is an automated response to your message  "A 15-minute chat about your work?" sent on 09/03/2026 9:00:00.\n\nThis is the only notification you will receive while this person is away.\n',
            when=when,
            style="notes",
            away_until="2026-03-23",
            note="Lotus Notes, no RFC 3834 header",
        )
    )
    add(
        auto_reply(
            "ooo_en_zimbra",
            p["grace"],
            f"Re: {REQUEST_SUBJECT}",
            "I am on vacation through March 13th and will have limited access to e-mail. I will respond when I return.\n",
            when=when,
            style="zimbra",
            away_until="2026-03-13",
        )
    )
    add(
        auto_reply(
            "ooo_en_qmail",
            p["erin"],
            f"Re: {REQUEST_SUBJECT}",
            "Hello,\n\nI am currently out of the office and will return on March 18. I will have no access to email while I am away. For urgent matters please contact support@northwind.example.\n\n-- \nThis is an automatic reply.\n",
            when=when,
            style="qmail",
            away_until="2026-03-18",
            note="qmail-autoresponder style, Precedence: bulk",
        )
    )
    add(
        auto_reply(
            "ooo_en_vacation_junk",
            p["ben"],
            f"Re: {REQUEST_SUBJECT}",
            "I am away until Wednesday and will not be reading my email. Your message will be read when I return.\n",
            when=when,
            style="vacation",
            away_until="2026-03-11",
        )
    )
    add(
        auto_reply(
            "ooo_en_cpanel",
            p["ben"],
            "Autoreply: Out of the office",
            "I'm out of the office until 12th March. Mail is not monitored.\n",
            when=when,
            style="cpanel",
            away_until="2026-03-12",
        )
    )
    add(
        auto_reply(
            "ooo_en_icloud_tomorrow",
            p["grace"],
            f"Re: {REQUEST_SUBJECT}",
            "I'm out today and back tomorrow. I'll get back to you then.\n",
            when=when,
            style="icloud",
            away_until="2026-03-10",
        )
    )
    add(
        auto_reply(
            "ooo_en_no_date",
            p["maya"],
            "Automatic reply: A 15-minute chat about your work?",
            "Thanks for your note. I'm travelling with limited access to email and will reply as soon as possible.\n",
            when=when,
            style="exchange",
            away_until=None,
        )
    )
    add(
        auto_reply(
            "ooo_en_helpdesk_ack",
            p["olivia"],
            "[Ticket #48213] We received your message",
            "Hello,\n\nThis is an automatic confirmation that we have received your message. A member of our team will get back to you within two business days.\n",
            when=when,
            style="helpdesk",
            away_until=None,
            note="ticket acknowledgement",
        )
    )
    add(
        auto_reply(
            "ooo_en_body_only",
            p["daniel"],
            f"Re: {REQUEST_SUBJECT}",
            "Thank you for your email. I am currently out of the office until 18 March with no access to email. For urgent matters, please contact my assistant at assistant@northwind.example.\n",
            when=when,
            style="none",
            away_until="2026-03-18",
            note="no header, no subject phrase: body only",
        )
    )
    # German
    add(
        auto_reply(
            "ooo_de_exchange",
            p["jonas"],
            f"Automatische Antwort: {REQUEST_SUBJECT}",
            "Vielen Dank für Ihre Nachricht. Ich bin bis zum 20.03.2026 nicht im Büro und habe keinen Zugriff auf meine E-Mails.\n\nThank you for your message. I am out of the office until 20 March 2026.\n",
            when=when,
            style="exchange_noas",
            away_until="2026-03-20",
        )
    )
    add(
        auto_reply(
            "ooo_de_gmail_maerz",
            p["anna"],
            "Abwesenheitsnotiz",
            "Guten Tag,\n\nich bin bis zum 3. April im Urlaub. Ihre Nachricht wird nicht weitergeleitet. In dringenden Fällen wenden Sie sich bitte an info@rheinwerk.example.\n\nAnna Schmidt\n",
            when=when,
            style="gmail",
            away_until="2026-04-03",
        )
    )
    add(
        auto_reply(
            "ooo_de_subject_only",
            p["lukas"],
            f"Abwesenheitsnotiz: {REQUEST_SUBJECT}",
            "Guten Tag, ich bin ab Montag, 16.03.2026 wieder erreichbar.\n",
            when=when,
            style="none",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_de_notes",
            p["lukas"],
            "AUTO: Lukas Hofer ist außer Haus. (Rückkehr am 17.03.2026)",
            "Ich werde ab 09.03.2026 nicht im Büro sein. Ich kehre zurück am 17.03.2026.\n\nIch werde Ihre Nachricht nach meiner Rückkehr beantworten.\n",
            when=when,
            style="notes_as",
            away_until="2026-03-17",
        )
    )
    add(
        auto_reply(
            "ooo_de_zimbra_wochentag",
            p["jonas"],
            "Abwesend",
            "Ich bin bis einschließlich Donnerstag nicht erreichbar und habe nur eingeschränkten Zugriff auf meine E-Mails.\n",
            when=when,
            style="zimbra",
            away_until="2026-03-12",
        )
    )
    # French
    add(
        auto_reply(
            "ooo_fr_exchange",
            p["claire"],
            f"Réponse automatique : {REQUEST_SUBJECT}",
            "Bonjour,\n\nJe suis absente du bureau jusqu'au 16 mars inclus, avec un accès limité à mes e-mails. En cas d'urgence, merci de contacter contact@lumiere.example.\n\nCordialement,\nClaire Dubois\n",
            when=when,
            style="exchange",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_fr_gmail_retour",
            p["julien"],
            "Absence",
            "Bonjour, je suis en congés. De retour le lundi 23 mars. Je vous répondrai dès mon retour.\n",
            when=when,
            style="gmail",
            away_until="2026-03-23",
        )
    )
    add(
        auto_reply(
            "ooo_fr_subject_only",
            p["julien"],
            f"Absent du bureau : {REQUEST_SUBJECT}",
            "Je serai de retour le 18/03/2026.\n",
            when=when,
            style="none",
            away_until="2026-03-18",
        )
    )
    # Spanish
    add(
        auto_reply(
            "ooo_es_exchange",
            p["lucia"],
            f"Respuesta automática: {REQUEST_SUBJECT}",
            "Gracias por su mensaje. Estoy fuera de la oficina hasta el 20 de marzo, con acceso limitado al correo electrónico.\n",
            when=when,
            style="exchange",
            away_until="2026-03-20",
        )
    )
    add(
        auto_reply(
            "ooo_es_gmail_vuelta",
            p["javier"],
            "Fuera de la oficina",
            "Hola, estoy de vacaciones. Estaré de vuelta el lunes 16 de marzo. Responderé a tu correo a mi regreso.\n",
            when=when,
            style="gmail",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_es_subject_only",
            p["javier"],
            f"Fuera de la oficina: {REQUEST_SUBJECT}",
            "Estaré ausente hasta el 19/03/2026.\n",
            when=when,
            style="none",
            away_until="2026-03-19",
        )
    )
    # Italian
    add(
        auto_reply(
            "ooo_it_exchange",
            p["giulia"],
            f"Risposta automatica: {REQUEST_SUBJECT}",
            "Grazie per il messaggio. Sarò fuori ufficio fino al 18 marzo con accesso limitato alla posta elettronica.\n",
            when=when,
            style="exchange",
            away_until="2026-03-18",
        )
    )
    add(
        auto_reply(
            "ooo_it_gmail_rientro",
            p["marco"],
            "Fuori sede",
            "Buongiorno, sono in ferie. Rientrerò in ufficio il 25 marzo. Per urgenze scrivere a info@portofino-tech.example.\n",
            when=when,
            style="gmail",
            away_until="2026-03-25",
        )
    )
    add(
        auto_reply(
            "ooo_it_subject_only",
            p["marco"],
            f"Fuori ufficio: {REQUEST_SUBJECT}",
            "Sarò assente fino a lunedì.\n",
            when=when,
            style="none",
            away_until="2026-03-16",
        )
    )
    # Dutch
    add(
        auto_reply(
            "ooo_nl_exchange",
            p["sanne"],
            f"Automatisch antwoord: {REQUEST_SUBJECT}",
            "Bedankt voor je bericht. Ik ben afwezig tot en met 19 maart en heb beperkt toegang tot mijn e-mail.\n",
            when=when,
            style="exchange",
            away_until="2026-03-19",
        )
    )
    add(
        auto_reply(
            "ooo_nl_gmail_terug",
            p["pieter"],
            "Afwezig",
            "Ik ben met vakantie en ben weer terug op dinsdag 17 maart. Je e-mail wordt niet doorgestuurd.\n",
            when=when,
            style="gmail",
            away_until="2026-03-17",
        )
    )
    add(
        auto_reply(
            "ooo_nl_subject_only",
            p["pieter"],
            f"Afwezigheidsmelding: {REQUEST_SUBJECT}",
            "Ik ben vanaf 16-03-2026 weer aanwezig.\n",
            when=when,
            style="none",
            away_until="2026-03-16",
        )
    )
    # Portuguese
    add(
        auto_reply(
            "ooo_pt_exchange",
            p["ana"],
            f"Resposta automática: {REQUEST_SUBJECT}",
            "Obrigada pela sua mensagem. Estou fora do escritório até 23 de março, com acesso limitado ao e-mail.\n",
            when=when,
            style="exchange",
            away_until="2026-03-23",
        )
    )
    add(
        auto_reply(
            "ooo_pt_gmail_regresso",
            p["rafael"],
            "Ausente",
            "Olá, estou de férias. Regresso a 16 de março. Responderei assim que possível.\n",
            when=when,
            style="gmail",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_pt_subject_only",
            p["rafael"],
            f"Fora do escritório: {REQUEST_SUBJECT}",
            "Estarei ausente até 20/03/2026.\n",
            when=when,
            style="none",
            away_until="2026-03-20",
        )
    )
    # Polish
    add(
        auto_reply(
            "ooo_pl_exchange",
            p["kasia"],
            f"Odpowiedź automatyczna: {REQUEST_SUBJECT}",
            "Dziękuję za wiadomość. Jestem poza biurem do 20 marca i mam ograniczony dostęp do poczty.\n",
            when=when,
            style="exchange",
            away_until="2026-03-20",
        )
    )
    add(
        auto_reply(
            "ooo_pl_gmail_powrot",
            p["tomasz"],
            "Poza biurem",
            "Dzień dobry, jestem na urlopie. Wracam 16.03.2026. Odpowiem po powrocie.\n",
            when=when,
            style="gmail",
            away_until="2026-03-16",
        )
    )
    add(
        auto_reply(
            "ooo_pl_subject_only",
            p["tomasz"],
            f"Nieobecność: {REQUEST_SUBJECT}",
            "Będę niedostępny do piątku.\n",
            when=when,
            style="none",
            away_until="2026-03-13",
        )
    )
    return c


# --- bounces -------------------------------------------------------------------------------------


def _original_headers(rcpt: str) -> str:
    return (
        f"From: {USER} <{USER_ADDR}>\nTo: {rcpt}\nSubject: {REQUEST_SUBJECT}\n"
        f"Date: {format_datetime(REQUEST_SENT)}\nMessage-ID: <req-{_token(rcpt)[:10]}@demo.example>\n"
    )


def _original_message(rcpt: str) -> str:
    return (
        _original_headers(rcpt)
        + 'Content-Type: text/plain; charset="UTF-8"\n\n'
        + _request_text(rcpt.split("@")[0].split(".")[0].title(), "local")
    )


def _bounce_case(
    name: str,
    headers: list[tuple[str, str]],
    content: str,
    *,
    bounced: list[str],
    permanent: bool,
    client: str,
    lang: str = "en",
    note: str = "",
) -> Case:
    label: dict[str, Any] = {
        "kind": "bounce",
        "lang": lang,
        "client": client,
        "bounced": bounced,
        "permanent": permanent,
    }
    if note:
        label["note"] = note
    return Case(name, _msg(headers, content), label)


def _dsn(
    name: str,
    rcpt: str,
    *,
    action: str,
    status: str,
    diagnostic: str,
    mta: str,
    sender: str,
    subject: str,
    notification: str,
    client: str,
    lang: str = "en",
    extra: tuple[tuple[str, str], ...] = (),
) -> Case:
    when = REQUEST_SENT + timedelta(minutes=1 if action == "failed" else 60 * 4)
    headers: list[tuple[str, str]] = [
        ("Return-Path", "<>"),
        ("Received", f"by {mta} (Postfix) id {_token(name)[:10].upper()}; {format_datetime(when)}"),
        ("Date", format_datetime(when)),
        ("From", sender),
        ("Subject", subject),
        ("To", USER_ADDR),
        ("Auto-Submitted", "auto-replied"),
        ("Message-Id", f"<{_token('dsn', name)}@{mta}>"),
        *extra,
    ]
    status_block = (
        f"Reporting-MTA: dns; {mta}\nArrival-Date: {format_datetime(REQUEST_SENT)}\n\n"
        f"Final-Recipient: rfc822; {rcpt}\nOriginal-Recipient: rfc822;{rcpt}\n"
        f"Action: {action}\nStatus: {status}\nRemote-MTA: dns; mx.{rcpt.split('@')[1]}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n"
        + (
            f"Will-Retry-Until: {format_datetime(when + timedelta(days=5))}\n"
            if action == "delayed"
            else ""
        )
    )
    parts = [
        f'Content-Description: Notification\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: 8bit\n\n{notification}",
        f"Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n{status_block}",
        f"Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
        f"{_original_headers(rcpt)}",
    ]
    content = _multipart("report", parts, name, "; report-type=delivery-status")
    return _bounce_case(
        name,
        headers,
        content,
        bounced=[rcpt],
        permanent=action == "failed",
        client=client,
        lang=lang,
    )


def _text_bounce(
    name: str,
    *,
    sender: str,
    subject: str,
    text: str,
    rcpts: list[str],
    permanent: bool,
    client: str,
    mta: str,
    lang: str = "en",
    attach: bool = True,
    extra: tuple[tuple[str, str], ...] = (),
    note: str = "",
) -> Case:
    when = REQUEST_SENT + timedelta(minutes=2 if permanent else 60 * 4)
    headers: list[tuple[str, str]] = [
        ("Return-Path", "<>"),
        ("Received", f"from localhost by {mta}; {format_datetime(when)}"),
        ("Date", format_datetime(when)),
        ("From", sender),
        ("To", USER_ADDR),
        ("Subject", subject),
        ("Message-ID", f"<{_token('tb', name)}@{mta}>"),
        *extra,
    ]
    if attach:
        parts = [
            f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n{text}',
            f"Content-Type: message/rfc822\n\n{_original_message(rcpts[0] if rcpts else 'x@x.example')}",
        ]
        content = _multipart("mixed", parts, name)
    else:
        content = (
            f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n{text}'
        )
    return _bounce_case(
        name,
        headers,
        content,
        bounced=rcpts,
        permanent=permanent,
        client=client,
        lang=lang,
        note=note,
    )


def bounces() -> list[Case]:
    c: list[Case] = []
    add = c.append
    postfix_note = (
        "This is the mail system at host mx.demo.example.\n\nI'm sorry to have to inform you that "
        "your message could not\nbe delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "                   The mail system\n\n"
    )
    add(
        _dsn(
            "bounce_postfix_dsn_user_unknown",
            "alex.moreau@oldcorp.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 <alex.moreau@oldcorp.example>: Recipient address rejected: User unknown in virtual mailbox table",
            mta="mx.demo.example",
            sender="MAILER-DAEMON@mx.demo.example (Mail Delivery System)",
            subject="Undelivered Mail Returned to Sender",
            notification=postfix_note
            + "<alex.moreau@oldcorp.example>: host mx.oldcorp.example[192.0.2.45] said: 550\n    5.1.1 User unknown (in reply to RCPT TO command)\n",
            client="postfix",
        )
    )
    add(
        _dsn(
            "bounce_postfix_dsn_delayed",
            "h.meyer@slowpost.example",
            action="delayed",
            status="4.4.1",
            diagnostic="connect to mx.slowpost.example[192.0.2.77]:25: Connection timed out",
            mta="mx.demo.example",
            sender="MAILER-DAEMON@mx.demo.example (Mail Delivery System)",
            subject="Delayed Mail (still being retried)",
            notification="This is the mail system at host mx.demo.example.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<h.meyer@slowpost.example>: connect to mx.slowpost.example[192.0.2.77]:25:\n    Connection timed out\n",
            client="postfix",
        )
    )
    add(
        _dsn(
            "bounce_postfix_dsn_mailbox_full",
            "busy.person@fullbox.example",
            action="failed",
            status="5.2.2",
            diagnostic="552 5.2.2 <busy.person@fullbox.example>: Mailbox full",
            mta="mx.demo.example",
            sender="MAILER-DAEMON@mx.demo.example (Mail Delivery System)",
            subject="Undelivered Mail Returned to Sender",
            notification=postfix_note
            + "<busy.person@fullbox.example>: host mx.fullbox.example said: 552 5.2.2 Mailbox full\n",
            client="postfix",
        )
    )
    add(
        _dsn(
            "bounce_exchange_dsn",
            "f.keller@contoso-old.example",
            action="failed",
            status="5.1.10",
            diagnostic="550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            mta="AM9PR01MB1234.eurprd01.prod.outlook.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Undeliverable: {REQUEST_SUBJECT}",
            notification="Your message to f.keller@contoso-old.example couldn't be delivered.\n\nf.keller wasn't found at contoso-old.example.\n\nAction Required\nUnknown To address\n\nHow to Fix It\nThe address may be misspelled or may not exist.\n",
            client="exchange",
        )
    )
    add(
        _dsn(
            "bounce_exchange_dsn_de",
            "m.braun@altfirma.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 RESOLVER.ADR.RecipientNotFound; not found",
            mta="FR2P281MB0001.DEUP281.PROD.OUTLOOK.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Unzustellbar: {REQUEST_SUBJECT}",
            notification="Ihre Nachricht an m.braun@altfirma.example konnte nicht zugestellt werden.\n\nm.braun wurde bei altfirma.example nicht gefunden.\n",
            client="exchange",
            lang="de",
        )
    )
    add(
        _dsn(
            "bounce_gmail_dsn_not_found",
            "no.such.person@gmail.example",
            action="failed",
            status="5.1.1",
            diagnostic="The email account that you tried to reach does not exist.",
            mta="mx.google.example",
            sender="Mail Delivery Subsystem <mailer-daemon@googlemail.example>",
            subject="Delivery Status Notification (Failure)",
            notification="** Address not found **\n\nYour message wasn't delivered to no.such.person@gmail.example because the address couldn't be found, or is unable to receive mail.\n\nLearn more here: https://support.google.example/mail/?p=NoSuchUser\n\nThe response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.\n",
            client="gmail",
        )
    )
    add(
        _dsn(
            "bounce_gmail_dsn_delay",
            "r.slow@farhost.example",
            action="delayed",
            status="4.4.7",
            diagnostic="The recipient server did not accept our requests to connect.",
            mta="mx.google.example",
            sender="Mail Delivery Subsystem <mailer-daemon@googlemail.example>",
            subject="Delivery Status Notification (Delay)",
            notification="** Message not delivered yet **\n\nThere was a temporary problem delivering your message to r.slow@farhost.example. Gmail will retry for 45 more hours. You'll be notified if the delivery fails permanently.\n",
            client="gmail",
        )
    )
    add(
        _dsn(
            "bounce_dsn_fr",
            "p.girard@ancien.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 Utilisateur inconnu",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Non remis : {REQUEST_SUBJECT}",
            notification="Votre message n'a pas pu être remis à p.girard@ancien.example.\n",
            client="exchange",
            lang="fr",
        )
    )
    add(
        _dsn(
            "bounce_dsn_nl",
            "k.visser@oud.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 User unknown",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Onbestelbaar: {REQUEST_SUBJECT}",
            notification="Uw bericht aan k.visser@oud.example kan niet worden bezorgd.\n",
            client="exchange",
            lang="nl",
        )
    )
    add(
        _dsn(
            "bounce_dsn_es",
            "c.navarro@antigua.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 User unknown",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"No se puede entregar: {REQUEST_SUBJECT}",
            notification="No se pudo entregar el mensaje a c.navarro@antigua.example.\n",
            client="exchange",
            lang="es",
        )
    )
    add(
        _dsn(
            "bounce_dsn_it",
            "f.greco@vecchia.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 User unknown",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Non recapitabile: {REQUEST_SUBJECT}",
            notification="Impossibile recapitare il messaggio a f.greco@vecchia.example.\n",
            client="exchange",
            lang="it",
        )
    )
    add(
        _dsn(
            "bounce_dsn_pt",
            "j.almeida@velha.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 User unknown",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Não é possível entregar: {REQUEST_SUBJECT}",
            notification="Não foi possível entregar a mensagem a j.almeida@velha.example.\n",
            client="exchange",
            lang="pt",
        )
    )
    add(
        _dsn(
            "bounce_dsn_pl",
            "a.kowalski@stara.example",
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 User unknown",
            mta="smtp.demo.example",
            sender="Microsoft Outlook <postmaster@demo.example>",
            subject=f"Niedostarczalne: {REQUEST_SUBJECT}",
            notification="Nie można dostarczyć wiadomości do a.kowalski@stara.example.\n",
            client="exchange",
            lang="pl",
        )
    )
    # Text-only bounces.
    add(
        _text_bounce(
            "bounce_postfix_text",
            sender="MAILER-DAEMON@mail.legacy.example (Mail Delivery System)",
            subject="Undelivered Mail Returned to Sender",
            mta="mail.legacy.example",
            client="postfix",
            text='This is the Postfix program at host mail.legacy.example.\n\nI\'m sorry to have to inform you that the message returned\nbelow could not be delivered to one or more destinations.\n\nFor further assistance, please send mail to <postmaster>\n\nIf you do so, please include this problem report. You can\ndelete your own text from the message returned below.\n\n\t\t\tThe Postfix program\n\n<bob.gone@legacy.example>: unknown user: "bob.gone"\n',
            rcpts=["bob.gone@legacy.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_exim",
            sender="Mail Delivery System <Mailer-Daemon@mx1.hostingco.example>",
            subject="Mail delivery failed: returning message to sender",
            mta="mx1.hostingco.example",
            client="exim",
            text="This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  lena.old@fjord-old.example\n    host mx.fjord-old.example [192.0.2.10]\n    SMTP error from remote mail server after RCPT TO:<lena.old@fjord-old.example>:\n    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. ------\n",
            rcpts=["lena.old@fjord-old.example"],
            permanent=True,
            attach=False,
            extra=(
                ("X-Failed-Recipients", "lena.old@fjord-old.example"),
                ("Auto-Submitted", "auto-replied"),
            ),
        )
    )
    add(
        _text_bounce(
            "bounce_exim_delay",
            sender="Mail Delivery System <Mailer-Daemon@mx1.hostingco.example>",
            subject="Warning: message 1wXyZa-0004Qr-2B delayed 24 hours",
            mta="mx1.hostingco.example",
            client="exim",
            text="This message was created automatically by mail delivery software.\n\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx1.hostingco.example.\n\nThe message identifier is:     1wXyZa-0004Qr-2B\nThe subject of the message is: A 15-minute chat about your work?\n\nThe address to which the message has not yet been delivered is:\n\n  t.late@sluggish.example\n    Delay reason: SMTP error from remote mail server after RCPT TO:<t.late@sluggish.example>:\n    451 4.7.1 Greylisted, please try again later\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\nand when that happens, the message will be returned to you.\n",
            rcpts=["t.late@sluggish.example"],
            permanent=False,
            attach=False,
            extra=(
                ("X-Failed-Recipients", "t.late@sluggish.example"),
                ("Auto-Submitted", "auto-replied"),
            ),
        )
    )
    add(
        _text_bounce(
            "bounce_qmail",
            sender="MAILER-DAEMON@mail.qmailhost.example",
            subject="failure notice",
            mta="mail.qmailhost.example",
            client="qmail",
            attach=False,
            text="Hi. This is the qmail-send program at mail.qmailhost.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<carol@qmail.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\n"
            + _original_message("carol@qmail.example"),
            rcpts=["carol@qmail.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_exchange_text_ndr",
            sender="System Administrator <postmaster@corp-mail.example>",
            subject=f"Undeliverable: {REQUEST_SUBJECT}",
            mta="EXCH01.corp-mail.example",
            client="exchange",
            text="Your message did not reach some or all of the intended recipients.\n\n      Subject:\tA 15-minute chat about your work?\n      Sent:\t09/03/2026 09:00\n\nThe following recipient(s) cannot be reached:\n\n      'Wes Turner' on 09/03/2026 09:01\n            The e-mail address you entered couldn't be found. Please check the recipient's e-mail address and try to resend the message.\n            <EXCH01.corp-mail.example #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipientNotFound; not found>\n\n      wes.turner@corp-mail.example\n",
            rcpts=["wes.turner@corp-mail.example"],
            permanent=True,
            attach=True,
        )
    )
    add(
        _text_bounce(
            "bounce_exchange_text_ndr_de",
            sender="Microsoft Exchange <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@firma-alt.example>",
            subject=f"Unzustellbar: {REQUEST_SUBJECT}",
            mta="EX2016.firma-alt.example",
            client="exchange",
            lang="de",
            text="Fehler bei der Zustellung an diese Empfänger oder Gruppen:\n\nsabine.klein@firma-alt.example\nDie E-Mail-Adresse, die Sie eingegeben haben, wurde nicht gefunden.\n\nDiagnoseinformationen für Administratoren:\n\nGenerierender Server: EX2016.firma-alt.example\n\nsabine.klein@firma-alt.example\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipientNotFound; not found'\n",
            rcpts=["sabine.klein@firma-alt.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_yahoo",
            sender="MAILER-DAEMON@yahoo.example",
            subject="Failure Notice",
            mta="mta1.mail.yahoo.example",
            client="yahoo",
            attach=False,
            text="Sorry, we were unable to deliver your message to the following address.\n\n<gone.user@yahoo.example>:\n554: delivery error: dd This user doesn't have a yahoo.example account (gone.user@yahoo.example) [-5] - mta1.mail.yahoo.example\n\n--- Below this line is a copy of the message.\n\n"
            + _original_message("gone.user@yahoo.example"),
            rcpts=["gone.user@yahoo.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_gmail_text",
            sender="Mail Delivery Subsystem <mailer-daemon@googlemail.example>",
            subject="Delivery Status Notification (Failure)",
            mta="mx.google.example",
            client="gmail",
            attach=False,
            text="Delivery to the following recipient failed permanently:\n\n     vanished@startup-gone.example\n\nTechnical details of permanent failure:\nDNS Error: Domain name not found\n\n----- Original message -----\n\n"
            + _original_message("vanished@startup-gone.example"),
            rcpts=["vanished@startup-gone.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_sendmail",
            sender="Mail Delivery Subsystem <MAILER-DAEMON@relay.unixhost.example>",
            subject="Returned mail: see transcript for details",
            mta="relay.unixhost.example",
            client="sendmail",
            text="The original message was received at Mon, 9 Mar 2026 09:00:04 GMT\nfrom demo.example [198.51.100.7]\n\n   ----- The following addresses had permanent fatal errors -----\n<old.friend@unixhost.example>\n    (reason: 550 5.1.1 <old.friend@unixhost.example>... User unknown)\n\n   ----- Transcript of session follows -----\n... while talking to mail.unixhost.example.:\n>>> DATA\n<<< 550 5.1.1 <old.friend@unixhost.example>... User unknown\n550 5.1.1 <old.friend@unixhost.example>... User unknown\n",
            rcpts=["old.friend@unixhost.example"],
            permanent=True,
        )
    )
    add(
        _text_bounce(
            "bounce_sendmail_warning",
            sender="Mail Delivery Subsystem <MAILER-DAEMON@relay.unixhost.example>",
            subject="Warning: could not send message for past 4 hours",
            mta="relay.unixhost.example",
            client="sendmail",
            text="    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\nThe original message was received at Mon, 9 Mar 2026 09:00:04 GMT\n\n   ----- Transcript of session follows -----\n<later@busyhost.example>... Deferred: Connection timed out with mail.busyhost.example.\nWarning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n",
            rcpts=["later@busyhost.example"],
            permanent=False,
        )
    )
    add(
        _text_bounce(
            "bounce_postmaster_quota",
            sender="postmaster@mail.smallisp.example",
            subject="Delivery failure",
            mta="mail.smallisp.example",
            client="other",
            text="Your message could not be delivered to the following recipient:\n\n  jo.brown@smallisp.example\n\nReason: 552 5.2.2 Mailbox quota exceeded\n",
            rcpts=["jo.brown@smallisp.example"],
            permanent=True,
        )
    )
    return c


# --- bulk ----------------------------------------------------------------------------------------


def _bulk(
    name: str,
    sender: str,
    subject: str,
    body: str,
    extra: list[tuple[str, str]],
    *,
    client: str,
    lang: str = "en",
    day: int = 9,
    reply_to_request: Person | None = None,
    html: bool = True,
    note: str = "",
) -> Case:
    when = _date(day, 7, 30)
    domain = sender.rsplit("@", 1)[1].rstrip(">")
    headers: list[tuple[str, str]] = [
        ("Received", _received(f"out.{domain}", "mx.demo.example", when, name)),
        ("From", sender),
        ("To", f"{USER} <{USER_ADDR}>"),
        ("Subject", subject),
        ("Date", format_datetime(when)),
        ("Message-ID", f"<{_token('bulk', name)}@{domain}>"),
    ]
    if reply_to_request is not None:
        headers += [
            ("In-Reply-To", reply_to_request.request_id()),
            ("References", reply_to_request.request_id()),
        ]
    headers += extra
    if html:
        content = _multipart(
            "alternative", [_leaf("text/plain", body), _leaf("text/html", _html(body, "p"))], name
        )
    else:
        content = _leaf("text/plain", body)
    label: dict[str, Any] = {"kind": "bulk", "lang": lang, "client": client}
    if note:
        label["note"] = note
    return Case(name, _msg(headers, content), label)


def bulk() -> list[Case]:
    c: list[Case] = []
    add = c.append
    unsub = "<https://news.productweekly.example/u?id=42>, <mailto:unsubscribe@news.productweekly.example>"
    add(
        _bulk(
            "bulk_newsletter",
            "The Product Weekly <digest@news.productweekly.example>",
            "This week: roadmaps that survive reality",
            "Three roadmap formats, a reading list on discovery, and jobs.\n\nUnsubscribe: https://news.productweekly.example/u?id=42\n",
            [
                ("List-Id", "The Product Weekly <weekly.news.productweekly.example>"),
                ("List-Unsubscribe", unsub),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Precedence", "bulk"),
            ],
            client="esp",
        )
    )
    add(
        _bulk(
            "bulk_linkedin_notification",
            "LinkedIn <messages-noreply@linkedin.example>",
            "Maya Chen has accepted your invitation",
            "Maya Chen has accepted your invitation. Start a conversation now.\n",
            [
                ("List-Unsubscribe", "<https://www.linkedin.example/e/unsub>"),
                ("Feedback-ID", "invitation-accept:linkedin"),
            ],
            client="notification",
        )
    )
    add(
        _bulk(
            "bulk_mailman_list_reply",
            "Grace Liu <grace.liu@cedar.example>",
            "Re: [alumni-careers] Informational interviews - tips?",
            "I always ask for 15 minutes and offer three slots. Works well.\n\nGrace\n\n_______________________________________________\nalumni-careers mailing list\nalumni-careers@lists.lakeside.example\nhttps://lists.lakeside.example/mailman/listinfo/alumni-careers\n",
            [
                ("In-Reply-To", "<thread-1@lists.lakeside.example>"),
                ("List-Id", "Lakeside alumni careers <alumni-careers.lists.lakeside.example>"),
                ("List-Post", "<mailto:alumni-careers@lists.lakeside.example>"),
                ("Precedence", "list"),
                ("Sender", "alumni-careers <alumni-careers-bounces@lists.lakeside.example>"),
            ],
            client="mailman",
            html=False,
            note="a person's reply on a mailing list",
        )
    )
    add(
        _bulk(
            "bulk_google_groups_reply",
            "Maya Chen <maya.chen@lumen.example>",
            "Re: Coffee chats this spring",
            'Happy to host one of these - count me in.\n\nYou received this message because you are subscribed to the Google Groups "Lakeside Alumni" group.\nTo unsubscribe from this group and stop receiving emails from it, send an email to alumni+unsubscribe@groups.lakeside.example.\n',
            [
                (
                    "Mailing-list",
                    "list alumni@groups.lakeside.example; contact alumni+owners@groups.lakeside.example",
                ),
                ("List-Id", "<alumni.groups.lakeside.example>"),
                ("List-Unsubscribe", "<mailto:alumni+unsubscribe@groups.lakeside.example>"),
                ("Precedence", "list"),
            ],
            client="google-groups",
            reply_to_request=P["maya"],
            note="list copy of a contact's reply-all",
        )
    )
    add(
        _bulk(
            "bulk_marketing_de",
            "Weiterbildung Plus <newsletter@weiterbildung.example>",
            "Ihr Newsletter im März",
            "Neue Kurse im März. Abmelden: https://weiterbildung.example/abmelden\n",
            [
                ("List-Unsubscribe", "<https://weiterbildung.example/abmelden?x=1>"),
                ("Precedence", "bulk"),
            ],
            client="esp",
            lang="de",
        )
    )
    add(
        _bulk(
            "bulk_marketing_fr",
            "Lettre Carrières <lettre@carrieres.example>",
            "Votre lettre d'information",
            "Les offres de la semaine. Se désinscrire : https://carrieres.example/desinscription\n",
            [
                ("List-Unsubscribe", "<https://carrieres.example/desinscription>"),
                ("Feedback-ID", "42:campagne:carrieres"),
            ],
            client="esp",
            lang="fr",
        )
    )
    add(
        _bulk(
            "bulk_receipt_feedback_id",
            "Coffee Roasters <no-reply@roasters.example>",
            "Your order #1042",
            "Thanks for your order! Your beans ship tomorrow.\n",
            [("Feedback-ID", "order:ses-42")],
            client="transactional",
        )
    )
    add(
        _bulk(
            "bulk_noreply_notification",
            "Calendly <notifications@calendly-like.example>",
            "Reminder: upcoming event",
            "This is a reminder of your upcoming event tomorrow at 10:00.\n",
            [("Precedence", "bulk"), ("X-Auto-Response-Suppress", "OOF, AutoReply")],
            client="notification",
        )
    )
    add(
        _bulk(
            "bulk_github_like",
            "CodeHub <notifications@codehub.example>",
            "[org/repo] Fix typo (#12)",
            "@sam mentioned you in a pull request.\n",
            [
                ("List-Id", "org/repo <repo.org.codehub.example>"),
                ("List-Unsubscribe", "<mailto:unsub+abc@reply.codehub.example>"),
                ("Precedence", "list"),
            ],
            client="notification",
            html=False,
        )
    )
    add(
        _bulk(
            "bulk_newsletter_es",
            "Boletín Empleo <boletin@empleo.example>",
            "Novedades de la semana",
            "Las ofertas de esta semana. Darse de baja: https://empleo.example/baja\n",
            [("List-Unsubscribe", "<https://empleo.example/baja>")],
            client="esp",
            lang="es",
        )
    )
    add(
        _bulk(
            "bulk_newsletter_it",
            "Notizie Lavoro <notizie@lavoro.example>",
            "Le notizie della settimana",
            "Annullare l'iscrizione: https://lavoro.example/disiscrizione\n",
            [
                ("List-Unsubscribe", "<https://lavoro.example/disiscrizione>"),
                ("Precedence", "bulk"),
            ],
            client="esp",
            lang="it",
        )
    )
    add(
        _bulk(
            "bulk_newsletter_nl",
            "Carrière Nieuws <nieuwsbrief@carriere.example>",
            "Nieuwsbrief maart",
            "Afmelden: https://carriere.example/afmelden\n",
            [("List-Unsubscribe", "<https://carriere.example/afmelden>")],
            client="esp",
            lang="nl",
        )
    )
    add(
        _bulk(
            "bulk_newsletter_pt",
            "Carreiras <newsletter@carreiras.example>",
            "Novidades de março",
            "Cancelar subscrição: https://carreiras.example/cancelar\n",
            [("Feedback-ID", "7:pt:carreiras")],
            client="esp",
            lang="pt",
        )
    )
    add(
        _bulk(
            "bulk_newsletter_pl",
            "Kariera <newsletter@kariera.example>",
            "Newsletter marzec",
            "Wypisz się: https://kariera.example/wypisz\n",
            [("List-Unsubscribe", "<https://kariera.example/wypisz>")],
            client="esp",
            lang="pl",
        )
    )
    # Challenge-response systems: automatic, addressed to us, in the thread, but not a reply.
    add(
        _bulk(
            "bulk_challenge_boxtrapper",
            "olivia@smallfirm-cr.example",
            f"Your email requires verification verify#{_token('bt')[:20]}",
            "The sender of this email address is using BoxTrapper to prevent unsolicited email from reaching their inbox.\n\nTo confirm that you sent the original message, please reply to this email or visit the link below. Once verified, your message will be delivered and you will be added to the whitelist.\n\nhttps://smallfirm-cr.example/cgi-sys/bxd.cgi?a=olivia@smallfirm-cr.example&email=sam.rivera@demo.example\n",
            [
                ("Auto-Submitted", "auto-replied"),
                ("X-Boxtrapper", _token("bt2")[:16]),
                ("Precedence", "bulk"),
            ],
            client="challenge",
            reply_to_request=P["olivia"],
            html=False,
        )
    )
    add(
        _bulk(
            "bulk_challenge_spamarrest",
            "Ben Adeyemi <ben@tinyforge.example>",
            f"Re: {REQUEST_SUBJECT} [Please verify]",
            "Hello,\n\nI am protecting myself from receiving junk mail. Please click the link below to complete the verification process. You have to do this only once.\n\nhttps://verify.spam-guard.example/v?c=8f2a\n\nThank you,\nBen Adeyemi\n",
            [("Auto-Submitted", "auto-replied"), ("X-Challenge", "spam-guard")],
            client="challenge",
            reply_to_request=P["ben"],
            html=False,
        )
    )
    add(
        _bulk(
            "bulk_challenge_de",
            "Lukas Hofer <lukas.hofer@alpenbahn.example>",
            "Bitte bestätigen Sie Ihre Nachricht",
            "Guten Tag,\n\nich schütze mich vor Spam. Bitte bestätigen Sie, dass Sie ein Mensch sind, indem Sie auf den folgenden Link klicken: https://verify.spam-guard.example/v?c=de12\n\nNach der Bestätigung wird Ihre Nachricht zugestellt.\n",
            [("Auto-Submitted", "auto-replied")],
            client="challenge",
            lang="de",
            reply_to_request=P["lukas"],
            html=False,
        )
    )
    add(
        _bulk(
            "bulk_challenge_noheader",
            "Pieter Jansen <p.jansen@dijkstra-bv.example>",
            f"Re: {REQUEST_SUBJECT}",
            "This mailbox is protected by a challenge-response spam filter. To deliver your message, please confirm you are human by visiting https://verify.mailguard.example/c/77 - you only need to do this once.\n",
            [],
            client="challenge",
            reply_to_request=P["pieter"],
            html=False,
            note="no automatic header at all",
        )
    )
    return c


# --- calendar replies ----------------------------------------------------------------------------


def _ics(method: str, partstat: str, who: Person, *, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\nPRODID:-//Example Corp.//CalDAV Client//EN\nVERSION:2.0\n"
        f"METHOD:{method}\nBEGIN:VEVENT\nUID:coffeechat-{_token(who.addr)[:12]}@demo.example\n"
        "DTSTAMP:20260309T120000Z\nDTSTART:20260312T130000Z\nDTEND:20260312T131500Z\n"
        f"SUMMARY:Coffee chat: {USER} / {who.name}\nORGANIZER;CN={USER}:mailto:{USER_ADDR}\n"
        f"ATTENDEE;PARTSTAT={partstat};CN={who.name}:mailto:{who.addr}\n{extra}"
        "SEQUENCE:0\nEND:VEVENT\nEND:VCALENDAR\n"
    )


def calendar_case(
    name: str,
    who: Person,
    subject: str,
    text: str,
    method: str,
    partstat: str,
    *,
    client: str,
    response: str,
    html_wrap: bool = True,
    extra_ics: str = "",
) -> Case:
    when = _date(9, 16, 0)
    seed = name
    headers: list[tuple[str, str]] = [
        ("Received", _received(f"mail.{who.domain}", "mx.demo.example", when, seed)),
        ("From", f"{who.name} <{who.addr}>"),
        ("To", f"{USER} <{USER_ADDR}>"),
        ("Subject", subject),
        ("Date", format_datetime(when.astimezone(who.zone))),
        ("Message-ID", f"<{_token('cal', seed)}@{who.domain}>"),
    ]
    ics = _leaf("text/calendar", _ics(method, partstat, who, extra=extra_ics), f"; method={method}")
    parts = [_leaf("text/plain", text)]
    if html_wrap:
        parts.append(_leaf("text/html", _html(text)))
    inner = _multipart("alternative", [*parts, ics], seed)
    if client == "outlook":
        content = inner
    else:
        attach = (
            f'Content-Type: application/ics; name="invite.ics"\nContent-Disposition: attachment; '
            f'filename="invite.ics"\nContent-Transfer-Encoding: 7bit\n\n{_ics(method, partstat, who, extra=extra_ics)}'
        )
        content = _multipart("mixed", [inner, attach], seed + "m")
    label: dict[str, Any] = {
        "kind": "calendar",
        "lang": who.lang,
        "client": client,
        "calendar": response,
    }
    return Case(name, _msg(headers, content), label)


def calendars() -> list[Case]:
    p = P
    c: list[Case] = []
    add = c.append
    add(
        calendar_case(
            "calendar_outlook_accepted",
            p["priya"],
            "Accepted: Coffee chat: Sam Rivera / Priya Nair",
            "",
            "REPLY",
            "ACCEPTED",
            client="outlook",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_outlook_declined",
            p["olivia"],
            "Declined: Coffee chat: Sam Rivera / Olivia Grant",
            "Sorry, something came up.",
            "REPLY",
            "DECLINED",
            client="outlook",
            response="declined",
        )
    )
    add(
        calendar_case(
            "calendar_outlook_tentative",
            p["daniel"],
            "Tentative: Coffee chat: Sam Rivera / Daniel Okafor",
            "",
            "REPLY",
            "TENTATIVE",
            client="outlook",
            response="tentative",
        )
    )
    add(
        calendar_case(
            "calendar_gmail_accepted",
            p["maya"],
            "Accepted: Coffee chat: Sam Rivera / Maya Chen @ Thu 12 Mar 2026 9am - 9:15am (EDT) (sam.rivera@demo.example)",
            "Maya Chen has accepted this invitation.\n\nCoffee chat: Sam Rivera / Maya Chen\nThursday 12 Mar 2026 9am - 9:15am (EDT)\n\nInvitation from Google Calendar\n",
            "REPLY",
            "ACCEPTED",
            client="gmail",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_gmail_declined",
            p["ben"],
            "Declined: Coffee chat: Sam Rivera / Ben Adeyemi @ Thu 12 Mar 2026 6am - 6:15am (PDT) (sam.rivera@demo.example)",
            "Ben Adeyemi has declined this invitation.\n\nInvitation from Google Calendar\n",
            "REPLY",
            "DECLINED",
            client="gmail",
            response="declined",
        )
    )
    add(
        calendar_case(
            "calendar_de_zugesagt",
            p["jonas"],
            "Zugesagt: Coffee chat: Sam Rivera / Jonas Weber",
            "",
            "REPLY",
            "ACCEPTED",
            client="outlook",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_fr_accepte",
            p["claire"],
            "Accepté: Coffee chat: Sam Rivera / Claire Dubois",
            "",
            "REPLY",
            "ACCEPTED",
            client="outlook",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_es_rechazado",
            p["javier"],
            "Rechazado: Coffee chat: Sam Rivera / Javier Ruiz",
            "",
            "REPLY",
            "DECLINED",
            client="outlook",
            response="declined",
        )
    )
    add(
        calendar_case(
            "calendar_it_accettato",
            p["giulia"],
            "Accettato: Coffee chat: Sam Rivera / Giulia Rossi",
            "",
            "REPLY",
            "ACCEPTED",
            client="outlook",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_nl_voorlopig",
            p["sanne"],
            "Voorlopig: Coffee chat: Sam Rivera / Sanne de Vries",
            "",
            "REPLY",
            "TENTATIVE",
            client="outlook",
            response="tentative",
        )
    )
    add(
        calendar_case(
            "calendar_apple_accepted",
            p["grace"],
            "Invitation Accepted: Coffee chat",
            "Grace Liu has accepted your invitation.",
            "REPLY",
            "ACCEPTED",
            client="apple",
            response="accepted",
            html_wrap=False,
        )
    )
    add(
        calendar_case(
            "calendar_counter",
            p["anna"],
            "Neuer Zeitvorschlag: Coffee chat: Sam Rivera / Anna Schmidt",
            "Neuer Zeitvorschlag: Mittwoch, 18. März 2026 11:00-11:15.",
            "COUNTER",
            "TENTATIVE",
            client="outlook",
            response="counter",
        )
    )
    add(
        calendar_case(
            "calendar_pt_aceite",
            p["ana"],
            "Aceite: Coffee chat: Sam Rivera / Ana Sousa",
            "",
            "REPLY",
            "ACCEPTED",
            client="outlook",
            response="accepted",
        )
    )
    add(
        calendar_case(
            "calendar_pl_odrzucone",
            p["kasia"],
            "Odrzucono: Coffee chat: Sam Rivera / Katarzyna Nowak",
            "",
            "REPLY",
            "DECLINED",
            client="outlook",
            response="declined",
        )
    )
    return c


# --- the whole corpus ----------------------------------------------------------------------------

BUILDERS: tuple[Callable[[], list[Case]], ...] = (humans, auto_replies, bounces, bulk, calendars)


def build() -> list[Case]:
    cases = [case for builder in BUILDERS for case in builder()]
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise ValueError("duplicate corpus names")
    return cases


def manifest(cases: list[Case]) -> str:
    data = {
        "about": "Expected labels of the reply-understanding corpus (generated by corpus_builder.py).",
        "request_sent": REQUEST_SENT.isoformat(),
        "messages": {f"{case.name}.eml": case.label for case in cases},
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write(directory: Path = CORPUS_DIR) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    cases = build()
    wanted = {f"{case.name}.eml" for case in cases}
    for stale in directory.glob("*.eml"):
        if stale.name not in wanted:
            stale.unlink()
    for case in cases:
        (directory / f"{case.name}.eml").write_bytes(case.raw)
    (directory / MANIFEST).write_text(manifest(cases), encoding="utf-8")
    return len(cases)


if __name__ == "__main__":
    count = write()
    sys.stdout.write(f"wrote {count} messages and {MANIFEST}\n")
