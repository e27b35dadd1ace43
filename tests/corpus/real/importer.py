"""Rebuild the real-mail corpus (messages.zip + manifest.json) from local git snapshots of its
public sources; SOURCES.md says which and under what licence.

    python tests/corpus/real/importer.py --mirrors DIR [--written tests/corpus/real/written]

``DIR`` holds one bare git directory per source, named ``owner+name`` (with the repository
under ``owner+name/repo``). Labels come from outside this project wherever possible: sisimai's
own test expectations (the reason it gives each of its sample bounces), the RFC 3464 ``Action``
field of a report, and, for the few fixtures of other projects, a per-file label table below,
decided by reading each message. Nothing here runs Coffeechat's classifier.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import zipfile
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ZIP_NAME = "messages.zip"
MANIFEST = "manifest.json"
#: Bodies beyond this are cut (the headers and the first part are what classification reads).
MAX_BYTES = 120_000
LABELS = ("human", "bounce", "delay", "auto_reply", "challenge", "ticket", "bulk", "read_receipt")

SISIMAI_EMAILS = ("sisimai/set-of-emails", "BSD-2-Clause")
SISIMAI_TESTS = "sisimai/p5-sisimai"
FLANKER = ("mailgun/flanker", "Apache-2.0")
RUBY_MAIL = ("mikel/mail", "MIT")
BOUNCEPARSER = ("rjbs/Mail-DeliveryStatus-BounceParser", "Artistic-1.0-Perl OR GPL-1.0-or-later")
PHP_BOUNCE = ("cfortune/PHP-Bounce-Handler", "BSD-3-Clause")
MIMEKIT = ("jstedfast/MimeKit", "MIT")
ENMIME = ("jhillyerd/enmime", "MIT")
MAILPARSER_JS = ("nodemailer/mailparser", "MIT")

# Per-file labels of the other projects' fixtures, decided by reading each message. Files left
# out are not mail a person receives (DKIM canonicalisation snippets, attachments, bare MIME
# structure tests) or are damaged beyond what a label can say.
FLANKER_LABELS = {
    "tests/fixtures/messages/8bitmime.eml": "human",
    "tests/fixtures/messages/apache-message-news-mime.eml": "bulk",
    "tests/fixtures/messages/bilingual-simple.eml": "human",
    "tests/fixtures/messages/bounce/broken-mime.eml": "bounce",
    "tests/fixtures/messages/bounce/delayed.eml": "bounce",
    "tests/fixtures/messages/bounce/gmail-invalid-address.eml": "bounce",
    "tests/fixtures/messages/bounce/gmail-no-dns.eml": "bounce",
    "tests/fixtures/messages/bounce/mailbox-full.eml": "bounce",
    "tests/fixtures/messages/bounce/no-mx.eml": "delay",
    "tests/fixtures/messages/bounce/office365.eml": "bounce",
    "tests/fixtures/messages/bounce/zed.eml": "bounce",
    "tests/fixtures/messages/bz2-attachment.eml": "human",
    "tests/fixtures/messages/disposition-notification.eml": "read_receipt",
    "tests/fixtures/messages/enclosed.eml": "human",
    "tests/fixtures/messages/encoded-header.eml": "human",
    "tests/fixtures/messages/from-encoding.eml": "bulk",
    "tests/fixtures/messages/iphone.eml": "human",
    "tests/fixtures/messages/long-links.eml": "human",
    "tests/fixtures/messages/mailgun-pic.eml": "human",
    "tests/fixtures/messages/message-external-body.eml": "bulk",
    "tests/fixtures/messages/multi-received-headers.eml": "human",
    "tests/fixtures/messages/multipart.eml": "bulk",
    "tests/fixtures/messages/no-ctype.eml": "human",
    "tests/fixtures/messages/outlook-express.eml": "human",
    "tests/fixtures/messages/quoted-printable.eml": "human",
    "tests/fixtures/messages/relative.eml": "human",
    "tests/fixtures/messages/russian-attachment-yahoo.eml": "human",
    "tests/fixtures/messages/signed.eml": "human",
    "tests/fixtures/messages/spam/broken-headers.eml": "bulk",
    "tests/fixtures/messages/text-only.eml": "human",
    "tests/fixtures/messages/torture-part.eml": "human",
}
_MAIL_SPEC = "spec/fixtures/emails/"
RUBY_MAIL_LABELS = {
    **{f"{_MAIL_SPEC}error_emails/{n}.eml": "bulk" for n in (
        "bad_date_header", "bad_date_header2", "cant_parse_from",
        "content_transfer_encoding_7-bit", "content_transfer_encoding_plain",
        "content_transfer_encoding_qp_with_space", "content_transfer_encoding_text-html",
        "content_transfer_encoding_with_8bits", "content_transfer_encoding_with_semi_colon",
        "empty_group_lists", "encoding_madness", "invalid_subject_characters",
        "must_supply_encoding", "new_line_in_to_header", "trademark_character_in_subject",
        "bad_subject")},
    **{f"{_MAIL_SPEC}error_emails/{n}.eml": "human" for n in (
        "content_transfer_encoding_x_uuencode", "header_fields_with_empty_values",
        "empty_in_reply_to")},
    **{f"{_MAIL_SPEC}plain_emails/{n}.eml": "human" for n in (
        "basic_email", "mix_caps_content_type", "raw_email", "raw_email10", "raw_email5",
        "raw_email6", "raw_email8", "raw_email_quoted_with_0d0a", "raw_email_reply",
        "raw_email_simple", "raw_email_with_partially_quoted_subject",
        "raw_email_with_at_display_name")},
    f"{_MAIL_SPEC}plain_emails/raw_email_trailing_dot.eml": "bulk",
    f"{_MAIL_SPEC}plain_emails/raw_email_multiple_from.eml": "bulk",
    f"{_MAIL_SPEC}plain_emails/raw_email_with_bad_date.eml": "bulk",
    **{f"{_MAIL_SPEC}rfc2822/example{n:02d}.eml": "human" for n in (1, 3, 4, 6, 7, 8, 10, 14)},
    **{f"{_MAIL_SPEC}mime_emails/{n}.eml": "human" for n in (
        "email_with_similar_boundaries", "raw_email11", "raw_email2", "raw_email4",
        "raw_email_with_binary_encoded", "raw_email_with_nested_attachment",
        "sig_only_email", "two_from_in_message")},
    f"{_MAIL_SPEC}mime_emails/raw_email_encoded_stack_level_too_deep.eml": "bulk",
    f"{_MAIL_SPEC}mime_emails/raw_email_with_mimepart_without_content_type.eml": "delay",
    **{f"{_MAIL_SPEC}multi_charset/{n}.eml": "human" for n in (
        "japanese", "japanese_iso_2022", "japanese_shift_jis", "ks_c_5601-1987")},
    **{f"{_MAIL_SPEC}attachment_emails/{n}.eml": "human" for n in (
        "attachment_only_email", "attachment_pdf", "attachment_with_quoted_filename",
        "attachment_message_rfc822")},
    f"{_MAIL_SPEC}multipart_report_emails/multi_address_bounce1.eml": "bounce",
    f"{_MAIL_SPEC}multipart_report_emails/multipart_report_multiple_status.eml": "bounce",
    f"{_MAIL_SPEC}multipart_report_emails/report_422.eml": "delay",
    f"{_MAIL_SPEC}multipart_report_emails/report_530.eml": "bounce",
}  # fmt: skip
# The bounce collections: every file is a delivery report (its RFC 3464 Action field, or its
# words when it has none, tell a delay) except those named here; None leaves a file out
# (abuse-feedback reports, files without headers, a virus scanner's mixed report).
BOUNCEPARSER_LABELS: dict[str, str | None] = {
    "t/corpus/aol-vacation.msg": "auto_reply",
    "t/corpus/autoreply.msg": "auto_reply",
    "t/corpus/polish-autoreply.msg": "auto_reply",
    "t/corpus/warning-6.msg": "auto_reply",
    "t/corpus/bluebottle.msg": "challenge",
    "t/corpus/boxbe-cr.msg": "challenge",
    "t/corpus/boxbe-cr2.msg": "challenge",
    "t/corpus/spam-bogus-email-in-report.msg": "bulk",
    "t/corpus/spam-lots-of-bogus-addresses.msg": "bulk",
    "t/corpus/spam-with-badly-parsed-email.msg": "bulk",
    "t/corpus/spam-with-image.msg": "bulk",
    "xt/corpus/virus-caused-multiple-weird-reports.msg": None,
}
PHP_BOUNCE_LABELS: dict[str, str | None] = {
    **{f"eml/{n}": None for n in (
        "arf1.txt", "arf2.txt", "arf3.txt", "arf4.txt", "arf5.txt", "fbl-aol.txt",
        "fbl-comcast.txt", "fbl-hotmail.txt", "fbl-yahoo.txt", "hotmailbounce.txt",
        "exchange1.eml", "exchange2.eml", "exchange3.eml", "unsubscribe.txt")},
    "eml/arf6.txt": "bulk",
}  # fmt: skip
SISIMAI_EXTRA = {
    "maildir/not/is-not-bounce-01.eml": "human",
    "maildir/not/is-not-bounce-02.eml": "human",
    "maildir/not/rb-issue-368-bug.eml": "bounce",
    "to-be-debugged-because/something-is-wrong/issue-106-01.eml": "bounce",
    "to-be-debugged-because/something-is-wrong/issue-106-02.eml": "bounce",
    "to-be-debugged-because/something-is-wrong/issue-106-03.eml": "bounce",
    "to-be-debugged-because/something-is-wrong/issue-15-01.eml": "bounce",
    "mailbox/mbox-1": "bounce",
}
_KIT = "UnitTests/TestData/messages/"
MIMEKIT_LABELS = {
    f"{_KIT}bounce.txt": "bounce",
    f"{_KIT}delivery-status2.txt": "bounce",
    f"{_KIT}epilogue.txt": "human",
    f"{_KIT}issue358.txt": "human",
    f"{_KIT}japanese.txt": "human",
}
ENMIME_LABELS = {
    "dsn/testdata/delayed_dsn.raw": "delay",
    **{f"dsn/testdata/{n}.raw": "bounce" for n in (
        "dsn_with_multipart_alternative", "multi_recipient_dsn", "simple_dsn",
        "simple_dsn_with_html")},
    "testdata/mail/multipart-wo-boundary.raw": "bounce",
    **{f"testdata/mail/{n}.raw": "human" for n in (
        "attachment-octet", "attachment-only-inline-quoted-printable", "epilogue-sample",
        "other-parts", "mime-bad-8bit-filename", "non-mime", "quoted-printable",
        "qp-ascii-header", "mime-alternative", "mime-mixed", "attachment", "inlinemultipart")},
    **{f"testdata/low-quality/{n}.raw": "human" for n in (
        "bad-final-boundary", "bad-header-wrap", "html-only-inline", "incorrect-charset",
        "missing-content-type", "malformed-base64-attach", "unk-charset-part",
        "unk-encoding-part")},
    **{f"testdata/mail/{n}.raw": "bulk" for n in (
        "ctype-bug", "mime-bad-content-type", "mime-blank-media-name", "mime-duplicate-param",
        "mime-unquoted-tspecials-param", "mime-bad-content-transfer-encoding")},
}  # fmt: skip
MAILPARSER_JS_LABELS = {
    "test/fixtures/delivery-status.eml": "bounce",
    "test/fixtures/large_text.eml": "bulk",
    "test/fixtures/spam.eml": "bulk",
    "test/fixtures/decoderended.eml": "human",
    "test/fixtures/nodemailer.eml": "human",
}
#: An mbox of real correspondence (S/MIME interoperability tests between people, 1997): each
#: message is a person writing, except the one a mail server sent back.
MIMEKIT_MBOX = "UnitTests/TestData/mbox/content-length.mbox.txt"
# sisimai reasons that are not bounces for Coffeechat; "delivered" reports and abuse feedback
# reports are left out (no label of ours fits them).
_SISIMAI_SKIP = {"delivered", "feedback"}
# A report without RFC 3464 fields is a delay notice when its subject says so.
_DELAY_WORDS = re.compile(
    r"warning|\(delay\)|delayed|still being retried|not yet been delivered|deferred",
    re.IGNORECASE,
)
_EXPECT = re.compile(r"'(\d+)'\s*=>\s*\[\[\s*'([^']*)',\s*'([^']*)',\s*'([^']*)',\s*(\d)")
_ENGINE = re.compile(r"enginename\s*=\s*'([^']+)'")


def git(repo_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo_dir), *args], check=True, capture_output=True
    ).stdout


def head(repo_dir: Path) -> str:
    return git(repo_dir, "rev-parse", "HEAD").decode().strip()


def files(repo_dir: Path, *paths: str) -> list[str]:
    return git(repo_dir, "ls-tree", "-r", "--name-only", "HEAD", *paths).decode().split()


def sisimai_expectations(tests_dir: Path) -> dict[str, tuple[str, str, bool]]:
    """{'lhost-postfix-01.eml': (status, reason, hard)} from sisimai's own tests."""
    out: dict[str, tuple[str, str, bool]] = {}
    for path in files(tests_dir, "t/"):
        if not path.endswith(".t"):
            continue
        text = git(tests_dir, "show", f"HEAD:{path}").decode("utf-8", "replace")
        engine = _ENGINE.search(text)
        if engine is None:
            continue
        name = engine.group(1).lower()
        prefix = name if name in ("rfc3464", "rfc3834", "arf") else f"lhost-{name}"
        for index, status, _code, reason, hard in _EXPECT.findall(text):
            out.setdefault(f"{prefix}-{index}.eml", (status, reason, hard == "1"))
    return out


