"""Combine PSBTs signed elsewhere, finalize multisig inputs and extract the transaction."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import coincurve
from embit.psbt import PSBT, InputScope
from embit.script import Script, Witness

from signer.chains.bitcoin.psbt_file import Psbt, psbt_bytes, read_psbt
from signer.chains.bitcoin.scripts import multisig_script_sig, parse_multisig
from signer.chains.bitcoin.sighash import SighashCache
from signer.chains.bitcoin.signing import InputSignature, input_digest
from signer.chains.bitcoin.wire import push_data
from signer.errors import BadInput, Rejected


@dataclass(frozen=True)
class FinalTransaction:
    """A fully signed transaction, ready to broadcast."""

    hex: str
    txid: str


def _copy(psbt: PSBT, source: str) -> Psbt:
    return read_psbt(psbt_bytes(psbt), source)


def combine(psbts: Sequence[PSBT]) -> Psbt:
    """BIP174 combiner: the union of every PSBT's data for the same unsigned transaction."""
    if not psbts:
        raise BadInput("psbt_mismatch", "combine: no PSBT given")
    merged = _copy(psbts[0], "PSBT 1")
    unsigned = merged.tx.serialize()
    for number, other in enumerate(psbts[1:], start=2):
        other = _copy(other, f"PSBT {number}")
        if other.tx.serialize() != unsigned:
            raise BadInput("psbt_mismatch", f"PSBT {number}: spends a different transaction")
        for mine, theirs in zip(merged.inputs, other.inputs, strict=True):
            mine.update(theirs)
        for mine_out, theirs_out in zip(merged.outputs, other.outputs, strict=True):
            mine_out.update(theirs_out)
        merged.xpubs.update(other.xpubs)
        merged.unknown.update(other.unknown)
    return merged


def _valid_signature(pubkey: bytes, signature: bytes, digest: bytes) -> bool:
    if not signature or signature[-1] != 1:
        return False
    try:
        return bool(coincurve.PublicKey(pubkey).verify(signature[:-1], digest, hasher=None))
    except Exception:  # a signature libsecp256k1 cannot even parse is simply invalid
        return False


def _finalize_input(
    inp: InputScope, index: int, cache: Callable[[], SighashCache],
    verified: Collection[InputSignature],
) -> None:
    script = inp.witness_script if inp.witness_script is not None else inp.redeem_script
    multisig = parse_multisig(bytes(script.data)) if script is not None else None
    if multisig is None:
        raise Rejected("unsupported_input", f"input {index}: not a multisig input")
    given = {key.sec(): bytes(sig) for key, sig in inp.partial_sigs.items()}
    signatures = []
    for pubkey in multisig.pubkeys:  # CHECKMULTISIG wants the script's key order
        if pubkey not in given:
            continue
        if (index, pubkey, given[pubkey]) not in verified and not _valid_signature(
                pubkey, given[pubkey], input_digest(inp, index, cache())):
            raise Rejected(
                "signature_invalid", f"input {index}: bad signature by {pubkey.hex()}"
            )
        signatures.append(given[pubkey])
    if len(signatures) < multisig.threshold:
        raise Rejected(
            "not_enough_signatures",
            f"input {index}: {len(signatures)} of {multisig.threshold} signatures",
        )
    signatures = signatures[: multisig.threshold]
    if inp.witness_script is not None:
        inp.final_scriptwitness = Witness([b"", *signatures, bytes(inp.witness_script.data)])
        if inp.redeem_script is not None:
            inp.final_scriptsig = Script(push_data(bytes(inp.redeem_script.data)))
    else:
        inp.final_scriptsig = Script(multisig_script_sig(signatures, bytes(inp.redeem_script.data)))
    inp.partial_sigs = OrderedDict()
    inp.bip32_derivations = OrderedDict()
    inp.sighash_type = inp.redeem_script = inp.witness_script = None


def finalize_psbt(psbt: PSBT) -> Psbt:
    """BIP174 finalizer: every input gets its final scriptSig/witness; returns a new PSBT."""
    final = _copy(psbt, "PSBT being finalized")
    finalize_in_place(final)
    return final


def finalize_in_place(psbt: PSBT, verified: Collection[InputSignature] = ()) -> None:
    """finalize_psbt() on a PSBT the caller owns (a private copy it will not reuse unsigned).

    ``verified``: signatures the caller has just made and verified against the same input
    digest and key (the token's verify-after-sign); every other one is verified here.
    """
    cache = lru_cache(maxsize=1)(lambda: SighashCache(psbt.tx))  # made once, if needed
    for index, inp in enumerate(psbt.inputs):
        if inp.final_scriptwitness is None and inp.final_scriptsig is None:
            _finalize_input(inp, index, cache, verified)


def extract_transaction(psbt: PSBT) -> FinalTransaction:
    """BIP174 extractor: the network transaction of a finalized PSBT."""
    tx = psbt.tx
    for index, (txin, inp) in enumerate(zip(tx.vin, psbt.inputs, strict=True)):
        if inp.final_scriptwitness is None and inp.final_scriptsig is None:
            raise Rejected("not_finalized", f"input {index}: not finalized")
        txin.script_sig = inp.final_scriptsig or Script(b"")
        txin.witness = inp.final_scriptwitness or Witness([])
    return FinalTransaction(bytes(tx.serialize()).hex(), bytes(tx.txid()).hex())
