"""The parser reads a bounded Content-Type: a header folded into 80 KB (a mutated reply in the
fuzz suite took two seconds, parsed anew each time the parser asked for it) is cut at a
parameter, said in the defects, and the message is still read."""

from __future__ import annotations

from email.message import Message

from mail.mime import parse_message
from mail.mime_limits import (
    MAX_PARAM_HEADER_CHARS,
    MAX_PARAMS,
    POLICY,
    bounded_params,
    params_cut,
)
from mail.provider import MessageRef

REF = MessageRef("m1", "t1")
JUNK = "\r\n        Mon, 09 Mar 2026 10:00:00 +0000" * 2_000  # 80 KB of folded lines


def _reply(content_type: str) -> bytes:
    return (
        "From: Priya Nair <priya.nair@brightpath.example>\r\n"
        "To: sam.rivera@demo.example\r\nSubject: Re: Coffee?\r\n"
        "Date: Mon, 09 Mar 2026 10:00:00 +0000\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThursday works for me.\r\n"
        "--b--\r\n"
    ).encode()


def test_a_long_content_type_is_cut_at_a_parameter_and_the_body_is_read() -> None:
    msg = parse_message(_reply(f'multipart/alternative; boundary="b"; x="{JUNK}"'), REF)
    assert msg.text.strip() == "Thursday works for me."
    assert msg.content_type == "multipart/alternative"
    assert any("Content-Type or Content-Disposition" in d for d in msg.defects), msg.defects


def test_an_honest_content_type_is_read_whole_and_no_defect_is_noted() -> None:
    msg = parse_message(_reply('multipart/alternative; boundary="b"'), REF)
    assert msg.text.strip() == "Thursday works for me."
    assert not any("Content-Type or Content-Disposition" in d for d in msg.defects)


def test_the_value_the_parser_sees_is_bounded_in_length_and_parameters() -> None:
    long_value = f'text/plain; charset=utf-8; name="{JUNK}"'
    assert len(bounded_params(long_value)) <= MAX_PARAM_HEADER_CHARS
    assert bounded_params(long_value) == "text/plain; charset=utf-8"
    many = "text/plain" + "".join(f"; p{i}=v" for i in range(5_000))
    assert bounded_params(many).count(";") == MAX_PARAMS
    header = POLICY.header_fetch_parse("Content-Type", long_value)
    assert len(str(header)) <= MAX_PARAM_HEADER_CHARS
    honest = "application/pdf; name*0*=utf-8''CV%20L%C3%A9na; name*1=.pdf"
    assert bounded_params(honest) == honest


def test_params_cut_tells_a_cut_part_from_a_whole_one() -> None:
    part = Message()
    part["Content-Disposition"] = "attachment; filename=cv.pdf"
    assert not params_cut(part)
    part["Content-Type"] = "text/plain; x=" + "y" * (MAX_PARAM_HEADER_CHARS + 1)
    assert params_cut(part)
