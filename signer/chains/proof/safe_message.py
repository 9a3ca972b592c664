"""A proof message as the Safe signs it (EIP-1271): the hashes, the owners' signatures, the call.

The construction, read from the Safe contracts (safe-global/safe-smart-account):

- messageHash = the EIP-191 "personal message" hash of the UTF-8 message text.
- The Safe's SafeMessage hash = EIP-712 hash of ``SafeMessage(bytes message)`` in the Safe's
  own domain, where ``message`` is the 32-byte messageHash as ``abi.encode(bytes32)``.
  v1.3.0 and v1.4.1 compute it in the CompatibilityFallbackHandler (getMessageHashForSafe,
  reached through isValidSignature(bytes32,bytes), which passes ``abi.encode(_dataHash)`` on);
  v1.1.1 computes it in the Safe itself (getMessageHash, called by isValidSignature(bytes,bytes)
  with ``_data`` = the same 32 bytes). Only the domains differ: v1.1.1 names the contract
  alone, v1.3.0 and later add the chain id (signer/chains/ethereum/safe_hash.py).
- Owners sign the SafeMessage hash as a bare digest (v = 27/28, ecrecover without prefix);
  the Safe's checkSignatures wants them packed in strictly ascending owner order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak

from signer.chains.ethereum.safe_hash import domain_separator
from signer.chains.ethereum.signing import OwnerSignature, SafeOwner, export_json, sign_as_owners
from signer.errors import Rejected

# Versions whose EIP-1271 path is proven against the real bytecode in tests/proof_eth.
PROOF_SAFE_VERSIONS = ("1.1.1", "1.3.0", "1.4.1")
# The versions whose Safe answers isValidSignature itself (legacy EIP-1271, bytes data).
_LEGACY_1271 = frozenset({"1.1.1"})

MAGIC_BYTES32 = bytes.fromhex("1626ba7e")  # isValidSignature(bytes32,bytes), EIP-1271 final
MAGIC_BYTES = bytes.fromhex("20c13b0b")  # isValidSignature(bytes,bytes), the legacy draft
# Where a Safe >= 1.1.0 keeps its fallback handler (FallbackManager's storage slot), so an
# auditor can check with eth_getStorageAt that the CompatibilityFallbackHandler is set.
FALLBACK_HANDLER_SLOT = keccak(b"fallback_manager.handler.address")

_SAFE_MESSAGE_TYPES = {"SafeMessage": [{"name": "message", "type": "bytes"}]}


def supported_version(safe_version: str) -> str:
    """The version itself if proofs are supported for it; refused otherwise."""
    if safe_version not in PROOF_SAFE_VERSIONS:
        raise Rejected(
            "proof_safe_version",
            f"Safe version {safe_version!r}: ownership proofs are made only for Safe "
            f"{', '.join(PROOF_SAFE_VERSIONS)} (the versions tested against the real contracts)",
        )
    return safe_version


def message_hash(message: str) -> bytes:
    """EIP-191 hash of the message text (eth-account's personal-message encoding)."""
    from eth_account.messages import defunct_hash_message  # slow import; Safe paths only

    return bytes(defunct_hash_message(text=message))


def safe_message_data(digest: bytes) -> bytes:
    """The bytes the Safe hashes as SafeMessage.message: ``abi.encode(bytes32 digest)``."""
    return bytes(abi_encode(["bytes32"], [digest]))


def safe_message_hash(digest: bytes, safe: str, chain_id: int, safe_version: str) -> bytes:
    """The Safe's message hash for the 32-byte ``digest`` (what the owners sign)."""
    from eth_account.messages import hash_eip712_message

    if len(digest) != 32:
        raise ValueError("the message hash is 32 bytes")
    domain = domain_separator(safe, chain_id, supported_version(safe_version))
    struct = hash_eip712_message(_SAFE_MESSAGE_TYPES, {"message": safe_message_data(digest)})
    return keccak(b"\x19\x01" + domain + bytes(struct))


def sign_safe_message(digest: bytes, signers: Iterable[SafeOwner]) -> tuple[OwnerSignature, ...]:
    """Each owner signs the SafeMessage hash, proven by ecrecover as a SafeTx's are."""
    return sign_as_owners(digest, signers)


def packed_signatures(digest: bytes, signatures: Iterable[OwnerSignature]) -> bytes:
    """``r || s || v`` per owner in ascending owner order, each re-checked by ecrecover.

    Signatures made in separate sessions merge here; the SafeTx export does the same
    sorting and checks, so it is reused.
    """
    return bytes.fromhex(export_json(digest, signatures)["packed"][2:])


@dataclass(frozen=True)
class AuditorCall:
    """The eth_call an auditor makes to the Safe to check the proof (EIP-1271)."""

    function: str  # the Solidity signature
    data: bytes  # its first argument: the 32-byte hash, or the bytes v1.1.1 hashes
    magic: bytes  # the 4 bytes a valid proof returns

    def calldata(self, signatures: bytes) -> bytes:
        """Selector and ABI-encoded arguments, ready for eth_call to the Safe's address."""
        first = "bytes32" if self.function.startswith("isValidSignature(bytes32") else "bytes"
        selector = keccak(self.function.encode())[:4]
        return selector + bytes(abi_encode([first, "bytes"], [self.data, signatures]))

    def to_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "data": "0x" + self.data.hex(),
            "magic": "0x" + self.magic.hex(),
        }


def auditor_call(digest: bytes, safe_version: str) -> AuditorCall:
    """Which isValidSignature the Safe of ``safe_version`` answers, with what, for ``digest``."""
    if supported_version(safe_version) in _LEGACY_1271:
        # GnosisSafe 1.1.1 hashes _data itself: passing the 32 bytes yields the same
        # SafeMessage hash as the handler's abi.encode(bytes32) on later versions.
        return AuditorCall("isValidSignature(bytes,bytes)", safe_message_data(digest), MAGIC_BYTES)
    return AuditorCall("isValidSignature(bytes32,bytes)", digest, MAGIC_BYTES32)
