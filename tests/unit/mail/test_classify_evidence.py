"""Evidence that weighs against the obvious first reading: a person who writes from postmaster@
in a mail program, a sales tool's List-Unsubscribe on one person's reply, a List-Id that is no
list's identifier, a sender's history of genuine replies; and, the other way, a mailing list
manager's rejection (no MAILER-DAEMON, no report) that returns the message."""

from __future__ import annotations

from mail.classify import classify, label_of
from mail.mime import parse_message
from mail.provider import Classification, MessageRef


def read(headers: str, body: str, **kwargs: object) -> Classification:
    raw = (
        headers.strip().replace("\n", "\r\n")
        + "\r\nDate: Mon, 09 Mar 2026 10:00:00 +0000\r\n\r\n"
        + body.replace("\n", "\r\n")
    ).encode()
    return classify(parse_message(raw, MessageRef("m", "t")), **kwargs)  # type: ignore[arg-type]


POSTMASTER_PERSON = """
From: Bob Lindqvist <postmaster@lindqvist.example>
To: sam.rivera@demo.example
Subject: The link you asked for
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1
"""


def test_a_person_writing_from_postmaster_in_a_mail_program_is_human() -> None:
    got = read(POSTMASTER_PERSON, "Here it is: https://lindqvist.example/notes\n\nBob\n")
    assert label_of(got) == "human", got.evidence
    assert "mail program" in got.evidence
    # The same address without a mail program is read as the mail system it usually is.
    bare = POSTMASTER_PERSON.replace("Bob Lindqvist", "Mail System").split("User-Agent")[0]
    assert label_of(read(bare, "Here it is.\n")) == "bounce"


def test_a_real_bounce_from_a_mail_program_looking_sender_is_still_a_bounce() -> None:
    got = read(
        POSTMASTER_PERSON.replace("The link you asked for", "Undeliverable: coffee next week?"),
        "Delivery has failed to these recipients:\n\nlena@fjord.example\n"
        "Remote server returned '550 5.1.1 User unknown'\n",
    )
    assert got.kind == "bounce" and got.permanent, got.evidence


REPLY_WITH_UNSUBSCRIBE = """
From: Priya Nair <priya.nair@brightpath.example>
To: sam.rivera@demo.example
Subject: RE: Coffee chat about product design?
In-Reply-To: <req-1@demo.example>
X-Mailer: Microsoft Outlook 16.0
List-Unsubscribe: <https://track.salesloft.example/unsub/77>
"""


def test_a_reply_in_the_thread_with_a_sales_tools_list_unsubscribe_is_human() -> None:
    got = read(REPLY_WITH_UNSUBSCRIBE, "Thursday at 3pm works for me.\n\nPriya\n")
    assert label_of(got) == "human", got.evidence
    # Not in a thread and from no mail program, the same header is a mailing.
    mailing = REPLY_WITH_UNSUBSCRIBE.replace("RE: ", "").replace("X-Mailer", "X-Campaign")
    mailing = mailing.replace("In-Reply-To: <req-1@demo.example>\n", "")
    assert label_of(read(mailing, "Our spring newsletter.\n")) == "bulk"


def test_a_discussion_list_post_stays_bulk_though_a_person_wrote_it() -> None:
    headers = REPLY_WITH_UNSUBSCRIBE + (
        "List-Id: Design practice <design.lists.example>\n"
        "List-Post: <mailto:design@lists.example>\n"
        "List-Help: <mailto:design-request@lists.example?subject=help>\n"
        "List-Archive: <https://lists.example/archives/design>\n"
    )
    got = read(headers, "I agree with the previous poster.\n")
    assert label_of(got) == "bulk", got.evidence
    assert "list commands" in got.evidence


def test_a_list_id_that_is_no_rfc_2919_identifier_is_weak_evidence() -> None:
    headers = """
From: "Andrei Kuznetsov" <ak@kuznetsov.example>
To: <abuse@registrar.example>
Subject: copies of our software
X-Mailer: Microsoft Outlook, Build 10.0.4024
List-Id:  abuse@registrar.example Mailing List
"""
    assert label_of(read(headers, "Please see the site below.\n")) == "human"
    proper = headers.replace("abuse@registrar.example Mailing List", "<abuse.registrar.example>")
    assert label_of(read(proper, "Please see the site below.\n")) == "bulk"


