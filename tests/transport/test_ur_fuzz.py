"""Hostile UR input: whatever arrives, the decoder answers with BadInput or a result."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signer.errors import BadInput
from signer.transport.ur import bytewords, cbor, decode_parts
from signer.transport.ur.fountain import FountainPart

TYPES = st.sampled_from(["bytes", "psbt", "crypto-psbt", "crypto-seed", "BYTES", "b/c", ""])


@st.composite
def framed(draw: st.DrawFn) -> str:
    """A UR whose bytewords checksum is right, so the CBOR and fountain layers are reached."""
    body = draw(st.binary(max_size=64) | st.builds(cbor.encode, st.binary(max_size=40)))
    header = draw(st.sampled_from(["", "1-1/", "1-2/", "2-2/", "3-2/", "4294967296-1/"]))
    return f"ur:{draw(TYPES)}/{header}{bytewords.encode(body)}"


@st.composite
def forged_part(draw: st.DrawFn) -> str:
    """A well-formed fountain part with small, often inconsistent fields."""
    small = st.integers(min_value=0, max_value=6)
    seq_num, seq_len, message_len = draw(small), draw(small), draw(st.integers(0, 40))
    checksum = draw(st.sampled_from([0, 1, 0xFFFFFFFF, 2**32, 0x3B6C5D7F]))
    part = FountainPart(seq_num, seq_len, message_len, checksum, draw(st.binary(max_size=12)))
    return f"ur:bytes/{seq_num}-{seq_len}/{bytewords.encode(part.to_cbor())}"


ANY_PART = (
    st.text(max_size=200)
    | st.binary(max_size=200)
    | st.builds(lambda t: "ur:" + t, st.text(max_size=80))
    | framed()
    | forged_part()
)


def only_bad_input(parts: list[str | bytes]) -> None:
    try:
        decode_parts(parts).payload()
    except BadInput as err:
        assert err.code.startswith("ur_")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_PART, min_size=1, max_size=6))
def test_decoder_raises_only_bad_input(parts: list[str | bytes]) -> None:
    only_bad_input(parts)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_PART, min_size=1, max_size=6))
def test_decoder_raises_only_bad_input_long(parts: list[str | bytes]) -> None:
    only_bad_input(parts)
