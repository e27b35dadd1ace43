"""Finding the Inbox, Sent and Drafts folders: SPECIAL-USE flags first, then the usual names
in several languages, or the names the user typed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from mail.imap.errors import ServerSetupError, SetupProblem
from mail.imap.settings import ImapSettings

log = logging.getLogger(__name__)

_SENT_NAMES = (
    "sent", "sent items", "sent messages", "sent mail", "sent-mail", "gesendet",
    "gesendete elemente", "gesendete objekte", "envoyés", "éléments envoyés", "enviados",
    "elementos enviados", "inviati", "posta inviata", "verzonden", "verzonden items", "wysłane",
)  # fmt: skip
_DRAFT_NAMES = (
    "drafts", "draft", "entwürfe", "brouillons", "borradores", "bozze", "concepten",
    "kopie robocze",
)  # fmt: skip


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
