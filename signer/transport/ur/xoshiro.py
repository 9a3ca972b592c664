"""Xoshiro256** seeded from SHA-256, the deterministic generator BC-UR fountain codes share."""

from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1
_TWO_64 = float(1 << 64)


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK


class Xoshiro256:
    """Xoshiro256** whose four state words are a SHA-256 digest read big-endian."""

    def __init__(self, seed: bytes) -> None:
        digest = hashlib.sha256(seed).digest()
        self._s = [int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8)]

    @classmethod
    def from_text(cls, text: str) -> Xoshiro256:
        """Seed from the UTF-8 bytes of ``text`` (the test vectors' "Wolf")."""
        return cls(text.encode())

    @classmethod
    def from_uint32(cls, value: int) -> Xoshiro256:
        """Seed from the four big-endian bytes of a 32-bit value (e.g. a CRC32)."""
        return cls(value.to_bytes(4, "big"))

    def next(self) -> int:
        """Next 64-bit output."""
        s = self._s
        result = (_rotl((s[1] * 5) & _MASK, 7) * 9) & _MASK
        t = (s[1] << 17) & _MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def next_double(self) -> float:
        """Uniform in [0, 1): the output as a double divided by 2^64."""
        return float(self.next()) / _TWO_64

    def next_int(self, low: int, high: int) -> int:
        """Uniform integer in the inclusive range [low, high], computed through a double."""
        return int(self.next_double() * float(high - low + 1)) + low

    def next_data(self, count: int) -> bytes:
        """``count`` bytes, each next_int(0, 255)."""
        return bytes(self.next_int(0, 255) for _ in range(count))