def test_a_senders_history_of_genuine_replies_weighs_towards_a_reply() -> None:
    headers = """
From: Lena Svensson <lena.svensson@fjord.example>
To: sam.rivera@demo.example
Subject: Notes for our call
List-Unsubscribe: <https://outreach.fjord.example/u/1>
"""
    assert label_of(read(headers, "Some notes.\n")) == "bulk"
    got = read(headers, "Some notes.\n", replied_before=2)
    assert label_of(got) == "human"
    assert "wrote 2 genuine replies before" in got.evidence
    # History never hides her out-of-office or a delivery report about her address.
    away = headers.replace("Notes for our call", "Out of office: Notes for our call")
    away += "Auto-Submitted: auto-replied\n"
    assert label_of(read(away, "I am away until 20 March.\n", replied_before=5)) == "auto_reply"
    report = """
From: Mail Delivery System <MAILER-DAEMON@fjord.example>
To: sam.rivera@demo.example
Subject: Undelivered Mail Returned to Sender
X-Failed-Recipients: lena.svensson@fjord.example
"""
    got = read(report, "This message could not be delivered.\n", replied_before=5)
    assert got.kind == "bounce"


LIST_MANAGER = """
From: design-request@lists.example
To: sam.rivera@demo.example
Subject: Your message to design (design ML)
"""


def test_a_list_managers_rejection_is_a_bounce() -> None:
    for body in (
        "You are not a member of this mailing list <design@lists.example>.\n",
        "Sorry, only subscribers may post to this list.\n",
        "You are not allowed to post to this mailing list, and your message has been "
        "automatically rejected.\n",
    ):
        got = read(LIST_MANAGER, body)
        assert got.kind == "bounce", (body, got.evidence)
    # A person at a -request address who writes something else is not.
    assert read(LIST_MANAGER, "Thanks, I added you to the list.\n").kind == "human"


def test_a_returned_copy_of_the_message_trace_is_bounce_evidence() -> None:
    returned = (
        "Duplicated Message-ID in <design@lists.example>.\n\nOriginal mail as follows:\n\n"
        "   Return-Path: <sam.rivera@demo.example>\n"
        "   Received: from mx.demo.example (mx.demo.example [192.0.2.1])\n"
        "   \tby lists.example (Postfix) with ESMTP id 1A2B3C\n"
        "   Subject: Coffee chat?\n"
    )
    got = read(LIST_MANAGER.replace("design-request", "owner-design"), returned)
    assert got.kind == "bounce", got.evidence
    assert "trace fields" in got.evidence
    # A person who pastes headers into a reply is still a person.
    person = LIST_MANAGER.replace("design-request@lists.example", "ana@lists.example")
    pasted = "Here are the headers you asked for:\n\n" + returned.split("follows:\n\n")[1]
    assert read(person, pasted).kind == "human"


def test_body_phrases_are_found_in_any_case_but_not_inside_a_word() -> None:
    from mail.phrasebook import TextPattern, phrasebook

    body = phrasebook().bounce_body
    found = body.search("Your message COULD NOT BE DELIVERED to lena@fjord.example")
    assert found is not None and found.group(0).endswith("could not be delivered")
    # "does not exist" is a phrase; inside a longer word it is not one.
    assert body.search("The mailbox Does Not Exist.") is not None
    assert body.search("xdoes not existing") is None
    # CJK text has no spaces: its phrases are found inside a run of text.
    assert body.search("メッセージは配送できませんでした。") is not None
    # A phrase's escapes keep their meaning in lower case (\S is not \s).
    mixed = TextPattern([r"Host \S+ Said:", "Abwesend"])
    assert mixed.search("host mx.fjord.example said: 550") is not None
    assert mixed.search("host  said:") is None
    assert mixed.search("ICH BIN ABWESEND") is not None


