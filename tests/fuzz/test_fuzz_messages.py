"""Mutated real-shaped messages through the parser, the classifier and a sync pass: nothing
raises, the text is valid UTF-8 and bounded, and a genuine reply among hostile messages still
moves its contact. ``COFFEECHAT_FUZZ_CASES`` sets the number of cases (``make fuzz`` runs more,
with the figures, through bench/fuzz.py)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import cases, messages, syncing

FUZZ = settings(
    max_examples=max(cases() // 4, 10),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_seeded_mutations_of_real_messages() -> None:
    for number in range(cases()):
        shape, raw = messages.case(number)
        try:
            messages.check(raw)
        except Exception as exc:
            raise AssertionError(f"case {number} (a mutated {shape!r}) failed") from exc


@FUZZ
@given(
    st.sampled_from(messages.seeds()),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(messages.MUTATIONS) - 1),
            st.integers(min_value=0, max_value=2**32 - 1),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_structural_and_byte_mutations(seed: tuple[str, bytes], ops: list[tuple[int, int]]) -> None:
    messages.check(messages.mutate(seed[1], ops))


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_after_real_headers(tail: bytes) -> None:
    head = messages.seeds()[0][1].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    messages.check(head + b"\r\n" + tail)


def test_a_genuine_reply_among_hostile_messages_moves_its_contact(tmp_path: Path) -> None:
    size = 20
    count = max(cases() // 40, 2)
    results = list(syncing.passes(tmp_path, syncing.batches_of(100_000, count, size)))
    assert len(results) == count
    assert [r for r in results if r.lost] == []
    assert sum(r.stored for r in results) >= count  # the hostile messages were read, too
