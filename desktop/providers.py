"""Building the provider of each connected account (the demo mailbox, Gmail, Outlook, IMAP).
Also the demo profile's persisted accelerated clock."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.domain.clock import AcceleratedClock, Clock, SystemClock
from desktop.paths import Paths
from desktop.storage import Store
from desktop.storage.files import write_private
from mail.provider import Account, AccountKind, MailProvider

if TYPE_CHECKING:
    from mail.gmail import GmailProvider
    from mail.outlook import OutlookProvider

log = logging.getLogger(__name__)

CLOCK_FILE = "demo-clock.json"


def save_demo_clock(paths: Paths, demo_now: datetime, speed: float) -> None:
    """Remember where demo time stands (at start and at exit) so a reopened demo continues."""
    data = {"demo": demo_now.isoformat(), "speed": speed}
    try:
        write_private(paths.profile / CLOCK_FILE, json.dumps(data).encode("utf-8"))
    except OSError as exc:
        log.warning("cannot save the demo clock: %s", exc.strerror)


def demo_clock(paths: Paths) -> AcceleratedClock | None:
    """The demo profile's clock, continuing from where it stood when last saved."""
    try:
        data = json.loads((paths.profile / CLOCK_FILE).read_text(encoding="utf-8"))
        demo = datetime.fromisoformat(data["demo"])
        speed = float(data["speed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return AcceleratedClock(origin=demo, speed=speed)


def profile_clock(paths: Paths) -> Clock:
    return demo_clock(paths) or SystemClock()


def build(store: Store, paths: Paths, clock: Clock) -> tuple[MailProvider, ...]:
    providers: list[MailProvider] = []
    for account in store.accounts.all():
        if account.kind is AccountKind.DEMO:
            from mail.demo import DemoMailbox  # with the mailboxes, after the window's first paint

            providers.append(DemoMailbox(paths.demo_mailbox, account, clock))
        elif account.kind in (AccountKind.GMAIL, AccountKind.OUTLOOK):
            providers.append(_online(account))
        elif account.kind is AccountKind.IMAP:
            imap = _imap(store, account)
            if imap is not None:
                providers.append(imap)
        else:
            log.warning("account kind %s is not supported by this version yet", account.kind)
    return tuple(providers)


def _online(account: Account) -> MailProvider:
    """A Gmail or Outlook provider. Its grant is read from the keyring lazily: a missing grant or
    keyring is *needs sign-in* at the first pass, not a failure here (and an offline start is
    fine). What concerns a contact comes with each pass (desktop.sync passes its filter)."""
    from mail.auth.tokens import TokenStore

    kind: type[GmailProvider] | type[OutlookProvider]
    if account.kind is AccountKind.GMAIL:
        from mail.gmail import GmailProvider as kind
    else:
        from mail.outlook import OutlookProvider as kind
    return kind.from_keyring(account, TokenStore())


def _imap(store: Store, account: Account) -> MailProvider | None:
    """An IMAP provider from the account's stored settings; its password is read from the
    keyring at the first pass (a missing one is *needs sign-in* then)."""
    from mail.imap import ImapProvider, ImapSettings

    text = store.accounts.settings(account.id)
    try:
        settings = ImapSettings.from_json(text or "")
    except (ValueError, TypeError) as exc:
        log.warning("IMAP account %d has unreadable settings (%s)", account.id, exc)
        return None
    return ImapProvider.from_keyring(account, settings)
