"""The sliver of CBOR (RFC 8949) BC-UR needs: unsigned ints, byte strings, arrays.

Decoding is bounded: every length is checked against the bytes actually present, arrays
are capped in length and depth, and anything else (maps, text, tags, floats,
indefinite lengths) is refused.
"""

from __future__ import annotations

from signer.errors import BadInput

CborValue = int | bytes | list["CborValue"]

MAX_ARRAY_ITEMS = 16
MAX_DEPTH = 2

_UINT, _BYTES, _ARRAY = 0, 2, 4


def encode(value: CborValue) -> bytes:
    """Encode with the shortest heads (deterministic CBOR)."""
    if isinstance(value, bool):
        raise TypeError("booleans are not part of this CBOR subset")
    if isinstance(value, int):
        return _head(_UINT, value)
    if isinstance(value, bytes):
        return _head(_BYTES, len(value)) + value
    return _head(_ARRAY, len(value)) + b"".join(encode(item) for item in value)


def _head(major: int, argument: int) -> bytes:
    if argument < 0 or argument >= 1 << 64:
        raise ValueError("CBOR argument out of range")
    if argument < 24:
        return bytes([major << 5 | argument])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | extra]) + argument.to_bytes(size, "big")
    raise AssertionError("unreachable")


def decode(data: bytes, where: str) -> CborValue:
    """Decode exactly one item filling ``data``; anything else is ``ur_malformed``."""
    value, end = _item(data, 0, 0, where)
    if end != len(data):
        raise _malformed(where, f"{len(data) - end} trailing bytes after the CBOR item")
    return value


def _item(data: bytes, pos: int, depth: int, where: str) -> tuple[CborValue, int]:
    if pos >= len(data):
        raise _malformed(where, "CBOR ends early")
    major, extra = data[pos] >> 5, data[pos] & 0x1F
    pos += 1
    if extra < 24:
        argument = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        if pos + size > len(data):
            raise _malformed(where, "CBOR ends inside an item head")
        argument = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise _malformed(where, "indefinite or reserved CBOR length")
    if major == _UINT:
        return argument, pos
    if major == _BYTES:
        if argument > len(data) - pos:
            raise _malformed(where, "CBOR byte string is longer than the data")
        return data[pos : pos + argument], pos + argument
    if major == _ARRAY:
        if depth >= MAX_DEPTH or argument > MAX_ARRAY_ITEMS:
            raise _malformed(where, "CBOR array too deep or too long")
        items: list[CborValue] = []
        for _ in range(argument):
            item, pos = _item(data, pos, depth + 1, where)
            items.append(item)
        return items, pos
    raise _malformed(where, f"unsupported CBOR major type {major}")


def _malformed(where: str, what: str) -> BadInput:
    return BadInput("ur_malformed", f"{where}: {what}")
