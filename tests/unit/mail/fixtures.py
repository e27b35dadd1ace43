"""Realistic raw messages, written for these tests (shapes follow what the real services send)."""

from __future__ import annotations

from hypothesis import strategies as st

GMAIL_VACATION = b"""\
Delivered-To: sam.rivera@demo.example
Received: by 2002:a05:6a10:9f4a:b0:4f2:1c3e:7a10 with SMTP id x10csp123456pxb;
        Tue, 10 Mar 2026 09:02:11 -0700 (PDT)
Return-Path: <jane.doe@gmail.example>
Received: from mail-sor-f41.google.example (mail-sor-f41.google.example. [198.51.100.41])
        by mx.google.example with SMTPS id a640c23a62f3a-a8d2b0c1e4fsor1234567ed.5.2026.03.10;
        Tue, 10 Mar 2026 09:02:10 -0700 (PDT)
MIME-Version: 1.0
From: Jane Doe <Jane.Doe@gmail.example>
Date: Tue, 10 Mar 2026 09:02:09 -0700
Message-ID: <CAHk1vacation42@mail.gmail.example>
Subject: Out of office: Quick question about your work at Acme
In-Reply-To: <req-1@demo.example>
References: <req-1@demo.example>
To: Sam Rivera <sam.rivera@demo.example>
Auto-Submitted: auto-replied
X-Autoreply: yes
Content-Type: multipart/alternative; boundary="000000000000abcdef0123456789"

--000000000000abcdef0123456789
Content-Type: text/plain; charset="UTF-8"

Hi,

I'm travelling until Monday, March 16th, with limited access to email.
I'll reply when I'm back.

Jane

--000000000000abcdef0123456789
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Hi,<br><br>I&#39;m travelling until Monday, March 16th, with limited access to
 email.<br>I&#39;ll reply when I&#39;m back.<br><br>Jane</div>

--000000000000abcdef0123456789--
"""

EXCHANGE_OOO = b"""\
Received: from AM9PR01MB1234.eurprd01.prod.outlook.example (2603:10a6:20b:3e4::12) by
 AM9PR01MB5678.eurprd01.prod.outlook.example with HTTPS; Wed, 11 Mar 2026 08:15:02 +0000
From: "Weber, Jonas" <Jonas.Weber@contoso.example>
To: Sam Rivera <sam.rivera@demo.example>
Subject: Automatic reply: A 15-minute chat?
Thread-Topic: A 15-minute chat?
Thread-Index: AQHahrCRTn5Q0o3tV0K4m2vR0J8Q6g==
Date: Wed, 11 Mar 2026 08:15:01 +0000
Message-ID: <AM9PR01MB1234ABCD@AM9PR01MB1234.eurprd01.prod.outlook.example>
In-Reply-To: <req-2@demo.example>
References: <req-2@demo.example>
Content-Language: de-DE
X-MS-Has-Attach:
X-MS-Exchange-Organization-SCL: -1
X-MS-Exchange-Inbox-Rules-Loop: Jonas.Weber@contoso.example
X-MS-Exchange-Organization-AutoReply: true
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

Vielen Dank f=FCr Ihre Nachricht. Ich bin bis zum 20.03.2026 nicht im B=FCro
und habe keinen Zugriff auf meine E-Mails.

Thank you for your message. I am out of the office until 20 March 2026.
"""

OUTLOOK_HUMAN_WITH_SUPPRESS = b"""\
From: Priya Nair <priya.nair@brightpath.example>
To: Sam Rivera <sam.rivera@demo.example>
Subject: RE: A 15-minute chat?
Thread-Topic: A 15-minute chat?
Date: Wed, 11 Mar 2026 10:00:00 +0000
Message-ID: <DB8PR01MB9999@DB8PR01MB9999.eurprd01.prod.outlook.example>
In-Reply-To: <req-3@demo.example>
References: <req-3@demo.example>
X-Auto-Response-Suppress: All
X-MS-Exchange-Organization-SCL: -1
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0

Hi Sam, Thursday at 10:00 works for me. Talk then!
Priya
"""

RFC3464_DSN = b"""\
Return-Path: <>
Received: by mx.demo.example (Postfix) id 3F1A2C0456; Thu, 12 Mar 2026 14:01:00 +0000 (UTC)
Date: Thu, 12 Mar 2026 14:01:00 +0000 (UTC)
From: MAILER-DAEMON@demo.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sam.rivera@demo.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="3F1A2C0456.1773324060/mx.demo.example"
Message-Id: <20260312140100.3F1A2C0456@mx.demo.example>

This is a MIME-encapsulated message.

--3F1A2C0456.1773324060/mx.demo.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.demo.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<Alex.Moreau@oldcorp.example>: host mx.oldcorp.example[192.0.2.45] said: 550
    5.1.1 <alex.moreau@oldcorp.example>: Recipient address rejected: User
    unknown in virtual mailbox table (in reply to RCPT TO command)

--3F1A2C0456.1773324060/mx.demo.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.demo.example
X-Postfix-Queue-ID: 3F1A2C0456
X-Postfix-Sender: rfc822; sam.rivera@demo.example
Arrival-Date: Thu, 12 Mar 2026 14:00:58 +0000 (UTC)

Final-Recipient: rfc822; Alex.Moreau@oldcorp.example
Original-Recipient: rfc822;alex.moreau@oldcorp.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.oldcorp.example
Diagnostic-Code: smtp; 550 5.1.1 <alex.moreau@oldcorp.example>: Recipient
    address rejected: User unknown in virtual mailbox table

--3F1A2C0456.1773324060/mx.demo.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Sam Rivera <sam.rivera@demo.example>
To: alex.moreau@oldcorp.example
Subject: A 15-minute chat?
Message-ID: <req-4@demo.example>

--3F1A2C0456.1773324060/mx.demo.example--
"""

