"""What goes wrong with an IMAP/SMTP account, as the port's error kinds, each with a
``problem`` code and a message that says what failed and what to check."""

from __future__ import annotations

import imaplib
import logging
import smtplib
import socket
import ssl
from enum import StrEnum

from mail.provider import (
    NeedsSignInError,
    OfflineError,
    ProviderError,
)

log = logging.getLogger(__name__)


class SetupProblem(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    TLS = "tls"
    NOT_TLS = "not_tls"
    WRONG_SERVICE = "wrong_service"
    NO_STARTTLS = "no_starttls"
    INSECURE = "insecure"
    LOGIN = "login"
    FOLDER = "folder"


class _Problem:
    problem: SetupProblem
    where: str

    def _set(self, problem: SetupProblem, where: str) -> None:
        self.problem, self.where = problem, where


class ServerUnreachableError(OfflineError, _Problem):
    """DNS, refused, timed out, dropped: offline while syncing, a clear message when setting up."""

    def __init__(self, message: str, problem: SetupProblem, where: str = "IMAP") -> None:
        super().__init__(message)
        self._set(problem, where)


class LoginRefusedError(NeedsSignInError, _Problem):
    def __init__(self, message: str, where: str = "IMAP") -> None:
        super().__init__(message)
        self._set(SetupProblem.LOGIN, where)


class ServerSetupError(ProviderError, _Problem):
    """TLS, a port that speaks something else, a missing folder: the settings need a change."""

    def __init__(self, message: str, problem: SetupProblem, where: str = "IMAP") -> None:
        super().__init__(message)
        self._set(problem, where)


class RecipientRefusedError(ValueError):
    """The SMTP server refused the message for good (a recipient, the size, the sender). Not a
    ProviderError: nothing to retry, the outbox marks it failed and the composer says why."""


class MaybeSentError(Exception):
    """The SMTP transaction broke off after it began: the message may have been accepted."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error


def usual_ports(service: str) -> str:
    if service == "IMAP":
        return "IMAP uses port 993 with TLS or 143 with STARTTLS"
    return "SMTP uses port 465 with TLS or 587 with STARTTLS"


def connection_error(exc: BaseException, host: str, port: int, where: str) -> ProviderError:
    """What a failed connection means, said plainly, as the port's error kinds."""
    at = f"{host} port {port}"
    if isinstance(exc, socket.gaierror):
        return ServerUnreachableError(
            f"Cannot find the {where} server “{host}”: the name does not resolve. Check the "
            "server name, and that this computer is online.",
            SetupProblem.DNS,
            where,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", "") or str(exc)
        return ServerSetupError(
            f"The {where} server at {at} presented a certificate that is not trusted ({reason}). "
            "Check the server name; if the server uses its own certificate (Proton Bridge, "
            "self-hosted mail), choose that certificate as trusted.",
            SetupProblem.TLS,
            where,
        )
    if isinstance(exc, ssl.SSLError):
        text = str(exc)
        if any(
            m in text
            for m in ("WRONG_VERSION_NUMBER", "wrong version number", "UNKNOWN_PROTOCOL", "record")
        ):
            return ServerSetupError(
                f"{at} does not speak TLS (the TLS handshake got a plain answer). The port or the "
                f"security setting is wrong: {usual_ports(where)}.",
                SetupProblem.NOT_TLS,
                where,
            )
        return ServerSetupError(
            f"The secure (TLS) connection to the {where} server at {at} failed "
            f"({getattr(exc, 'reason', None) or text}).",
            SetupProblem.TLS,
            where,
        )
    if isinstance(exc, ConnectionRefusedError):
        return ServerUnreachableError(
            f"Nothing answers at {at} (connection refused). Check the port: {usual_ports(where)}.",
            SetupProblem.REFUSED,
            where,
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return ServerUnreachableError(
            f"The {where} server at {at} did not answer in time. Check the server name and "
            f"port ({usual_ports(where)}), and that this computer is online.",
            SetupProblem.TIMEOUT,
            where,
        )
    if isinstance(exc, smtplib.SMTPConnectError | imaplib.IMAP4.abort | imaplib.IMAP4.error):
        said = str(exc)[:120]
        return ServerSetupError(
            f"The server at {at} is not an {where} server (it answered: {said}). Check the port: "
            f"{usual_ports(where)}.",
            SetupProblem.WRONG_SERVICE,
            where,
        )
    if isinstance(exc, OSError | smtplib.SMTPException):
        return ServerUnreachableError(
            f"Cannot reach the {where} server at {at} ({type(exc).__name__}: {exc}).",
            SetupProblem.UNREACHABLE,
            where,
        )
    return ProviderError(f"{where} connection to {at} failed: {type(exc).__name__}: {exc}")


def login_refused(user: str, host: str, where: str) -> LoginRefusedError:
    return LoginRefusedError(
        f"The {where} server {host} refused the user name or password for “{user}”. Many "
        "providers (Gmail, iCloud, Yahoo, Fastmail, Outlook.com) need an app password here, not "
        "the password you sign in with on the web.",
        where,
    )
