"""Opening IMAP and SMTP connections (TLS, STARTTLS, plaintext only to this computer) and the
connection test of the set-up dialog; every failure is one of the port's errors, said plainly."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import smtplib
import ssl
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import LoginError  # type: ignore[import-untyped]

from mail.imap.errors import (
    ServerSetupError,
    SetupProblem,
    connection_error,
    login_refused,
    usual_ports,
)
from mail.imap.folders import Folders, find_folders
from mail.imap.settings import ImapSettings, Security
from mail.provider import (
    ProviderError,
)

log = logging.getLogger(__name__)
# IMAPClient traces the protocol at DEBUG, message bodies included: never into our logs.
logging.getLogger("imapclient").setLevel(logging.INFO)


def is_local(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _context(settings: ImapSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ServerSetupError(
                f"The trusted certificate file cannot be read ({type(exc).__name__}).",
                SetupProblem.TLS,
            ) from None
    return context


def _check_security(host: str, security: Security, where: str) -> None:
    if security is Security.PLAIN and not is_local(host):
        raise ServerSetupError(
            f"Coffeechat does not send your password unencrypted over the network: choose TLS or "
            f"STARTTLS for the {where} server {host} (plaintext is only allowed to this computer).",
            SetupProblem.INSECURE,
            where,
        )


def open_imap(settings: ImapSettings, password: str) -> Any:
    """A logged-in IMAPClient. Every failure is one of the port's errors, said plainly."""
    host, port = settings.host, settings.port
    _check_security(host, settings.security, "IMAP")
    context = _context(settings)
    try:
        client = IMAPClient(
            host,
            port=port,
            ssl=settings.security is Security.TLS,
            ssl_context=context,
            timeout=settings.timeout,
        )
    except Exception as exc:
        raise connection_error(exc, host, port, "IMAP") from None
    try:
        if settings.security is Security.STARTTLS:
            if not client.has_capability("STARTTLS"):
                raise ServerSetupError(
                    f"The IMAP server {host} port {port} does not offer STARTTLS. Choose TLS "
                    "(usually port 993).",
                    SetupProblem.NO_STARTTLS,
                )
            client.starttls(context)
        client.login(settings.username, password)
    except LoginError:
        close_quietly(client)
        raise login_refused(settings.username, host, "IMAP") from None
    except ProviderError:
        close_quietly(client)
        raise
    except Exception as exc:
        close_quietly(client)
        raise connection_error(exc, host, port, "IMAP") from None
    client.normalise_times = False
    return client


def close_quietly(client: Any) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def open_smtp(settings: ImapSettings, password: str) -> smtplib.SMTP:
    """A logged-in SMTP connection (submission), with the same plain failures."""
    host, port, security = settings.outgoing_host, settings.smtp_port, settings.smtp_security
    _check_security(host, security, "SMTP")
    context = _context(settings)
    try:
        if security is Security.TLS:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
    except Exception as exc:
        raise connection_error(exc, host, port, "SMTP") from None
    try:
        smtp.ehlo()
        if security is Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise ServerSetupError(
                    f"The SMTP server {host} port {port} does not offer STARTTLS. Choose TLS "
                    "(usually port 465).",
                    SetupProblem.NO_STARTTLS,
                    "SMTP",
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if smtp.has_extn("auth"):
            smtp.login(settings.username, password)
        elif not is_local(host):
            raise ServerSetupError(
                f"The SMTP server {host} port {port} does not accept a sign-in here. Check the "
                f"port: {usual_ports('SMTP')}.",
                SetupProblem.WRONG_SERVICE,
                "SMTP",
            )
    except smtplib.SMTPAuthenticationError:
        quit_quietly(smtp)
        raise login_refused(settings.username, host, "SMTP") from None
    except ProviderError:
        quit_quietly(smtp)
        raise
    except Exception as exc:
        quit_quietly(smtp)
        raise connection_error(exc, host, port, "SMTP") from None
    return smtp


def quit_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:
        with contextlib.suppress(Exception):
            smtp.close()


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What a successful connection test found (shown to the user)."""

    folders: Folders
    idle: bool
    condstore: bool
    smtp_checked: bool


def check_connection(
    settings: ImapSettings, password: str, *, smtp: bool = True
) -> ConnectionReport:
    """Sign in to IMAP, find the folders, sign in to SMTP (nothing is sent). Raises one of the
    port's errors, each with a message that says what failed."""
    client = open_imap(settings, password)
    try:
        folders = find_folders(client, settings)
        idle = bool(client.has_capability("IDLE"))
        condstore = bool(client.has_capability("CONDSTORE"))
    except ProviderError:
        raise
    except Exception as exc:
        raise connection_error(exc, settings.host, settings.port, "IMAP") from None
    finally:
        close_quietly(client)
    if smtp:
        quit_quietly(open_smtp(settings, password))
    return ConnectionReport(folders, idle, condstore, smtp)
