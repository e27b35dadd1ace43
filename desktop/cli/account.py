"""``coffeechat account add gmail --client-secret FILE [--profile DIR]``: connect a Gmail account
(``account add outlook --client-id ID``: an Outlook account, in the browser, or with a device code
when no browser can be opened or ``--device-code`` asks for it;
``account add imap --address A [--preset NAME | --host H ...]``: any IMAP/SMTP mailbox with an app
password, tested before it is added).

Opens Google's consent page in the browser (the link is also printed, for a browser on another
screen), waits for the answer on a loopback port, keeps the grant in the OS keyring and records
the account (kind and address only) in the profile. The steps are desktop.accounts_setup's,
which the window's connectors take too; here is only how they are asked for and told.
Headless: never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from desktop import accounts_setup, logs
from desktop.cli.common import fail
from desktop.paths import Paths, resolve
from desktop.storage import StorageError, Store
from mail.auth import AuthError
from mail.auth.tokens import TokenStore
from mail.gmail import GOOGLE, GoogleEndpoints
from mail.gmail.signin import DEFAULT_TIMEOUT
from mail.provider import Account, AccountKind

SYNC_HINT = "Run 'coffeechat sync' or open Coffeechat to sync it."


def add_parser(subparsers: Any) -> None:
    """Add the ``account`` command (``account add gmail ...``) to coffeechat's subparsers."""
    account = subparsers.add_parser(
        "account",
        help="connect a mail account",
        description="Connect a mail account to the profile.",
    )
    actions = account.add_subparsers(dest="account_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="connect an account", description="Connect an account.")
    kinds = add.add_subparsers(dest="account_kind", metavar="KIND", required=True)
    gmail = kinds.add_parser(
        "gmail",
        help="a Gmail or Google Workspace account, with your own OAuth client",
        description="Sign in to Google in the browser and connect the account. FILE is the "
        "client_secret.json of your own 'Desktop app' OAuth client (docs/gmail-setup.md).",
    )
    gmail.add_argument(
        "--client-secret", required=True, metavar="FILE", type=Path, help="client_secret.json"
    )
    gmail.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    gmail.add_argument("--name", default="", help="your name, as recipients will see it")
    gmail.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up waiting for the browser after this long (default {DEFAULT_TIMEOUT:.0f})",
    )
    gmail.add_argument(
        "--no-browser", action="store_true", help="only print the link; do not open a browser"
    )
    outlook = kinds.add_parser(
        "outlook",
        help="an Outlook.com or Microsoft 365 account, with your own Azure app registration",
        description="Sign in to Microsoft in the browser and connect the account; when no "
        "browser can be opened (or with --device-code) a link and a code to enter in any "
        "browser are printed instead. ID is the application (client) id of your own Azure app "
        "registration (docs/outlook-setup.md).",
    )
    outlook.add_argument("--client-id", required=True, metavar="ID", help="application id")
    outlook.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    outlook.add_argument("--name", default="", help="your name, as recipients will see it")
    outlook.add_argument(
        "--device-code",
        action="store_true",
        help="sign in with a code on another device; do not open a browser here",
    )
    outlook.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up waiting for the browser after this long (default {DEFAULT_TIMEOUT:.0f})",
    )
    _add_imap_parser(kinds)


def _add_imap_parser(kinds: Any) -> None:
    from mail.imap import PRESETS, Security

    securities = [s.value for s in Security]
    imap = kinds.add_parser(
        "imap",
        help="any IMAP/SMTP mailbox (Fastmail, iCloud, Yahoo, Proton Bridge...), app password",
        description="Connect any mailbox over IMAP and SMTP with an app password. The servers "
        "of well-known providers are filled in from the address (or --preset); give --host and "
        "the rest for others. The connection is tested before anything is saved; the password "
        "goes to the system keyring only. Presets: " + ", ".join(p.name for p in PRESETS) + ".",
    )
    imap.add_argument("--address", required=True, help="your e-mail address")
    imap.add_argument("--user", default="", help="the sign-in name (default: the address)")
    imap.add_argument("--preset", default="", help="a provider's preset, e.g. fastmail, icloud")
    imap.add_argument("--host", default="", help="IMAP server")
    imap.add_argument("--port", type=int, default=0, help="IMAP port (993 TLS, 143 STARTTLS)")
    imap.add_argument("--security", choices=securities, default="", help="IMAP encryption")
    imap.add_argument("--smtp-host", default="", help="SMTP server (default: the IMAP server)")
    imap.add_argument("--smtp-port", type=int, default=0, help="SMTP port (465 TLS, 587 STARTTLS)")
    imap.add_argument("--smtp-security", choices=securities, default="", help="SMTP encryption")
    imap.add_argument(
        "--ca-file", default="", metavar="PEM", help="also trust this certificate (Proton Bridge)"
    )
    imap.add_argument("--sent-folder", default="", help="the Sent folder, when not found")
    imap.add_argument("--drafts-folder", default="", help="the Drafts folder, when not found")
    imap.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the app password from standard input instead of asking for it",
    )
    imap.add_argument(
        "--profile", metavar="DIR", default=argparse.SUPPRESS, help="use this profile folder"
    )
    imap.add_argument("--name", default="", help="your name, as recipients will see it")


def run(
    args: argparse.Namespace,
    *,
    endpoints: GoogleEndpoints = GOOGLE,
    open_url: Any = None,
    tokens: TokenStore | None = None,
) -> int:
    """``account add KIND``: connect the account. ``endpoints``/``open_url``/``tokens`` are for
    tests."""
    kind = getattr(args, "account_kind", "gmail")
    if kind == "outlook":
        return run_outlook(args, tokens=tokens)
    if kind == "imap":
        return run_imap(args)
    return run_gmail(args, endpoints=endpoints, open_url=open_url, tokens=tokens)


