from __future__ import annotations

import pytest

from mail.mime import parse_message
from mail.provider import MessageRef
from mail.quotes import new_text, strip_quotes

REQUEST = "> Hi Maya,\n>\n> Would Thursday work?\n"


@pytest.mark.parametrize(
    "quote",
    [
        "On Mon, 9 Mar 2026 at 10:00, Sam Rivera <sam@demo.example> wrote:\n" + REQUEST,
        "On Mon, 9 Mar 2026 at 10:00, Sam Rivera <\nsam@demo.example> wrote:\n" + REQUEST,
        "Am Mo., 9. März 2026 um 10:00 Uhr schrieb Sam Rivera <sam@demo.example>:\n" + REQUEST,
        "Le lun. 9 mars 2026 à 10:00, Sam Rivera <sam@demo.example> a écrit :\n" + REQUEST,
        "El lun, 9 mar 2026 a las 10:00, Sam (<sam@demo.example>) escribió:\n" + REQUEST,
        "Il giorno lun 9 mar 2026 alle ore 10:00 Sam <sam@demo.example> ha scritto:\n" + REQUEST,
        "Op ma 9 mrt 2026 om 10:00 schreef Sam <sam@demo.example>:\n" + REQUEST,
        "Em seg., 9 de mar. de 2026 às 10:00, Sam <sam@demo.example> escreveu:\n" + REQUEST,
        "pon., 9 mar 2026 o 10:00 Sam <sam@demo.example> napisał(a):\n" + REQUEST,
        "> On 9 Mar 2026, at 10:00, Sam <sam@demo.example> wrote:\n" + REQUEST,
        "________________________________\nFrom: Sam\nSent: Monday\nTo: Maya\nSubject: Hi\n\nHi",
        "From: Sam <sam@demo.example>\nSent: Monday\nTo: Maya\nSubject: Hi\n\nHi Maya",
        "Von: Sam\nGesendet: Montag\nAn: Maya\nBetreff: Hallo\n\nHallo",
        "-----Original Message-----\nFrom: Sam\nWould Thursday work?",
        "-- \nMaya Chen\nHead of Data",
        "Sent from my iPhone\n\n" + REQUEST,
        "Von meinem iPhone gesendet",
    ],
)
def test_new_text_above_the_quote(quote: str) -> None:
    assert strip_quotes("Sure, Friday works.\n\n" + quote) == "Sure, Friday works."


def test_interleaved_answers_are_kept() -> None:
    text = "> Would Thursday work?\nYes.\n> Phone or video?\nPhone."
    assert strip_quotes(text) == "Yes.\nPhone."


def test_dash_lists_are_not_signatures() -> None:
    text = "Either of these:\n- Wednesday 11:00\n- Thursday 15:00\n"
    assert strip_quotes(text) == text.strip()


def test_html_only_reply_is_cut_at_the_quote_and_sanitised() -> None:
    raw = (
        b"From: Maya <maya@lumen.example>\nTo: sam@demo.example\nSubject: Re: chat\n"
        b"Content-Type: text/html; charset=utf-8\n\n"
        b"<div>Sure &amp; <b>Friday</b> works.<script>alert(1)</script></div>"
        b'<div class="gmail_quote">On Mon, Sam wrote:<blockquote>I am out of the office'
        b"</blockquote></div>"
    )
    text = new_text(parse_message(raw, MessageRef("1", "t")))
    assert text == "Sure & Friday works."
