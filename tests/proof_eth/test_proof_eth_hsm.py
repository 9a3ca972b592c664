"""Owner keys in SoftHSM tokens sign the proof; the real Safe accepts it, in two sessions too."""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account
from eth_keys import keys as eth_keys
from proof_chain import ProofChain

from signer.chains.ethereum.signing import SafeOwner
from signer.chains.proof.ethereum_verify import verify_safe_signatures
from signer.chains.proof.safe_message import (
    auditor_call,
    message_hash,
    packed_signatures,
    safe_message_hash,
    sign_safe_message,
)
from signer.hsm.ecdsa import SECP256K1_N, EcdsaSignature
from signer.hsm.token import TokenSession

MESSAGE = "ACME Exchange proof of reserves 2026-12-01: reserves held in Safe"


def hsm_owner(holder: str, token: TokenSession, seen: list[bytes]) -> SafeOwner:
    """Import a fresh owner key into the holder's token; the owner signs through sign_digest."""
    scalar = 0
    while not 0 < scalar < SECP256K1_N:
        scalar = int.from_bytes(secrets.token_bytes(32), "big")
    secret = bytearray(scalar.to_bytes(32, "big"))
    key = token.import_secp256k1(secret, "safe owner")
    # eth-keys, not airsign, turns the token's public key into the owner address
    address = eth_keys.PublicKey.from_compressed_bytes(key.public_key).to_checksum_address()
    assert address == Account.from_key(bytes(secret)).address
    secret[:] = bytes(32)

    def sign_digest(digest: bytes) -> EcdsaSignature:
        seen.append(digest)
        return token.sign_digest(key.key_id, digest)

    return SafeOwner(holder, address, sign_digest)


@pytest.fixture(scope="module")
def chain() -> ProofChain:
    return ProofChain()


@pytest.mark.parametrize("version", ["1.1.1", "1.4.1"])
def test_hsm_owners_sign_in_two_sessions_and_the_safe_accepts(
    chain: ProofChain, tokens: dict[str, TokenSession], version: str
) -> None:
    seen: list[bytes] = []
    owners = [hsm_owner(h, t, seen) for h, t in tokens.items()]
    safe = chain.create_proof_safe(version, [o.owner for o in owners])
    digest = message_hash(MESSAGE)
    safe_digest = safe_message_hash(digest, safe.address, chain.chain_id, version)

    # holder C signs in one session, holder A in a later one; the export merges them
    first = sign_safe_message(safe_digest, [owners[2]])
    second = sign_safe_message(safe_digest, [owners[0]])
    packed = packed_signatures(safe_digest, second + first)

    assert seen == [safe_digest, safe_digest]  # the tokens signed the bare SafeMessage hash
    call = auditor_call(digest, version)
    assert chain.is_valid_signature(safe, call, packed) == call.magic
    check = verify_safe_signatures(
        MESSAGE, safe.address, chain.chain_id, version, [o.owner for o in owners], 2, packed
    )
    assert check.ok, check
    assert [c.owner for c in check.signatures] == sorted(
        [owners[0].owner, owners[2].owner], key=lambda a: int(a, 16)
    )
    # one HSM signature alone is not a proof
    alone = packed_signatures(safe_digest, first)
    assert chain.is_valid_signature(safe, call, alone) != call.magic
