"""Mutated LinkedIn, Google and Outlook CSV exports and vCards through read, plan and apply:
never a traceback (an ImportError_ with a message, or rejected rows), and all or nothing."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage import Store
from tests.fuzz import cases, imports, messages


def test_seeded_mutations_of_real_exports(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "profile")
    try:
        for number in range(max(cases() // 4, 20)):
            name, data = imports.case(number)
            path = tmp_path / name
            path.write_bytes(data)
            try:
                imports.check(store, path)
            except Exception as exc:
                raise AssertionError(f"import case {number} (a mutated {name}) failed") from exc
    finally:
        store.close()


@settings(
    max_examples=max(cases() // 8, 10),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(sorted(imports.SHAPES)),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]),
    st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=5),
)
def test_mutated_exports_into_one_profile(
    tmp_path: Path, name: str, encoding: str, seeds: list[int]
) -> None:
    data = imports.SHAPES[name]().encode(encoding, "replace")
    for seed in seeds:
        rng = random.Random(seed)
        data = rng.choice(messages.MUTATIONS)(data, rng)
    path = tmp_path / name
    path.write_bytes(data)
    store = Store.open(tmp_path / "profile")
    try:
        imports.check(store, path)
    finally:
        store.close()
