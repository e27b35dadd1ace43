"""Every directory Coffeechat uses. A profile override (``--profile DIR`` or COFFEECHAT_PROFILE)
keeps data, logs and settings together for tests and the demo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.storage.files import narrow_tree

APP_NAME = "Coffeechat"
PROFILE_ENV = "COFFEECHAT_PROFILE"


@dataclass(frozen=True, slots=True)
class Paths:
    profile: Path
    logs: Path

    @property
    def database(self) -> Path:
        return self.profile / "coffeechat.sqlite3"

    @property
    def settings(self) -> Path:
        return self.profile / "settings.json"

    @property
    def demo_mailbox(self) -> Path:
        return self.profile / "demo-mailbox"

    @property
    def log_file(self) -> Path:
        return self.logs / "coffeechat.log"


def resolve(profile: str | os.PathLike[str] | None = None) -> Paths:
    """The profile given, else $COFFEECHAT_PROFILE, else the platform's user data directory."""
    chosen = profile or os.environ.get(PROFILE_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Paths(profile=root, logs=root / "logs")
    return Paths(
        profile=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


def make_private(paths: Paths) -> None:
    """Narrow the profile and the logs to the user alone (0700 folders, 0600 files): a profile
    written before Coffeechat kept its files private is fixed when the app next opens it."""
    narrow_tree(paths.profile)
    narrow_tree(paths.logs)
