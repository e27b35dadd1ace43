"""Any mailbox over IMAP and SMTP, with an app password: Fastmail, iCloud, Yahoo, Proton Bridge,
Gmail or Outlook.com without OAuth, university and self-hosted mail.

Sync reads two folders, the Inbox and the Sent folder (SPECIAL-USE ``\\Sent``, else a usual
name). The cursor holds, per folder, its UIDVALIDITY, the highest UID seen and HIGHESTMODSEQ when
the server has CONDSTORE: an idle pass is one ``STATUS`` per folder on a kept connection. New
messages are read header-first (``BODY.PEEK[HEADER.FIELDS (...)]``), bodies only for those that
may concern a contact; folders are opened read-only and only ``PEEK`` is used, so nothing is ever
marked read. A changed UIDVALIDITY starts a safe rescan of the recent days, reporting only mail
that may concern a contact; message ids are built from the Message-ID header (not the UID), so
mail seen again keeps its id and its events are not applied twice.

Sending goes through SMTP (implicit TLS or STARTTLS; plaintext only to this computer); the sent
copy is APPENDed to the Sent folder unless the server filed one itself (Gmail does). Drafts are
APPENDed to the Drafts folder with ``\\Draft``. The outbox marker (X-Coffeechat-Outbox, and a
Message-ID derived from it) finds a sent message again after a crash.

``InboxWatcher`` keeps an IDLE on the Inbox on its own connection (re-issued every 25 minutes,
under the 29-minute limit of RFC 2177) and calls back when mail arrives; the app starts it through
desktop.tasks.

Failures end as the port's kinds: ``OfflineError`` (no network, DNS, refused, timeouts, dropped
connections), ``NeedsSignInError`` (the password was refused) and ``ProviderError`` for set-up
problems (TLS, a port that speaks something else, a missing folder). Each set-up failure carries a
``problem`` code and a message that says what failed and what to check.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import json
import logging
import select
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email import policy
from enum import StrEnum
from typing import Any

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import LoginError  # type: ignore[import-untyped]

from mail.auth import AuthError
from mail.auth.tokens import PasswordStore
from mail.heads import HEADER_FIELDS, MessageCache, message_id_for, stub
from mail.mime import OUTBOX_HEADER, build_message, parse_message
from mail.provider import (
    Account,
    ChangeSet,
    DraftRef,
    EventRef,
    Folder,
    Interval,
    MailMessage,
    MeetingInvite,
    MessageRef,
    NeedsSignInError,
    OfflineError,
    OutgoingMessage,
    ProviderError,
    SentRef,
    ThrottledError,
)
from mail.relevance import Relevance

log = logging.getLogger(__name__)

#: The flag a mail client shows as a star or flag, and the private keyword that marks it as
#: ours (set by Coffeechat, so Coffeechat may clear it).
FLAGGED = b"\\Flagged"
OUR_FLAG = b"$CoffeechatFlagged"
# IMAPClient traces the protocol at DEBUG, message bodies included: never into our logs.
logging.getLogger("imapclient").setLevel(logging.INFO)

_HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(f.upper() for f in HEADER_FIELDS)})]"
#: RFC 2177: servers may drop an IDLE after 30 minutes; re-issue well before.
IDLE_REISSUE_S = 25 * 60
#: A changed UIDVALIDITY re-reads the mail of the days before the last pass, at least this many.
RESCAN_DAYS = 3
#: Bodies are read up to this many bytes (a reply is never that long; attachments can be).
MAX_FETCH_BYTES = 8_000_000
SENDING_KEYWORD = "$CoffeechatSending"
_SENT_NAMES = (
    "sent", "sent items", "sent messages", "sent mail", "sent-mail", "gesendet",
    "gesendete elemente", "gesendete objekte", "envoyés", "éléments envoyés", "enviados",
    "elementos enviados", "inviati", "posta inviata", "verzonden", "verzonden items", "wysłane",
)  # fmt: skip
_DRAFT_NAMES = (
    "drafts", "draft", "entwürfe", "brouillons", "borradores", "bozze", "concepten",
    "kopie robocze",
)  # fmt: skip


class Security(StrEnum):
    TLS = "tls"  # implicit TLS (IMAP 993, SMTP 465)
    STARTTLS = "starttls"  # plain connect, then STARTTLS (IMAP 143, SMTP 587)
    PLAIN = "plain"  # no encryption: only to this computer (Proton Bridge, tests)


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Everything about an IMAP/SMTP account except its password (that lives in the keyring).
    Stored as JSON in the profile; never holds a secret."""

    host: str
    username: str
    port: int = 993
    security: Security = Security.TLS
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: Security = Security.TLS
    #: A certificate (PEM) to trust besides the system's, for a server with its own certificate
    #: (Proton Bridge, self-hosted mail).
    ca_file: str = ""
    #: Folder names when the server does not mark them (empty: found automatically).
    sent_folder: str = ""
    drafts_folder: str = ""
    timeout: float = 30.0

    @property
    def outgoing_host(self) -> str:
        return self.smtp_host or self.host

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImapSettings:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("IMAP settings are not an object")
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("security", "smtp_security"):
            if key in values:
                values[key] = Security(values[key])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    domains: tuple[str, ...]
    host: str
    port: int
    security: Security
    smtp_host: str
    smtp_port: int
    smtp_security: Security
    #: What the user needs to know (where to make an app password).
    note: str = ""

    def settings(self, address: str, username: str = "") -> ImapSettings:
        return ImapSettings(
            host=self.host,
            port=self.port,
            security=self.security,
            username=username or address,
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_security=self.smtp_security,
        )


