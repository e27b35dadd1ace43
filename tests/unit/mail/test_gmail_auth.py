"""Token store and Google sign-in: every failure a user can meet says what happened and what to do.
The real installed-app flow runs against the emulator's /auth and /token (PKCE checked)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from mail.auth.tokens import GoogleGrant, KeyringUnavailableError, TokenStore
from mail.gmail.signin import (
    ClientFileError,
    GoogleSignIn,
    SignInCancelled,
    SignInDenied,
    SignInTimedOut,
    load_client_file,
)
from tests.helpers.gmail_emulator import GmailEmulator, endpoints_for
from tests.helpers.memory_keyring import ForgetfulKeyring, MemoryKeyring


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def emulator() -> Iterator[GmailEmulator]:
    with GmailEmulator() as emu:
        yield emu


GRANT = GoogleGrant("Me@Example.test", "1//refresh", "cid", "csecret", "https://t/token", ("s",))


def test_the_token_store_round_trips_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    store.save_google(GRANT)
    loaded = store.load_google("me@example.test")
    assert loaded is not None and loaded.refresh_token == "1//refresh"
    assert "1//refresh" not in repr(loaded) and "csecret" not in repr(loaded)
    store.delete_google("me@example.test")
    assert store.load_google("me@example.test") is None


def test_no_keyring_is_refused_with_what_to_install(no_keyring: None) -> None:
    with pytest.raises(KeyringUnavailableError) as caught:
        TokenStore().save_google(GRANT)
    message = str(caught.value)
    assert "gnome-keyring" in message and "never stores sign-in tokens in a plain file" in message


def test_a_keyring_that_keeps_nothing_is_not_trusted() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(ForgetfulKeyring())
    try:
        with pytest.raises(KeyringUnavailableError, match="did not keep"):
            TokenStore().save_google(GRANT)
    finally:
        keyring.set_keyring(previous)


def test_a_plaintext_keyring_is_refused() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        with pytest.raises(KeyringUnavailableError, match="plain file"):
            TokenStore().check()
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("not json {", "not JSON"),
        (json.dumps({"type": "service_account", "client_email": "x"}), "service-account key"),
        (json.dumps({"web": {"client_id": "a", "client_secret": "b"}}), "'Web application'"),
        (json.dumps({"installed": {"client_id": "a"}}), "incomplete (no client_secret"),
        (json.dumps([1, 2]), "not a Google OAuth client file"),
    ],
)
def test_a_wrong_client_file_says_what_is_wrong(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "client_secret.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ClientFileError) as caught:
        load_client_file(path)
    assert expected in str(caught.value)
    assert "Desktop app" in str(caught.value) or "Download it again" in str(caught.value)


def _client_file(tmp_path: Path, emulator: GmailEmulator) -> Path:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps(emulator.client_file()), encoding="utf-8")
    return path


def _browser(opened: threading.Event | None = None) -> Any:
    def open_url(url: str) -> None:
        def visit() -> None:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(url, timeout=10) as answer:
                answer.read()

        if opened is not None:
            opened.set()
            return
        threading.Thread(target=visit, daemon=True).start()

    return open_url


def test_sign_in_with_pkce_stores_the_grant_in_the_keyring(
    tmp_path: Path,
    emulator: GmailEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator),
        tokens=TokenStore(),
        timeout=20,
        open_url=_browser(),
        endpoints=endpoints_for(emulator),
    )
    grant = sign_in.run()
    assert grant.address == emulator.address
    assert grant.refresh_token in emulator.grants  # PKCE verified by the emulator's /token
    assert memory_keyring.entries  # and kept in the keyring


def test_no_keyring_fails_before_the_browser_opens(
    tmp_path: Path, emulator: GmailEmulator, no_keyring: None
) -> None:
    def never(*args: Any) -> Any:
        raise AssertionError("the flow must not start")

    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator), tokens=TokenStore(), flow_factory=never
    )
    with pytest.raises(KeyringUnavailableError, match="keyring"):
        sign_in.run()


def test_refused_consent_is_explained(
    tmp_path: Path,
    emulator: GmailEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    emulator.consent = "deny"
    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator), tokens=TokenStore(), timeout=20, open_url=_browser(),
        endpoints=endpoints_for(emulator),
    )  # fmt: skip
    with pytest.raises(SignInDenied, match="access was refused"):
        sign_in.run()
    assert not memory_keyring.entries


def test_unticked_permissions_are_explained(
    tmp_path: Path,
    emulator: GmailEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    emulator.consent = "partial"
    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator), tokens=TokenStore(), timeout=20, open_url=_browser(),
        endpoints=endpoints_for(emulator),
    )  # fmt: skip
    with pytest.raises(SignInDenied, match="permissions"):
        sign_in.run()
    assert not memory_keyring.entries


def test_a_cancelled_sign_in_stops_at_once(
    tmp_path: Path,
    emulator: GmailEmulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real flow waits on its loopback page; cancel() from another thread ends it."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    listening = threading.Event()
    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator), tokens=TokenStore(), timeout=30,
        open_url=_browser(listening), endpoints=endpoints_for(emulator),
    )  # fmt: skip
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            sign_in.run()
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert listening.wait(10), outcome
    sign_in.cancel()
    worker.join(10)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SignInCancelled)


def test_a_timed_out_sign_in_says_so(
    tmp_path: Path, emulator: GmailEmulator, memory_keyring: MemoryKeyring
) -> None:
    from google_auth_oauthlib.flow import WSGITimeoutError

    class SilentBrowserFlow:
        redirect_uri = ""
        credentials = None

        def run_local_server(self, **kwargs: Any) -> Any:
            assert kwargs["port"] == 0 and kwargs["timeout_seconds"] == 120
            raise WSGITimeoutError("Timed out waiting for response from authorization server")

    def factory(config: Mapping[str, Any], scopes: tuple[str, ...], on_url: Any) -> Any:
        return SilentBrowserFlow()

    sign_in = GoogleSignIn(
        _client_file(tmp_path, emulator), tokens=TokenStore(), timeout=120, flow_factory=factory
    )
    with pytest.raises(SignInTimedOut, match="within 120 seconds"):
        sign_in.run()
