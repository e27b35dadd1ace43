"""A real X server for tests that need one: Xvfb on a free display number, stopped afterwards.

Outside CI a missing Xvfb skips the test; in CI (CI=true) it is a failure, since .ci/run installs
it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (scripts/system-deps.sh test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def xvfb(size: str = "1400x900x24") -> Iterator[str]:
    """Yields the DISPLAY value of a fresh Xvfb."""
    binary = require("Xvfb")
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryDirectory() as _:
        proc = subprocess.Popen(
            [binary, "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        try:
            with os.fdopen(read_fd) as pipe:
                number = pipe.readline().strip()
            if not number:
                pytest.fail("Xvfb did not start")
            yield f":{number}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
