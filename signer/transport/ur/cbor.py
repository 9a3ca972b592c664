"""The sliver of CBOR (RFC 8949) BC-UR needs, through cbor2: unsigned ints, byte strings, arrays.

cbor2 parses; this module only narrows what a hostile part may hold. Decoding refuses
indefinite lengths and deep nesting inside cbor2, then anything outside the subset (maps,
text, tags, floats, negative ints, booleans) and any encoding that is not the one
deterministic encoding of its value (non-shortest heads, trailing bytes): a part the
appliance accepts has exactly one spelling.
"""

from __future__ import annotations

import io

import cbor2

from signer.errors import BadInput

CborValue = int | bytes | list["CborValue"]

MAX_ARRAY_ITEMS = 16
MAX_DEPTH = 2


def encode(value: CborValue) -> bytes:
    """Encode with the shortest heads and definite lengths (deterministic CBOR)."""
    if _outside_subset(value, 0) is not None:
        raise TypeError(f"not part of this CBOR subset: {value!r}")
    return cbor2.dumps(value)


def decode(data: bytes, where: str) -> CborValue:
    """Decode exactly one item filling ``data``; anything else is ``ur_malformed``."""
    stream = io.BytesIO(data)
    decoder = cbor2.CBORDecoder(stream, max_depth=MAX_DEPTH + 1, allow_indefinite=False)
    try:
        value = decoder.decode()
    except (cbor2.CBORDecodeError, ValueError, OverflowError) as exc:
        raise _malformed(where, f"CBOR does not parse ({exc})") from None
    if stream.tell() != len(data):
        raise _malformed(where, f"{len(data) - stream.tell()} trailing bytes after the CBOR item")
    problem = _outside_subset(value, 0)
    if problem is not None:
        raise _malformed(where, problem)
    if cbor2.dumps(value) != data:
        raise _malformed(where, "expected deterministic CBOR (shortest heads, no tags)")
    return value


def _outside_subset(value: object, depth: int) -> str | None:
    """Why ``value`` is not an unsigned int, byte string or bounded array of them; None if it is."""
    if type(value) is int:  # bool is an int subclass: refused here
        return None if 0 <= value < 1 << 64 else "CBOR integer outside 0..2^64-1"
    if type(value) is bytes:
        return None
    if type(value) is list:
        if depth >= MAX_DEPTH or len(value) > MAX_ARRAY_ITEMS:
            return "CBOR array too deep or too long"
        for item in value:
            problem = _outside_subset(item, depth + 1)
            if problem is not None:
                return problem
        return None
    return f"unsupported CBOR item {type(value).__name__} (expected uint, bytes or array)"


def _malformed(where: str, what: str) -> BadInput:
    return BadInput("ur_malformed", f"{where}: {what}")
