# ruff: noqa: RUF001  (the Chinese and Japanese messages use their own full-width punctuation)
"""The WRITTEN part of the real-mail corpus: real-shaped messages written for this project where
the public collections are thin (out-of-office replies in many languages, human one-liners and
replies that mention an absence, read receipts, ticket acknowledgements, challenge-response
mail, delay notices and bounces in other languages). Every entry is marked ``origin: written``
in the manifest and counted apart by the bench.

    python tests/corpus/real/written_builder.py   # writes written/*.eml and written/labels.json
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "written"
SENT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
ME = "Sam Rivera <sam.rivera@demo.example>"
REQ_ID = "<req-written@demo.example>"
REQ_SUBJECT = "A 15-minute chat about your work?"

# language: (name, address domain, OOO subject, OOO body, one-liner, absence-mentioning reply)
LANGS: dict[str, tuple[str, str, str, str, str, str]] = {
    "en": ("Alex Morgan", "northwind.example", "Out of Office: {s}",
           "Thank you for your message. I am out of the office until 23 March with limited "
           "access to email. For urgent matters please contact my colleague.",
           "Sure, Thursday works.",
           "Sorry for the slow answer - I was on holiday, so you probably got my auto-reply. "
           "Happy to talk next week, how about Tuesday?"),
    "de": ("Jonas Weber", "kraftwerk.example", "Abwesenheitsnotiz: {s}",
           "Vielen Dank für Ihre Nachricht. Ich bin bis zum 23.03. nicht im Büro und habe "
           "keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an "
           "meine Kollegin.",
           "Ja, gerne!",
           "Entschuldigung, ich war im Urlaub - Sie haben sicher meine Abwesenheitsnotiz "
           "bekommen. Nächste Woche Dienstag passt mir gut."),
    "fr": ("Camille Durand", "lumiere.example", "Réponse automatique : {s}",
           "Bonjour, je suis absente du bureau jusqu'au 23 mars. Je répondrai à votre message "
           "dès mon retour. En cas d'urgence, merci de contacter mon équipe.",
           "Oui, avec plaisir.",
           "Désolée, j'étais en vacances, vous avez sans doute reçu ma réponse automatique. "
           "Je suis de retour : mardi prochain me convient."),
    "es": ("Lucía García", "sol.example", "Respuesta automática: {s}",
           "Gracias por su mensaje. Estoy fuera de la oficina hasta el 23 de marzo. "
           "Responderé a mi regreso. Para asuntos urgentes, contacte con mi equipo.",
           "Sí, perfecto.",
           "Perdona la demora, estaba de vacaciones y seguro recibiste mi respuesta "
           "automática. Ya he vuelto: ¿te va bien el martes?"),
    "it": ("Giulia Rossi", "aurora.example", "Risposta automatica: {s}",
           "Grazie per il messaggio. Sono fuori ufficio fino al 23 marzo con accesso limitato "
           "alla posta. Per urgenze contattare il mio collega.",
           "Certo, va benissimo.",
           "Scusa il ritardo, ero in ferie e avrai ricevuto la mia risposta automatica. Sono "
           "rientrata: martedì prossimo va bene?"),
    "nl": ("Daan de Vries", "polder.example", "Automatisch antwoord: {s}",
           "Bedankt voor uw bericht. Ik ben afwezig tot 23 maart en heb beperkt toegang tot "
           "mijn e-mail. Voor dringende zaken kunt u mijn collega bellen.",
           "Prima, tot dan!",
           "Sorry voor de late reactie, ik was met vakantie - je hebt vast mijn "
           "afwezigheidsmelding gekregen. Ik ben weer terug: dinsdag kan ik."),
    "pt": ("João Silva", "mar.example", "Resposta automática: {s}",
           "Obrigado pela sua mensagem. Estou fora do escritório até 23 de março. Responderei "
           "após o meu regresso. Em caso de urgência, contacte a minha equipa.",
           "Sim, combinado.",
           "Desculpe a demora, estava de férias e deve ter recebido a minha resposta "
           "automática. Já estou de volta: terça-feira serve?"),
    "pl": ("Anna Kowalska", "wisla.example", "Odpowiedź automatyczna: {s}",
           "Dziękuję za wiadomość. Jestem na urlopie do 23 marca i mam ograniczony dostęp do "
           "poczty. W pilnych sprawach proszę kontaktować się z moim zespołem.",
           "Tak, pasuje.",
           "Przepraszam za zwłokę, byłam na urlopie, pewnie dostał Pan moją automatyczną "
           "odpowiedź. Już wróciłam - wtorek mi pasuje."),
    "sv": ("Erik Lindqvist", "fjord.example", "Autosvar: {s}",
           "Tack för ditt mejl. Jag är på semester till och med 23 mars och har begränsad "
           "tillgång till e-post. I brådskande ärenden, kontakta min kollega.",
           "Ja, det passar bra.",
           "Förlåt sent svar, jag var på semester så du fick nog mitt autosvar. Jag är "
           "tillbaka nu - passar tisdag?"),
    "da": ("Freja Jensen", "bolge.example", "Automatisk svar: {s}",
           "Tak for din mail. Jeg er på ferie indtil 23. marts og har begrænset adgang til "
           "e-mail. I hastesager kan du kontakte min kollega.",
           "Ja, det passer fint.",
           "Undskyld det sene svar, jeg var på ferie og du har nok fået mit automatiske svar. "
           "Jeg er tilbage nu - passer tirsdag?"),
    "fi": ("Aino Virtanen", "jarvi.example", "Automaattinen vastaus: {s}",
           "Kiitos viestistäsi. Olen lomalla 23.3. asti. Vastaan viestiisi palattuani. "
           "Kiireellisissä asioissa ota yhteyttä kollegaani.",
           "Kyllä, sopii hyvin.",
           "Anteeksi hidas vastaus, olin lomalla ja sait varmaan automaattisen vastaukseni. "
           "Olen taas paikalla - sopiiko tiistai?"),
    "cs": ("Petr Novák", "vltava.example", "Automatická odpověď: {s}",
           "Děkuji za zprávu. Jsem na dovolené do 23. března a mám omezený přístup k e-mailu. "
           "V naléhavých případech kontaktujte mého kolegu.",
           "Ano, hodí se mi to.",
           "Omlouvám se za pozdní odpověď, byl jsem na dovolené, určitě vám přišla moje "
           "automatická odpověď. Jsem zpět - hodí se úterý?"),
    "ru": ("Ирина Смирнова", "neva.example", "Автоматический ответ: {s}",
           "Спасибо за ваше письмо. Я в отпуске до 23 марта и не проверяю почту. По срочным "
           "вопросам обращайтесь к моему коллеге.",
           "Да, подходит.",
           "Извините за задержку, я была в отпуске, вы наверняка получили мой автоответ. Я "
           "вернулась - вторник подойдёт?"),
    "ja": ("佐藤 花子", "sakura.example", "自動返信: {s}",
           "メールありがとうございます。3月23日まで休暇中のため不在にしております。"
           "戻り次第ご返信いたします。お急ぎの方は同僚までご連絡ください。",
           "はい、大丈夫です。",
           "返信が遅れてすみません。休暇中だったので自動返信が届いたと思います。"
           "戻りましたので、来週火曜日はいかがでしょうか。"),
    "zh": ("王芳", "changjiang.example", "自动回复: {s}",
           "感谢您的来信。我正在休假，3月23日返回，回来后会尽快回复您。如有急事，请联系我的同事。",
           "好的，没问题。",
           "抱歉回复晚了，我之前在休假，您应该收到了我的自动回复。我回来了，下周二可以吗？"),
    "tr": ("Elif Yılmaz", "bogaz.example", "Otomatik yanıt: {s}",
           "Mesajınız için teşekkürler. 23 Mart'a kadar izindeyim ve e-postalara sınırlı "
           "erişimim var. Acil durumlarda lütfen meslektaşıma ulaşın.",
           "Evet, uygun.",
           "Geç cevap için kusura bakmayın, tatildeydim; otomatik yanıtımı almışsınızdır. "
           "Geri döndüm - salı uygun mu?"),
    "hu": ("Nagy Eszter", "duna.example", "Automatikus válasz: {s}",
           "Köszönöm az üzenetét. Szabadságon vagyok március 23-ig, és korlátozottan férek "
           "hozzá az e-mailjeimhez. Sürgős esetben keresse a kollégámat.",
           "Igen, jó.",
           "Elnézést a késésért, szabadságon voltam, biztosan megkapta az automatikus "
           "válaszomat. Visszatértem - kedd megfelel?"),
}  # fmt: skip

BOUNCES = {  # language: (sender, subject, body)
    "de": ("Mail-Gateway <mail-gateway@kraftwerk.example>", "Unzustellbar: {s}",
           "Ihre Nachricht konnte nicht zugestellt werden.\n\nEmpfänger: {to}\n"
           "Grund: 550 5.1.1 Empfänger unbekannt"),
    "fr": ("Système de messagerie <mailer@lumiere.example>", "Message non remis : {s}",
           "Votre message n'a pas pu être remis au destinataire {to}.\n"
           "Raison : 550 5.1.1 adresse inconnue"),
    "es": ("Sistema de correo <postmaster@sol.example>", "No se puede entregar: {s}",
           "No se pudo entregar su mensaje a {to}.\nMotivo: 550 5.1.1 usuario desconocido"),
    "it": ("Sistema di posta <mailer-daemon@aurora.example>", "Mancato recapito: {s}",
           "Impossibile recapitare il messaggio a {to}.\nMotivo: 550 5.1.1 utente sconosciuto"),
    "ja": ("メールシステム <mail-system@sakura.example>", "メール配信エラー: {s}",
           "次の宛先にメールを配送できませんでした: {to}\n550 5.1.1 User unknown"),
    "ru": ("Почтовая система <mailer-daemon@neva.example>", "Не доставлено: {s}",
           "Ваше сообщение не может быть доставлено адресату {to}.\n550 5.1.1 User unknown"),
    "sv": ("Mail Delivery System <mail.delivery.system@fjord.example>", "Olevererbart: {s}",
           "Meddelandet kunde inte levereras till {to}.\n550 5.1.1 okänd mottagare"),
}  # fmt: skip
DELAYS = {
    "en": ("Mail Delivery Subsystem <MAILER-DAEMON@relay.example>",
           "Warning: could not send message for past 4 hours",
           "Your message to {to} has not yet been delivered. It will be retried for 4 more "
           "days. You do not need to resend your message."),
    "de": ("Mail Delivery System <MAILER-DAEMON@kraftwerk.example>",
           "Zustellung verzögert: {s}",
           "Ihre Nachricht an {to} wurde noch nicht zugestellt. Die Zustellung wird weiter "
           "versucht."),
    "fr": ("Système de messagerie <postmaster@lumiere.example>", "Remise retardée : {s}",
           "Votre message à {to} n'a pas encore été remis ; la remise est retardée et sera "
           "réessayée."),
    "es": ("Sistema de correo <postmaster@sol.example>", "Entrega retrasada: {s}",
           "Su mensaje a {to} aún no se ha entregado. La entrega está retrasada."),
    "nl": ("Mail Delivery System <mailer-daemon@polder.example>", "Bezorging vertraagd: {s}",
           "Uw bericht aan {to} is nog niet bezorgd; de bezorging is vertraagd."),
}  # fmt: skip
RECEIPTS = {"en": "Read: {s}", "de": "Gelesen: {s}", "fr": "Lu : {s}", "es": "Leído: {s}",
            "it": "Letto: {s}", "nl": "Gelezen: {s}", "pl": "Przeczytano: {s}"}  # fmt: skip
TICKETS = {  # language: (subject, body)
    "en": ("[Ticket #48213] Re: {s}",
           "Thank you for contacting us. Your request has been received and a member of our "
           "team will respond shortly. Ticket number: 48213."),
    "de": ("[Ticket #48214] Ihre Anfrage ist eingegangen",
           "Vielen Dank für Ihre Anfrage. Ticket-Nr. 48214 - wir melden uns in Kürze."),
    "fr": ("[#48215] Votre demande a été reçue",
           "Merci de nous avoir contactés. Votre demande a été enregistrée sous le n° 48215."),
    "es": ("[Ticket #48216] Hemos recibido su solicitud",
           "Hemos recibido su solicitud. Le responderemos lo antes posible."),
    "pt": ("[Ticket #48217] Recebemos a sua solicitação",
           "Recebemos a sua solicitação e responderemos em breve."),
    "nl": ("[Ticket #48218] We hebben uw aanvraag ontvangen",
           "We hebben uw aanvraag ontvangen en nemen zo snel mogelijk contact op."),
}  # fmt: skip
CHALLENGES = {
    "en": "I protect my inbox from spam with a challenge-response filter. Please confirm that "
          "you are a human by clicking the link below; you only need to do this once.",
    "de": "Ich schütze mein Postfach vor Spam. Bitte bestätigen Sie, dass Sie ein Mensch sind, "
          "indem Sie den Link klicken - Sie müssen das nur einmal tun.",
    "fr": "Je protège ma boîte contre le spam (challenge-response). Merci de confirmer que vous "
          "êtes humain en cliquant sur le lien ci-dessous.",
    "es": "Protejo mi buzón del spam con un filtro challenge-response. Confirme que es una "
          "persona haciendo clic en el enlace.",
    "it": "Proteggo la mia casella dallo spam con un sistema challenge-response. Conferma di "
          "essere una persona cliccando il link.",
}  # fmt: skip
LONG_EN = (
    "Hi Sam,\n\nThanks for reaching out, and apologies for the slow reply - March has been "
    "busy. I'd be glad to talk. A bit of context first: I moved into product from support "
    "about six years ago, so I know the path you are describing.\n\nMy calendar is tight "
    "this week, but Tuesday 17 March at 16:30 works. If that does not suit you, send me two "
    "or three other times and I'll pick one.\n\nIn the meantime, it may help to read the "
    "two posts on our team blog about how we run discovery; we can go through your questions "
    "about them.\n\nBest,\nAlex"
)


def message(
    sender: str,
    subject: str,
    body: str,
    extra: list[tuple[str, str]],
    n: int,
    content_type: str = 'text/plain; charset="utf-8"',
    reply: bool = True,
) -> bytes:
    date = format_datetime(SENT + timedelta(hours=n))
    headers = [("From", sender), ("To", ME), ("Subject", subject), ("Date", date),
               ("Message-ID", f"<written-{n}@corpus.example>")]  # fmt: skip
    if reply:
        headers += [("In-Reply-To", REQ_ID), ("References", REQ_ID)]
    headers += [("MIME-Version", "1.0"), ("Content-Type", content_type),
                ("Content-Transfer-Encoding", "8bit"), *extra]  # fmt: skip
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return (head + "\n" + body + "\n").encode("utf-8")


def quoted(text: str) -> str:
    return f"{text}\n\nOn Mon, 9 Mar 2026 at 09:00, {ME} wrote:\n> Hi,\n> Would a 15-minute call " \
        "this week work for you?\n> Best wishes,\n> Sam Rivera"  # fmt: skip


def build() -> dict[str, tuple[bytes, dict[str, str]]]:
    out: dict[str, tuple[bytes, dict[str, str]]] = {}
    n = 0

    def add(name: str, label: str, lang: str, raw: bytes, note: str) -> None:
        out[f"{name}.eml"] = (raw, {"label": label, "lang": lang, "note": note})

    for lang, (who, domain, ooo_subject, ooo, short, mention) in LANGS.items():
        n += 1
        sender = f"{who} <{who.split()[0].lower()}@{domain}>"
        subject = ooo_subject.format(s=REQ_SUBJECT)
        add(f"ooo_{lang}_subject_and_body", "auto_reply", lang,
            message(sender, subject, ooo, [], n), "out-of-office, no header marker")  # fmt: skip
        n += 1
        add(f"ooo_{lang}_auto_submitted", "auto_reply", lang,
            message(sender, f"Re: {REQ_SUBJECT}", ooo, [("Auto-Submitted", "auto-replied")], n),
            "out-of-office, RFC 3834 header, plain subject")  # fmt: skip
        n += 1
        add(
            f"human_{lang}_one_liner",
            "human",
            lang,
            message(sender, f"Re: {REQ_SUBJECT}", quoted(short), [], n),
            "one-liner",
        )
        n += 1
        add(f"human_{lang}_mentions_auto_reply", "human", lang,
            message(sender, f"Re: {REQ_SUBJECT}", quoted(mention), [], n),
            "a person who mentions their own out-of-office")  # fmt: skip
    for lang in ("en", "de", "fr", "es", "nl"):
        who, domain, ooo_subject, ooo, _, _ = LANGS[lang]
        n += 1
        list_headers = [("List-Id", f"Alumni <alumni.lists.{domain}>"), ("Precedence", "list"),
                        ("List-Unsubscribe", f"<mailto:leave@lists.{domain}>")]  # fmt: skip
        add(f"ooo_{lang}_via_list", "auto_reply", lang,
            message(f"{who} <{who.split()[0].lower()}@{domain}>", ooo_subject.format(
                s="[alumni] Coffee chats"), ooo, list_headers, n),
            "out-of-office relayed through a mailing list")  # fmt: skip
    n += 1
    add("human_en_long", "human", "en",
        message("Alex Morgan <alex@northwind.example>", f"Re: {REQ_SUBJECT}", quoted(LONG_EN),
                [], n), "long reply")  # fmt: skip
    for lang, (sender, subject, body) in BOUNCES.items():
        n += 1
        to = f"someone@{LANGS[lang][1]}"
        add(f"bounce_{lang}_text", "bounce", lang,
            message(sender, subject.format(s=REQ_SUBJECT), body.format(to=to),
                    [("Return-Path", "<>")], n, reply=False), "text bounce, localised")  # fmt: skip
    for lang, (sender, subject, body) in DELAYS.items():
        n += 1
        to = f"someone@{LANGS[lang][1]}"
        add(f"delay_{lang}_text", "delay", lang,
            message(sender, subject.format(s=REQ_SUBJECT), body.format(to=to),
                    [("Return-Path", "<>")], n, reply=False),
            "delay notice, no RFC 3464")  # fmt: skip
    for lang, subject in RECEIPTS.items():
        n += 1
        who, domain = LANGS[lang][0], LANGS[lang][1]
        boundary = f"mdn-{n}"
        body = (
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{subject.format(s=REQ_SUBJECT)}\n\n"
            f"--{boundary}\nContent-Type: message/disposition-notification\n\n"
            f"Reporting-UA: mail.{domain}\nFinal-Recipient: rfc822;x@{domain}\n"
            f"Disposition: manual-action/MDN-sent-manually; displayed\n\n--{boundary}--"
        )
        ctype = f'multipart/report; report-type=disposition-notification; boundary="{boundary}"'
        add(f"read_receipt_{lang}", "read_receipt", lang,
            message(f"{who} <r@{domain}>", subject.format(s=REQ_SUBJECT), body, [], n, ctype),
            "RFC 3798 read receipt")  # fmt: skip
    for lang, (subject, body) in TICKETS.items():
        n += 1
        domain = LANGS[lang][1]
        extra = [("Auto-Submitted", "auto-replied")]
        if lang in ("en", "fr"):
            extra.append(("X-Zendesk-From-Account-Id", "7f21c"))
        add(f"ticket_{lang}", "ticket", lang,
            message(f"Support <support@{domain}>", subject.format(s=REQ_SUBJECT), body, extra, n),
            "ticket-system acknowledgement")  # fmt: skip
    for lang, text in CHALLENGES.items():
        n += 1
        domain = LANGS[lang][1]
        body = f"{text}\n\nhttps://verify.{domain}/c/8a7f"
        add(f"challenge_{lang}", "challenge", lang,
            message(f"Verify <verify@{domain}>", f"Re: {REQ_SUBJECT}", body,
                    [("Auto-Submitted", "auto-replied")], n), "challenge-response")  # fmt: skip
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    built = build()
    for old in OUT.glob("*.eml"):
        if old.name not in built:
            old.unlink()
    for name, (raw, _) in built.items():
        (OUT / name).write_bytes(raw)
    labels = {name: info for name, (_, info) in sorted(built.items())}
    (OUT / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
    print(len(built), "written messages")


if __name__ == "__main__":
    main()
