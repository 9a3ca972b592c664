"""BIP174's creator -> updater -> signer -> combiner -> finalizer -> extractor walkthrough.

Creator and updater are played with embit and our serialiser; signing, combining,
finalizing and extracting are ours. Expected bytes are the BIP's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from builders import software_signer
from embit import bip32
from embit.ec import PrivateKey, PublicKey
from embit.hashes import hash160
from embit.psbt import DerivationPath, OutputScope
from embit.script import Script
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.finalize import combine, extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import Psbt, PsbtInput, psbt_bytes, read_psbt
from signer.chains.bitcoin.scripts import p2sh_script, p2wsh_script
from signer.chains.bitcoin.signing import sign_with_keys
from signer.chains.bitcoin.wallet import parse_path
from signer.chains.bitcoin.wire import read_transaction

TEXT = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "bip174-psbt.json").read_text()
)["workflow_text"]
STEPS = re.findall(r"Bytes in Hex: <pre>([0-9a-f]+)</pre>", TEXT)
CREATED, UPDATED, WITH_SIGHASH, SIGNED_1, SIGNED_2, COMBINED, FINALIZED, NETWORK_TX = STEPS[:8]
UNKNOWN_1, UNKNOWN_2, UNKNOWN_COMBINED = STEPS[8:11]
MASTER = re.search(r"Extended Private Key: <pre>(tprv\w+)</pre>", TEXT).group(1)  # type: ignore[union-attr]
SIGNER_KEYS = re.findall(r"<tt>(c\w{51})</tt> \(<tt>(m/[0-9'/]+)</tt>\)", TEXT)
PUBKEYS = re.findall(r"Key: <tt>([0-9a-f]{66})</tt>, Derivation Path: <tt>(m/[0-9'/]+)</tt>", TEXT)


SCRIPT_ITEM = r"\*\* <tt>([0-9a-f]+)</tt>"


def _section(start: str, end: str) -> str:
    return TEXT[TEXT.index(start) : TEXT.index(end, TEXT.index(start))]


def _created() -> Psbt:
    outputs = re.findall(r"scriptPubKey: <tt>([0-9a-f]+)</tt>, Amount: <tt>([0-9.]+)</tt>", TEXT)
    inputs = re.findall(r"TXID: <tt>([0-9a-f]{64})</tt>, Index: <tt>(\d+)</tt>", TEXT)
    vin = [TransactionInput(bytes.fromhex(txid), int(n)) for txid, n in inputs]
    vout = [
        TransactionOutput(round(float(btc) * 100_000_000), Script(bytes.fromhex(spk)))
        for spk, btc in outputs
    ]
    psbt = Psbt(Transaction(2, vin, vout, 0))
    psbt.inputs = [PsbtInput({}, vin=txin) for txin in vin]
    psbt.outputs = [OutputScope({}, vout=txout) for txout in vout]
    return psbt


def _update(psbt: Psbt) -> None:
    updater = _section("an updater with only the following", "Must create this PSBT")
    redeem_part, rest = updater.split("Witness Scripts")
    redeem = [bytes.fromhex(h) for h in re.findall(SCRIPT_ITEM, redeem_part)]
    witness = [bytes.fromhex(h) for h in re.findall(SCRIPT_ITEM, rest.split("Previous")[0])]
    previous = [
        read_transaction(bytes.fromhex(h), "prev", unsigned=False, max_inputs=9, max_outputs=9)
        for h in re.findall(r"<pre>([0-9a-f]+)</pre>", updater)
    ]
    fingerprint = bip32.HDKey.from_string(MASTER).my_fingerprint
    paths = {bytes.fromhex(k): DerivationPath(fingerprint, list(parse_path(p))) for k, p in PUBKEYS}
    for inp in psbt.inputs:
        prev = next(tx for tx in previous if tx.txid() == inp.txid)
        spent = bytes(prev.vout[inp.vout].script_pubkey.data)
        script = next(r for r in redeem if p2sh_script(r) == spent)
        inp.redeem_script = Script(script)
        inner = next((w for w in witness if p2wsh_script(w) == script), None)
        if inner is None:
            inp.non_witness_utxo = prev
        else:
            inp.witness_utxo = prev.vout[inp.vout]
            inp.witness_script = Script(inner)
            script = inner
        for key, path in sorted(paths.items()):  # BIP174 writes keys in byte order
            if key in script:
                inp.bip32_derivations[PublicKey.parse(key)] = path
    for out in psbt.outputs:
        for key, path in paths.items():
            if hash160(key) in bytes(out.script_pubkey.data):
                out.bip32_derivations[PublicKey.parse(key)] = path


def test_listed_keys_derive_from_the_master() -> None:
    master = bip32.HDKey.from_string(MASTER)
    for key, path in PUBKEYS:
        assert master.derive(path).sec().hex() == key
    for wif, path in SIGNER_KEYS:
        assert PrivateKey.from_wif(wif).sec() == master.derive(path).sec()


def test_creator_and_updater() -> None:
    psbt = _created()
    assert psbt_bytes(psbt).hex() == CREATED
    _update(psbt)
    assert psbt_bytes(psbt).hex() == UPDATED
    for inp in psbt.inputs:
        inp.sighash_type = 1
    assert psbt_bytes(psbt).hex() == WITH_SIGHASH


def _signed(keys: list[tuple[str, str]]) -> Psbt:
    psbt = read_psbt(bytes.fromhex(WITH_SIGHASH))
    secrets = [PrivateKey.from_wif(wif).secret for wif, _ in keys]
    sign, calls = software_signer(secrets)
    pubkeys = [PrivateKey.from_wif(wif).sec() for wif, _ in keys]
    assert sign_with_keys(psbt, pubkeys, sign) == 2
    assert len(calls) == 2
    return psbt


def test_signers_reproduce_the_bip_signatures() -> None:
    """RFC6979 nonces (coincurve) make our signatures byte-identical to the BIP's."""
    assert psbt_bytes(_signed(SIGNER_KEYS[:2])).hex() == SIGNED_1
    assert psbt_bytes(_signed(SIGNER_KEYS[2:])).hex() == SIGNED_2


def test_combiner_finalizer_extractor() -> None:
    combined = combine([read_psbt(bytes.fromhex(SIGNED_1)), read_psbt(bytes.fromhex(SIGNED_2))])
    assert psbt_bytes(combined).hex() == COMBINED
    finalized = finalize_psbt(combined)
    assert psbt_bytes(finalized).hex() == FINALIZED
    network_tx = extract_transaction(finalized)
    assert network_tx.hex == NETWORK_TX
    assert network_tx.txid == Transaction.parse(bytes.fromhex(NETWORK_TX)).txid().hex()


def test_combiner_keeps_unknown_pairs() -> None:
    combined = combine([read_psbt(bytes.fromhex(UNKNOWN_1)), read_psbt(bytes.fromhex(UNKNOWN_2))])
    assert psbt_bytes(combined).hex() == UNKNOWN_COMBINED
