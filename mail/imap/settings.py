"""IMAP account settings (never a secret) and the presets of well-known providers."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


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
           # Microsoft ended basic authentication (app passwords too) for Outlook.com in
           # September 2024: its IMAP takes OAuth only, which this connection does not do.
           "Outlook.com no longer accepts passwords (app passwords included) over IMAP: add "
           "this address as an Outlook account instead."),
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
