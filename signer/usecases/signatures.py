"""What the tokens make for a draft, and how it is added to the draft: per chain.

Bitcoin: the digests each holder signs (until the quorum), the raw signatures made on the
token thread, then verified and added to the PSBT, which is finalized once complete.
Safe: each owner's signature over the recomputed SafeTx hash. signing.py runs the batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

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
from signer.chains.ethereum import SafeOwner, parse_safe_tx_json, sign_safe_tx
from signer.chains.ethereum.settings import OWNER_PATH
from signer.errors import AirsignError, Rejected
from signer.hsm.token import TokenSession
from signer.store.drafts import DraftRow
from signer.usecases.decoding import DecodedDraft
from signer.usecases.wallet import RegisteredWallet


@dataclass(frozen=True)
class Signature:
    holder: str
    # chain-specific: the SHA-256 of the PSBT the signing step stored, or the Safe signature
    record: str
    complete: bool


@dataclass
class Signed:
    """What the tokens made for one draft: each holder's signatures in order (Bitcoin: a
    list of input signatures still to verify; Safe: the signature in hex), then the
    failure that ended the draft's turn, if any (the signatures before it stand)."""

    by_holder: list[tuple[str, Any]]
    failure: AirsignError | None = None


def bitcoin_digests(
    decoded: DecodedDraft, holders: list[str], wallet: RegisteredWallet
) -> tuple[list[tuple[str, list[InputDigest]]], AirsignError | None]:
    """Each holder's digests, until every input would carry the quorum (signatures made
    elsewhere and combined at import count too), and the refusal that stopped the list."""
    # The PSBT the signing run parsed from this row's payload and reviewed, a private copy: it is
    # signed exactly as checked (holder_digests refuses on the review's findings again).
    psbt, view = decoded.psbt, decoded.view
    if psbt is None or view is None:
        raise RuntimeError(f"draft {decoded.id}: decoded without its PSBT and review")
    cache = SighashCache(psbt.tx)
    # Distinct wallet keys with a proven signature (import verified any made elsewhere).
    counts = signer_counts(psbt, view)
    planned: list[tuple[str, list[InputDigest]]] = []
    for holder in holders:
        try:
            digests = holder_digests(psbt, view, wallet.bitcoin, holder, cache)
        except AirsignError as error:
            return planned, error
        planned.append((holder, digests))
        for index, _pubkey, _digest in digests:
            counts[index] += 1
        if all(count >= wallet.threshold for count in counts):
            break
    return planned, None


def sign_bitcoin(
    digests: list[tuple[str, list[InputDigest]]], refused_later: AirsignError | None,
    sessions: dict[str, TokenSession],
) -> Signed:
    """On the token thread: each holder's raw signatures over its digests, verified on the
    other thread (bitcoin_signed) before anything uses them."""
    signed = Signed([])
    for holder, planned in digests:
        session = sessions[holder]
        try:
            signed.by_holder.append((holder, [
                (index, pubkey, session.sign_digest_later(key_id(pubkey), digest, pubkey))
                for index, pubkey, digest in planned]))
        except AirsignError as error:
            signed.failure = error
            return signed
    signed.failure = refused_later
    return signed


def bitcoin_signed(
    decoded: DecodedDraft, signed: Signed, wallet: RegisteredWallet
) -> tuple[list[Signature], bytes | None, str | None, AirsignError | None]:
    """Each holder's signatures verified and added to the draft's PSBT; the PSBT to store
    (every holder's record is its SHA-256: what this signing step stored); the network
    transaction once complete; the failure that ended the turn (a signature that does not
    verify ends it as a token failure does: that holder's signatures are dropped, the
    earlier holders' stand)."""
    psbt, view = decoded.psbt, decoded.view
    if psbt is None or view is None:
        raise RuntimeError(f"draft {decoded.id}: decoded without its PSBT and review")
    holders: list[tuple[str, bool]] = []  # (holder, complete once it signed)
    ours: list[InputSignature] = []
    failure = signed.failure
    for holder, unverified in signed.by_holder:
        try:
            signatures = [(index, pubkey, signature.verified().der + SIGHASH_ALL_BYTE)
                          for index, pubkey, signature in unverified]
        except AirsignError as error:
            failure = error
            break
        add_signatures(psbt, signatures)
        ours += signatures
        holders.append((holder, all(count >= wallet.threshold
                                    for count in signer_counts(psbt, view))))
    if not holders:
        return [], None, None, failure
    payload = psbt_bytes(psbt)
    record = hashlib.sha256(payload).hexdigest()
    made = [Signature(holder, record, complete) for holder, complete in holders]
    if not made[-1].complete:
        return made, payload, None, failure
    # Signatures combined from elsewhere count too: finalizing verifies every signature it
    # uses but ours, verified just above. The payload is serialised already: the copy is
    # spent.
    finalize_in_place(psbt, set(ours))
    return made, payload, extract_transaction(psbt).hex, failure


def safe_signed(row: DraftRow, signed: Signed, wallet: RegisteredWallet) -> list[Signature]:
    made: list[Signature] = []
    for holder, signature in signed.by_holder:
        complete = len(row.signatures) + len(made) + 1 >= wallet.threshold
        made.append(Signature(holder, signature, complete))
    return made


def sign_safe(
    row: DraftRow, holders: list[str], sessions: dict[str, TokenSession],
    wallet: RegisteredWallet,
) -> Signed:
    tx = parse_safe_tx_json(row.payload, f"draft {row.id}")
    signed = Signed([])
    for holder in holders[:max(wallet.threshold - len(row.signatures), 0)]:
        session = sessions[holder]
        try:
            owner_key = next((k for k in session.keys().values() if k.label == OWNER_PATH), None)
            if owner_key is None:
                raise Rejected("owner_key_absent",
                               f"token {session.label!r} holds no Ethereum owner key")
            owner = SafeOwner(holder, wallet.holder(holder).owner,
                              partial(session.sign_digest, owner_key.key_id))
            signed.by_holder.append((holder, sign_safe_tx(tx, [owner]).signatures[0]
                                     .signature.hex()))
        except AirsignError as error:
            signed.failure = error
            break
    return signed
