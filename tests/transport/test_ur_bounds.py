"""The UR decoding budget: forged floods stop early, legitimate drafts fit (issue 15 item 7)."""

from __future__ import annotations

import random
import time

import cbor2
import pytest

from signer.errors import BadInput
from signer.transport.intake.ur_join import URCollector
from signer.transport.ur import UR, DecodeBudget, UREncoder, bytewords, decode_parts
from signer.transport.ur import fountain_decoder as decoder_module
from signer.transport.ur.fountain import FountainPart
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


def degree_one_flood(count: int, lengths: int = 20, seed: int = 11) -> list[str]:
    """Mixed parts (seqNum past seqLen) of ``lengths`` forged messages whose seqLens
    differ, seeds searched offline so that each part mixes one fragment: the cheapest
    part to charge. Interleaved, each part needs the degree table of another seqLen."""
    rng = random.Random(seed)
    seeds: dict[int, list[tuple[int, int]]] = {}
    for seq_len in range(10_000 - lengths, 10_000):
        found = seeds[seq_len] = []
        while len(found) < -(-count // lengths):
            seq_num, checksum = rng.randrange(seq_len + 1, 2**32 - 1), rng.getrandbits(32)
            if fragment_count(seq_num, seq_len, checksum) == 1:
                found.append((seq_num, checksum))
    parts = []
    for k in range(count):
        seq_len = 10_000 - lengths + k % lengths
        seq_num, checksum = seeds[seq_len][k // lengths]
        body = cbor2.dumps([seq_num, seq_len, seq_len, checksum, rng.randbytes(1)])
        parts.append(f"ur:crypto-psbt/{seq_num}-{seq_len}/"
                     + bytewords.encode(body, bytewords.Style.MINIMAL))
    return parts


def test_class7_degree_one_parts_of_many_seq_lens_are_charged_their_degree_table() -> None:
    """Each seqLen needs its own weight table (seqLen entries) to draw a part's degree;
    only a few are kept. Parts mixing one fragment were charged a step each while the
    table was rebuilt for every part: 5,000 of them held the home lock for half a minute."""
    parts = degree_one_flood(2_000)
    collector = URCollector()
    started = time.perf_counter()
    refusals = [r for n, text in enumerate(parts)
                if (r := collector.add(text, f"flood.ur.txt:{n + 1}", "flood.ur.txt"))]
    assert time.perf_counter() - started < 2.0
    assert [r.code for r in refusals] == ["ur_too_costly"]
    assert "1000000 steps" in refusals[0].message


def test_class7_forged_parts_claiming_a_message_are_refused_once_and_it_still_decodes(
        ) -> None:
    """Parts with a genuine message's seqLen, messageLen and checksum but fragments of
    another length, scanned among its own parts: one refusal, and the message joins."""
    payload = random.Random(4).randbytes(1_000)
    encoder = UREncoder(UR.wrap("crypto-psbt", payload), 100)
    genuine = [encoder.next_part() for _ in range(encoder.seq_len)]
    first = FountainPart.from_cbor(bytewords.decode(genuine[0].split("/")[-1],
                                                    bytewords.Style.MINIMAL, "p"), "p")
    other = next(n for n in range(1, first.message_len + 1)
                 if n != len(first.data) and -(-first.message_len // n) == first.seq_len)
    collector = URCollector()
    refusals = []
    for n, text in enumerate(genuine):
        forged = cbor2.dumps([n + 1, first.seq_len, first.message_len, first.checksum,
                              bytes(other)])
        for part in (text, f"ur:crypto-psbt/{n + 1}-{first.seq_len}/"
                     + bytewords.encode(forged)):
            if (refused := collector.add(part, "scan", "scan")) is not None:
                refusals.append(refused.code)
    assert refusals == ["ur_mixed_messages"]
    (joined,) = collector.finish()
    assert joined.payload == payload
