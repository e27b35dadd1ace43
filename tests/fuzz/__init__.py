"""The fuzz suite: real-shaped messages, import files and databases, mutated, through the same
entry points as real data. ``make test`` runs a few thousand cases; ``make fuzz`` (bench/fuzz.py)
runs many more and prints the figures. ``COFFEECHAT_FUZZ_CASES`` scales the number of cases."""

from __future__ import annotations

import os

#: Cases per fuzz test in ``make test``; ``make fuzz`` raises it (see bench/fuzz.py).
DEFAULT_CASES = 400


def cases(default: int = DEFAULT_CASES) -> int:
    """The number of cases a fuzz test runs: ``COFFEECHAT_FUZZ_CASES`` when set."""
    value = os.environ.get("COFFEECHAT_FUZZ_CASES", "")
    return int(value) if value.strip().isdigit() else default
