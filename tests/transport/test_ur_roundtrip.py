"""Fountain recovery under loss, reordering and repeats; errors for bad or mixed parts."""

from __future__ import annotations

import random

import pytest

from signer.errors import BadInput
from signer.transport.ur import (
    UR,
    URDecoder,
    bytewords,
    cbor,
    decode_parts,
    encode_parts,
    encode_single,
)
from signer.transport.ur.fountain import FountainPart


@pytest.mark.parametrize("seed", range(40))
def test_shuffled_duplicated_and_lossy_parts_recover(seed: int) -> None:
    rng = random.Random(seed)
    payload = rng.randbytes(rng.randint(300, 5000))  # longer than a fragment: multipart
    ur = UR.wrap(rng.choice(["bytes", "psbt", "crypto-psbt"]), payload)
    fragment_len = rng.randint(10, 300)
    seq_len = len(encode_parts(ur, fragment_len))
    parts = encode_parts(ur, fragment_len, count=3 * seq_len + 5)
    kept = [p for p in parts if rng.random() > 0.25]
    kept += rng.sample(kept, len(kept) // 4)
    rng.shuffle(kept)
    if rng.random() < 0.5:
        kept = [p.upper() for p in kept]
    assert decode_parts(kept).payload() == payload


def test_pure_parts_alone_suffice_and_progress_is_reported() -> None:
    payload = random.Random(1).randbytes(3000)
    parts = encode_parts(UR.wrap("crypto-psbt", payload), 200)
    decoder = URDecoder()
    assert decoder.fountain.percent == 0.0
    for part in parts[:-1]:
        decoder.receive(part)
        assert decoder.result is None
    assert decoder.fountain.parts_seen == len(parts) - 1
    assert decoder.fountain.expected_parts == len(parts)
    assert 90.0 < decoder.fountain.percent < 100.0
    assert decoder.receive(parts[0]) is False
    assert decoder.receive(parts[-1]) is True
    assert decoder.fountain.percent == 100.0
    result = decoder.result
    assert result is not None and result.type == "crypto-psbt"
    assert result.payload() == payload


def test_missing_parts_are_reported_as_incomplete() -> None:
    parts = encode_parts(UR.wrap("psbt", bytes(range(256)) * 4), 100)
    with pytest.raises(BadInput) as err:
        decode_parts(parts[1:])
    assert err.value.code == "ur_incomplete"
    assert f"of {len(parts)}" in err.value.message


def test_parts_of_two_messages_are_refused() -> None:
    first = encode_parts(UR.wrap("bytes", b"a" * 1000), 100)
    second = encode_parts(UR.wrap("bytes", b"b" * 1000), 100)
    assert len(first) == len(second)
    with pytest.raises(BadInput) as err:
        decode_parts([first[0], second[1]])
    assert err.value.code == "ur_mixed_messages"
    other_type = encode_parts(UR.wrap("psbt", b"a" * 1000), 100)
    with pytest.raises(BadInput) as err:
        decode_parts([first[0], other_type[1]])
    assert err.value.code == "ur_mixed_messages"
    single = encode_single(UR.wrap("bytes", b"c"))
    for mix in ([first[0], single], [single, first[0]], [single, single.replace("/", "/1-1/")]):
        with pytest.raises(BadInput) as err:
            decode_parts(mix)
        assert err.value.code == "ur_mixed_messages"


def _part_text(part: FountainPart, header: str | None = None) -> str:
    header = header or f"{part.seq_num}-{part.seq_len}"
    return f"ur:bytes/{header}/{bytewords.encode(part.to_cbor())}"


def _raw(data: bytes) -> str:
    return f"ur:bytes/1-2/{bytewords.encode(data)}"


def test_forged_parts_with_valid_bytewords_are_refused() -> None:
    good = FountainPart(1, 2, 20, 0x12345678, b"x" * 10)
    cases = {
        _part_text(good, "2-2"): "ur_malformed",
        _part_text(FountainPart(1, 3, 20, 1, b"x" * 10)): "ur_malformed",
        _part_text(FountainPart(1, 2, 10**9, 1, b"x" * 10)): "ur_malformed",
        _raw(cbor.encode([1, 2, 20, 1])): "ur_malformed",
        _raw(bytes.fromhex("bfff")): "ur_malformed",
        _raw(bytes.fromhex("8501010101") + bytes.fromhex("5affffffff")): "ur_malformed",
        _raw(bytes.fromhex("8501010101") + bytes.fromhex("4a") + b"x" * 10 + b"!"): "ur_malformed",
        _raw(bytes.fromhex("9bffffffffffffffff")): "ur_malformed",
        _raw(bytes.fromhex("81" * 5)): "ur_malformed",
    }
    for text, code in cases.items():
        with pytest.raises(BadInput) as err:
            decode_parts([text])
        assert err.value.code == code, text


def test_reassembled_message_with_wrong_checksum_is_refused() -> None:
    parts = [FountainPart(n, 2, 20, 0xDEADBEEF, bytes([n]) * 10) for n in (1, 2)]
    with pytest.raises(BadInput) as err:
        decode_parts([_part_text(p) for p in parts])
    assert err.value.code == "ur_checksum"


def test_unsupported_type_and_non_bytestring_body() -> None:
    other = encode_single(UR("crypto-seed", cbor.encode(b"seed")))
    with pytest.raises(BadInput) as err:
        decode_parts([other]).payload()
    assert err.value.code == "ur_unsupported_type"
    with pytest.raises(BadInput) as err:
        decode_parts([encode_single(UR("bytes", cbor.encode([1, 2])))]).payload()
    assert err.value.code == "ur_malformed"


@pytest.mark.parametrize(
    "text",
    ["", "ur:", "ur:bytes", "UR:BYTES/", "ur:bytes/0-1/aeae", "ur:bytes/1-0/aeae",
     "ur:by tes/aeae", "ur:bytes/1-2/3/aeae", "xr:bytes/aeadaolazmjendeoti",
     "ur:bytes/aeadaolazmjendeotix", "ur:bytes/aeadaolazmjendeoto", b"ur:bytes/\xff"],
)
def test_malformed_strings(text: str | bytes) -> None:
    with pytest.raises(BadInput) as err:
        decode_parts([text])
    assert err.value.code in ("ur_malformed", "ur_checksum")
