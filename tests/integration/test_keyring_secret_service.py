"""The token store against a real Secret Service: gnome-keyring on a private session bus
(``dbus-run-session``), as on a Linux desktop. A Gmail grant and an Outlook msal cache (in parts)
are written by one process and read back by another, then deleted. Outside CI a missing
gnome-keyring skips; in CI it fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mail.auth.microsoft import PART_SIZE
from tests.helpers.xvfb import require

ROOT = Path(__file__).resolve().parents[2]


def test_tokens_live_in_a_real_secret_service(tmp_path: Path) -> None:
    require("gnome-keyring-daemon")
    require("dbus-run-session")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),  # the keyring files live here, nowhere else
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    probe = f"{sys.executable} -m tests.helpers.keyring_probe"

    def session(action: str) -> dict[str, object]:
        """One desktop session: its own bus and keyring daemon, unlocked as at login."""
        script = (
            "echo -n test-password | gnome-keyring-daemon --unlock --components=secrets "
            f">/dev/null && {probe} {action}"
        )
        done = subprocess.run(
            ["dbus-run-session", "--", "bash", "-c", script],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen["backend"] == "keyring.backends.SecretService.Keyring"
        return seen

    session("write")
    # the next login: a new daemon reads the keyring file and hands the entries back
    read = session("read")
    assert read == {**read, "grant": True, "cache": True}
    assert isinstance(read["parts"], int) and read["parts"] >= 4
    assert isinstance(read["longest"], int) and read["longest"] <= PART_SIZE  # < 2,560 bytes
    # the secrets are in the keyring's own encrypted file, not in plain text anywhere
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.suffix == ".keyring" for p in files)
    for path in files:
        assert b"refresh-token" not in path.read_bytes() and b"rt-xxx" not in path.read_bytes()
    deleted = session("delete")
    assert deleted == {**deleted, "grant": None, "cache": None, "parts_left": None}