PRESETS: tuple[Preset, ...] = (
    Preset("Fastmail", ("fastmail.com", "fastmail.fm", "messagingengine.com"),
           "imap.fastmail.com", 993, Security.TLS, "smtp.fastmail.com", 465, Security.TLS,
           "Use an app password: Fastmail Settings → Privacy & Security → App passwords."),
    Preset("iCloud Mail", ("icloud.com", "me.com", "mac.com"),
           "imap.mail.me.com", 993, Security.TLS, "smtp.mail.me.com", 587, Security.STARTTLS,
           "Use an app-specific password from account.apple.com → Sign-In and Security."),
    Preset("Yahoo Mail", ("yahoo.com", "ymail.com", "rocketmail.com"),
           "imap.mail.yahoo.com", 993, Security.TLS, "smtp.mail.yahoo.com", 465, Security.TLS,
           "Use an app password: Yahoo Account Security → Generate app password."),
    Preset("Proton Mail (Bridge)", ("proton.me", "protonmail.com", "pm.me"),
           "127.0.0.1", 1143, Security.STARTTLS, "127.0.0.1", 1025, Security.STARTTLS,
           "Proton Mail Bridge must be running. Use the password Bridge shows (not your Proton "
           "password), and choose the certificate Bridge exports (Settings → Export TLS "
           "certificates)."),
    Preset("Gmail (app password)", ("gmail.com", "googlemail.com"),
           "imap.gmail.com", 993, Security.TLS, "smtp.gmail.com", 465, Security.TLS,
           "Needs 2-Step Verification and an app password (myaccount.google.com → Security → "
           "App passwords)."),
    Preset("Outlook.com (IMAP)", ("outlook.com", "hotmail.com", "live.com", "msn.com"),
           "outlook.office365.com", 993, Security.TLS, "smtp-mail.outlook.com", 587,
           Security.STARTTLS,
           "Needs two-step verification and an app password (account.microsoft.com → Security)."),
    Preset("AOL Mail", ("aol.com",),
           "imap.aol.com", 993, Security.TLS, "smtp.aol.com", 465, Security.TLS,
           "Use an app password: AOL Account Security → Generate app password."),
    Preset("Zoho Mail", ("zoho.com", "zohomail.com"),
           "imap.zoho.com", 993, Security.TLS, "smtp.zoho.com", 465, Security.TLS,
           "Turn on IMAP access in Zoho Mail settings; with two-factor sign-in use an app "
           "password."),
    Preset("GMX", ("gmx.com", "gmx.net", "gmx.de"),
           "imap.gmx.com", 993, Security.TLS, "mail.gmx.com", 587, Security.STARTTLS,
           "Turn on IMAP access in the GMX settings (E-Mail → POP3 & IMAP)."),
)  # fmt: skip


def preset_named(name: str) -> Preset | None:
    lowered = name.strip().lower()
    for preset in PRESETS:
        if preset.name.lower() == lowered or preset.name.lower().split(" ")[0] == lowered:
            return preset
    return None


def preset_for(address: str) -> Preset | None:
    """The preset of the address's mail provider, when it is a well-known one."""
    domain = address.rpartition("@")[2].strip().lower()
    for preset in PRESETS:
        if domain in preset.domains:
            return preset
    return None


# ------------------------------------------------------------------------------- errors
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


