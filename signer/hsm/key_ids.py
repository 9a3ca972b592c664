"""How the appliance names a key on a token (its CKA_ID).

An imported secp256k1 key is named by RIPEMD-160 of SHA-256 of its compressed public key,
so whoever holds the public key (a PSBT's key, a wallet's child key) finds the token key
without a lookup table. That digest is also what Bitcoin calls hash160; the Bitcoin code
has its own (signer/chains/bitcoin), since this layer knows no chain.
"""

from __future__ import annotations

import hashlib


def secp256k1_key_id(public_key: bytes) -> bytes:
    """The CKA_ID of an imported secp256k1 key: RIPEMD-160(SHA-256(compressed public key))."""
    return hashlib.new("ripemd160", hashlib.sha256(public_key).digest()).digest()