def actions(msg: Message) -> list[str]:
    found: list[str] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            if isinstance(block, Message) and block.get("Action"):
                found.append(str(block.get("Action")).strip().lower())
    return found


def sisimai_label(
    raw: bytes, expected: tuple[str, str, bool] | None, path_name: str = ""
) -> str | None:
    msg = message_from_bytes(raw, policy=policy.compat32)
    _status, reason, _hard = expected or ("", "", True)
    if reason in _SISIMAI_SKIP:
        return None
    if reason == "vacation" or (not reason and path_name.startswith("rfc3834-")):
        return "auto_reply"  # sisimai's RFC 3834 samples are auto-replies
    acts = actions(msg)
    if acts and all(a.startswith("delayed") for a in acts):
        return "delay"
    if not acts and _DELAY_WORDS.search(str(msg.get("Subject", ""))):
        return "delay"
    return "bounce"


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox: each starts at a line "From " after a blank line."""
    parts = re.split(rb"(?:^|\r?\n\r?\n)From [^\r\n]*\r?\n", data)
    return [p for p in parts if p.strip()]


def trim(raw: bytes) -> tuple[bytes, bool]:
    if len(raw) <= MAX_BYTES:
        return raw, False
    return raw[:MAX_BYTES] + b"\n[... trimmed by the corpus importer ...]\n", True


def holdout(name: str) -> bool:
    """The fixed held-out fifth: by the SHA-256 of the entry's name, never by content."""
    return hashlib.sha256(name.encode()).digest()[0] % 5 == 0


