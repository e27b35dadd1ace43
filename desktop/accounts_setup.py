"""Adding a mail account: the steps every way of adding one shares.

The command line's ``account add`` and the window's three connectors (``ui.connect_gmail``,
``ui.connect_outlook``, ``ui.connect_imap``) go through the same steps, kept here once:

1. check what was typed (an IMAP account's servers: ``imap_settings``; an Outlook client id);
2. sign in (``google_sign_in``, ``microsoft_auth``) or test the connection (``check_imap``);
3. keep the secret in the system keyring (the sign-ins keep their grants themselves;
   ``save_imap_password`` for an app password);
4. record the account, kind and address only (``record_account``), with an IMAP account's
   servers; and remember the non-secret choices in the settings (``remember_outlook_client_id``).

Each step raises the error that says what went wrong; callers present it their own way (one line
on stderr, a dialog). Qt-free, and nothing costly is imported until a step runs: keyring, Google's
libraries and msal load only when someone connects an account.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import settings as settings_file
from mail.provider import Account, AccountKind

if TYPE_CHECKING:
    from desktop.settings import Settings
    from desktop.storage import Store
    from mail.auth.microsoft import MicrosoftAuth
    from mail.auth.tokens import TokenStore
    from mail.gmail import GoogleEndpoints
    from mail.gmail.signin import GoogleSignIn
    from mail.imap import ConnectionReport, ImapSettings

log = logging.getLogger(__name__)

#: An Azure application (client) id: a GUID.
_CLIENT_ID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

#: The usual port of each encryption (mail.imap.Security's values), when the encryption is chosen
#: and the port is not.
IMAP_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
SMTP_PORTS = {"tls": 465, "starttls": 587, "plain": 25}


# ------------------------------------------------------------------------------ checking input
def is_client_id(text: str) -> bool:
    """Whether ``text`` looks like an Azure application (client) id."""
    return bool(_CLIENT_ID.match(text))


def imap_settings(
    address: str,
    *,
    user: str = "",
    preset: str = "",
    host: str = "",
    port: int = 0,
    security: str = "",
    smtp_host: str = "",
    smtp_port: int = 0,
    smtp_security: str = "",
    ca_file: str = "",
    sent_folder: str = "",
    drafts_folder: str = "",
) -> ImapSettings:
    """An IMAP account's settings: a preset (named, or found from the address), then what was
    given explicitly. ValueError says what is missing."""
    from mail.imap import ImapSettings, Security, preset_for, preset_named

    address = address.strip()
    if address.count("@") != 1:
        raise ValueError(f"not an e-mail address: {address!r}")
    found = preset_named(preset) if preset else preset_for(address)
    if preset and found is None:
        raise ValueError(f"no preset named {preset!r}")
    user = user.strip() or address
    if found is not None:
        base = found.settings(address, user)
    elif host:
        base = ImapSettings(host=host.strip(), username=user)
    else:
        raise ValueError(
            f"no preset for {address.partition('@')[2]}: give --host (and --port, --security, "
            "--smtp-host, --smtp-port, --smtp-security as your provider documents them)"
        )
    imap_security = Security(security) if security else base.security
    outgoing_security = Security(smtp_security) if smtp_security else base.smtp_security
    return ImapSettings(
        host=host.strip() or base.host,
        username=user,
        port=port or (base.port if not security else IMAP_PORTS[imap_security.value]),
        security=imap_security,
        smtp_host=smtp_host.strip() or (base.smtp_host if not host else ""),
        smtp_port=smtp_port
        or (base.smtp_port if not smtp_security else SMTP_PORTS[outgoing_security.value]),
        smtp_security=outgoing_security,
        ca_file=ca_file,
        sent_folder=sent_folder,
        drafts_folder=drafts_folder,
    )


# ---------------------------------------------------------------- signing in, testing
def google_sign_in(
    client_file: Path,
    *,
    tokens: TokenStore | None = None,
    timeout: float | None = None,
    open_url: Callable[[str], object] | None = None,
    endpoints: GoogleEndpoints | None = None,
) -> GoogleSignIn:
    """Google's consent page in the browser, answered on a loopback port. ``run()`` keeps the
    grant in the keyring and returns it (its ``address`` is the account's); ``cancel()`` from
    another thread stops the wait. Raises AuthError (mail.auth) when it fails."""
    from mail.auth.tokens import TokenStore
    from mail.gmail.signin import GoogleSignIn

    options: dict[str, Any] = {}
    if timeout is not None:
        options["timeout"] = timeout
    if open_url is not None:
        options["open_url"] = open_url
    if endpoints is not None:
        options["endpoints"] = endpoints
    return GoogleSignIn(client_file, tokens=tokens or TokenStore(), **options)


def microsoft_auth(
    client_id: str, *, tokens: TokenStore | None = None, **options: Any
) -> MicrosoftAuth:
    """Microsoft's sign-in for the user's own application id. ``sign_in(show, browser=...,
    timeout=...)`` keeps the grant in the keyring and returns the address; ``forget()`` drops
    it again. ``options`` are MicrosoftAuth's (a local authority and its session in tests)."""
    from mail.auth.microsoft import MicrosoftAuth
    from mail.auth.tokens import TokenStore

    return MicrosoftAuth(client_id, tokens=tokens or TokenStore(), **options)


def check_imap(
    settings: ImapSettings,
    password: str,
    checker: Callable[[ImapSettings, str], ConnectionReport] | None = None,
) -> ConnectionReport:
    """Sign in over IMAP (and find the folders) and over SMTP; ProviderError says what failed."""
    if checker is None:
        from mail.imap import check_connection

        checker = check_connection
    return checker(settings, password)


# ---------------------------------------------------------------------- keeping the secret
def save_imap_password(address: str, password: str) -> None:
    """Keep an IMAP account's app password in the keyring (AuthError when there is none)."""
    from mail.auth.tokens import PasswordStore

    PasswordStore().save(address, password)


def forget_imap_password(address: str) -> None:
    """Drop what ``save_imap_password`` kept (the account could not be recorded after all)."""
    from mail.auth.tokens import PasswordStore

    PasswordStore().delete(address)


# ------------------------------------------------------------------- recording the account
def record_account(
    store: Store,
    kind: AccountKind,
    address: str,
    name: str,
    settings: ImapSettings | None = None,
) -> Account:
    """Record the account in the profile (kind, address and the name recipients see), with an
    IMAP account's server settings (never its password)."""
    account = store.accounts.add(kind, address, name)
    if settings is not None:
        store.accounts.set_settings(account.id, settings.to_json())
    return account


def remember_outlook_client_id(path: Path, current: Settings, client_id: str) -> Settings:
    """The settings with the Outlook client id (not a secret) kept, so the next connection need
    not ask for it; saved to ``path`` when it changed (a failure to save is logged: the sign-in
    goes on)."""
    if current.outlook_client_id == client_id:
        return current
    changed = replace(current, outlook_client_id=client_id)
    try:
        settings_file.save(path, changed)
    except OSError as exc:
        log.warning("the client id could not be saved: %s", exc)
    return changed
