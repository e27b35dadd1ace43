"""Logging: a rotating file in the platform log directory. Logs never contain tokens, passwords or
message bodies: code logs ids and kinds only, and a redacting filter masks credentials that slip
through (a library's debug line, an exception text)."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

from desktop.storage.files import FILE_MODE, narrow, private_dir

_SECRET = re.compile(
    r"(?i)(bearer\s+|access_token[\"'=: ]+|refresh_token[\"'=: ]+|password[\"'=: ]+|"
    r"client_secret[\"'=: ]+|code=)([^\s\"'&,;]+)"
)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only the user can read (a new one at each rollover too)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        narrow(Path(self.baseFilename))
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # the handler only appends

    def handleError(self, record: logging.LogRecord) -> None:
        """A record that cannot be written (the disk is full) is dropped quietly: the standard
        handler prints a traceback on stderr, in the middle of the command's one-line error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handleError(record)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _SECRET.sub(lambda m: m.group(1) + "[redacted]", message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup(log_dir: Path, *, level: int = logging.INFO, console: bool = False) -> Path | None:
    """Send logs to ``log_dir/coffeechat.log`` (1 MB x 5). Returns the file, or None if the folder
    cannot be written (then logs go to stderr only: a read-only disk must not stop the app)."""
    root = logging.getLogger()
    root.setLevel(level)
    shutdown()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    path: Path | None = log_dir / "coffeechat.log"
    handlers: list[logging.Handler] = []
    try:
        private_dir(log_dir)
        for old in log_dir.glob("coffeechat.log*"):  # written before logs were private
            narrow(old)
        handlers.append(
            PrivateRotatingFileHandler(
                log_dir / "coffeechat.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
            )
        )
    except OSError:
        path = None
        console = True
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(RedactingFilter())
        handler._coffeechat = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    return path


def shutdown() -> None:
    """Detach and close the handlers ``setup`` added (at exit, or before setting up again)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_coffeechat", False):
            root.removeHandler(handler)
            # A full disk cannot take the last buffered lines; there is nothing else to save.
            with contextlib.suppress(OSError):
                handler.close()
