"""A real Dovecot IMAP server for tests, and an aiosmtpd SMTP peer that delivers into its Maildir.

Dovecot runs in the foreground of its own process group from a generated config (no systemd, no
system files touched): a passwd file with ``{PLAIN}`` passwords, a static userdb and Maildirs under
a private temp folder, listening on 127.0.0.1 only: a plain IMAP port (STARTTLS offered) and an
implicit-TLS port with a self-signed certificate. ``kill()`` ends every Dovecot process at once
(as a crash would) and ``start()`` brings it back on the same ports with the same mail.

Outside CI a missing Dovecot skips the test; in CI (CI=true) it is a failure, since
scripts/system-deps.sh installs ``dovecot-imapd``.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.helpers.graph_emulator import make_certificate

SEARCH_PATH = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or next(
        (f"{d}/dovecot" for d in SEARCH_PATH if os.access(f"{d}/dovecot", os.X_OK)), None
    )
    if found is None:
        message = "dovecot is not installed (scripts/system-deps.sh test installs dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, deadline: float) -> None:
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"dovecot did not listen on port {port}")
        time.sleep(0.02)  # start-up poll in a fixture, not a timed assertion


_CONFIG = """\
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_failure_delay = 0
# no brute-force penalty for the tests' own failed logins
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u/Maildir
{capability}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = {sent_flag}
    auto = {sent_auto}
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


#: Dovecot's own capabilities after login, less IDLE.
_NO_IDLE = (
    "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES "
    "MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC "
    "ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE"
)


