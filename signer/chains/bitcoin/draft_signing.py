"""Signing a reviewed Bitcoin draft: the digests each holder signs, the token's raw
signatures, then each verified and added to the PSBT, finalized once complete."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from signer.chains.bitcoin.draft_ops import Reviewed
from signer.chains.bitcoin.finalize import extract_transaction, finalize_in_place
from signer.chains.bitcoin.partial_sigs import signer_counts
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.chains.bitcoin.sighash import SighashCache
from signer.chains.bitcoin.signing import (
    SIGHASH_ALL_BYTE,
    InputDigest,
    InputSignature,
    add_signatures,
    holder_digests,
)
from signer.chains.bitcoin.wallet import key_id
from signer.chains.kind import Attached, Decoded, HolderStep, Plan, Signature
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError
from signer.hsm.token import TokenSession, Unverified


def _reviewed(decoded: Decoded) -> Reviewed:
    if not isinstance(decoded.parsed, Reviewed):
        raise RuntimeError(f"draft {decoded.id}: decoded without its PSBT and review")
    return decoded.parsed


def plan(decoded: Decoded, holders: Sequence[str], wallet: RegisteredWallet) -> Plan:
    """Each holder's digests, until every input would carry the quorum (signatures made
    elsewhere and combined at import count too), and the refusal that stopped the list."""
    # The PSBT this run parsed from the row's payload and reviewed, a private copy: it is
    # signed exactly as checked (holder_digests refuses on the review's findings again).
    reviewed = _reviewed(decoded)
    psbt, view = reviewed.psbt, reviewed.view
    cache = SighashCache(psbt.tx)
    # Distinct wallet keys with a proven signature (import verified any made elsewhere).
    counts = signer_counts(psbt, view)
    steps: list[HolderStep] = []
    for holder in holders:
        try:
            digests = holder_digests(psbt, view, wallet.bitcoin, holder, cache)
        except AirsignError as error:
            return Plan(tuple(steps), error)
        steps.append(HolderStep(holder, digests))
        for index, _pubkey, _digest in digests:
            counts[index] += 1
        if all(count >= wallet.threshold for count in counts):
            break
    return Plan(tuple(steps))


def sign(step: HolderStep, token: TokenSession) -> list[tuple[int, bytes, Unverified]]:
    """On the holder's token thread: raw signatures over its digests, verified on the
    recording thread (attach) before anything uses them."""
    planned: list[InputDigest] = step.work
    return [(index, pubkey, token.sign_digest_later(key_id(pubkey), digest, pubkey))
            for index, pubkey, digest in planned]


def attach(
    decoded: Decoded, signed: Sequence[tuple[str, object]], failure: AirsignError | None,
    wallet: RegisteredWallet,
) -> Attached:
    """Each holder's signatures verified and added to the draft's PSBT; the PSBT to store
    (every holder's record is its SHA-256); the network transaction once complete. A
    signature that does not verify ends the turn as a token failure does: that holder's
    signatures are dropped, the earlier holders' stand."""
    reviewed = _reviewed(decoded)
    psbt, view = reviewed.psbt, reviewed.view
    holders: list[tuple[str, bool]] = []  # (holder, complete once it signed)
    ours: list[InputSignature] = []
    for holder, unverified in signed:
        try:
            signatures = [(index, pubkey, signature.verified().der + SIGHASH_ALL_BYTE)
                          for index, pubkey, signature in unverified]  # type: ignore[attr-defined]
        except AirsignError as error:
            failure = error
            break
        add_signatures(psbt, signatures)
        ours += signatures
        holders.append((holder, all(count >= wallet.threshold
                                    for count in signer_counts(psbt, view))))
    if not holders:
        return Attached((), failure=failure)
    payload = psbt_bytes(psbt)
    record = hashlib.sha256(payload).hexdigest()
    made = tuple(Signature(holder, record, complete) for holder, complete in holders)
    if not made[-1].complete:
        return Attached(made, payload, None, failure)
    # Signatures combined from elsewhere count too: finalizing verifies every signature it
    # uses but ours, verified just above. The payload is serialised already: the copy is
    # spent.
    finalize_in_place(psbt, set(ours))
    return Attached(made, payload, extract_transaction(psbt).hex, failure)
