"""The example in docs/proof-of-reserves.md is what the code makes and the verifier accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import coincurve
from builders import SeededWallet

from signer.chains.proof import bip322
from signer.chains.proof.bitcoin_addresses import locate_addresses
from signer.chains.proof.bitcoin_proof import holder_digests, proof_entries
from signer.chains.proof.bitcoin_verify import verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "proof-of-reserves.md"


def documented_example() -> dict[str, Any]:
    blocks = re.findall(r"```json proof-example\n(.*?)\n```", DOC.read_text(), re.S)
    assert len(blocks) == 1, "docs/proof-of-reserves.md: one ```json proof-example block"
    return dict(json.loads(blocks[0]))


def test_the_documented_example_is_reproduced_and_verifies(seeded: SeededWallet) -> None:
    example = documented_example()
    message, wallet = example["message"], seeded.wallet
    [found] = locate_addresses(wallet, [example["address"]], 100, 100)
    assert (found.path, found.witness_script.hex()) == (example["path"], example["witnessScript"])
    virtual = bip322.virtual_transactions(found.script_pubkey, message)
    assert virtual.message_hash.hex() == example["message_hash"]
    assert virtual.to_spend.txid().hex() == example["to_spend_txid"]
    assert virtual.to_sign.txid().hex() == example["to_sign_txid"]
    signatures: dict[str, dict[bytes, bytes]] = {}
    for holder in "AB":
        [request] = holder_digests([found], message, holder)
        assert request.digest.hex() == example["digest"]
        path = list(wallet.child_path(holder, found.change, found.index))
        key = coincurve.PrivateKey(seeded.roots[holder].derive(path).key.secret)
        # RFC 6979 nonces: the same signature every run, so the example can be compared
        signatures.setdefault(found.address, {})[request.pubkey] = key.sign(
            request.digest, hasher=None) + b"\x01"
    [entry] = proof_entries([found], message, signatures)
    assert entry["bip322_simple"] == example["bip322_simple"]
    assert entry["bip322_full"] == example["bip322_full"]
    for form in ("bip322_simple", "bip322_full"):
        assert verify(example["address"], message, example[form]).ok
    proof = bip322.assemble_proof(found.witness_script, message, signatures[found.address])
    assert bip322.simple_signature(list(proof.witness), prefix=False) == proof.simple[3:]