QMAIL_TEXT = (
    "Hi. This is the qmail-send program at gw.fjord.example.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
    "<lena.svensson@fjord.example>:\nSorry, no mailbox here by that name.\n\n"
    "--- Below this line is a copy of the message.\n\nSubject: Coffee chat?\n"
)


def test_text_bounces_of_documented_mta_formats_from_gateway_senders() -> None:
    cases = [
        # qmail's bounce format (QSBMF), sent on by a gateway under its own name.
        ("mail-relay@gw.fjord.example", "Returned", QMAIL_TEXT),
        # Exim's wording, from a mail server's mailbox.
        (
            "mailserver@fjord.example",
            "Mail not sent",
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its recipients.\n\n"
            "  lena.svensson@fjord.example\n    host mx.fjord.example [192.0.2.7]\n"
            "    550 5.1.1 User unknown\n",
        ),
        # Sendmail's wording, from an address that does not say it is a mail system.
        (
            "relay-admin@fjord.example",
            "Notice",
            "The original message was received at Mon, 9 Mar 2026 10:00:00 +0100\n\n"
            "   ----- The following addresses had permanent fatal errors -----\n"
            "<lena.svensson@fjord.example>\n\n   ----- Transcript of session follows -----\n"
            "550 5.1.1 <lena.svensson@fjord.example>... User unknown\n",
        ),
    ]
    for sender, subject, body in cases:
        headers = f"From: {sender}\nTo: sam.rivera@demo.example\nSubject: {subject}\n"
        got = read(headers, body)
        assert got.kind == "bounce" and got.permanent, (sender, got.evidence)
        assert "lena.svensson@fjord.example" in got.bounced_addresses, got.bounced_addresses


def test_a_returned_header_part_is_bounce_evidence_but_not_in_a_read_receipt() -> None:
    def report(kind: str, sender: str) -> str:
        return (
            f"From: {sender}\nTo: sam.rivera@demo.example\nSubject: Notification\n"
            f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n'
            if kind == "mixed"
            else f"From: {sender}\nTo: sam.rivera@demo.example\nSubject: Read: Coffee chat?\n"
            "MIME-Version: 1.0\nContent-Type: multipart/report; "
            'report-type=disposition-notification; boundary="b"\n'
        )

    parts = (
        "--b\nContent-Type: text/plain\n\nYour message to lena.svensson@fjord.example "
        "could not be delivered.\n--b\nContent-Type: text/rfc822-headers\n\n"
        "Subject: Coffee chat?\nTo: lena.svensson@fjord.example\n--b--\n"
    )
    got = read(report("mixed", "notify@gw.fjord.example"), parts)
    assert got.kind == "bounce", got.evidence
    assert "text/rfc822-headers" in got.evidence
    # The phrase alone, without the returned headers, is not enough.
    alone = parts.replace("text/rfc822-headers", "text/plain")
    assert read(report("mixed", "notify@gw.fjord.example"), alone).kind == "human"
    receipt = parts.replace("text/plain\n\n", "message/disposition-notification\n\n", 1)
    got = read(report("mdn", "lena.svensson@fjord.example"), receipt)
    assert label_of(got) == "read_receipt", got.evidence


def test_a_person_in_the_thread_who_tells_of_a_failed_delivery_is_a_person() -> None:
    person = (
        "From: Priya Nair <priya.nair@brightpath.example>\nTo: sam.rivera@demo.example\n"
        "Subject: Re: Coffee chat?\nIn-Reply-To: <req-1@demo.example>\n"
    )
    said = (
        "I forwarded it to Lena but it could not be delivered; the server said "
        "550 5.1.1. Try lena@newfjord.example.\n"
    )
    assert read(person, said).kind == "human"
    # Out of the thread, the same words are read as the report they look like.
    assert read(person.replace("Re: ", "").split("In-Reply-To")[0], said).kind == "bounce"
    # In the thread, a mail system's report is still a report.
    report = person.replace("Priya Nair <priya.nair", "Mail Delivery System <mailer-daemon")
    assert read(report, said).kind == "bounce"
