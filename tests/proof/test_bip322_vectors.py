"""BIP-322's published vectors through our construction (embit) and the auditor's verifier.

The P2WSH multisig vectors are re-signed here with their published private keys
(libsecp256k1's RFC 6979 nonces, as btcd's generator used): our digest, key order and
encodings must reproduce the published signatures byte for byte.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import coincurve
import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import (
    SIGHASH_ALL,
    SIGVERSION_WITNESS_V0,
    CScript,
    CScriptWitness,
    SignatureHash,
)
from embit.ec import PrivateKey
from embit.script import Witness
from embit.transaction import Transaction

from signer.chains.bitcoin.addresses import script_for_address
from signer.chains.bitcoin.scripts import p2wsh_script
from signer.chains.proof import bip322
from signer.chains.proof.bitcoin_verify import (
    INCONCLUSIVE,
    INVALID,
    VALID,
    bitcointx_to_sign,
    bitcointx_to_spend,
    verify,
)
from signer.errors import BadInput


def multisig_vectors(basic: dict[str, Any], generated: dict[str, Any]) -> list[tuple[str, dict]]:
    found = [("simple", v) for v in basic["simple"] + generated["simple"]]
    found += [("full", v) for v in generated["full"]]
    return [(kind, v) for kind, v in found if v["type"].startswith("p2wsh-multisig")]


def test_message_hashes_and_txids_match_the_bip(basic_vectors: dict[str, Any]) -> None:
    assert len(basic_vectors["tx_hashes"]) == 3
    for vector in basic_vectors["tx_hashes"]:
        challenge = script_for_address(vector["address"], "mainnet")
        virtual = bip322.virtual_transactions(challenge, vector["message"])
        assert virtual.message_hash.hex() == vector["message_hash"]
        assert virtual.to_spend.txid().hex() == vector["to_spend_tx_hash"]
        assert virtual.to_sign.txid().hex() == vector["to_sign_tx_hash"]
        # the verifier's own python-bitcointx construction agrees
        spend = bitcointx_to_spend(challenge, vector["message"].encode())
        assert spend.GetTxid()[::-1].hex() == vector["to_spend_tx_hash"]
        assert bitcointx_to_sign(spend, CScriptWitness()).GetTxid()[::-1].hex() == (
            vector["to_sign_tx_hash"])


def _virtual_to_sign(kind: str, vector: dict[str, Any], witness: list[bytes]) -> Transaction:
    spend = bip322.to_spend(p2wsh_script(bytes.fromhex(vector["witness_script"])),
                            vector["message"])
    if kind == "simple":
        return bip322.to_sign(spend, witness)
    return bip322.to_sign(spend, witness, version=vector["tx_version"],
                          locktime=vector["lock_time"], sequence=vector["sequence"])


def test_p2wsh_multisig_vectors_are_reproduced_byte_for_byte(
    basic_vectors: dict[str, Any], generated_vectors: dict[str, Any]
) -> None:
    vectors = multisig_vectors(basic_vectors, generated_vectors)
    assert {(kind, v["type"]) for kind, v in vectors} == {
        ("simple", "p2wsh-multisig-3of3"), ("simple", "p2wsh-multisig-2of2"),
        ("full", "p2wsh-multisig-2of2"), ("full", "p2wsh-multisig-3of3")}
    for kind, vector in vectors:
        witness_script = bytes.fromhex(vector["witness_script"])
        # the published address is the P2WSH of the published witnessScript
        assert script_for_address(vector["address"], "mainnet") == p2wsh_script(witness_script)
        digest = bip322.p2wsh_digest(_virtual_to_sign(kind, vector, []), witness_script)
        signatures = {}
        for wif in vector["private_keys"]:
            key = coincurve.PrivateKey(PrivateKey.from_wif(wif).secret)
            signatures[key.public_key.format()] = key.sign(digest, hasher=None) + b"\x01"
        witness = bip322.multisig_witness(witness_script, signatures, digest)
        if kind == "simple":
            ours = bip322.simple_signature(witness)
            assert ours == bip322.assemble_proof(witness_script, vector["message"],
                                                 signatures).simple
        else:
            ours = bip322.full_signature(_virtual_to_sign(kind, vector, witness))
        assert [ours] == vector["bip322_signatures"], (kind, vector["type"])


def test_published_multisig_signatures_verify_over_our_digest(
    basic_vectors: dict[str, Any], generated_vectors: dict[str, Any]
) -> None:
    """Independently of our signing: python-bitcointx's BIP-143 digest of our to_sign equals
    ours, and every published signature verifies over it."""
    for kind, vector in multisig_vectors(basic_vectors, generated_vectors):
        witness_script = bytes.fromhex(vector["witness_script"])
        raw = base64.b64decode(vector["bip322_signatures"][0][3:])
        if kind == "simple":
            items = Witness.read_from(io.BytesIO(raw)).items
        else:
            items = Transaction.parse(raw).vin[0].witness.items
        assert items[0] == b"" and items[-1] == witness_script
        unsigned = _virtual_to_sign(kind, vector, [])
        digest = bip322.p2wsh_digest(unsigned, witness_script)
        theirs = SignatureHash(CScript(witness_script), CTransaction.deserialize(
            bytes(unsigned.serialize())), 0, SIGHASH_ALL, amount=0,
            sigversion=SIGVERSION_WITNESS_V0)
        assert digest == theirs
        keys = [coincurve.PrivateKey(PrivateKey.from_wif(w).secret).public_key
                for w in vector["private_keys"]]
        for signature in items[1:-1]:
            assert signature[-1] == SIGHASH_ALL
            assert any(key.verify(signature[:-1], digest, hasher=None) for key in keys)


def _expected_state(section: str, vector: dict[str, Any]) -> str:
    """What python-bitcointx can decide: no taproot, no CLTV/CSV, no proof-of-funds PSBTs."""
    if section == "error":
        # a full signature for another message or signer no longer spends our to_spend:
        # invalid before any script runs; a simple one reaches the (taproot) interpreter
        described = vector["description"]
        return INCONCLUSIVE if "p2tr" in described and "simple" in described else INVALID
    undecidable = vector["type"] in ("p2tr", "p2tr-time-lock", "p2wsh-time-lock")
    return INCONCLUSIVE if undecidable or section == "proof_of_funds" else VALID


def test_verifier_decides_every_published_vector(
    basic_vectors: dict[str, Any], generated_vectors: dict[str, Any]
) -> None:
    states = {VALID: 0, INVALID: 0, INCONCLUSIVE: 0}
    for vectors in (basic_vectors, generated_vectors):
        for section in ("simple", "full", "proof_of_funds"):
            for vector in vectors.get(section, []):
                for signature in vector["bip322_signatures"]:
                    verdict = verify(vector["address"], vector["message"], signature)
                    assert verdict.state == _expected_state(section, vector), (vector, verdict)
                    states[verdict.state] += 1
                    if verdict.ok and section == "full":
                        assert (verdict.locktime, verdict.sequence) == (
                            vector["lock_time"], vector["sequence"])
        for vector in vectors["error"]:
            verdict = verify(vector["address"], vector["message"], vector["signature"])
            assert verdict.state == _expected_state("error", vector), (vector, verdict)
            states[verdict.state] += 1
    assert states[VALID] >= 15 and states[INVALID] >= 30


def test_unprefixed_signatures_are_read_as_the_caller_says(
    basic_vectors: dict[str, Any], generated_vectors: dict[str, Any]
) -> None:
    for kind, vector in multisig_vectors(basic_vectors, generated_vectors):
        bare = vector["bip322_signatures"][0][3:]
        assert verify(vector["address"], vector["message"], bare, unprefixed=kind).ok
        other = "full" if kind == "simple" else "simple"
        assert verify(vector["address"], vector["message"], bare, unprefixed=other).state == (
            INVALID)


def _three_of_three(basic_vectors: dict[str, Any]) -> tuple[bytes, bytes, dict[bytes, bytes]]:
    vector = next(v for v in basic_vectors["simple"] if v["type"] == "p2wsh-multisig-3of3")
    witness_script = bytes.fromhex(vector["witness_script"])
    digest = bip322.proof_digest(witness_script, vector["message"])
    signatures = {}
    for wif in vector["private_keys"]:
        key = coincurve.PrivateKey(PrivateKey.from_wif(wif).secret)
        signatures[key.public_key.format()] = key.sign(digest, hasher=None) + b"\x01"
    return witness_script, digest, signatures


def test_witness_refuses_missing_foreign_and_wrong_signatures(
    basic_vectors: dict[str, Any]
) -> None:
    witness_script, digest, signatures = _three_of_three(basic_vectors)
    keys = list(signatures)
    with pytest.raises(BadInput) as few:
        bip322.multisig_witness(witness_script, {k: signatures[k] for k in keys[:2]}, digest)
    assert few.value.code == "proof_too_few_signatures"
    stranger = coincurve.PrivateKey(bytes(31) + b"\x07").public_key.format()
    with pytest.raises(BadInput) as foreign:
        bip322.multisig_witness(witness_script, {**signatures, stranger: b"\x30\x01"}, digest)
    assert foreign.value.code == "proof_bad_signature"
    other_digest = bip322.proof_digest(witness_script, "another message")
    with pytest.raises(BadInput) as wrong:
        bip322.multisig_witness(witness_script, signatures, other_digest)
    assert wrong.value.code == "proof_bad_signature"
    no_hashtype = {k: s[:-1] + b"\x02" for k, s in signatures.items()}
    with pytest.raises(BadInput) as hashtype:
        bip322.multisig_witness(witness_script, no_hashtype, digest)
    assert hashtype.value.code == "proof_bad_signature"
    with pytest.raises(BadInput) as not_multisig:
        bip322.multisig_witness(b"\x51", signatures, digest)
    assert not_multisig.value.code == "proof_bad_witness_script"


def test_witness_takes_the_first_threshold_signatures_in_script_order(
    basic_vectors: dict[str, Any]
) -> None:
    _, _, signatures = _three_of_three(basic_vectors)
    keys = list(signatures)
    # the same keys as a 2-of-3: listed in reverse, the script's order still wins
    two_of_three = b"\x52" + b"".join(b"\x21" + k for k in keys) + b"\x53\xae"
    digest = bip322.proof_digest(two_of_three, "m")
    reordered = {key: b"sig-" + key[:2] + b"\x01" for key in reversed(keys)}
    witness = bip322.multisig_witness(two_of_three, reordered)
    assert witness == [b"", reordered[keys[0]], reordered[keys[1]], two_of_three]
    assert len(digest) == 32


def test_verifier_answers_hostile_input_without_raising(basic_vectors: dict[str, Any]) -> None:
    vector = next(v for v in basic_vectors["simple"] if v["type"] == "p2wsh-multisig-3of3")
    address, message, good = vector["address"], vector["message"], vector["bip322_signatures"][0]
    assert verify(address, message, good).ok
    assert verify(address, message.encode(), good).ok  # bytes are the message as-is
    for bad_address in ("", "bc1qnotanaddress", 7, None, address.upper() + "x"):
        assert verify(bad_address, message, good).state == INVALID  # type: ignore[arg-type]
    for bad_message in (None, 5, message + "\n", " " + message):
        assert verify(address, bad_message, good).state == INVALID  # type: ignore[arg-type]
    assert verify(address, "x" * 1_000_001, good).state == INVALID
    for bad_signature in (None, b"smp", "smp", "smp====", "smp" + "A" * 100_000, good + "="):
        assert verify(address, message, bad_signature).state == INVALID  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        verify(address, message, good, unprefixed="pof")
