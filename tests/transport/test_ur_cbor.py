"""CBOR through cbor2 (issue 16 item 4): same bytes on the wire, stricter about what is read.

The byte-for-byte equivalence with the hand-written codec it replaced is the reference
vectors (tests/transport/test_ur_vectors.py: fountain parts and single URs); here, hostile
encodings a sloppy or malicious wallet could send are refused as ``ur_malformed``, and an
ordinary multipart UR still decodes afterwards.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signer.errors import BadInput
from signer.transport.ur import UR, FountainPart, bytewords, decode_parts, encode_parts
from signer.transport.ur.cbor import decode, encode

leaves = st.integers(0, 2**64 - 1) | st.binary(max_size=80)
# At most two array levels deep, 16 items each: the subset a fountain part uses.
values = leaves | st.lists(leaves | st.lists(leaves, max_size=16), max_size=16)


@given(values)
def test_what_is_encoded_decodes_to_itself(value: int | bytes | list[object]) -> None:
    assert decode(encode(value), "test") == value  # type: ignore[arg-type]


HOSTILE = {
    "1805": "deterministic",          # 5 with a one-byte head: not the shortest form
    "9f01ff": "indefinite",           # indefinite-length array
    "5f4101ff": "indefinite",         # indefinite-length byte string
    "c24101": "deterministic",        # bignum tag around 1
    "f5": "unsupported",              # true
    "20": "unsupported",              # -1
    "a0": "unsupported",              # empty map
    "6161": "unsupported",            # text "a"
    "0102": "trailing",               # one item, then more bytes
    "818181818101": "depth",          # nested deeper than a fountain part can be
    "d81c81d81d00": "deterministic",  # shared reference: an array containing itself
}


@pytest.mark.parametrize("hex_cbor", sorted(HOSTILE))
def test_hostile_encodings_are_refused(hex_cbor: str) -> None:
    with pytest.raises(BadInput) as err:
        decode(bytes.fromhex(hex_cbor), "part 1")
    assert err.value.code == "ur_malformed"
    assert str(err.value).startswith("part 1: ")


def test_a_fountain_part_with_a_long_head_is_refused_and_ordinary_parts_still_decode() -> None:
    payload = bytes(range(200))
    parts = encode_parts(UR.wrap("bytes", payload), max_fragment_len=60)
    honest = FountainPart.from_cbor(bytewords.decode(parts[0].split("/")[-1]), "part")
    # The same fields with seqNum spelt in a two-byte head: same value, another spelling.
    forged = bytes.fromhex("85190001") + honest.to_cbor()[2:]
    with pytest.raises(BadInput) as err:
        FountainPart.from_cbor(forged, "forged part")
    assert err.value.code == "ur_malformed"
    assert decode_parts(parts).payload() == payload