class _MaybeSent(Exception):
    """The SMTP transaction broke off after it began: the message may have been accepted."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error


def is_local(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _usual(service: str) -> str:
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
                f"security setting is wrong: {_usual(where)}.",
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
            f"Nothing answers at {at} (connection refused). Check the port: {_usual(where)}.",
            SetupProblem.REFUSED,
            where,
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return ServerUnreachableError(
            f"The {where} server at {at} did not answer in time. Check the server name and "
            f"port ({_usual(where)}), and that this computer is online.",
            SetupProblem.TIMEOUT,
            where,
        )
    if isinstance(exc, smtplib.SMTPConnectError | imaplib.IMAP4.abort | imaplib.IMAP4.error):
        said = str(exc)[:120]
        return ServerSetupError(
            f"The server at {at} is not an {where} server (it answered: {said}). Check the port: "
            f"{_usual(where)}.",
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


def _login_refused(user: str, host: str, where: str) -> LoginRefusedError:
    return LoginRefusedError(
        f"The {where} server {host} refused the user name or password for “{user}”. Many "
        "providers (Gmail, iCloud, Yahoo, Fastmail, Outlook.com) need an app password here, not "
        "the password you sign in with on the web.",
        where,
    )


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
        _close(client)
        raise _login_refused(settings.username, host, "IMAP") from None
    except ProviderError:
        _close(client)
        raise
    except Exception as exc:
        _close(client)
        raise connection_error(exc, host, port, "IMAP") from None
    client.normalise_times = False
    return client


def _close(client: Any) -> None:
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
                f"port: {_usual('SMTP')}.",
                SetupProblem.WRONG_SERVICE,
                "SMTP",
            )
    except smtplib.SMTPAuthenticationError:
        _quit(smtp)
        raise _login_refused(settings.username, host, "SMTP") from None
    except ProviderError:
        _quit(smtp)
        raise
    except Exception as exc:
        _quit(smtp)
        raise connection_error(exc, host, port, "SMTP") from None
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:
        with contextlib.suppress(Exception):
            smtp.close()


# ------------------------------------------------------------------------------- folders
@dataclass(frozen=True, slots=True)
class Folders:
    inbox: str
    sent: str
    drafts: str | None


def _leaf(name: str, delimiter: str) -> str:
    return name.rsplit(delimiter, 1)[-1] if delimiter else name


def find_folders(client: Any, settings: ImapSettings) -> Folders:
    """Inbox, Sent (SPECIAL-USE \\Sent, else by name) and Drafts; ServerSetupError when there is
    no Sent folder or a named one does not exist."""
    listed: list[tuple[tuple[bytes, ...], str, str]] = []
    for flags, delimiter, name in client.list_folders():
        delim = delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter or "")
        listed.append((tuple(flags), delim, str(name)))
    names = {name for _, _, name in listed}

    def pick(wanted: str, flag: bytes, usual: tuple[str, ...], label: str) -> str | None:
        if wanted:
            if wanted in names:
                return wanted
            raise ServerSetupError(
                f"There is no folder named “{wanted}” on {settings.host} (its folders: "
                f"{', '.join(sorted(names)[:12])}). Leave the {label} folder empty to find it "
                "automatically, or type its exact name.",
                SetupProblem.FOLDER,
            )
        for flags, _, name in listed:
            if flag in flags:
                return name
        for preference in usual:
            for _, delim, name in listed:
                if _leaf(name, delim).lower() == preference:
                    return name
        return None

    sent = pick(settings.sent_folder, b"\\Sent", _SENT_NAMES, "Sent")
    if sent is None:
        raise ServerSetupError(
            f"No Sent folder was found on {settings.host} (its folders: "
            f"{', '.join(sorted(names)[:12])}). Type the name of the folder your sent mail is in.",
            SetupProblem.FOLDER,
        )
    drafts = pick(settings.drafts_folder, b"\\Drafts", _DRAFT_NAMES, "Drafts")
    inbox = next((n for n in names if n.upper() == "INBOX"), "INBOX")
    return Folders(inbox, sent, drafts)


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
        _close(client)
    if smtp:
        _quit(open_smtp(settings, password))
    return ConnectionReport(folders, idle, condstore, smtp)


# ------------------------------------------------------------------------------- the provider
@dataclass(frozen=True, slots=True)
class _Mark:
    """Where a folder's sync stands."""

    name: str
    uidvalidity: int
    uid: int
    modseq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "v": self.uidvalidity, "uid": self.uid, "modseq": self.modseq}


def _parse_cursor(cursor: str | None) -> tuple[dict[str, _Mark], datetime | None]:
    if not cursor:
        return {}, None
    try:
        data = json.loads(cursor)
        marks = {
            key: _Mark(str(v["name"]), int(v["v"]), int(v["uid"]),
                       None if v.get("modseq") is None else int(v["modseq"]))
            for key, v in data["folders"].items()
        }  # fmt: skip
        at = datetime.fromisoformat(str(data["at"])) if data.get("at") else None
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("imap: unreadable cursor; starting from a fresh baseline")
        return {}, None
    return marks, at


def thread_root(message_id: str, in_reply_to: str, references: Iterable[str]) -> str:
    """IMAP has no thread ids: a thread is named by its first message's Message-ID, which every
    reply carries first in References (or alone in In-Reply-To)."""
    refs = [r for r in references if r.startswith("<")]
    return refs[0] if refs else (in_reply_to or message_id)


