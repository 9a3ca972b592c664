"""Partial signatures a draft arrives with: proven before anything counts or keeps them.

A PSBT from the online side may carry signatures made elsewhere (another appliance, a
holder's hardware wallet). None of them is taken on trust: each must be a signature by a
key of the wallet's own script at that input, carry SIGHASH_ALL, be strict DER with a
low S, and verify against the input's BIP143 digest with the proven amount. The quorum is
then the number of distinct wallet keys with such a signature, never the number of entries.
"""

from __future__ import annotations

from collections import OrderedDict

import coincurve
from coincurve.ecdsa import cdata_to_der, der_to_cdata
from embit.psbt import PSBT, InputScope

from signer.chains.bitcoin.review import DraftView, InputLine
from signer.chains.bitcoin.sighash import SighashCache
from signer.errors import Rejected

SIGHASH_ALL = 1


def _strictly_valid(pubkey: bytes, signature: bytes, digest: bytes) -> bool:
    """Strict DER (re-encodes to the same bytes), low S and valid for ``digest``."""
    try:
        if cdata_to_der(der_to_cdata(signature)) != signature:
            return False
        # libsecp256k1 verifies only normalised (low-S) signatures.
        return bool(coincurve.PublicKey(pubkey).verify(signature, digest, hasher=None))
    except Exception:  # a signature libsecp256k1 cannot even parse is simply invalid
        return False


def _signer(line: InputLine, pubkey: bytes) -> str | None:
    return next((holder for holder, key in line.keys.items() if bytes.fromhex(key) == pubkey),
                None)


def verify_partial_signatures(psbt: PSBT, view: DraftView, source: str) -> None:
    """Refuse the whole draft (naming the input) unless every partial signature is proven.

    ``view`` is review_draft() of this very PSBT: its input lines hold the wallet's keys
    at each input (only for inputs proven to be the wallet's) and the proven amounts.
    """
    cache: SighashCache | None = None
    for index, (inp, line) in enumerate(zip(psbt.inputs, view.inputs, strict=True)):
        for key, signature in inp.partial_sigs.items():
            pubkey = key.sec()
            signature = bytes(signature)
            where = f"{source}: input {index}: the signature by key {pubkey.hex()}"
            holder = _signer(line, pubkey)
            if holder is None:
                raise Rejected("signature_foreign", f"{where} is not by a key of the wallet's "
                               "script at this input; nothing was merged")
            where = f"{source}: input {index}: holder {holder}'s signature"
            if not signature or signature[-1] != SIGHASH_ALL:
                found = f"0x{signature[-1]:02x}" if signature else "none"
                raise Rejected("sighash_not_all", f"{where} carries sighash type {found}; "
                               "only SIGHASH_ALL (0x01) is merged; nothing was merged")
            if line.amount is None or inp.witness_script is None:
                raise Rejected("signature_invalid", f"{where} cannot be verified: the spent "
                               "amount is unproven; nothing was merged")
            cache = cache or SighashCache(psbt.tx)
            digest = cache.segwit_v0(index, bytes(inp.witness_script.data), line.amount)
            if not _strictly_valid(pubkey, signature[:-1], digest):
                raise Rejected("signature_invalid", f"{where} does not verify against the "
                               "input's SIGHASH_ALL digest (or is not strict low-S DER); "
                               "nothing was merged")


def signer_counts(psbt: PSBT, view: DraftView) -> list[int]:
    """Per input, how many distinct wallet keys of its script have a signature there."""
    counts = []
    for inp, line in zip(psbt.inputs, view.inputs, strict=True):
        keys = {bytes.fromhex(key) for key in line.keys.values()}
        counts.append(len(keys & {key.sec() for key in inp.partial_sigs}))
    return counts


def _without_signatures(scope: InputScope) -> bytes:
    signatures = scope.partial_sigs
    scope.partial_sigs = OrderedDict()
    try:
        return bytes(scope.serialize())
    finally:
        scope.partial_sigs = signatures


def _xpubs(psbt: PSBT) -> list[tuple[bytes, bytes]]:
    return [(bytes(xpub.serialize()), bytes(origin.serialize()))
            for xpub, origin in psbt.xpubs.items()]


def unsigned_difference(stored: PSBT, incoming: PSBT) -> str | None:
    """Where ``incoming`` differs from ``stored`` in anything but partial signatures
    (None: they are the same draft). Both spend the same transaction (same draft id)."""
    if stored.tx.serialize() != incoming.tx.serialize():
        return "the unsigned transaction"
    if (_xpubs(stored) != _xpubs(incoming) or stored.unknown != incoming.unknown
            or stored.version != incoming.version):
        return "the global map (xpubs or unknown keys)"
    for index, (mine, theirs) in enumerate(zip(stored.inputs, incoming.inputs, strict=True)):
        if _without_signatures(mine) != _without_signatures(theirs):
            return f"input {index} (previous transaction, scripts, derivations or other fields)"
    for index, (mine_out, theirs_out) in enumerate(
            zip(stored.outputs, incoming.outputs, strict=True)):
        if bytes(mine_out.serialize()) != bytes(theirs_out.serialize()):
            return f"output {index} (scripts, derivations or other fields)"
    return None


def new_signatures(stored: PSBT, incoming: PSBT) -> list[tuple[int, bytes, bytes]]:
    """(input, public key, signature) in ``incoming`` by keys with none in ``stored``: a
    second signature by a key that signed already adds nothing and replaces nothing."""
    found = []
    for index, (mine, theirs) in enumerate(zip(stored.inputs, incoming.inputs, strict=True)):
        have = {key.sec() for key in mine.partial_sigs}
        found += [(index, key.sec(), bytes(sig)) for key, sig in theirs.partial_sigs.items()
                  if key.sec() not in have]
    return found
