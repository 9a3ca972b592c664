"""Owner signatures over a SafeTx hash, checked by ecrecover, and the signatures export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

import coincurve
from eth_utils import keccak

from signer.chains.ethereum.fields import checksum_address, parse_address
from signer.chains.ethereum.safe_hash import verified_safe_tx_hash
from signer.chains.ethereum.safe_tx import SafeTx
from signer.errors import HsmError, Rejected
from signer.hsm.ecdsa import HALF_N, EcdsaSignature


class SafeOwner(NamedTuple):
    """A holder's owner key: the HSM signs a 32-byte digest (no message prefix)."""

    holder: str
    owner: str
    sign_digest: Callable[[bytes], EcdsaSignature]


@dataclass(frozen=True)
class OwnerSignature:
    """One owner's 65-byte ``r || s || v`` signature (v = 27 or 28) over the safeTxHash."""

    holder: str
    owner: str
    signature: bytes


@dataclass(frozen=True)
class SafeSignatures:
    """The signatures made for one Safe transaction."""

    safe_tx_hash: bytes
    signatures: tuple[OwnerSignature, ...]

    def to_json(self) -> dict[str, Any]:
        """The `<id>.safe-signatures.json` document."""
        return export_json(self.safe_tx_hash, self.signatures)


def recover_owner(digest: bytes, signature: bytes) -> str | None:
    """The address ecrecover yields for a 65-byte v=27/28 signature, None if it yields none."""
    if len(signature) != 65 or signature[64] not in (27, 28) or len(digest) != 32:
        return None
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([signature[64] - 27]), digest, hasher=None
        )
    except Exception:  # libsecp256k1 refuses r, s that name no point
        return None
    return checksum_address(keccak(key.format(compressed=False)[1:])[-20:].hex())


def sign_safe_tx(tx: SafeTx, signers: Iterable[SafeOwner]) -> SafeSignatures:
    """Sign the recomputed safeTxHash with each owner and prove each signature by ecrecover."""
    digest = verified_safe_tx_hash(tx)
    return SafeSignatures(digest, sign_as_owners(digest, signers))


def sign_as_owners(digest: bytes, signers: Iterable[SafeOwner]) -> tuple[OwnerSignature, ...]:
    """Each owner signs ``digest`` (a SafeTx or SafeMessage hash); each signature is proven
    by ecrecover: an owner twice, a high-S signature, or a token whose key is not the
    registered owner's is refused."""
    made: list[OwnerSignature] = []
    for holder, owner, sign_digest in signers:
        address = parse_address(owner, f"holder {holder}", "owner")
        if any(s.owner == address for s in made):
            raise Rejected("duplicate_owner", f"owner {address} is listed twice")
        signature = sign_digest(digest)
        if signature.s > HALF_N:
            raise HsmError("bad_signature", f"holder {holder}: signature is not low-S")
        vrs = signature.ethereum_vrs
        recovered = recover_owner(digest, vrs)
        if recovered != address:
            raise HsmError(
                "owner_mismatch",
                f"holder {holder}: the token's signature recovers to {recovered}, not to the "
                f"registered owner {address}; check the token is holder {holder}'s",
            )
        made.append(OwnerSignature(holder, address, vrs))
    return tuple(made)


def export_json(safe_tx_hash: bytes, signatures: Iterable[OwnerSignature]) -> dict[str, Any]:
    """`{"safeTxHash", "signatures": [{"owner", "signature"}], "packed"}`, owners ascending.

    The Safe's checkNSignatures requires strictly increasing owner addresses, so the
    signatures (possibly made in separate sessions) are re-checked and sorted here.
    """
    ordered = sorted(signatures, key=lambda s: int(s.owner, 16))
    for previous, current in pairwise(ordered):
        if int(previous.owner, 16) == int(current.owner, 16):
            raise Rejected("duplicate_owner", f"owner {current.owner} signed twice")
    for item in ordered:
        if recover_owner(safe_tx_hash, item.signature) != checksum_address(item.owner):
            raise Rejected(
                "bad_signature",
                f"the signature of owner {item.owner} does not recover to that owner "
                f"for safeTxHash 0x{safe_tx_hash.hex()}",
            )
    return {
        "safeTxHash": "0x" + safe_tx_hash.hex(),
        "signatures": [
            {"owner": checksum_address(s.owner), "signature": "0x" + s.signature.hex()}
            for s in ordered
        ],
        "packed": "0x" + b"".join(s.signature for s in ordered).hex(),
    }