@dataclass
class Dovecot:
    """One Dovecot instance. ``users`` maps user names (addresses) to passwords."""

    users: dict[str, str] = field(default_factory=lambda: {"sam@mail.test": "app-pass-1"})
    #: False: the Sent folder is not marked SPECIAL-USE (found by its name instead).
    sent_special_use: bool = True
    #: False: IDLE is not advertised (a server that can only be polled).
    idle: bool = True
    root: Path = field(init=False)
    port: int = field(init=False)
    tls_port: int = field(init=False)
    cert: Path = field(init=False)
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # Not under pytest's tmp_path: that is private to root, and Dovecot's mail processes
        # run as nobody when the tests run as root.
        self.root = Path(tempfile.mkdtemp(prefix="coffeechat-dovecot-"))
        self.root.chmod(0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.cert, _key = make_certificate(self.root)
        (self.root / "key.pem").chmod(0o600)
        root_user = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid()).pw_name
        self.uid, self.gid = (65534, 65534) if root_user else (os.geteuid(), os.getegid())
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", self.uid, self.gid)
        self._write_config(
            internal_user="dovecot" if root_user else me,
            internal_group="dovecot" if root_user else me,
            login_user="dovenull" if root_user else me,
        )

    def _write_config(self, **users: str) -> None:
        (self.root / "passwd").write_text(
            "".join(f"{name}:{{PLAIN}}{password}\n" for name, password in self.users.items())
        )
        config = _CONFIG.format(
            instance=self.root.name,
            root=self.root,
            uid=self.uid,
            gid=self.gid,
            port=self.port,
            tls_port=self.tls_port,
            sent_flag="\\Sent" if self.sent_special_use else "\\Archive",
            sent_auto="subscribe",
            capability="" if self.idle else _NO_IDLE,
            **users,
        )
        (self.root / "dovecot.conf").write_text(config)

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        binary = dovecot_binary()
        self.proc = subprocess.Popen(
            [binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so kill() reaches every child
        )
        try:
            _wait_for_port(self.port, time.monotonic() + 15)
            _wait_for_port(self.tls_port, time.monotonic() + 15)
        except RuntimeError:
            self.kill()
            log = (self.root / "dovecot.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"dovecot did not start:\n{log}") from None

    def kill(self) -> None:
        """End every Dovecot process at once (SIGKILL to the group): connections drop mid-way."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None
        # Children re-parented away from the group leader die with the group too; make sure the
        # ports are free again before a restart.
        deadline = time.monotonic() + 10
        for port in (self.port, self.tls_port):
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                except OSError:
                    break
                time.sleep(0.02)

    def stop(self) -> None:
        self.kill()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- mail
    def maildir(self, user: str, folder: str = "") -> mailbox.Maildir:
        """The user's Maildir (``folder`` "" is the Inbox, e.g. "Sent" another folder)."""
        base = self.root / "mail" / user / "Maildir"
        path = base / f".{folder}" if folder else base
        for sub in (base, path, *(path / d for d in ("new", "cur", "tmp"))):
            if not sub.exists():
                sub.mkdir(parents=True, exist_ok=True)
                os.chown(sub, self.uid, self.gid)
        box = mailbox.Maildir(path, create=False)
        return box

    def deliver(self, user: str, raw: bytes, folder: str = "") -> str:
        """Deliver a message as an MDA would: a new file in the Maildir's new/."""
        (self.root / "mail" / user).mkdir(exist_ok=True)
        os.chown(self.root / "mail" / user, self.uid, self.gid)
        box = self.maildir(user, folder)
        key = box.add(mailbox.MaildirMessage(raw))
        path = Path(box._path) / "new" / key  # the file just written
        if path.exists():
            os.chown(path, self.uid, self.gid)
        return key

    def messages(self, user: str, folder: str = "") -> list[mailbox.MaildirMessage]:
        box = self.maildir(user, folder)
        return [box.get_message(k) for k in box.iterkeys()]

    def doveadm(self, *args: str) -> str:
        binary = shutil.which("doveadm") or "/usr/bin/doveadm"
        done = subprocess.run(
            [binary, "-c", str(self.config), *args], capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


class _Deliver:
    """aiosmtpd handler: mail for a Dovecot user lands in their Inbox; everything is recorded."""

    def __init__(self, dovecot: Dovecot, smtp: SmtpServer) -> None:
        self.dovecot, self.smtp = dovecot, smtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.smtp.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content.encode() if isinstance(content, str) else bytes(content)
        with self.smtp.lock:
            self.smtp.received.append((envelope.mail_from, list(envelope.rcpt_tos), raw))
        for rcpt in envelope.rcpt_tos:
            if rcpt.lower() in self.dovecot.users:
                self.dovecot.deliver(rcpt.lower(), raw)
        sender = (envelope.mail_from or "").lower()
        if self.smtp.files_sent and sender in self.dovecot.users:
            self.dovecot.deliver(sender, raw, folder="Sent")
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a loopback port with AUTH PLAIN/LOGIN against the Dovecot users' passwords.
    ``received`` holds (envelope sender, recipients, bytes) of every accepted message."""

    def __init__(self, dovecot: Dovecot) -> None:
        # aiosmtpd traces every line it receives: the peer's chatter is not the app's log.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.dovecot = dovecot
        self.port = free_port()
        self.lock = threading.Lock()
        self.received: list[tuple[str | None, list[str], bytes]] = []
        self.logins: list[str] = []
        #: File a copy of what a user sends in their Sent folder, as Gmail's SMTP does.
        self.files_sent = False
        #: Recipients refused at RCPT TO (a bad address).
        self.refuse: set[str] = set()
        self._stopped = False
        self.controller = self._controller()

    def _controller(self) -> Controller:
        return Controller(
            _Deliver(self.dovecot, self),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,  # plaintext is allowed to localhost only
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user = data.login.decode()
            if self.dovecot.users.get(user) == data.password.decode():
                self.logins.append(user)
                return AuthResult(success=True)
        # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client waiting)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        """Start (again, after ``stop``: a stopped controller cannot be restarted)."""
        if self._stopped:
            self.controller = self._controller()
        self.controller.start()
        self._stopped = False

    def stop(self) -> None:
        if not self._stopped:
            self.controller.stop()
            self._stopped = True

    def parsed(self) -> list[Any]:
        parser = BytesParser(policy=email.policy.default)
        with self.lock:
            return [parser.parsebytes(raw) for _, _, raw in self.received]


@contextlib.contextmanager
def mail_servers(**options: Any) -> Iterator[tuple[Dovecot, SmtpServer]]:
    """A started Dovecot and SMTP peer, stopped and removed afterwards."""
    dovecot_binary()
    with Dovecot(**options) as dovecot:
        smtp = SmtpServer(dovecot)
        smtp.start()
        try:
            yield dovecot, smtp
        finally:
            smtp.stop()