def _body_of(answer: dict[bytes, Any], prefix: bytes) -> bytes:
    for key, value in answer.items():
        if isinstance(key, bytes) and key.upper().startswith(prefix) and isinstance(value, bytes):
            return value
    return b""


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ImapProvider:
    """A connected IMAP/SMTP account. See the module docstring. It has no calendar
    (``has_calendar``): proposed times come from the working hours alone.

    ``password`` gives the app password (read lazily from the keyring). ``tracked_threads`` and
    ``known_addresses`` are the sync engine's view (called on the syncing thread): they decide
    which new messages are fetched in full up front and what a UIDVALIDITY rescan reports.
    """

    def __init__(
        self,
        account: Account,
        settings: ImapSettings,
        password: Callable[[], str | None],
        *,
        tracked_threads: Callable[[], Collection[str]] = lambda: (),
        known_addresses: Callable[[], Collection[str]] = lambda: (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.account = account
        self.has_calendar = False
        self.settings = settings
        self._password_source = password
        self._tracked = tracked_threads
        self._known = known_addresses
        self._now = now
        self._lock = threading.RLock()
        self._client: Any = None
        self._folders: Folders | None = None
        # What fetch_changes read ahead, by message id, for fetch_message in the same pass.
        self._cache = MessageCache()
        self._where: dict[str, tuple[str, int, int]] = {}
        self._drafts: dict[str, bytes] = {}
        self._used = 0.0
        self._selected = False
        #: IMAP commands that reached the server (for tests and the benchmark).
        self.commands = 0

    @classmethod
    def from_keyring(
        cls,
        account: Account,
        settings: ImapSettings,
        passwords: PasswordStore | None = None,
        **options: Any,
    ) -> ImapProvider:
        store = passwords or PasswordStore()
        return cls(account, settings, lambda: store.load(account.address), **options)

    # ---------------------------------------------------------------- plumbing
    def password(self) -> str:
        try:
            secret = self._password_source()
        except AuthError as exc:
            raise NeedsSignInError(str(exc)) from None
        if not secret:
            raise NeedsSignInError(
                f"There is no saved password for {self.account.address} in the keyring. "
                "Reconnect the account."
            )
        return secret

    def _connect(self) -> Any:
        if self._client is None:
            client = open_imap(self.settings, self.password())
            try:
                self._folders = find_folders(client, self.settings)
            except Exception:
                _close(client)
                raise
            self._client = client
        return self._client

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._selected = False
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                _close(client)

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        """The kept connection, opened on first use. A connection that dropped since the last
        use is reopened once; one that drops during the work is offline (the pass is repeated)."""
        with self._lock:
            # A connection quiet for a minute may have been closed by the server: look first.
            if self._client is not None and time.monotonic() - self._used > 60:
                try:
                    self._client.noop()
                    self.commands += 1
                except Exception:
                    self._drop()
            client = self._connect()
            try:
                yield client
                self._release(client)
                self._used = time.monotonic()
            except ProviderError:
                raise
            except (imaplib.IMAP4.abort, OSError) as exc:
                self._drop()
                raise OfflineError(
                    f"the connection to {self.settings.host} dropped ({type(exc).__name__})"
                ) from None
            except imaplib.IMAP4.error as exc:
                raise ProviderError(f"{self.settings.host} refused a command: {exc}") from None

    def _folder(self, folder: Folder) -> str:
        assert self._folders is not None
        return self._folders.inbox if folder is Folder.INBOX else self._folders.sent

    def _drafts_folder(self) -> str:
        assert self._folders is not None
        if self._folders.drafts is None:
            raise ServerSetupError(
                f"No Drafts folder was found on {self.settings.host}. Type the name of your "
                "Drafts folder in the account settings.",
                SetupProblem.FOLDER,
            )
        return self._folders.drafts

    def _status(self, client: Any, name: str) -> tuple[int, int, int | None]:
        items = [b"UIDVALIDITY", b"UIDNEXT"]
        condstore = bool(client.has_capability("CONDSTORE"))
        if condstore:
            items.append(b"HIGHESTMODSEQ")
        status = client.folder_status(name, items)
        self.commands += 1
        modseq = status.get(b"HIGHESTMODSEQ") if condstore else None
        return int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"]), modseq

    def _select(self, client: Any, name: str, *, write: bool = False) -> int:
        """Open read-only (EXAMINE) unless flags are to be set: nothing read can change the
        folder or its \\Seen flags."""
        info = client.select_folder(name, readonly=not write)
        self.commands += 1
        self._selected = True
        return int(info[b"UIDVALIDITY"])

    def _release(self, client: Any) -> None:
        """Leave the selected folder after each piece of work: a selected folder's STATUS is the
        session's stale view, and servers end a session whose selected folder is renumbered."""
        if not self._selected:
            return
        self._selected = False
        if client.has_capability("UNSELECT"):
            client.unselect_folder()
        else:
            client.close_folder()  # opened read-only: CLOSE expunges nothing
        self.commands += 1

    # ---------------------------------------------------------------- sync
    def fetch_changes(self, cursor: str | None, relevance: Relevance | None = None) -> ChangeSet:
        self._cache.clear()
        self._where.clear()
        if relevance is None:
            relevance = Relevance.from_views(self._tracked, self._known)
        marks, last = _parse_cursor(cursor)
        refs: list[MessageRef] = []
        new_marks: dict[str, _Mark] = {}
        reset = cursor is not None and not marks
        with self._session() as client:
            for folder in (Folder.INBOX, Folder.SENT):
                name = self._folder(folder)
                validity, uidnext, modseq = self._status(client, name)
                mark = marks.get(folder.value)
                top = uidnext - 1
                if mark is None or mark.name != name:  # baseline: mail already there is history
                    new_marks[folder.value] = _Mark(name, validity, top, modseq)
                    continue
                if validity != mark.uidvalidity:
                    reset = True
                    log.info("imap: UIDVALIDITY of a folder changed; rescanning recent mail")
                    found, top = self._rescan(client, folder, name, last, relevance)
                    refs.extend(found)
                    new_marks[folder.value] = _Mark(name, validity, top, modseq)
                    continue
                if top <= mark.uid or (modseq is not None and modseq == mark.modseq):
                    new_marks[folder.value] = replace(mark, modseq=modseq)
                    continue
                found, top = self._new_since(client, folder, name, mark.uid)
                refs.extend(found)
                new_marks[folder.value] = _Mark(name, validity, max(top, mark.uid), modseq)
            refs = self._prefetch(client, refs, relevance)
        data = {
            "v": 1,
            "folders": {k: m.to_dict() for k, m in new_marks.items()},
            "at": self._now().isoformat(),
        }
        return ChangeSet(tuple(dict.fromkeys(refs)), json.dumps(data, sort_keys=True), reset)

    def _new_since(
        self, client: Any, folder: Folder, name: str, after: int
    ) -> tuple[list[MessageRef], int]:
        validity = self._select(client, name)
        uids = [int(u) for u in client.search(["UID", f"{after + 1}:*"]) if int(u) > after]
        self.commands += 1
        refs = self._read_heads(client, folder, name, validity, uids)
        return refs, max(uids, default=after)

    def _rescan(
        self, client: Any, folder: Folder, name: str, last: datetime | None, relevance: Relevance
    ) -> tuple[list[MessageRef], int]:
        """After a UIDVALIDITY change: re-read the headers of the recent days and keep only mail
        that may concern a contact (event keys make seeing old mail again harmless)."""
        validity = self._select(client, name)
        since = (last or self._now()) - timedelta(days=RESCAN_DAYS)
        uids = [int(u) for u in client.search(["SINCE", since.date()])]
        self.commands += 1
        every = [int(u) for u in client.search(["ALL"])]
        self.commands += 1
        refs = self._read_heads(client, folder, name, validity, uids)
        kept = [r for r in refs if relevance.concerns(self._cache.heads[r.id])]
        return kept, max(every, default=0)

    def _read_heads(
        self, client: Any, folder: Folder, name: str, validity: int, uids: list[int]
    ) -> list[MessageRef]:
        if not uids:
            return []
        wanted = _HEADER_ITEM
        refs: list[MessageRef] = []
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            answers = client.fetch(chunk, [wanted, "INTERNALDATE", "FLAGS"])
            self.commands += 1
            for uid in chunk:
                answer = answers.get(uid)
                if answer is None:
                    continue  # expunged meanwhile
                flags = {bytes(f).lower() for f in answer.get(b"FLAGS", ())}
                if b"\\draft" in flags or b"\\deleted" in flags:
                    continue
                raw = _body_of(answer, b"BODY[HEADER")
                when = _aware(answer.get(b"INTERNALDATE"))
                head = parse_message(raw, MessageRef("", "", folder), full=False, default_date=when)
                ident = self._ident(folder, head.message_id, validity, uid)
                # A message with no ids at all is a thread of its own.
                thread = thread_root(head.message_id, head.in_reply_to, head.references) or ident
                ref = MessageRef(ident, thread, folder)
                self._cache.heads[ident] = replace(head, ref=ref)
                self._where[ident] = (name, validity, uid)
                refs.append(ref)
        return refs

    @staticmethod
    def _ident(folder: Folder, message_id: str, validity: int, uid: int) -> str:
        # The Message-ID, not the UID: it survives a UIDVALIDITY change (no second copy of a
        # message in the store), and it is how other accounts see the same mail.
        if message_id:
            return f"{folder.value}:{message_id}"
        return f"{folder.value}:{validity}/{uid}"

    def _prefetch(
        self, client: Any, refs: list[MessageRef], relevance: Relevance
    ) -> list[MessageRef]:
        """Bodies, in one FETCH per folder, for the new messages that may concern a contact."""
        if not refs:
            return refs
        wanted = [r for r in refs if relevance.concerns(self._cache.heads[r.id])]
        by_folder: dict[str, list[MessageRef]] = {}
        for ref in wanted:
            by_folder.setdefault(self._where[ref.id][0], []).append(ref)
        for name, group in by_folder.items():
            self._fetch_full(client, name, group)
        return refs

    def _fetch_full(self, client: Any, name: str, refs: list[MessageRef]) -> None:
        self._select(client, name)
        uids = {self._where[r.id][2]: r for r in refs}
        answers = client.fetch(list(uids), [f"BODY.PEEK[]<0.{MAX_FETCH_BYTES}>", "INTERNALDATE"])
        self.commands += 1
        for uid, ref in uids.items():
            answer = answers.get(uid)
            if answer is None:
                continue
            raw = _body_of(answer, b"BODY[]")
            when = _aware(answer.get(b"INTERNALDATE"))
            self._cache.full[ref.id] = parse_message(raw, ref, full=True, default_date=when)

    def fetch_message(self, ref: MessageRef, *, full: bool = True) -> MailMessage:
        cached = self._cache.get(ref.id, full=full)
        if cached is not None:
            return cached
        with self._session() as client:
            if ref.id not in self._where and not self._locate(client, ref):
                return stub(ref, self._now())
            name, validity, uid = self._where[ref.id]
            if full:
                self._fetch_full(client, name, [ref])
            else:
                self._select(client, name)
                self._read_heads(client, ref.folder, name, validity, [uid])
        found = (self._cache.full if full else self._cache.heads).get(ref.id)
        return found if found is not None else stub(ref, self._now())

    def _locate(self, client: Any, ref: MessageRef) -> bool:
        """A message named in an earlier pass: find its UID again by Message-ID."""
        folder, _, rest = ref.id.partition(":")
        if not rest.startswith("<"):
            return False
        name = self._folder(Folder(folder)) if folder in ("inbox", "sent") else folder
        uid = self._search_message_id(client, name, rest)
        if uid is None:
            return False
        self._where[ref.id] = (name, self._select(client, name), uid)
        return True

    def _search_message_id(self, client: Any, name: str, message_id: str) -> int | None:
        self._select(client, name)
        found = client.search(["HEADER", "Message-ID", message_id])
        self.commands += 1
        return max((int(u) for u in found), default=None)

    # ---------------------------------------------------------------- sending
    def _message_id_for(self, outbox_key: str) -> str:
        return message_id_for(self.account.address, outbox_key)

    def create_draft(self, msg: OutgoingMessage) -> DraftRef:
        """APPEND to Drafts with \\Draft (and \\Seen: the user wrote it). A draft left by an
        attempt that crashed is reused, not doubled."""
        message_id = self._message_id_for(msg.outbox_key)
        built = build_message(
            msg, self.account.address, self.account.display_name, self._now(), message_id
        )
        raw = built.as_bytes(policy=policy.SMTP)
        ident = f"drafts:{message_id}"
        thread = thread_root(message_id, msg.in_reply_to, msg.references)
        with self._session() as client:
            drafts = self._drafts_folder()
            if msg.outbox_key and self._search_message_id(client, drafts, message_id) is not None:
                log.info("imap: reusing the draft of an earlier attempt")
            else:
                client.append(drafts, raw, flags=(b"\\Draft", b"\\Seen"), msg_time=self._now())
                self.commands += 1
        self._drafts[ident] = raw
        return DraftRef(ident, thread)

    def _draft_bytes(self, client: Any, draft: DraftRef) -> bytes | None:
        raw = self._drafts.get(draft.id)
        if raw is not None:
            return raw
        message_id = draft.id.partition(":")[2]
        uid = self._search_message_id(client, self._drafts_folder(), message_id)
        if uid is None:
            return None
        answers = client.fetch([uid], ["BODY.PEEK[]"])
        self.commands += 1
        return _body_of(answers.get(uid, {}), b"BODY[]") or None

    def send_draft(self, draft: DraftRef) -> SentRef:
        message_id = draft.id.partition(":")[2]
        with self._session() as client:
            raw = self._draft_bytes(client, draft)
            if raw is None:
                found = self._in_sent(client, message_id, "")
                if found is not None:
                    return found
                raise KeyError(f"draft {draft.id} no longer exists")
            self._mark_sending(client, message_id)
        parsed = parse_message(raw, MessageRef(draft.id, "", Folder.SENT), full=False)
        try:
            self._smtp_send(raw, parsed)
        except _MaybeSent as exc:
            raise exc.error from None  # the mark stays: it may have gone out (at most once)
        except Exception:
            # Refused or never connected: certainly not sent, so the next attempt sends it.
            # (An interrupt keeps the mark: nobody knows how far SMTP got.)
            with contextlib.suppress(Exception), self._session() as client:
                self._unmark_sending(client, message_id)
            raise
        with self._session() as client:
            sent = self._file_sent(client, raw, parsed)
            self._remove_draft(client, message_id)
        self._drafts.pop(draft.id, None)
        return sent

    def _mark_sending(self, client: Any, message_id: str) -> None:
        """Before SMTP: the draft says a send began, so a crash before the sent copy is filed is
        taken as sent (at most once), never sent twice."""
        drafts = self._drafts_folder()
        uid = self._search_message_id(client, drafts, message_id)
        if uid is None:
            return
        self._select(client, drafts, write=True)
        client.add_flags([uid], [SENDING_KEYWORD.encode()], silent=True)
        self.commands += 1

    def _unmark_sending(self, client: Any, message_id: str) -> None:
        drafts = self._drafts_folder()
        uid = self._search_message_id(client, drafts, message_id)
        if uid is None:
            return
        self._select(client, drafts, write=True)
        client.remove_flags([uid], [SENDING_KEYWORD.encode()], silent=True)
        self.commands += 1

    def _remove_draft(self, client: Any, message_id: str) -> None:
        drafts = self._drafts_folder()
        self._select(client, drafts)
        uids = [int(u) for u in client.search(["HEADER", "Message-ID", message_id])]
        self.commands += 1
        if not uids:
            return
        self._select(client, drafts, write=True)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        self.commands += 1
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)  # only our draft: never EXPUNGE what the user marked
            self.commands += 1

    def _smtp_send(self, raw: bytes, parsed: MailMessage) -> None:
        recipients = list(dict.fromkeys((*parsed.to, *parsed.cc)))
        if not recipients:
            raise RecipientRefusedError("the draft has no recipients")
        smtp = open_smtp(self.settings, self.password())
        try:
            smtp.sendmail(self.account.address, recipients, raw)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(sorted(exc.recipients))
            raise RecipientRefusedError(
                f"the mail server refused the recipient {refused}"
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if 400 <= exc.smtp_code < 500:
                raise ThrottledError(retry_after=None) from None
            said = exc.smtp_error
            text = (said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said))[:200]
            raise RecipientRefusedError(f"the mail server refused the message: {text}") from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # Cut off in the middle of the transaction: the server may have taken the message.
            raise _MaybeSent(OfflineError(f"the SMTP connection dropped ({exc})")) from None
        except smtplib.SMTPException as exc:
            raise connection_error(
                exc, self.settings.outgoing_host, self.settings.smtp_port, "SMTP"
            ) from None
        finally:
            _quit(smtp)

    def _file_sent(self, client: Any, raw: bytes, parsed: MailMessage) -> SentRef:
        """The sent copy in Sent: the server's own when it files one (Gmail does), else ours."""
        sent = self._folder(Folder.SENT)
        found = self._in_sent(client, parsed.message_id, "")
        if found is not None:
            return found
        client.append(sent, raw, flags=(b"\\Seen",), msg_time=self._now())
        self.commands += 1
        thread = thread_root(parsed.message_id, parsed.in_reply_to, parsed.references)
        return SentRef(f"sent:{parsed.message_id}", thread, parsed.message_id)

    def _in_sent(self, client: Any, message_id: str, outbox_key: str) -> SentRef | None:
        sent = self._folder(Folder.SENT)
        self._select(client, sent)
        criteria: list[Any] = ["HEADER", "Message-ID", message_id]
        if outbox_key:
            criteria = ["OR", *criteria, "HEADER", OUTBOX_HEADER, outbox_key]
        uids = [int(u) for u in client.search(criteria)]
        self.commands += 1
        if not uids:
            return None
        wanted = _HEADER_ITEM
        answers = client.fetch([max(uids)], [wanted])
        self.commands += 1
        head = parse_message(
            _body_of(answers.get(max(uids), {}), b"BODY[HEADER"),
            MessageRef("", "", Folder.SENT),
            full=False,
        )
        ident = self._ident(Folder.SENT, head.message_id, 0, max(uids))
        thread = thread_root(head.message_id, head.in_reply_to, head.references)
        return SentRef(ident, thread, head.message_id)

    def find_sent(self, outbox_key: str) -> SentRef | None:
        if not outbox_key:
            return None
        message_id = self._message_id_for(outbox_key)
        with self._session() as client:
            found = self._in_sent(client, message_id, outbox_key)
            if found is not None:
                return found
            # A crash between SMTP and filing the copy: the draft carries the sending mark.
            drafts = self._folders.drafts if self._folders else None
            if drafts is None:
                return None
            self._select(client, drafts)
            uids = [
                int(u)
                for u in client.search(
                    ["HEADER", "Message-ID", message_id, "KEYWORD", SENDING_KEYWORD]
                )
            ]
            self.commands += 1
            if not uids:
                return None
            answers = client.fetch([max(uids)], ["BODY.PEEK[]"])
            self.commands += 1
            raw = _body_of(answers.get(max(uids), {}), b"BODY[]")
            if not raw:
                return None
            log.warning("imap: a send was interrupted after it began; taking it as sent")
            parsed = parse_message(raw, MessageRef("", "", Folder.SENT), full=False)
            sent = self._file_sent(client, raw, parsed)
            self._remove_draft(client, message_id)
            return sent

    # ---------------------------------------------------------------- calendar
    def busy_blocks(self, start: datetime, end: datetime) -> list[Interval]:
        raise ProviderError(
            "an IMAP account has no calendar to read: proposed times follow your working hours"
        )

    def create_event(self, event: MeetingInvite) -> EventRef:
        raise ProviderError(
            "an IMAP account has no calendar: send the invitation (.ics) by e-mail instead"
        )

    # ---------------------------------------------------------------- flags
    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        """The IMAP \\Flagged flag, whatever the flag's name: on the thread's latest message
        (Inbox or Sent) when ``on``, off again where we set it. Our flag carries the private
        keyword ``$CoffeechatFlagged`` beside it, so a message the user flagged themselves is
        never unflagged (and is left as it is when already flagged). No other flag changes."""
        with self._session() as client:
            found: list[tuple[datetime, str, int, tuple[bytes, ...]]] = []
            for folder in (Folder.INBOX, Folder.SENT):
                name = self._folder(folder)
                self._select(client, name)
                criteria = [
                    "OR", "HEADER", "Message-ID", thread_id, "HEADER", "References", thread_id,
                ]  # fmt: skip
                uids = [
                    int(u)
                    for u in client.search(["OR", *criteria, "HEADER", "In-Reply-To", thread_id])
                ]
                self.commands += 1
                if not uids:
                    continue
                info = client.fetch(uids, ["INTERNALDATE", "FLAGS"])
                self.commands += 1
                for uid in uids:
                    item = info.get(uid, {})
                    when = _aware(item.get(b"INTERNALDATE")) or datetime.min.replace(tzinfo=UTC)
                    flags = tuple(bytes(f) for f in item.get(b"FLAGS", ()))
                    found.append((when, name, uid, flags))
            if not found:
                log.info("imap: no message of the thread to flag")
                return
            found.sort(key=lambda item: (item[0], item[1], item[2]))
            if on:
                when, name, uid, flags = found[-1]
                if any(f.lower() in (FLAGGED.lower(), OUR_FLAG.lower()) for f in flags):
                    return  # flagged already: by us, or by the user (then it stays theirs)
                self._select(client, name, write=True)
                client.add_flags([uid], [FLAGGED, OUR_FLAG], silent=True)
                self.commands += 1
                return
            for _, name, uid, flags in found:
                if not any(f.lower() == OUR_FLAG.lower() for f in flags):
                    continue
                self._select(client, name, write=True)
                client.remove_flags([uid], [FLAGGED, OUR_FLAG], silent=True)
                self.commands += 1

    # ---------------------------------------------------------------- push
    def watcher(
        self,
        on_mail: Callable[[], None],
        on_state: Callable[[str, str], None] | None = None,
    ) -> InboxWatcher:
        return InboxWatcher(self.settings, self.password, on_mail, on_state)


# ------------------------------------------------------------------------------- IDLE
@dataclass
class InboxWatcher:
    """IMAP IDLE on the Inbox, on a connection of its own, while the app runs.

    ``run`` blocks (desktop.tasks starts it on a thread of its own) until ``stop``. It calls
    ``on_mail()`` when the server announces new mail, and once after each (re)connection (mail may
    have arrived while it was away). ``restart`` drops the connection and opens a new one at once
    (the network changed). A lost connection is retried with a growing pause (up to a minute); a
    server without IDLE ends the watcher (``supported`` False) and the app's polling carries on.
    ``on_state(state, message)`` reports "watching", "offline" or "unsupported".
    """

    settings: ImapSettings
    password: Callable[[], str]
    on_mail: Callable[[], None]
    on_state: Callable[[str, str], None] | None = None
    reissue_s: float = IDLE_REISSUE_S
    max_pause_s: float = 60.0
    #: Called with the count after each IDLE command is issued (tests, logs).
    on_idle: Callable[[int], None] | None = None
    supported: bool = True
    #: Counters for tests and logs.
    connections: int = 0
    idles: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _restart: threading.Event = field(default_factory=threading.Event)
    _wake: tuple[socket.socket, socket.socket] = field(default_factory=socket.socketpair)

    def stop(self) -> None:
        self._stop.set()
        self._poke()

    def restart(self) -> None:
        self._restart.set()
        self._poke()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _poke(self) -> None:
        with contextlib.suppress(OSError):
            self._wake[1].send(b"x")

    def _drain(self) -> None:
        self._wake[0].setblocking(False)
        with contextlib.suppress(OSError):
            while self._wake[0].recv(64):
                pass

    def _state(self, state: str, message: str = "") -> None:
        if self.on_state is not None:
            self.on_state(state, message)

    def _pause(self, seconds: float) -> None:
        """Wait, unless stopped or restarted meanwhile."""
        select.select([self._wake[0]], [], [], seconds)
        self._drain()

    def run(self) -> None:
        pause = 1.0
        try:
            while not self._stop.is_set():
                self._restart.clear()
                client: Any = None
                try:
                    client = open_imap(self.settings, self.password())
                    self.connections += 1
                    if not client.has_capability("IDLE"):
                        self.supported = False
                        log.info("imap: the server has no IDLE; polling only")
                        self._state("unsupported", "the server does not offer IDLE")
                        return
                    client.select_folder("INBOX", readonly=True)
                    self._state("watching")
                    self.on_mail()  # whatever arrived while we were not watching
                    pause = 1.0
                    self._idle(client)
                except (ProviderError, imaplib.IMAP4.error, OSError) as exc:
                    log.info("imap idle: %s", type(exc).__name__)
                    self._state("offline", str(exc))
                finally:
                    if client is not None:
                        with contextlib.suppress(Exception):
                            client.shutdown()
                if self._stop.is_set():
                    break
                if self._restart.is_set():
                    continue
                self._pause(pause)
                pause = min(pause * 2, self.max_pause_s)
        finally:
            for sock in self._wake:
                with contextlib.suppress(OSError):
                    sock.close()

    def _idle(self, client: Any) -> None:
        sock = client.socket()
        while not (self._stop.is_set() or self._restart.is_set()):
            client.idle()
            self.idles += 1
            if self.on_idle is not None:
                self.on_idle(self.idles)
            started = time.monotonic()
            arrived = False
            try:
                while True:
                    left = self.reissue_s - (time.monotonic() - started)
                    if left <= 0 or self._stop.is_set() or self._restart.is_set():
                        break
                    ready, _, _ = select.select([sock, self._wake[0]], [], [], left)
                    if self._wake[0] in ready:
                        self._drain()
                        continue
                    if sock in ready:
                        responses = client.idle_check(timeout=0)
                        if not responses:
                            raise OfflineError("the IMAP server closed the connection")
                        if any(
                            len(r) > 1 and r[1] in (b"EXISTS", b"RECENT")
                            for r in responses
                            if isinstance(r, tuple)
                        ):
                            arrived = True
                            break
                        if any(isinstance(r, tuple) and r[0] == b"BYE" for r in responses):
                            raise OfflineError("the IMAP server ended the session")
            finally:
                if not self._stop.is_set() or sock.fileno() >= 0:
                    with contextlib.suppress(Exception):
                        client.idle_done()
            if arrived:
                self.on_mail()