def build(
    mirrors: Path, written: Path | None
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]]]:
    blobs: dict[str, bytes] = {}
    manifest: dict[str, dict[str, Any]] = {}

    def add(repo: str, licence: str, commit: str, path: str, raw: bytes, label: str) -> None:
        assert label in LABELS, label
        body, trimmed = trim(raw)
        name = f"{repo.replace('/', '+')}/{path}"
        blobs[name] = body
        entry = {"label": label, "origin": "real", "repo": repo, "path": path,
                 "commit": commit, "licence": licence, "holdout": holdout(name)}  # fmt: skip
        if trimmed:
            entry["trimmed"] = True
        manifest[name] = entry

    emails = mirrors / "sisimai+set-of-emails" / "repo"
    tests = mirrors / "sisimai+p5-sisimai" / "repo"
    expected = sisimai_expectations(tests)
    commit = head(emails)
    for path in files(emails, "maildir/bsd", "maildir/err"):
        if not path.endswith(".eml"):
            continue
        raw = git(emails, "show", f"HEAD:{path}")
        name = path.rsplit("/", 1)[1]
        label = sisimai_label(raw, expected.get(name), name)
        if label is not None and not path.split("/")[-1].startswith("arf-"):
            add(SISIMAI_EMAILS[0], SISIMAI_EMAILS[1], commit, path, raw, label)
    for (repo, licence), overrides, under in (
        (BOUNCEPARSER, BOUNCEPARSER_LABELS, ("t/corpus", "xt/corpus")),
        (PHP_BOUNCE, PHP_BOUNCE_LABELS, ("eml",)),
    ):
        repo_dir = mirrors / repo.replace("/", "+") / "repo"
        commit = head(repo_dir)
        for path in files(repo_dir, *under):
            raw = git(repo_dir, "show", f"HEAD:{path}")
            label = overrides[path] if path in overrides else sisimai_label(raw, None)
            if label is not None:
                add(repo, licence, commit, path, raw, label)
    for path, label in sorted(SISIMAI_EXTRA.items()):
        add(*SISIMAI_EMAILS, head(emails), path, git(emails, "show", f"HEAD:{path}"), label)
    kit = mirrors / "jstedfast+MimeKit" / "repo"
    for index, raw in enumerate(split_mbox(git(kit, "show", f"HEAD:{MIMEKIT_MBOX}")), 1):
        headers = raw.split(b"\n\n", 1)[0]
        label = "bounce" if b"\nFrom: The Post Office <postmaster@" in headers else "human"
        add(*MIMEKIT, head(kit), f"{MIMEKIT_MBOX}#{index}", raw, label)
    tables: tuple[tuple[tuple[str, str], dict[str, str]], ...] = (
        (FLANKER, FLANKER_LABELS),
        (RUBY_MAIL, RUBY_MAIL_LABELS),
        (MIMEKIT, MIMEKIT_LABELS),
        (ENMIME, ENMIME_LABELS),
        (MAILPARSER_JS, MAILPARSER_JS_LABELS),
    )
    for (repo, licence), labels_of in tables:
        repo_dir = mirrors / repo.replace("/", "+") / "repo"
        commit = head(repo_dir)
        for path, fixed in sorted(labels_of.items()):
            add(repo, licence, commit, path, git(repo_dir, "show", f"HEAD:{path}"), fixed)
    if written is not None:
        labels = json.loads((written / "labels.json").read_text("utf-8"))
        for file_name, info in sorted(labels.items()):
            name = f"written/{file_name}"
            blobs[name] = (written / file_name).read_bytes()
            manifest[name] = {**info, "origin": "written", "holdout": holdout(name)}
    return blobs, manifest


def write(blobs: dict[str, bytes], manifest: dict[str, dict[str, Any]], out: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(blobs):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blobs[name])
    (out / ZIP_NAME).write_bytes(buffer.getvalue())
    (out / MANIFEST).write_text(
        json.dumps({"messages": manifest}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--written", type=Path, default=HERE / "written")
    args = parser.parse_args()
    written = args.written if (args.written / "labels.json").is_file() else None
    blobs, manifest = build(args.mirrors, written)
    write(blobs, manifest, HERE)
    counts: dict[str, int] = {}
    for entry in manifest.values():
        key = f"{entry['label']} ({entry['origin']})"
        counts[key] = counts.get(key, 0) + 1
    print(len(manifest), "messages;", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
