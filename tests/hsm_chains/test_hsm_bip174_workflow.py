"""BIP174's signer, combiner, finalizer and extractor roles with the BIP's keys in SoftHSM.

Signer 1's two keys go into holder-a's token, signer 2's into holder-b's. SoftHSM's
nonces are random, so the signatures differ from the BIP's; every other byte must
match, each signature must verify (OpenSSL, over digests bitcointx computes), and
bitcointx's interpreter must accept the extracted transaction.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import SIGHASH_ALL, SIGVERSION_WITNESS_V0, CScript, SignatureHash
from bitcointx.core.scripteval import VerifyScript
from embit.ec import PrivateKey
from embit.hashes import hash160  # the CKA_ID rule, computed by a library
from hsm_wallet import STANDARD_FLAGS, CountingSigner, check_bitcoin_signature
from masked import masked_psbt, masked_transaction, partial_signatures

from signer.chains.bitcoin.finalize import combine, extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.signing import sign_with_keys
from signer.hsm.token import TokenSession

TEXT = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "bip174-psbt.json").read_text()
)["workflow_text"]
STEPS = [bytes.fromhex(h) for h in re.findall(r"Bytes in Hex: <pre>([0-9a-f]+)</pre>", TEXT)]
_, _, WITH_SIGHASH, SIGNED_1, SIGNED_2, COMBINED, FINALIZED, NETWORK_TX = STEPS[:8]
SIGNER_KEYS = re.findall(r"<tt>(c\w{51})</tt> \(<tt>(m/[0-9'/]+)</tt>\)", TEXT)
UPDATER = TEXT[TEXT.index("an updater with only the following") : TEXT.index("Must create")]
SCRIPTS = [CScript(bytes.fromhex(h)) for h in re.findall(r"\*\* <tt>([0-9a-f]+)</tt>", UPDATER)]
PREVIOUS = [
    CTransaction.deserialize(bytes.fromhex(h))
    for h in re.findall(r"<pre>([0-9a-f]+)</pre>", UPDATER)
]
SIGNERS = {"A": (SIGNER_KEYS[:2], SIGNED_1), "B": (SIGNER_KEYS[2:], SIGNED_2)}


def spent_output(tx: CTransaction, index: int) -> tuple[CScript, int]:
    """scriptPubKey and amount of the output input ``index`` spends (the BIP's previous txs)."""
    prevout = tx.vin[index].prevout
    previous = next(p for p in PREVIOUS if p.GetTxid() == prevout.hash)
    out = previous.vout[prevout.n]
    return out.scriptPubKey, out.nValue


def digest(tx: CTransaction, index: int) -> bytes:
    """bitcointx's SIGHASH_ALL digest: legacy for P2SH, BIP143 for P2SH-P2WSH."""
    script_pubkey, amount = spent_output(tx, index)
    redeem = next(s for s in SCRIPTS if s.to_p2sh_scriptPubKey() == script_pubkey)
    if not redeem.is_witness_v0_scripthash():
        return bytes(SignatureHash(redeem, tx, index, SIGHASH_ALL))
    witness = next(s for s in SCRIPTS if s.to_p2wsh_scriptPubKey() == redeem)
    return bytes(
        SignatureHash(
            witness, tx, index, SIGHASH_ALL, amount=amount, sigversion=SIGVERSION_WITNESS_V0
        )
    )


def verify_network_tx(raw: bytes) -> None:
    tx = CTransaction.deserialize(raw)
    for index, txin in enumerate(tx.vin):
        script_pubkey, amount = spent_output(tx, index)
        VerifyScript(
            txin.scriptSig,
            script_pubkey,
            tx,
            index,
            flags=STANDARD_FLAGS,
            amount=amount,
            witness=tx.wit.vtxinwit[index].scriptWitness,
        )


@pytest.fixture
def hsm_signed(tokens: dict[str, TokenSession]) -> dict[str, bytes]:
    """Holder letter -> the BIP's PSBT signed through that holder's token."""
    signed = {}
    for holder, (keys, _) in SIGNERS.items():
        pubkeys = []
        for wif, path in keys:
            secret = bytearray(PrivateKey.from_wif(wif).secret)
            pubkeys.append(tokens[holder].import_secp256k1(secret, path).public_key)
            secret[:] = bytes(32)
        psbt = read_psbt(WITH_SIGHASH)
        counter = CountingSigner(tokens[holder])
        assert sign_with_keys(psbt, pubkeys, counter) == 2
        assert sorted(counter.calls) == sorted(hash160(k) for k in pubkeys)
        signed[holder] = psbt_bytes(psbt)
    return signed


@pytest.mark.parametrize("holder", ["A", "B"])
def test_hsm_signer_matches_the_bip_but_for_its_signatures(
    hsm_signed: dict[str, bytes], holder: str
) -> None:
    ours, theirs = hsm_signed[holder], SIGNERS[holder][1]
    assert masked_psbt(ours) == masked_psbt(theirs)
    our_sigs, their_sigs = partial_signatures(ours), partial_signatures(theirs)
    assert our_sigs.keys() == their_sigs.keys() and len(our_sigs) == 2
    unsigned = CTransaction.deserialize(dict(masked_psbt(WITH_SIGHASH)[0])[b"\x00"])
    for (index, pubkey), signature in our_sigs.items():
        check_bitcoin_signature(pubkey, their_sigs[index, pubkey], digest(unsigned, index))
        check_bitcoin_signature(pubkey, signature, digest(unsigned, index))
        assert signature != their_sigs[index, pubkey]  # random k: the token signed, not RFC6979


def test_hsm_signatures_combine_finalize_and_extract(hsm_signed: dict[str, bytes]) -> None:
    combined = combine([read_psbt(hsm_signed["A"]), read_psbt(hsm_signed["B"])])
    assert masked_psbt(psbt_bytes(combined)) == masked_psbt(COMBINED)
    assert partial_signatures(psbt_bytes(combined)) == {
        **partial_signatures(hsm_signed["A"]),
        **partial_signatures(hsm_signed["B"]),
    }
    finalized = finalize_psbt(combined)
    assert masked_psbt(psbt_bytes(finalized)) == masked_psbt(FINALIZED)

    network_tx = bytes.fromhex(extract_transaction(finalized).hex)
    assert masked_transaction(network_tx) == masked_transaction(NETWORK_TX)
    assert network_tx != NETWORK_TX
    verify_network_tx(NETWORK_TX)  # the verifier's flags and amounts accept the BIP's own
    verify_network_tx(network_tx)
