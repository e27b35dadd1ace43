"""Any mailbox over IMAP and SMTP, with an app password (see ``mail.imap.provider``).

The public names are re-exported here so ``from mail.imap import ImapProvider`` keeps working;
the modules underneath follow the seams: settings, errors, folders, connection, provider, idle.
"""

from mail.imap.connection import ConnectionReport, check_connection, is_local, open_imap, open_smtp
from mail.imap.errors import (
    LoginRefusedError,
    RecipientRefusedError,
    ServerSetupError,
    ServerUnreachableError,
    SetupProblem,
    connection_error,
)
from mail.imap.folders import Folders, find_folders
from mail.imap.idle import IDLE_REISSUE_S, InboxWatcher
from mail.imap.provider import (
    FLAGGED,
    MAX_FETCH_BYTES,
    OUR_FLAG,
    RESCAN_DAYS,
    ImapProvider,
)
from mail.imap.sending import SENDING_KEYWORD
from mail.imap.session import thread_root
from mail.imap.settings import PRESETS, ImapSettings, Preset, Security, preset_for, preset_named

__all__ = [
    "FLAGGED",
    "IDLE_REISSUE_S",
    "MAX_FETCH_BYTES",
    "OUR_FLAG",
    "PRESETS",
    "RESCAN_DAYS",
    "SENDING_KEYWORD",
    "ConnectionReport",
    "Folders",
    "ImapProvider",
    "ImapSettings",
    "InboxWatcher",
    "LoginRefusedError",
    "Preset",
    "RecipientRefusedError",
    "Security",
    "ServerSetupError",
    "ServerUnreachableError",
    "SetupProblem",
    "check_connection",
    "connection_error",
    "find_folders",
    "is_local",
    "open_imap",
    "open_smtp",
    "preset_for",
    "preset_named",
    "thread_root",
]
