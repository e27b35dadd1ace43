"""``coffeechat account add gmail --client-secret FILE [--profile DIR]``: connect a Gmail account
(``account add outlook --client-id ID``: an Outlook account, in the browser, or with a device code
when no browser can be opened or ``--device-code`` asks for it).

Opens Google's consent page in the browser (the link is also printed, for a browser on another
screen), waits for the answer on a loopback port, keeps the grant in the OS keyring and records
the account (kind and address only) in the profile. Headless: never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path
from typing import Any

from desktop import logs
from desktop.paths import resolve
from desktop.storage import StorageError, Store
from mail.auth import AuthError
from mail.auth.google import DEFAULT_TIMEOUT, GoogleSignIn
from mail.auth.tokens import TokenStore
from mail.gmail import GOOGLE, GoogleEndpoints
from mail.provider import AccountKind


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
    gmail.set_defaults(handler=run)
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
    outlook.set_defaults(handler=run_outlook)


def _fail(message: str) -> int:
    print(f"coffeechat: {message}", file=sys.stderr)
    return 1


def run(
    args: argparse.Namespace,
    *,
    endpoints: GoogleEndpoints = GOOGLE,
    open_url: Any = None,
    tokens: TokenStore | None = None,
) -> int:
    """Connect the account. ``endpoints``/``open_url``/``tokens`` are for tests."""
    if getattr(args, "account_kind", "gmail") == "outlook":
        return run_outlook(args, tokens=tokens)
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

    sign_in = GoogleSignIn(
        args.client_secret,
        tokens=tokens,
        timeout=args.timeout,
        open_url=show,
        endpoints=endpoints,
    )
    try:
        grant = sign_in.run()
    except KeyboardInterrupt:
        sign_in.cancel()
        return _fail("sign-in cancelled.")
    except AuthError as exc:
        return _fail(str(exc))
    try:
        store = Store.open(paths.profile)
    except StorageError as exc:
        tokens.delete_google(grant.address)
        return _fail(str(exc))
    try:
        account = store.add_account(AccountKind.GMAIL, grant.address, args.name)
    finally:
        store.close()
    print(
        f"Connected Gmail account {account.address}. "
        "Run 'coffeechat sync --once' or open Coffeechat to sync it."
    )
    return 0


def run_outlook(
    args: argparse.Namespace, *, tokens: TokenStore | None = None, **auth_options: Any
) -> int:
    """Connect an Outlook account: in the browser, else with a device code. ``auth_options``
    are for tests (a local authority, its session)."""
    from mail.auth.microsoft import DeviceCode, MicrosoftAuth

    paths = resolve(getattr(args, "profile", None))
    logs.setup(paths.logs)
    tokens = tokens or TokenStore()
    auth = MicrosoftAuth(args.client_id, tokens=tokens, **auth_options)
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
        return _fail("sign-in cancelled.")
    except AuthError as exc:
        return _fail(str(exc))
    try:
        store = Store.open(paths.profile)
    except StorageError as exc:
        auth.forget()
        return _fail(str(exc))
    try:
        account = store.add_account(AccountKind.OUTLOOK, address, args.name)
    finally:
        store.close()
    print(
        f"Connected Outlook account {account.address}. "
        "Run 'coffeechat sync --once' or open Coffeechat to sync it."
    )
    return 0
