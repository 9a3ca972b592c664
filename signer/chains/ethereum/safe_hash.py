"""EIP-712 SafeTx hash, recomputed here so that no hash from the online side is trusted."""

from __future__ import annotations

from eth_utils import keccak

from signer.chains.ethereum.safe_tx import SafeTx
from signer.errors import Rejected

# Safe >= 1.3.0 binds signatures to the chain; older domains only name the contract.
_DOMAIN_WITHOUT_CHAIN = keccak(b"EIP712Domain(address verifyingContract)")
_DOMAIN_WITH_CHAIN = keccak(b"EIP712Domain(uint256 chainId,address verifyingContract)")
# Versions >= 1.0.0 name the field baseGas (0.x called it dataGas, with another typehash).
_SAFE_TX_TYPE = keccak(
    b"SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,"
    b"uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
)
_VERSIONS_WITHOUT_CHAIN = frozenset({"1.0.0", "1.1.0", "1.1.1", "1.2.0"})


def _uint(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _address(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def domain_separator(safe: str, chain_id: int, safe_version: str) -> bytes:
    """The Safe's EIP-712 domain separator for its version."""
    if safe_version in _VERSIONS_WITHOUT_CHAIN:
        return keccak(_DOMAIN_WITHOUT_CHAIN + _address(safe))
    return keccak(_DOMAIN_WITH_CHAIN + _uint(chain_id) + _address(safe))


def safe_tx_struct_hash(tx: SafeTx) -> bytes:
    """hashStruct(SafeTx) as the Safe contract encodes it."""
    return keccak(
        _SAFE_TX_TYPE
        + _address(tx.to)
        + _uint(tx.value)
        + keccak(tx.data)
        + _uint(tx.operation)
        + _uint(tx.safe_tx_gas)
        + _uint(tx.base_gas)
        + _uint(tx.gas_price)
        + _address(tx.gas_token)
        + _address(tx.refund_receiver)
        + _uint(tx.nonce)
    )


def safe_tx_hash(tx: SafeTx) -> bytes:
    """The 32-byte safeTxHash owners sign (getTransactionHash on the contract)."""
    domain = domain_separator(tx.safe, tx.chain_id, tx.safe_version)
    return keccak(b"\x19\x01" + domain + safe_tx_struct_hash(tx))


def verified_safe_tx_hash(tx: SafeTx) -> bytes:
    """Recompute the hash; a draft whose own safeTxHash differs is refused loudly."""
    digest = safe_tx_hash(tx)
    if tx.claimed_hash is not None and tx.claimed_hash != digest:
        raise Rejected("hash_mismatch", hash_mismatch_message(tx.claimed_hash, digest))
    return digest


def hash_mismatch_message(claimed: bytes, computed: bytes) -> str:
    """Both hashes in full, so the operator can see the online side lied or erred."""
    return (
        f"the draft's safeTxHash 0x{claimed.hex()} differs from the hash recomputed "
        f"from its fields 0x{computed.hex()}: do not sign; report the draft"
    )
