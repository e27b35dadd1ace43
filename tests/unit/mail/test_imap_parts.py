"""The IMAP provider's small parts that need no server: settings, presets, threads, cursors and
how a failed connection is said (the server-facing behaviour is in tests/integration/test_imap.py,
on a real Dovecot)."""

from __future__ import annotations

import argparse
import socket
import ssl

import pytest

from desktop.cli.account import imap_settings_from
from mail.imap import (
    PRESETS,
    ImapSettings,
    Security,
    ServerSetupError,
    ServerUnreachableError,
    SetupProblem,
    connection_error,
    is_local,
    open_imap,
    preset_for,
    preset_named,
    thread_root,
)
from mail.imap.provider import _parse_cursor
from mail.provider import NeedsSignInError, OfflineError


def test_settings_round_trip_as_json_and_hold_no_password() -> None:
    settings = ImapSettings(host="imap.example.com", username="sam@example.com",
                            security=Security.STARTTLS, port=143, ca_file="/x.pem")  # fmt: skip
    text = settings.to_json()
    assert ImapSettings.from_json(text) == settings
    assert "password" not in text
    # unknown keys from a newer version are ignored, not fatal
    assert ImapSettings.from_json(text[:-1] + ', "future": 1}') == settings


def test_presets_are_found_from_the_address_and_by_name() -> None:
    preset = preset_for("Sam@iCloud.com")
    assert preset is not None and preset.host == "imap.mail.me.com"
    assert preset.smtp_security is Security.STARTTLS
    assert preset_for("sam@my-university.edu") is None
    assert preset_named("proton") is preset_named("Proton Mail (Bridge)") is not None
    assert all(p.note for p in PRESETS)  # each says where its app password comes from
    assert {p.security for p in PRESETS if not is_local(p.host)} == {Security.TLS}


def test_the_outlook_com_preset_sends_the_user_to_the_outlook_account() -> None:
    # Outlook.com refuses basic authentication over IMAP, app passwords included (since
    # September 2024): the note must not ask for one.
    preset = preset_for("sam@hotmail.com")
    assert preset is not None and preset is preset_named("Outlook.com (IMAP)")
    assert "app password" not in preset.note.replace("app passwords included", "")
    assert "Outlook account" in preset.note


def test_plaintext_is_refused_except_to_this_computer() -> None:
    assert is_local("localhost") and is_local("127.0.0.1") and is_local("::1")
    assert not is_local("imap.example.com") and not is_local("192.0.2.1")
    with pytest.raises(ServerSetupError) as refused:
        open_imap(ImapSettings(host="imap.example.com", username="u", security=Security.PLAIN), "p")
    assert refused.value.problem is SetupProblem.INSECURE


def test_a_thread_is_named_by_its_first_message() -> None:
    assert thread_root("<a@x>", "", ()) == "<a@x>"
    assert thread_root("<c@x>", "<b@x>", ("<a@x>", "<b@x>")) == "<a@x>"
    assert thread_root("<b@x>", "<a@x>", ()) == "<a@x>"


def test_an_unreadable_cursor_is_a_fresh_baseline() -> None:
    assert _parse_cursor(None) == ({}, None)
    assert _parse_cursor("not json") == ({}, None)
    assert _parse_cursor('{"folders": {"inbox": {"name": "INBOX"}}}') == ({}, None)


@pytest.mark.parametrize(
    ("exc", "kind", "problem", "says"),
    [
        (socket.gaierror(-2, "Name or service not known"), OfflineError, SetupProblem.DNS,
         "does not resolve"),
        (ConnectionRefusedError(111, "refused"), OfflineError, SetupProblem.REFUSED,
         "connection refused"),
        (TimeoutError("timed out"), OfflineError, SetupProblem.TIMEOUT, "did not answer in time"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), ServerSetupError,
         SetupProblem.NOT_TLS, "does not speak TLS"),
    ],
)  # fmt: skip
def test_each_connection_failure_is_said_plainly(
    exc: BaseException, kind: type[Exception], problem: SetupProblem, says: str
) -> None:
    error = connection_error(exc, "imap.example.com", 993, "IMAP")
    assert isinstance(error, kind)
    assert getattr(error, "problem", None) is problem
    assert says in str(error) and "imap.example.com" in str(error)


def test_setup_errors_are_the_ports_error_kinds() -> None:
    from mail.imap import LoginRefusedError

    assert issubclass(ServerUnreachableError, OfflineError)
    assert issubclass(LoginRefusedError, NeedsSignInError)


def _args(**kw: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "address": "sam@fastmail.com", "user": "", "preset": "", "host": "", "port": 0,
        "security": "", "smtp_host": "", "smtp_port": 0, "smtp_security": "", "ca_file": "",
        "sent_folder": "", "drafts_folder": "",
    }  # fmt: skip
    values.update(kw)
    return argparse.Namespace(**values)


def test_the_command_line_fills_servers_from_a_preset_and_overrides_what_is_given() -> None:
    settings = imap_settings_from(_args())
    assert (settings.host, settings.port, settings.smtp_host) == (
        "imap.fastmail.com", 993, "smtp.fastmail.com",
    )  # fmt: skip
    moved = imap_settings_from(_args(security="starttls"))
    assert (moved.security, moved.port) == (Security.STARTTLS, 143)
    custom = imap_settings_from(_args(address="me@uni.edu", host="mail.uni.edu", port=10993))
    assert (custom.host, custom.port, custom.outgoing_host) == (
        "mail.uni.edu",
        10993,
        "mail.uni.edu",
    )
    with pytest.raises(ValueError, match="give --host"):
        imap_settings_from(_args(address="me@uni.edu"))
    with pytest.raises(ValueError, match="no preset named"):
        imap_settings_from(_args(preset="nope"))
