"""The decoding work one import may spend on fountain parts, counted in steps.

A step is about a microsecond of this decoder's work: reducing a new equation by a stored
one is a step; picking one fragment in the spec's shuffle (a seeded draw, then a list
removal that grows with seqLen) is four steps, and more for very long messages.

A fountain part names its fragments only through a seed (seqNum, checksum): the decoder
must shuffle to find them and eliminate against every equation it holds. Forged parts of
a long message (large seqLen, mixes of thousands of fragments) make each part cost
thousands of steps, and the elimination grows with the parts already held: minutes for a
few thousand parts. Every step is charged here, for all the URs of one import together,
and the import stops decoding them at the cap: a hostile file costs about a second, never
minutes, and the work is at most linear in the parts given.
"""

from __future__ import annotations

from signer.errors import BadInput

# About a second of decoding. A draft sent as pure parts (what `export --qr`
# writes: each fragment once) costs a few steps per part at any size; sent as mixed
# parts only (a scanner joining an endless animation late, 30% more parts than
# fragments), a draft of 700 KiB fits (seqLen 815 at 880-byte fragments: 724,000 steps).
MAX_DECODE_STEPS = 1_000_000


def shuffle_cost(degree: int, seq_len: int) -> int:
    """Steps to find a part's ``degree`` fragments among ``seq_len`` (sampler.shuffled)."""
    if degree <= 1:
        return 1
    return degree * (4 + seq_len // 2_500) + seq_len // 1_000


class DecodeBudget:
    """Steps left for one import; ``charge`` refuses the work that would exceed them."""

    def __init__(self, limit: int = MAX_DECODE_STEPS) -> None:
        self.limit = limit
        self.spent = 0

    @property
    def exhausted(self) -> bool:
        return self.spent > self.limit

    def charge(self, steps: int, where: str) -> None:
        self.spent += steps
        if self.spent > self.limit:
            raise BadInput(
                "ur_too_costly",
                f"{where}: decoding these UR parts needs more than {self.limit} steps, the "
                "limit per import (forged or far too many fountain parts); nothing was "
                "decoded from them",
            )
