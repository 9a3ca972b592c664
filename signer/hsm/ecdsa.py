"""secp256k1 ECDSA signature encoding: low-S normalisation, DER, compact, recovery id.

The HSM returns raw ``r || s`` with random k; about half the time ``s`` is high.
Bitcoin (BIP62/146) and Ethereum (EIP-2) both require low S, so every signature
is normalised here before anything else sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import coincurve

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


class SignatureInvalid(Exception):
    """A signature did not verify against the expected public key."""


@dataclass(frozen=True)
class EcdsaSignature:
    """A verified low-S secp256k1 signature over a 32-byte digest by ``public_key``."""

    r: int
    s: int
    digest: bytes
    public_key: bytes  # compressed SEC1

    @property
    def compact(self) -> bytes:
        """64 bytes ``r || s``."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big")

    @property
    def der(self) -> bytes:
        """Strict DER (BIP66) encoding."""
        return der_encode(self.r, self.s)

    @cached_property
    def recovery_id(self) -> int:
        """0 or 1: the y parity of R, found by recovering the key from the signature.

        Computed on demand: Bitcoin never needs it and it costs two recoveries.
        """
        for candidate in (0, 1):
            try:
                recovered = coincurve.PublicKey.from_signature_and_message(
                    self.compact + bytes([candidate]), self.digest, hasher=None
                )
            except Exception:
                continue
            if recovered.format(compressed=True) == self.public_key:
                return candidate
        raise SignatureInvalid("no recovery id reproduces the signing key")

    @property
    def ethereum_vrs(self) -> bytes:
        """65 bytes ``r || s || v`` with v in {27, 28}, as Safe and ecrecover expect."""
        return self.compact + bytes([27 + self.recovery_id])


def _der_int(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def der_encode(r: int, s: int) -> bytes:
    """DER ``SEQUENCE { INTEGER r, INTEGER s }``."""
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def low_s(r: int, s: int) -> tuple[int, int, bool]:
    """Return ``(r, s', flipped)`` with ``s' <= n/2``; flipping negates R's y parity."""
    if s > HALF_N:
        return r, SECP256K1_N - s, True
    return r, s, False


def verified_signature(raw: bytes, digest: bytes, public_key: bytes) -> EcdsaSignature:
    """Normalise a raw HSM ``r || s`` to low S and verify it against ``public_key``.

    libsecp256k1 verifies (and itself refuses high S). Raises SignatureInvalid.
    """
    if len(raw) != 64 or len(digest) != 32:
        raise SignatureInvalid("signature must be 64 bytes and digest 32 bytes")
    r, s, _ = low_s(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N):
        raise SignatureInvalid("r or s out of range")
    key = _public_key(public_key)
    if not key.verify(der_encode(r, s), digest, hasher=None):
        raise SignatureInvalid("signature does not verify against the expected public key")
    return EcdsaSignature(r, s, digest, key.format(compressed=True))


@lru_cache(maxsize=4096)
def _public_key(encoded: bytes) -> coincurve.PublicKey:
    """Parsed keys are cached: a session signs with the same few keys many times."""
    try:
        return coincurve.PublicKey(encoded)
    except ValueError:
        raise SignatureInvalid("the expected public key is not a secp256k1 point") from None
