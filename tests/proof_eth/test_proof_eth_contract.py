"""The proof's Safe signatures on the real Safe bytecode (py-evm); the verifier agrees.

An auditor's eth_call of isValidSignature must return the EIP-1271 magic value for the
signatures we make (bytes32 variant on v1.3.0/v1.4.1 through the CompatibilityFallbackHandler,
bytes variant on v1.1.1), and must not for any tampered proof; ethereum_verify, built on
eth-account alone, must say the same in every case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from proof_chain import HANDLERS, VERSIONS, ProofChain
from web3.contract import Contract

from signer.chains.ethereum.signing import SafeOwner
from signer.chains.proof.ethereum_verify import verify_safe_signatures
from signer.chains.proof.safe_message import (
    FALLBACK_HANDLER_SLOT,
    MAGIC_BYTES,
    MAGIC_BYTES32,
    auditor_call,
    message_hash,
    packed_signatures,
    safe_message_data,
    safe_message_hash,
    sign_safe_message,
)

MESSAGE = "ACME Exchange proof of reserves 2026-12-01: we control these addresses"


@dataclass(frozen=True)
class Proof:
    """What the exported proof carries for the Safe: the message and packed signatures."""

    message: str
    version: str
    signatures: bytes


def make_proof(
    chain: ProofChain,
    safe: Contract,
    version: str,
    signers: list[SafeOwner],
    message: str = MESSAGE,
) -> Proof:
    digest = safe_message_hash(message_hash(message), safe.address, chain.chain_id, version)
    return Proof(message, version, packed_signatures(digest, sign_safe_message(digest, signers)))


def contract_says(chain: ProofChain, safe: Contract, proof: Proof) -> bool:
    call = auditor_call(message_hash(proof.message), proof.version)
    return chain.is_valid_signature(safe, call, proof.signatures) == call.magic


def verifier_says(
    chain: ProofChain, safe: Contract, owners: list[SafeOwner], proof: Proof, threshold: int = 2
) -> bool:
    return verify_safe_signatures(
        proof.message, safe.address, chain.chain_id, proof.version,
        [o.owner for o in owners], threshold, proof.signatures,
    ).ok  # fmt: skip


@pytest.mark.parametrize("version", VERSIONS)
def test_safe_message_hash_is_the_contracts(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], version: str
) -> None:
    safe = proof_safes[version]
    for message in (MESSAGE, "ACME ünïcode ✓ 2026", "x" * 1000):
        digest = message_hash(message)
        ours = safe_message_hash(digest, safe.address, proof_chain.chain_id, version)
        assert ours == proof_chain.contract_message_hash(safe, version, safe_message_data(digest))


@pytest.mark.parametrize("version", ["1.3.0", "1.4.1"])
def test_fallback_handler_is_set_and_readable_at_its_slot(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], version: str
) -> None:
    stored = proof_chain.w3.eth.get_storage_at(proof_safes[version].address, FALLBACK_HANDLER_SLOT)
    assert bytes(stored)[-20:] == bytes.fromhex(proof_chain.handler(version).address[2:])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (2, 1)])
def test_two_of_three_owners_make_is_valid_signature_succeed(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner],
    version: str, pair: tuple[int, int],
) -> None:  # fmt: skip
    safe = proof_safes[version]
    proof = make_proof(proof_chain, safe, version, [owners[i] for i in pair])
    call = auditor_call(message_hash(MESSAGE), version)
    expected = MAGIC_BYTES32 if version in HANDLERS else MAGIC_BYTES
    assert call.magic == expected
    assert proof_chain.is_valid_signature(safe, call, proof.signatures) == expected
    assert verifier_says(proof_chain, safe, owners, proof)


def test_the_bytes32_call_is_the_handlers_own_abi(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner]
) -> None:
    """Our calldata is what web3 encodes from the handler's ABI, and both get the magic."""
    safe = proof_safes["1.4.1"]
    proof = make_proof(proof_chain, safe, "1.4.1", owners[:2])
    at_safe = proof_chain.w3.eth.contract(
        address=safe.address, abi=proof_chain.handler("1.4.1").abi
    )
    function = at_safe.get_function_by_signature("isValidSignature(bytes32,bytes)")
    digest = message_hash(MESSAGE)
    assert bytes(function(digest, proof.signatures).call()) == MAGIC_BYTES32
    call = auditor_call(digest, "1.4.1")
    assert call.calldata(proof.signatures) == bytes.fromhex(
        at_safe.encode_abi("isValidSignature(bytes32,bytes)", args=[digest, proof.signatures])[2:]
    )


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


