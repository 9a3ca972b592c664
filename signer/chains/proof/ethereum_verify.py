"""The auditor's check of a Safe ownership proof, with code airsign did not write.

Deliberately independent of the signing side (signer/chains/ethereum and safe_message.py):
the hashes are rebuilt from the message text by eth-account (EIP-191, and EIP-712 from the
full typed-data document), and each signature's signer is recovered by eth-account. The
rules are the Safe's checkSignatures for owner signatures: every signer an owner, strictly
ascending addresses (so distinct), at least ``threshold`` of them. Stricter than the
contract, which reads only the first ``threshold`` signatures and ignores trailing bytes:
here every 65-byte signature must hold, the length must be a multiple of 65, and only
v = 27/28 (plain ECDSA over the SafeMessage hash) is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

from signer.errors import BadInput

SIGNATURE_BYTES = 65
_DOMAIN_FIELDS = {
    "1.1.1": [{"name": "verifyingContract", "type": "address"}],
    "1.3.0": [
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "1.4.1": [
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
}


@dataclass(frozen=True)
class SignatureCheck:
    """One 65-byte signature: who it recovers to, and whether it holds."""

    index: int
    owner: str | None  # the recovered address, None when nothing recovers
    ok: bool
    reason: str


@dataclass(frozen=True)
class SafeProofCheck:
    """The verdict on the Safe part of a proof: per signature, and for the whole."""

    message_hash: bytes
    safe_message_hash: bytes
    signatures: tuple[SignatureCheck, ...]
    problems: tuple[str, ...]  # what fails the proof beyond single signatures

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.signatures) and all(s.ok for s in self.signatures)


def _typed_data(digest: bytes, safe: str, chain_id: int, safe_version: str) -> dict[str, Any]:
    domain: dict[str, Any] = {"verifyingContract": safe}
    if any(f["name"] == "chainId" for f in _DOMAIN_FIELDS[safe_version]):
        domain["chainId"] = chain_id
    return {
        "types": {
            "EIP712Domain": _DOMAIN_FIELDS[safe_version],
            "SafeMessage": [{"name": "message", "type": "bytes"}],
        },
        "primaryType": "SafeMessage",
        "domain": domain,
        "message": {"message": digest},  # abi.encode(bytes32) is the 32 bytes themselves
    }


def _recover(signable: Any, signature: bytes) -> str | None:
    from eth_account import Account

    try:
        return str(Account.recover_message(signable, signature=signature))
    except Exception:  # eth-keys refuses r or s out of range, or no point
        return None


def _check_one(
    index: int, signature: bytes, signable: Any, owners: set[str], previous: str | None
) -> SignatureCheck:
    v = signature[64]
    if v not in (27, 28):
        return SignatureCheck(
            index,
            None,
            False,
            f"v is {v}: expected 27 or 28 (an owner's "
            "ECDSA signature; contract, approved-hash and eth_sign kinds are "
            "not proofs)",
        )
    recovered = _recover(signable, signature)
    if recovered is None:
        return SignatureCheck(index, None, False, "not a valid secp256k1 signature")
    if recovered not in owners:
        return SignatureCheck(index, recovered, False, f"recovers to {recovered}, not an owner")
    if previous is not None and int(recovered, 16) == int(previous, 16):
        return SignatureCheck(index, recovered, False, f"owner {recovered} signed twice")
    if previous is not None and int(recovered, 16) < int(previous, 16):
        return SignatureCheck(
            index,
            recovered,
            False,
            f"owner {recovered} comes after {previous}: the Safe wants ascending owner addresses",
        )
    return SignatureCheck(index, recovered, True, "ok")


def verify_safe_signatures(
    message: str,
    safe: str,
    chain_id: int,
    safe_version: str,
    owners: Sequence[str],
    threshold: int,
    signatures: bytes,
    claimed_message_hash: bytes | None = None,
    claimed_safe_message_hash: bytes | None = None,
) -> SafeProofCheck:
    """Recompute the hashes from ``message`` and check the packed owner ``signatures``."""
    # eth-account's own hashing of a SignableMessage (0x19 || version || header || body); its
    # public wrappers either take only a text (defunct_hash_message) or hash and recover at once.
    from eth_account.messages import _hash_eip191_message, encode_defunct, encode_typed_data

    if safe_version not in _DOMAIN_FIELDS:
        raise BadInput(
            "proof_safe_version",
            f"Safe version {safe_version!r}: expected one of {', '.join(_DOMAIN_FIELDS)}",
        )
    digest = bytes(_hash_eip191_message(encode_defunct(text=message)))
    signable = encode_typed_data(full_message=_typed_data(digest, safe, chain_id, safe_version))
    safe_digest = bytes(_hash_eip191_message(signable))
    problems: list[str] = []
    if claimed_message_hash is not None and claimed_message_hash != digest:
        problems.append(
            f"messageHash 0x{claimed_message_hash.hex()} is not the message's "
            f"EIP-191 hash 0x{digest.hex()}"
        )
    if claimed_safe_message_hash is not None and claimed_safe_message_hash != safe_digest:
        problems.append(
            f"safeMessageHash 0x{claimed_safe_message_hash.hex()} is not the Safe's "
            f"message hash 0x{safe_digest.hex()}"
        )
    listed = {str(to_checksum_address(o)) for o in owners}
    if len(listed) != len(owners) or not 1 <= threshold <= len(listed):
        problems.append(
            f"threshold {threshold} of {len(owners)} listed owners is not a Safe "
            "setup (owners distinct, 1 <= threshold <= owners)"
        )
    if len(signatures) % SIGNATURE_BYTES:
        problems.append(f"signatures are {len(signatures)} bytes: expected 65 bytes per owner")
    checks: list[SignatureCheck] = []
    previous: str | None = None
    for index in range(len(signatures) // SIGNATURE_BYTES):
        chunk = signatures[index * SIGNATURE_BYTES : (index + 1) * SIGNATURE_BYTES]
        check = _check_one(index, chunk, signable, listed, previous)
        checks.append(check)
        previous = check.owner or previous
    valid = sum(c.ok for c in checks)
    if valid < threshold:
        problems.append(f"{valid} valid owner signature(s): the Safe needs {threshold}")
    return SafeProofCheck(digest, safe_digest, tuple(checks), tuple(problems))


def _field(part: Mapping[str, Any], name: str, kind: type, source: str) -> Any:
    value = part.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadInput(
            "bad_input",
            f"{source}: field 'ethereum.{name}': expected a JSON "
            f"{'string' if kind is str else 'integer' if kind is int else 'array'}",
        )
    return value


def _hex(part: Mapping[str, Any], name: str, source: str, size: int | None = None) -> bytes:
    text = _field(part, name, str, source)
    try:
        raw = bytes.fromhex(text.removeprefix("0x")) if text.startswith("0x") else None
    except ValueError:
        raw = None
    if raw is None or (size is not None and len(raw) != size):
        what = f"{size} bytes" if size else "bytes"
        raise BadInput(
            "bad_input", f"{source}: field 'ethereum.{name}': expected '0x' + hex of {what}"
        )
    return raw


def _chain_id(part: Mapping[str, Any], source: str) -> int:
    chain_id = _field(part, "chainId", int, source)
    if not 0 < chain_id < 2**256:
        raise BadInput(
            "bad_input", f"{source}: field 'ethereum.chainId': expected a positive uint256"
        )
    return int(chain_id)


def _address(value: object, source: str, name: str) -> str:
    if (
        not isinstance(value, str)
        or not is_hex_address(value)
        or (
            value != value.lower()
            and value[2:] != value[2:].upper()
            and not is_checksum_address(value)
        )
    ):
        raise BadInput(
            "bad_input",
            f"{source}: field 'ethereum.{name}': expected a 0x address "
            "(mixed case must be a valid EIP-55 checksum)",
        )
    return str(to_checksum_address(value))


def verify_safe_proof_json(message: str, part: object, source: str) -> SafeProofCheck:
    """Check the ``ethereum`` object of a proof file (docs/proof-of-reserves.md)."""
    if not isinstance(part, Mapping):
        raise BadInput("bad_input", f"{source}: field 'ethereum': expected a JSON object")
    owners = _field(part, "owners", list, source)
    if len(owners) > 64:
        raise BadInput("bad_input", f"{source}: field 'ethereum.owners': expected at most 64")
    return verify_safe_signatures(
        message,
        safe=_address(part.get("safe"), source, "safe"),
        chain_id=_chain_id(part, source),
        safe_version=_field(part, "version", str, source),
        owners=[_address(o, source, f"owners[{i}]") for i, o in enumerate(owners)],
        threshold=_field(part, "threshold", int, source),
        signatures=_hex(part, "signatures", source),
        claimed_message_hash=_hex(part, "messageHash", source, 32),
        claimed_safe_message_hash=_hex(part, "safeMessageHash", source, 32),
    )