DELAYED_DSN = RFC3464_DSN.replace(b"Action: failed", b"Action: delayed").replace(
    b"Status: 5.1.1", b"Status: 4.4.1"
)

# An old-style Postfix bounce: no delivery-status part, only the text notification.
POSTFIX_TEXT_BOUNCE = b"""\
Return-Path: <>
Date: Thu, 12 Mar 2026 15:30:00 +0100 (CET)
From: MAILER-DAEMON@mail.legacy.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sam.rivera@demo.example
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="A1B2C3D4.1773325800/mail.legacy.example"
Message-Id: <20260312143000.A1B2C3D4@mail.legacy.example>

This is a MIME-encapsulated message.

--A1B2C3D4.1773325800/mail.legacy.example
Content-Description: Notification
Content-Type: text/plain

This is the Postfix program at host mail.legacy.example.

I'm sorry to have to inform you that the message returned
below could not be delivered to one or more destinations.

For further assistance, please send mail to <postmaster>

If you do so, please include this problem report. You can
delete your own text from the message returned below.

\t\t\tThe Postfix program

<bob.gone@legacy.example>: unknown user: "bob.gone"

--A1B2C3D4.1773325800/mail.legacy.example
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: Sam Rivera <sam.rivera@demo.example>
To: bob.gone@legacy.example
Subject: A 15-minute chat?
Message-ID: <req-5@demo.example>

Hi Bob, ...

--A1B2C3D4.1773325800/mail.legacy.example--
"""

QMAIL_BOUNCE = b"""\
Return-Path: <>
Date: 12 Mar 2026 16:00:00 -0000
From: MAILER-DAEMON@qmail.example
To: sam.rivera@demo.example
Subject: failure notice
Message-ID: <20260312160000.12345.qmail@qmail.example>

Hi. This is the qmail-send program at qmail.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<carol@qmail.example>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

From: Sam Rivera <sam.rivera@demo.example>
To: carol@qmail.example
Subject: A 15-minute chat?
"""

NEWSLETTER = b"""\
From: The Product Weekly <digest@news.productweekly.example>
To: sam.rivera@demo.example
Subject: This week: roadmaps
Date: Mon, 09 Mar 2026 07:00:00 +0000
Message-ID: <weekly-2026-10@news.productweekly.example>
List-Id: The Product Weekly <weekly.news.productweekly.example>
List-Unsubscribe: <https://news.productweekly.example/u?x=1>,
 <mailto:unsubscribe@news.productweekly.example>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Feedback-ID: 1234:weekly:productweekly
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red }</style><script>track()</script></head>
<body><h1>The Product Weekly</h1><p>Three roadmap formats &amp; more.</p></body></html>
"""

HUMAN_QUOTING_OOO = b"""\
From: Jonas Weber <jonas.weber@contoso.example>
To: Sam Rivera <sam.rivera@demo.example>
Subject: Re: Automatic reply: A 15-minute chat?
Date: Mon, 23 Mar 2026 09:30:00 +0100
Message-ID: <human-after-ooo@contoso.example>
In-Reply-To: <AM9PR01MB1234ABCD@AM9PR01MB1234.eurprd01.prod.outlook.example>
References: <req-2@demo.example>
 <AM9PR01MB1234ABCD@AM9PR01MB1234.eurprd01.prod.outlook.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Sam, sorry for the delay - I am back now. Happy to talk next week.

Jonas

On Wed, 11 Mar 2026, Jonas Weber wrote:
> Thank you for your message. I am out of the office until 20 March 2026.
> Auto-Submitted: auto-replied
"""

GERMAN_SUBJECT_ONLY = b"""\
From: Klaus Berger <k.berger@firma.example>
To: sam.rivera@demo.example
Subject: Abwesenheitsnotiz: Kurze Frage
Date: Tue, 10 Mar 2026 11:00:00 +0100
Message-ID: <abw-1@firma.example>
Content-Type: text/plain; charset=utf-8

Guten Tag, ich bin bis Freitag, 13.03.2026 nicht im Haus.
"""

PLAIN_HUMAN = b"""\
From: Maya Chen <maya.chen@lumen.example>
To: Sam Rivera <sam.rivera@demo.example>, "Ops" <OPS@Lumen.example>
Cc: Erin Park <Erin.Park@Northwind.example>
Subject: =?utf-8?q?Re=3A_Caf=C3=A9_chat?=
Date: Mon, 09 Mar 2026 12:40:00 -0400
Message-ID: <maya-1@lumen.example>
In-Reply-To: <req-1@demo.example>
References: <req-0@demo.example>
 <req-1@demo.example>
Auto-Submitted: no
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thursday at 10:00 works for me.
"""


ALL_FIXTURES: list[bytes] = [
    value for name, value in list(vars().items()) if name.isupper() and isinstance(value, bytes)
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(ALL_FIXTURES)))
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "chunk"]))
        pos = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(min_value=0, max_value=255))
        elif op == "insert":
            data[pos:pos] = draw(
                st.sampled_from(
                    [b"\n", b"\r\n", b":", b"=?", b"?=", b"<", b">", b";", b"\x00", b"\xff",
                     b"--", b"=?utf-8?b?", b"charset=\"", b"boundary=", b"\n\t", b"@", b"\""]
                )
            )  # fmt: skip
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(min_value=1, max_value=40))]
        else:
            data[pos:pos] = draw(st.binary(max_size=30))
    return bytes(data)