def run_gmail(
    args: argparse.Namespace,
    *,
    endpoints: GoogleEndpoints = GOOGLE,
    open_url: Any = None,
    tokens: TokenStore | None = None,
) -> int:
    """Connect a Gmail account: Google's consent page in the browser."""
    paths = resolve(getattr(args, "profile", None))
    logs.setup(paths.logs)
    tokens = tokens or TokenStore()

    def show(url: str) -> None:
        print("Opening Google's sign-in page. If no browser opens, visit this link:")
        print(url, flush=True)
        if open_url is not None:
            open_url(url)
        elif not args.no_browser:
            webbrowser.open(url, new=1)

    sign_in = accounts_setup.google_sign_in(
        args.client_secret, tokens=tokens, timeout=args.timeout, open_url=show, endpoints=endpoints
    )
    try:
        grant = sign_in.run()
    except KeyboardInterrupt:
        sign_in.cancel()
        return fail("sign-in cancelled.")
    except AuthError as exc:
        return fail(str(exc))
    forget = partial(tokens.delete_google, grant.address)
    account = _record(paths, forget, AccountKind.GMAIL, grant.address, args.name)
    if isinstance(account, int):
        return account
    print(f"Connected Gmail account {account.address}. {SYNC_HINT}")
    return 0


def _record(
    paths: Paths,
    forget: Callable[[], object],
    kind: AccountKind,
    address: str,
    name: str,
    settings: Any = None,
) -> Account | int:
    """Record the signed-in account in the profile; if the profile cannot take it, ``forget``
    the grant just saved (nothing is left half-connected) and return the exit status."""
    try:
        store = Store.open(paths.profile)
    except StorageError as exc:
        forget()
        return fail(str(exc))
    try:
        return accounts_setup.record_account(store, kind, address, name, settings)
    finally:
        store.close()


def run_outlook(
    args: argparse.Namespace, *, tokens: TokenStore | None = None, **auth_options: Any
) -> int:
    """Connect an Outlook account: in the browser, else with a device code. ``auth_options``
    are for tests (a local authority, its session)."""
    from mail.auth.microsoft import DeviceCode

    paths = resolve(getattr(args, "profile", None))
    logs.setup(paths.logs)
    auth = accounts_setup.microsoft_auth(args.client_id, tokens=tokens, **auth_options)
    device = bool(getattr(args, "device_code", False))

    def show(code: DeviceCode) -> None:
        if not device:
            print("No browser could be opened here: sign in on any device instead.")
        print(f"Open {code.url} and enter the code {code.code}", flush=True)

    if not device:
        print("Opening Microsoft's sign-in page in your browser…", flush=True)
    try:
        address = auth.sign_in(
            show, browser=not device, timeout=getattr(args, "timeout", DEFAULT_TIMEOUT)
        )
    except KeyboardInterrupt:
        auth.cancel()
        return fail("sign-in cancelled.")
    except AuthError as exc:
        return fail(str(exc))
    account = _record(paths, auth.forget, AccountKind.OUTLOOK, address, args.name)
    if isinstance(account, int):
        return account
    print(f"Connected Outlook account {account.address}. {SYNC_HINT}")
    return 0


def imap_settings_from(args: argparse.Namespace) -> Any:
    """ImapSettings from the command line: a preset (named, or found from the address), then
    what was given explicitly. ValueError says what is missing."""
    return accounts_setup.imap_settings(
        str(args.address),
        user=args.user,
        preset=args.preset,
        host=args.host,
        port=args.port,
        security=args.security,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_security=args.smtp_security,
        ca_file=args.ca_file,
        sent_folder=args.sent_folder,
        drafts_folder=args.drafts_folder,
    )


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    return getpass.getpass(f"App password for {args.address}: ")


def run_imap(args: argparse.Namespace) -> int:
    """Test the connection (IMAP sign-in and folders, SMTP sign-in), then keep the password in
    the keyring and the account with its settings in the profile."""
    from mail.provider import ProviderError

    paths = resolve(getattr(args, "profile", None))
    logs.setup(paths.logs)
    try:
        settings = imap_settings_from(args)
    except ValueError as exc:
        return fail(str(exc))
    try:
        password = _read_password(args)
    except (KeyboardInterrupt, EOFError):
        return fail("cancelled.")
    if not password:
        return fail("no password given.")
    address = str(args.address).strip().lower()
    print(f"Testing {settings.host}:{settings.port} ({settings.security.value}) and "
          f"{settings.outgoing_host}:{settings.smtp_port} ({settings.smtp_security.value})…",
          flush=True)  # fmt: skip
    try:
        report = accounts_setup.check_imap(settings, password)
    except ProviderError as exc:
        return fail(str(exc))
    try:
        accounts_setup.save_imap_password(address, password)
    except AuthError as exc:
        return fail(str(exc))
    forget = partial(accounts_setup.forget_imap_password, address)
    account = _record(paths, forget, AccountKind.IMAP, address, args.name, settings)
    if isinstance(account, int):
        return account
    push = "new mail arrives at once (IDLE)" if report.idle else "checked on a timer (no IDLE)"
    print(
        f"Connected {account.address}: Inbox, Sent folder “{report.folders.sent}”, Drafts "
        f"“{report.folders.drafts or 'none'}”; {push}. "
        f"{SYNC_HINT}"
    )
    return 0
