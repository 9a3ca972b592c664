"""A whole Bitcoin proof: what each holder's token signs, and the finished per-address entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signer.chains.proof.bip322 import assemble_proof, proof_digest
from signer.chains.proof.bitcoin_addresses import ProofAddress
from signer.errors import BadInput


@dataclass(frozen=True)
class DigestToSign:
    """One signature a holder owes: ``key_id`` in their token over ``digest``."""

    address: str
    key_id: bytes
    pubkey: bytes  # the expected public key (TokenSession.sign_digest checks it)
    digest: bytes


def holder_digests(
    addresses: Sequence[ProofAddress], message: str | bytes, holder: str
) -> list[DigestToSign]:
    """What ``holder`` signs for the proof: one BIP-322 digest per address, in order."""
    requests = []
    for found in addresses:
        key = found.key(holder)
        digest = proof_digest(found.witness_script, message)
        requests.append(DigestToSign(found.address, key.key_id, key.pubkey, digest))
    return requests


def proof_entries(
    addresses: Sequence[ProofAddress],
    message: str | bytes,
    signatures: Mapping[str, Mapping[bytes, bytes]],
) -> list[dict[str, Any]]:
    """The ``bitcoin`` list of a proof file from each address's ``pubkey -> DER+01`` map.

    Every signature is checked over its address's digest before it is used; an address
    with fewer signatures than the threshold stops the whole proof (nothing half-made).
    """
    entries = []
    for found in addresses:
        given = signatures.get(found.address)
        if given is None:
            raise BadInput("proof_too_few_signatures", f"address {found.address}: no signatures")
        proof = assemble_proof(found.witness_script, message, given)
        entries.append({
            "address": found.address,
            "path": found.path,
            "witnessScript": found.witness_script.hex(),
            "bip322_simple": proof.simple,
            "bip322_full": proof.full,
        })
    return entries
