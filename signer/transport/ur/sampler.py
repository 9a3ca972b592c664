"""Which fragments a fountain part mixes: degree by alias sampling, then a seeded shuffle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from signer.transport.ur.xoshiro import Xoshiro256

T = TypeVar("T")


class RandomSampler:
    """Walker/Vose alias sampler over weights, built in the index order the spec fixes."""

    def __init__(self, weights: Sequence[float]) -> None:
        if not weights or any(w <= 0 for w in weights):
            raise ValueError("weights must be positive")
        n = len(weights)
        total = sum(weights)
        scaled = [w * n / total for w in weights]
        small = [i for i in reversed(range(n)) if scaled[i] < 1]
        large = [i for i in reversed(range(n)) if scaled[i] >= 1]
        self._probs = [0.0] * n
        self._aliases = [0] * n
        while small and large:
            a = small.pop()
            g = large.pop()
            self._probs[a] = scaled[a]
            self._aliases[a] = g
            scaled[g] += scaled[a] - 1
            (small if scaled[g] < 1 else large).append(g)
        # Leftovers are exactly 1 in exact arithmetic; rounding may strand some in `small`.
        for i in large + small:
            self._probs[i] = 1.0

    def next(self, uniform: Callable[[], float]) -> int:
        """Draw one index using two uniform doubles."""
        r1 = uniform()
        r2 = uniform()
        i = int(len(self._probs) * r1)
        return i if r2 < self._probs[i] else self._aliases[i]


# Degree tables kept, most recently used last: a message's parts reuse its table.
_KEPT_TABLES = 8
_degree_tables: dict[int, RandomSampler] = {}


def _degree_sampler(seq_len: int) -> RandomSampler:
    sampler = _degree_tables.pop(seq_len, None)
    if sampler is None:
        sampler = RandomSampler([1.0 / i for i in range(1, seq_len + 1)])
        if len(_degree_tables) >= _KEPT_TABLES:
            del _degree_tables[next(iter(_degree_tables))]
    _degree_tables[seq_len] = sampler
    return sampler


def degree_table_cost(seq_num: int, seq_len: int) -> int:
    """Steps (about a microsecond each) that drawing part ``seq_num``'s degree spends
    building the weight table of ``seq_len`` first: none for a pure part or a kept table.

    Parts of many seqLens, interleaved, would otherwise rebuild a table of seqLen entries
    for every part, however few fragments the part mixes."""
    if seq_num <= seq_len or seq_len in _degree_tables:
        return 0
    return seq_len // 2


def choose_degree(seq_len: int, rng: Xoshiro256) -> int:
    """How many fragments a mixed part XORs together (weights 1/k, k = 1..seq_len)."""
    return _degree_sampler(seq_len).next(rng.next_double) + 1


def shuffled(items: Sequence[T], rng: Xoshiro256, count: int | None = None) -> list[T]:
    """The spec's shuffle: repeatedly take a uniformly chosen remaining item.

    Stopping after ``count`` picks gives the same prefix as the full shuffle, and keeps a
    part of a long message from costing seqLen^2 list moves.
    """
    remaining = list(items)
    result = []
    picks = len(remaining) if count is None else min(count, len(remaining))
    for _ in range(picks):
        result.append(remaining.pop(rng.next_int(0, len(remaining) - 1)))
    return result


def fragment_count(seq_num: int, seq_len: int, checksum: int) -> int:
    """How many fragments part ``seq_num`` mixes (choose_fragments' size), without the
    shuffle that picks them: what a decoder can weigh before doing the work."""
    if seq_num <= seq_len:
        return 1
    rng = Xoshiro256(seq_num.to_bytes(4, "big") + checksum.to_bytes(4, "big"))
    return choose_degree(seq_len, rng)


def choose_fragments(seq_num: int, seq_len: int, checksum: int) -> frozenset[int]:
    """Fragment indexes of part ``seq_num``: pure for the first seq_len parts, mixed after."""
    if seq_num <= seq_len:
        return frozenset({seq_num - 1})
    rng = Xoshiro256(seq_num.to_bytes(4, "big") + checksum.to_bytes(4, "big"))
    degree = choose_degree(seq_len, rng)
    return frozenset(shuffled(range(seq_len), rng, degree))
