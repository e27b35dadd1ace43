"""The add-account steps the command line and the window's connectors share."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import accounts_setup
from desktop import settings as settings_file
from desktop.storage import Store
from mail.imap import ImapSettings, Security
from mail.provider import AccountKind


def test_an_imap_account_is_recorded_with_its_servers_and_no_password(tmp_path: Path) -> None:
    servers = accounts_setup.imap_settings("me@fastmail.com", security="starttls")
    assert (servers.host, servers.port, servers.security) == (
        "imap.fastmail.com", 143, Security.STARTTLS,
    )  # fmt: skip
    store = Store.open(tmp_path)
    try:
        account = accounts_setup.record_account(
            store, AccountKind.IMAP, "me@fastmail.com", "Sam", servers
        )
        assert [a.address for a in store.accounts.all()] == ["me@fastmail.com"]
        kept = store.accounts.settings(account.id)
        assert kept is not None and ImapSettings.from_json(kept) == servers
        gmail = accounts_setup.record_account(store, AccountKind.GMAIL, "sam@gmail.com", "Sam")
        assert store.accounts.settings(gmail.id) is None
    finally:
        store.close()


def test_imap_settings_say_what_is_missing() -> None:
    with pytest.raises(ValueError, match="not an e-mail address"):
        accounts_setup.imap_settings("nobody")
    with pytest.raises(ValueError, match="give --host"):
        accounts_setup.imap_settings("me@uni.example")


def test_the_outlook_client_id_is_checked_and_remembered(tmp_path: Path) -> None:
    client_id = "12345678-abcd-ef01-2345-6789abcdef01"
    assert accounts_setup.is_client_id(client_id)
    assert not accounts_setup.is_client_id("my-app")
    path = tmp_path / "settings.json"
    before = settings_file.load(path)
    after = accounts_setup.remember_outlook_client_id(path, before, client_id)
    assert after.outlook_client_id == client_id
    assert settings_file.load(path).outlook_client_id == client_id
    assert accounts_setup.remember_outlook_client_id(path, after, client_id) is after
