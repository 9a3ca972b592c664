"""The UR decoding budget: forged floods stop early, legitimate drafts fit (issue 15 item 7)."""

from __future__ import annotations

import random
import time

import cbor2
import pytest

from signer.errors import BadInput
from signer.transport.ur import UR, DecodeBudget, UREncoder, bytewords, decode_parts
from signer.transport.ur import fountain_decoder as decoder_module
from signer.transport.ur.sampler import fragment_count


def _forged(seq_nums: list[int], seq_len: int = 10_000) -> list[str]:
    rng = random.Random(3)
    return [f"ur:crypto-psbt/{n}-{seq_len}/" + bytewords.encode(cbor2.dumps(
        [n, seq_len, seq_len * 10, 0x0BADF00D, rng.randbytes(10)])) for n in seq_nums]


def test_a_draft_of_700_kib_in_mixed_parts_only_fits_the_default_budget() -> None:
    """A scanner that joined an endless animation late: no pure part at all, 30% more
    parts than fragments. The budget must not refuse it."""
    payload = random.Random(1).randbytes(700 * 1024)
    encoder = UREncoder(UR.wrap("crypto-psbt", payload), 880, first_seq_num=1_000_000)
    parts = [encoder.next_part() for _ in range(encoder.seq_len * 13 // 10 + 20)]
    budget = DecodeBudget()
    assert decode_parts(parts, "animation", budget).payload() == payload
    assert budget.spent < budget.limit


def test_a_forged_flood_is_refused_within_a_couple_of_seconds() -> None:
    parts = _forged(random.Random(5).sample(range(10_001, 2**31), 10_000))
    started = time.perf_counter()
    with pytest.raises(BadInput) as refused:
        decode_parts(parts, "flood.txt")
    assert time.perf_counter() - started < 3.0
    assert refused.value.code == "ur_too_costly"
    assert refused.value.message.startswith("flood.txt: ") and "1000000 steps" in (
        refused.value.message)


def test_the_budget_is_charged_before_the_shuffle_runs(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """A part whose degree alone is over the budget is refused without being shuffled."""
    seq_num = next(n for n in range(10_001, 20_000)
                   if fragment_count(n, 10_000, 0x0BADF00D) > 1_000)

    def never(*_: object) -> frozenset[int]:
        raise AssertionError("the shuffle ran before the budget was charged")

    monkeypatch.setattr(decoder_module, "choose_fragments", never)
    with pytest.raises(BadInput) as refused:
        decode_parts(_forged([seq_num]), "one.txt", DecodeBudget(1_000))
    assert refused.value.code == "ur_too_costly"
