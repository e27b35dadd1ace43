"""The history pass end to end on a real Dovecot: a generated mailbox with ten months of history
for 210 contacts, then ``coffeechat account add imap``, ``coffeechat import``, ``coffeechat
sync``, as a new user would; every contact must end in the stage their history puts them in."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.cli.registry import main
from desktop.storage import Store
from tests.helpers.dovecot import Dovecot, SmtpServer, mail_servers
from tests.helpers.history_mailbox import (
    ME,
    Person,
    all_mail,
    check_history,
    contacts_csv,
    generate,
    scenario_table,
)
from tests.helpers.memory_keyring import MemoryKeyring

PASSWORD = "app-pass-1"


def _fill(d: Dovecot, people: list[Person]) -> None:
    """Put the generated mail into the Inbox and Sent folders, each file dated as the message
    (Dovecot's received date, which SEARCH SINCE reads, is the file's time)."""
    for mail in all_mail(people):
        folder = "Sent" if mail.folder == "sent" else ""
        key = d.deliver(ME, mail.raw, folder)
        box = d.maildir(ME, folder)
        path = Path(box._path) / "new" / key
        stamp = mail.when.timestamp()
        os.utime(path, (stamp, stamp))


def _account_add(d: Dovecot, s: SmtpServer, profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main([
        "account", "add", "imap", "--profile", str(profile), "--address", ME,
        "--host", "127.0.0.1", "--port", str(d.port), "--security", "starttls",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(s.port), "--smtp-security", "plain",
        "--ca-file", str(d.cert), "--password-stdin", "--name", "Sam Rivera",
    ])  # fmt: skip
    assert code == 0


def test_history_on_dovecot_puts_every_contact_in_the_stage_of_their_past(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    people = generate(210, now)
    profile = tmp_path / "profile"
    with mail_servers(users={ME: PASSWORD}) as (d, s):
        _fill(d, people)
        _account_add(d, s, profile, monkeypatch)
        contacts = tmp_path / "contacts.csv"
        contacts.write_text(contacts_csv(people), encoding="utf-8")
        assert main(["import", str(contacts), "--profile", str(profile)]) == 0
        capsys.readouterr()
        assert main(["sync", "--profile", str(profile)]) == 0
        out = capsys.readouterr().out
        assert "history 210/210 contacts" in out and "While you were away" in out
        store = Store.open(profile)
        try:
            table = scenario_table(store, people)
            with capsys.disabled():  # the per-scenario table, shown with -s
                print("\n" + table)
            check_history(store, people, now)
            events = store.pipeline.event_count()
            # A second sync and an explicit second pass read nothing twice.
            assert main(["sync", "--profile", str(profile)]) == 0
            assert main(["history", "--profile", str(profile)]) == 0
            assert "Every contact's past is read already." in capsys.readouterr().out
            assert store.pipeline.event_count() == events
            assert main(["history", "--status", "--profile", str(profile)]) == 0
            assert "history done, 210/210 contacts" in capsys.readouterr().out
        finally:
            store.close()
