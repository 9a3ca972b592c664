"""Sign PSBT inputs through a ``sign_digest`` callable (the HSM gateway or a stand-in)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from embit.ec import PublicKey
from embit.psbt import PSBT, InputScope

from signer.chains.bitcoin.checks import Finding
from signer.chains.bitcoin.psbt_file import Psbt, SecKey, psbt_bytes, read_psbt
from signer.chains.bitcoin.review import DraftView, review_draft
from signer.chains.bitcoin.scripts import is_witness_program, parse_multisig
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.sighash import SighashCache
from signer.chains.bitcoin.wallet import MultisigWallet, key_id
from signer.errors import BadInput, Rejected
from signer.hsm.ecdsa import EcdsaSignature

# (key id, digest, the public key it must verify against) -> a low-S signature already
# verified against that key: TokenSession.sign_digest's verify-after-sign does it.
SignDigest = Callable[[bytes, bytes, bytes], EcdsaSignature]
SIGHASH_ALL_BYTE = b"\x01"


class DraftRefused(Rejected):
    """Structural checks failed: ``findings`` holds every reason, ``code`` the first."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        super().__init__(findings[0].code, "; ".join(f"{f.code}: {f.message}" for f in findings))
        self.findings = findings


def input_amount(inp: InputScope, index: int) -> int:
    """The spent amount, from the previous transaction when given."""
    if inp.non_witness_utxo is not None and inp.vout < len(inp.non_witness_utxo.vout):
        return int(inp.non_witness_utxo.vout[inp.vout].value)
    if inp.witness_utxo is not None:
        return int(inp.witness_utxo.value)
    raise BadInput("unproven_amount", f"input {index}: no previous output gives the amount")


def input_digest(inp: InputScope, index: int, cache: SighashCache) -> bytes:
    """SIGHASH_ALL digest of a multisig input: P2WSH, P2SH-P2WSH or legacy P2SH."""
    if inp.witness_script is not None:
        return cache.segwit_v0(index, bytes(inp.witness_script.data), input_amount(inp, index))
    redeem = bytes(inp.redeem_script.data) if inp.redeem_script is not None else b""
    if redeem and not is_witness_program(redeem):
        return cache.legacy(index, redeem)
    raise Rejected("unsupported_input", f"input {index}: not a multisig P2WSH/P2SH input")


def _script_keys(inp: InputScope) -> tuple[bytes, ...]:
    script = inp.witness_script if inp.witness_script is not None else inp.redeem_script
    multisig = parse_multisig(bytes(script.data)) if script is not None else None
    return multisig.pubkeys if multisig else ()


def sign_input(inp: InputScope, pubkey: bytes, digest: bytes, sign_digest: SignDigest) -> None:
    """Sign one digest with the key ``pubkey`` and store it as a partial sig (the signer
    verifies it against ``pubkey`` before returning it)."""
    signature = sign_digest(key_id(pubkey), digest, pubkey)
    inp.partial_sigs[PublicKey.parse(pubkey)] = signature.der + SIGHASH_ALL_BYTE


def sign_with_keys(psbt: PSBT, pubkeys: Collection[bytes], sign_digest: SignDigest) -> int:
    """Sign every input whose multisig script and derivations hold one of ``pubkeys``.

    No wallet checks: for reproducing BIP174's signer role. Returns signatures added.
    """
    cache = SighashCache(psbt.tx)
    added = 0
    for index, inp in enumerate(psbt.inputs):
        derived = {key.sec() for key in inp.bip32_derivations}
        for pubkey in _script_keys(inp):
            if pubkey in pubkeys and pubkey in derived:
                sign_input(inp, pubkey, input_digest(inp, index, cache), sign_digest)
                added += 1
    return added


def sign_psbt(
    psbt: PSBT,
    wallet: MultisigWallet,
    holder: str,
    sign_digest: SignDigest,
    settings: Settings | None = None,
) -> Psbt:
    """Check the draft, then add ``holder``'s signature to every input; returns a new PSBT.

    Raises DraftRefused (exit 3) listing every finding before any key is used.
    """
    wallet.cosigner(holder)
    signed = read_psbt(psbt_bytes(psbt), "PSBT being signed", settings)
    sign_reviewed(signed, review_draft(signed, wallet, settings), wallet, holder, sign_digest)
    return signed


def sign_reviewed(
    psbt: PSBT, view: DraftView, wallet: MultisigWallet, holder: str, sign_digest: SignDigest
) -> None:
    """Add ``holder``'s signature to every input of ``psbt`` in place (to all or none).

    ``view`` must be review_draft() of this very PSBT object, made by the caller since it
    was parsed (it is how a session checks a draft once and signs it for several holders);
    its findings refuse the draft here exactly as sign_psbt() would.
    """
    add_signatures(psbt, holder_signatures(psbt, view, wallet, holder, sign_digest))


# (input index, public key, DER signature + sighash byte) of one signature made
InputSignature = tuple[int, bytes, bytes]


def holder_signatures(
    psbt: PSBT, view: DraftView, wallet: MultisigWallet, holder: str, sign_digest: SignDigest,
    cache: SighashCache | None = None,
) -> list[InputSignature]:
    """``holder``'s signature for every input it has not signed yet, made but not added:
    sign_reviewed() without touching ``psbt``, so that a token failing part-way leaves no
    half of them behind."""
    return [(index, pubkey, sign_digest(key_id(pubkey), digest, pubkey).der + SIGHASH_ALL_BYTE)
            for index, pubkey, digest in holder_digests(psbt, view, wallet, holder, cache)]


# (input index, the holder's public key there, the SIGHASH_ALL digest it signs)
InputDigest = tuple[int, bytes, bytes]


def holder_digests(
    psbt: PSBT, view: DraftView, wallet: MultisigWallet, holder: str,
    cache: SighashCache | None = None,
) -> list[InputDigest]:
    """What ``holder`` signs: every input it has not signed yet, refused on the review's
    findings exactly as sign_psbt() would. One ``cache`` serves every holder of a draft."""
    wallet.cosigner(holder)
    if view.findings:
        raise DraftRefused(view.findings)
    if not view.inputs:
        raise Rejected("nothing_to_sign", "the PSBT has no inputs")
    _same_inputs(psbt, view)
    if all(holder in line.signed_by for line in view.inputs):
        raise Rejected("already_signed", f"holder {holder} has already signed every input")
    cache = cache or SighashCache(psbt.tx)
    return [(index, bytes.fromhex(line.keys[holder]),
             cache.segwit_v0(index, bytes(inp.witness_script.data), line.amount))
            for index, (inp, line) in enumerate(zip(psbt.inputs, view.inputs, strict=True))
            if holder not in line.signed_by and line.amount is not None]


def add_signatures(psbt: PSBT, signatures: list[InputSignature]) -> None:
    for index, pubkey, signature in signatures:
        inp = psbt.inputs[index]
        # The key is one of the input's derivations (the review made sure): reuse it.
        key = next((k for k in inp.bip32_derivations if k.sec() == pubkey), None)
        inp.partial_sigs[key or SecKey.from_sec(pubkey)] = signature


def _same_inputs(psbt: PSBT, view: DraftView) -> None:
    """A review of another PSBT is a programming error: never sign on its strength."""
    outpoints = [f"{bytes(inp.txid).hex()}:{inp.vout}" for inp in psbt.inputs]
    if outpoints != [line.outpoint for line in view.inputs]:
        raise ValueError("sign_reviewed: the review is not of this PSBT")
