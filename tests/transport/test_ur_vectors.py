"""Every value in the Blockchain Commons reference vectors, reproduced byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from signer.errors import BadInput
from signer.transport.ur import UR, UREncoder, decode_parts, encode_single
from signer.transport.ur.bytewords import Style, crc32, decode, encode
from signer.transport.ur.fountain import (
    FountainEncoder,
    FountainPart,
    find_nominal_fragment_length,
    partition_message,
    xor,
)
from signer.transport.ur.sampler import RandomSampler, choose_degree, choose_fragments, shuffled
from signer.transport.ur.xoshiro import Xoshiro256

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bc-ur-vectors.json").read_text()
)


def make_message(length: int, seed: str = "Wolf") -> bytes:
    return Xoshiro256.from_text(seed).next_data(length)


def test_crc32() -> None:
    for text, expected in VECTORS["crc32"]:
        assert f"{crc32(text.encode()):08x}" == expected


@pytest.mark.parametrize("name", ["bytewords_1", "bytewords_2"])
def test_bytewords_encode_and_decode(name: str) -> None:
    case = VECTORS[name]
    data = bytes(case["input"])
    assert encode(data, Style.STANDARD) == case["standard"]
    assert encode(data, Style.MINIMAL) == case["minimal"]
    assert decode(case["standard"], Style.STANDARD) == data
    assert decode(case["minimal"].upper(), Style.MINIMAL) == data
    if "uri" in case:
        assert encode(data, Style.URI) == case["uri"]
        assert decode(case["uri"], Style.URI) == data


def test_bytewords_rejects_bad_checksum_and_short_input() -> None:
    case = VECTORS["bytewords_1"]
    for text, style in zip(case["bad_checksum"], Style, strict=True):
        with pytest.raises(BadInput) as err:
            decode(text, style)
        assert err.value.code == "ur_checksum"
    for text in case["too_short"]:
        with pytest.raises(BadInput) as err:
            decode(text, Style.STANDARD)
        assert err.value.code in ("ur_malformed", "ur_checksum")


def test_xoshiro_outputs() -> None:
    rng = Xoshiro256.from_text("Wolf")
    assert [rng.next() % 100 for _ in range(100)] == VECTORS["rng_1_wolf_next_mod_100"]
    rng = Xoshiro256.from_uint32(crc32(b"Wolf"))
    assert [rng.next() % 100 for _ in range(100)] == VECTORS["rng_2_crc32_wolf_next_mod_100"]
    rng = Xoshiro256.from_text("Wolf")
    assert [rng.next_int(1, 10) for _ in range(100)] == VECTORS["rng_3_wolf_next_int_1_10"]


def test_find_nominal_fragment_length() -> None:
    for message_len, min_len, max_len, expected in VECTORS["find_nominal_fragment_length"]:
        assert find_nominal_fragment_length(message_len, min_len, max_len) == expected


def test_random_sampler() -> None:
    case = VECTORS["random_sampler"]
    rng = Xoshiro256.from_text(case["rng"])
    sampler = RandomSampler(case["probs"])
    assert [sampler.next(rng.next_double) for _ in case["samples"]] == case["samples"]


def test_shuffle() -> None:
    case = VECTORS["shuffle"]
    rng = Xoshiro256.from_text(case["rng"])
    assert [shuffled(case["values"], rng) for _ in case["results"]] == case["results"]


def test_partition_degree_and_fragment_choice() -> None:
    message = make_message(1024)
    fragments = partition_message(message, find_nominal_fragment_length(1024, 10, 100))
    assert [f.hex() for f in fragments] == VECTORS["partition_1024"]
    rngs = [Xoshiro256.from_text(f"Wolf-{n}") for n in range(1, 201)]
    degrees = [choose_degree(len(fragments), rng) for rng in rngs]
    assert degrees == VECTORS["choose_degree_1024_nonce_1_to_200"]
    chosen = [sorted(choose_fragments(n, len(fragments), crc32(message))) for n in range(1, 31)]
    assert chosen == VECTORS["choose_fragments_1024_seq_1_to_30"]


def test_xor() -> None:
    case = VECTORS["xor"]
    assert xor(bytes.fromhex(case["data1"]), bytes.fromhex(case["data2"])).hex() == case["xor"]


def test_fountain_encoder_parts() -> None:
    encoder = FountainEncoder(make_message(256), 30)
    parts = [encoder.next_part() for _ in VECTORS["fountain_encoder_256_max30_cbor"]]
    assert [p.to_cbor().hex() for p in parts] == VECTORS["fountain_encoder_256_max30_cbor"]
    described = [
        f"seqNum:{p.seq_num}, seqLen:{p.seq_len}, messageLen:{p.message_len}, "
        f"checksum:{p.checksum}, data:{p.data.hex()}"
        for p in parts
    ]
    assert described == VECTORS["fountain_encoder_256_max30_descriptions"]
    for part, hex_cbor in zip(parts, VECTORS["fountain_encoder_256_max30_cbor"], strict=True):
        assert FountainPart.from_cbor(bytes.fromhex(hex_cbor), "vector") == part


def test_single_part_ur() -> None:
    ur = UR.wrap("bytes", make_message(50))
    assert encode_single(ur) == VECTORS["single_part_ur_50"]
    assert decode_parts([VECTORS["single_part_ur_50"]]) == ur
    assert decode_parts([VECTORS["single_part_ur_50"].upper()]).payload() == make_message(50)


def test_multipart_ur_encoder() -> None:
    encoder = UREncoder(UR.wrap("bytes", make_message(256)), 30)
    expected = VECTORS["ur_encoder_256_max30_first20"]
    assert [encoder.next_part() for _ in expected] == expected
    assert decode_parts(expected).payload() == make_message(256)
    assert decode_parts(reversed(expected)).payload() == make_message(256)


def test_fountain_decoder_roundtrip_from_seq_100() -> None:
    case = VECTORS["fountain_decoder_roundtrip"]
    assert case["message"] == "make_message(32767,'Wolf')"
    message = make_message(32767)
    encoder = UREncoder(UR.wrap("bytes", message), case["max_fragment_len"], case["first_seq_num"])
    parts = (encoder.next_part() for _ in range(10 * encoder.seq_len))
    assert decode_parts(parts).payload() == message
