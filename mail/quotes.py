"""The new text of a reply: quoted history, attributions and signatures removed.

Handles the styles of the common clients in EN, DE, FR, ES, IT, NL, PT and PL: Gmail and
Thunderbird attributions ("On ... wrote:", "Am ... schrieb ...:", "Le ... a écrit :"), Apple
Mail's quoted attribution, Outlook's header block (with or without the underscore rule) and its
older "-----Original Message-----", ">" quoting (also interleaved), "-- " signatures and the
"Sent from my iPhone" family. HTML-only messages are cut at the quote container
(gmail_quote, blockquote, Outlook's divRplyFwdMsg or border-top block, moz-cite-prefix) and
sanitised to text with nh3 (``mail.mime.html_to_text``).

Written for this project rather than using mail-parser-reply: that library's signature rule
treats every line starting with "- " as a signature (dropping proposed-times lists), and its
regexes are slower than this line scanner on long threads.
"""

from __future__ import annotations

import re

from mail.mime import html_to_text
from mail.provider import MailMessage

#: Only the start of a long body is read: new text is at the top.
MAX_SCAN_CHARS = 20_000

_WROTE = (
    r"wrote|schrieb|a écrit|a ecrit|escribió|escribio|ha scritto|schreef|geschreven|escreveu|"
    r"napisał\(a\)|napisała|napisał|pisze|skrev|kirjoitti"
)
_ATTRIBUTION_END = re.compile(
    rf"(?:(?:{_WROTE})\s*:?|(?:{_WROTE})\b.{{0,120}}:)\s*$", re.IGNORECASE
)
_ATTRIBUTION_START = re.compile(
    r"^(?:on|am|le|el|il giorno|il|op|em|w dniu|dnia|"
    r"(?:mon|tue|wed|thu|fri|sat|sun|pon|wt|śr|czw|pt|sob|niedz)\.?,?)\b",
    re.IGNORECASE,
)
_APPLE_PL = re.compile(r"^wiadomość napisana przez .+ w dniu .+:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|"
    r"wiadomość oryginalna|forwarded message|weitergeleitete nachricht|message transféré|"
    r"mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|"
    r"wiadomość przekazana dalej)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{20,}\s*$")
_FROM_FIELD = re.compile(r"^\*?(?:from|von|de|da|van|od)\s*\*?\s*:", re.IGNORECASE)
_SENT_FIELD = re.compile(
    r"^\*?(?:sent|date|gesendet|datum|envoyé|date|enviado|enviada|fecha|inviato|data|"
    r"verzonden|datum|wysłano|wysłane|to|an|à|para|a|aan|do|subject|betreff|objet|asunto|"
    r"oggetto|onderwerp|assunto|temat)\s*\*?\s*:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:--|-- |__)\s*$")
_MOBILE = re.compile(
    r"^(?:sent from (?:my|mail for|outlook|yahoo)|get outlook for|sent via|"
    r"von meinem .{0,30}gesendet|gesendet von|envoyé de mon|envoyé depuis|"
    r"enviado desde mi|enviado desde|inviato da|inviato dal mio|verstuurd vanaf|"
    r"verzonden vanaf|enviado do meu|enviado a partir do|wysłane z)",
    re.IGNORECASE,
)
# Inside a tag, "[^<>]*" rather than "[^>]*": in a run of unclosed tags ("<div <div <div ...")
# each attempt then stops at the next "<" instead of scanning to the end (quadratic before).
_HTML_QUOTE = re.compile(
    r"<div[^<>]*class=[\"']?(?:gmail_quote|gmail_extra|moz-cite-prefix|yahoo_quoted)|"
    r"<blockquote|<div[^<>]*id=[\"']?(?:divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)|"
    r"<div[^<>]*style=[\"'][^\"'<>]*border-top:\s*solid\s+#E1E1E1|"
    r"<hr[^<>]*id=[\"']?stopSpelling",
    re.IGNORECASE,
)


def new_text(msg: MailMessage) -> str:
    """What the sender wrote this time: no quoted history, no signature."""
    text = msg.text
    if msg.html and (not text.strip() or _html_only(msg)):
        head = msg.html[: MAX_SCAN_CHARS * 5]
        cut = _HTML_QUOTE.search(head)
        text = html_to_text(head[: cut.start()] if cut else head)
    return strip_quotes(text)


def _html_only(msg: MailMessage) -> bool:
    # mail.mime fills ``text`` from the html when there is no text/plain part.
    lowered = msg.raw[:200_000].lower()
    return b"text/plain" not in lowered if msg.raw else False


def strip_quotes(text: str) -> str:
    """The top of ``text`` above the first quoted history, without ">" lines or signature."""
    lines = text[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, raw_line in enumerate(lines):
        line = raw_line.strip()
        bare = line.lstrip("> ").strip()
        if _is_cut(lines, i, line, bare):
            break
        if line.startswith(">"):
            continue
        kept.append(raw_line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)


def _is_cut(lines: list[str], i: int, line: str, bare: str) -> bool:
    if not bare:
        return False
    if _SIGNATURE.match(line) or _MOBILE.match(bare) or _RULE.match(line) or _ORIGINAL.match(bare):
        return True
    if _ATTRIBUTION_END.search(bare) and (
        _ATTRIBUTION_START.match(bare) or "@" in bare or len(bare) < 200
    ):
        return True
    if _APPLE_PL.match(bare):
        return True
    # An attribution wrapped over two lines: "On Mon, 9 Mar 2026 at 10:00, Sam <" / "sam@x> wrote:".
    if _ATTRIBUTION_START.match(bare) and i + 1 < len(lines):
        joined = bare + " " + lines[i + 1].strip().lstrip("> ")
        if _ATTRIBUTION_END.search(joined) and len(joined) < 250:
            return True
    # Outlook's header block without a rule: "From: ..." followed by "Sent:"/"To:"/... lines.
    if _FROM_FIELD.match(bare):
        following = [x.strip().lstrip("> ") for x in lines[i + 1 : i + 4]]
        if sum(1 for x in following if _SENT_FIELD.match(x)) >= 2:
            return True
    return False
