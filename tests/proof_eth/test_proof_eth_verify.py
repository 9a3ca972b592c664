"""The auditor's verifier: per-signature reasons, claimed hashes, the proof file's Safe part."""

from __future__ import annotations

from typing import Any

import pytest
from proof_chain import ProofChain
from web3.contract import Contract

from signer.chains.ethereum.signing import SafeOwner
from signer.chains.proof.ethereum_verify import verify_safe_proof_json, verify_safe_signatures
from signer.chains.proof.safe_message import (
    auditor_call,
    message_hash,
    packed_signatures,
    safe_message_hash,
    sign_safe_message,
)
from signer.errors import BadInput

MESSAGE = "ACME Exchange proof of reserves 2026-12-01"
VERSION = "1.4.1"


def signed(chain: ProofChain, safe: Contract, signers: list[SafeOwner]) -> tuple[bytes, bytes]:
    digest = safe_message_hash(message_hash(MESSAGE), safe.address, chain.chain_id, VERSION)
    return digest, packed_signatures(digest, sign_safe_message(digest, signers))


def part(
    chain: ProofChain, safe: Contract, owners: list[SafeOwner], changes: dict[str, Any]
) -> dict[str, Any]:
    """The `ethereum` object of a proof file, signed by the first two owners, then ``changes``."""
    digest, packed = signed(chain, safe, owners[:2])
    obj: dict[str, Any] = {
        "safe": safe.address, "chainId": chain.chain_id, "version": VERSION,
        "owners": [o.owner for o in owners], "threshold": 2,
        "messageHash": "0x" + message_hash(MESSAGE).hex(), "safeMessageHash": "0x" + digest.hex(),
        "signatures": "0x" + packed.hex(),
    }  # fmt: skip
    obj.update(changes)
    return obj


def test_a_good_proof_file_part_verifies(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner]
) -> None:
    check = verify_safe_proof_json(
        MESSAGE, part(proof_chain, proof_safes[VERSION], owners, {}), "f"
    )
    assert check.ok and check.problems == ()
    assert [c.reason for c in check.signatures] == ["ok", "ok"]


def test_claimed_hashes_that_differ_are_named(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner]
) -> None:
    changes = {"messageHash": "0x" + "11" * 32, "safeMessageHash": "0x" + "22" * 32}
    obj = part(proof_chain, proof_safes[VERSION], owners, changes)
    check = verify_safe_proof_json(MESSAGE, obj, "f")
    assert not check.ok
    assert any("messageHash 0x1111" in p for p in check.problems)
    assert any("safeMessageHash 0x2222" in p for p in check.problems)


@pytest.mark.parametrize("v", [0, 1, 31, 32])
def test_other_signature_kinds_are_not_proofs(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner], v: int
) -> None:
    safe = proof_safes[VERSION]
    _, packed = signed(proof_chain, safe, owners[:2])
    changed = packed[:64] + bytes([v]) + packed[65:]
    check = verify_safe_signatures(MESSAGE, safe.address, proof_chain.chain_id, VERSION,
                                   [o.owner for o in owners], 2, changed)  # fmt: skip
    assert not check.ok and check.signatures[0].reason.startswith(f"v is {v}")


def test_reasons_name_the_outsider_the_twin_and_the_order(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner],
    outsider: SafeOwner,
) -> None:  # fmt: skip
    safe = proof_safes[VERSION]
    listed = [o.owner for o in owners]

    def reasons(packed: bytes) -> list[str]:
        check = verify_safe_signatures(MESSAGE, safe.address, proof_chain.chain_id, VERSION,
                                       listed, 2, packed)  # fmt: skip
        assert not check.ok
        return [c.reason for c in check.signatures]

    _, one = signed(proof_chain, safe, [owners[0]])
    _, pair = signed(proof_chain, safe, owners[:2])
    _, stranger = signed(proof_chain, safe, [outsider])
    assert reasons(stranger) == [f"recovers to {outsider.owner}, not an owner"]
    assert reasons(one + one)[1] == f"owner {owners[0].owner} signed twice"
    assert "ascending" in reasons(pair[65:] + pair[:65])[1]
    assert reasons(b"\x00" * 64 + bytes([27]) + pair[65:])[0] == "not a valid secp256k1 signature"
    check = verify_safe_signatures(MESSAGE, safe.address, proof_chain.chain_id, VERSION,
                                   listed, 2, one)  # fmt: skip
    assert check.problems == ("1 valid owner signature(s): the Safe needs 2",)


def test_stricter_than_the_contract_on_trailing_bytes(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner]
) -> None:
    """The Safe reads only threshold signatures and ignores the rest; an auditor should not."""
    safe = proof_safes[VERSION]
    _, packed = signed(proof_chain, safe, owners[:2])
    call = auditor_call(message_hash(MESSAGE), VERSION)
    assert proof_chain.is_valid_signature(safe, call, packed + b"junk") == call.magic
    check = verify_safe_signatures(MESSAGE, safe.address, proof_chain.chain_id, VERSION,
                                   [o.owner for o in owners], 2, packed + b"junk")  # fmt: skip
    assert not check.ok and "65 bytes per owner" in check.problems[0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"safe": "0x12"}, "ethereum.safe"),
        ({"chainId": "1"}, "ethereum.chainId"),
        ({"chainId": True}, "ethereum.chainId"),
        ({"chainId": 0}, "ethereum.chainId"),
        ({"chainId": 2**256}, "ethereum.chainId"),
        ({"owners": "0xab"}, "ethereum.owners"),
        ({"owners": ["0x1"]}, "ethereum.owners[0]"),
        ({"signatures": "abcd"}, "ethereum.signatures"),
        ({"signatures": "0xzz"}, "ethereum.signatures"),
        ({"messageHash": "0x1234"}, "ethereum.messageHash"),
        ({"version": 141}, "ethereum.version"),
    ],
)
def test_hostile_proof_file_fields_are_bad_input(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner],
    changes: dict[str, Any], field: str,
) -> None:  # fmt: skip
    obj = part(proof_chain, proof_safes[VERSION], owners, changes)
    with pytest.raises(BadInput) as caught:
        verify_safe_proof_json(MESSAGE, obj, "x.proof.json")
    assert f"x.proof.json: field '{field}'" in caught.value.message


def test_unknown_version_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        verify_safe_signatures(MESSAGE, "0x" + "00" * 20, 1, "1.2.0", [], 1, b"")
    assert caught.value.code == "proof_safe_version"