Tamper = Callable[[ProofChain, Contract, str, list[SafeOwner], SafeOwner], Proof]
TAMPERED: dict[str, Tamper] = {
    "message one character changed": lambda c, s, v, o, x: Proof(
        MESSAGE.replace("2026", "2025"), v, make_proof(c, s, v, o[:2]).signatures),
    "r of the first signature changed": lambda c, s, v, o, x: Proof(
        MESSAGE, v, flip(make_proof(c, s, v, o[:2]).signatures, 5)),
    "s of the second signature changed": lambda c, s, v, o, x: Proof(
        MESSAGE, v, flip(make_proof(c, s, v, o[:2]).signatures, 65 + 40)),
    "one signature only": lambda c, s, v, o, x: make_proof(c, s, v, o[:1]),
    "owners in descending order": lambda c, s, v, o, x: Proof(
        MESSAGE, v, (lambda p: p[65:] + p[:65])(make_proof(c, s, v, o[:2]).signatures)),
    "one owner twice": lambda c, s, v, o, x: Proof(
        MESSAGE, v, make_proof(c, s, v, o[:1]).signatures * 2),
    "an outsider as second signer": lambda c, s, v, o, x: make_proof(c, s, v, [o[0], x]),
    "signed for another Safe version's hash": lambda c, s, v, o, x: Proof(
        MESSAGE, v, make_proof(c, s, "1.1.1" if v != "1.1.1" else "1.4.1", o[:2]).signatures),
}  # fmt: skip


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", list(TAMPERED))
def test_tampered_proofs_fail_on_the_contract_and_in_the_verifier(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner],
    outsider: SafeOwner, version: str, case: str,
) -> None:  # fmt: skip
    safe = proof_safes[version]
    proof = TAMPERED[case](proof_chain, safe, version, owners, outsider)
    assert not contract_says(proof_chain, safe, proof)
    assert not verifier_says(proof_chain, safe, owners, proof)


def test_signatures_for_one_safe_do_not_prove_another(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner]
) -> None:
    """Same owners, same version, another Safe address: the domain binds the proof."""
    other = proof_chain.create_proof_safe("1.4.1", [o.owner for o in owners])
    proof = make_proof(proof_chain, proof_safes["1.4.1"], "1.4.1", owners[:2])
    assert contract_says(proof_chain, proof_safes["1.4.1"], proof)
    assert not contract_says(proof_chain, other, proof)
    assert not verifier_says(proof_chain, other, owners, proof)


def test_threshold_three_needs_three(proof_chain: ProofChain, owners: list[SafeOwner]) -> None:
    safe = proof_chain.create_proof_safe("1.3.0", [o.owner for o in owners], threshold=3)
    two = make_proof(proof_chain, safe, "1.3.0", owners[:2])
    three = make_proof(proof_chain, safe, "1.3.0", owners)
    assert not contract_says(proof_chain, safe, two)
    assert not verifier_says(proof_chain, safe, owners, two, threshold=3)
    assert contract_says(proof_chain, safe, three)
    assert verifier_says(proof_chain, safe, owners, three, threshold=3)


def test_selectors_are_the_eip1271_magic_values() -> None:
    """The magic values are the selectors of the two isValidSignature forms (EIP-1271)."""
    assert keccak(b"isValidSignature(bytes32,bytes)")[:4] == MAGIC_BYTES32
    assert keccak(b"isValidSignature(bytes,bytes)")[:4] == MAGIC_BYTES


@pytest.mark.parametrize("version", VERSIONS)
def test_verifier_agrees_with_the_contract_on_random_damage(
    proof_chain: ProofChain, proof_safes: dict[str, Contract], owners: list[SafeOwner],
    version: str,
) -> None:  # fmt: skip
    """A byte of the signatures changed, or the bytes cut short: contract and verifier refuse."""
    safe = proof_safes[version]
    good = make_proof(proof_chain, safe, version, [owners[1], owners[2]])

    @given(st.integers(0, 129), st.integers(1, 255), st.booleans())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def damaged(index: int, mask: int, cut: bool) -> None:
        changed = good.signatures[:index] if cut else (
            good.signatures[:index] + bytes([good.signatures[index] ^ mask])
            + good.signatures[index + 1 :]
        )  # fmt: skip
        proof = Proof(MESSAGE, version, changed)
        assert contract_says(proof_chain, safe, proof) == verifier_says(
            proof_chain, safe, owners, proof
        )
        assert not verifier_says(proof_chain, safe, owners, proof)

    damaged()
