"""Signing a reviewed proof: per holder, one BIP-322 digest per address and the Safe's
message hash; each signature verified (against the address's key, and by ecrecover
against the registered owner) before it is stored.

A holder's record is JSON: ``{"bitcoin": hex of the 64-byte r||s signatures in the
request's address order, "safe": hex of the 65-byte r||s||v}`` (either key absent when
the request has no such part). Compact signatures keep the journal entry of a proof of
many addresses small (64 bytes per address); export re-encodes them as DER.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from signer.canonical import canonical_json
from signer.chains.ethereum.settings import OWNER_PATH
from signer.chains.ethereum.signing import recover_owner
from signer.chains.kind import Attached, Decoded, HolderStep, Plan, Signature, StoredDraft
from signer.chains.proof.bip322 import proof_digest
from signer.chains.proof.bitcoin_proof import DigestToSign
from signer.chains.proof.review import Reviewed
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, HsmError, Rejected
from signer.hsm.ecdsa import HALF_N
from signer.hsm.token import TokenSession, Unverified

COMPACT = 64


@dataclass(frozen=True)
class HolderWork:
    """What one holder's token signs for a proof."""

    bitcoin: tuple[DigestToSign, ...]
    safe_digest: bytes | None
    owner: str  # the holder's registered Safe owner address


@dataclass(frozen=True)
class HolderSigned:
    """The token's raw signatures, verified on the recording thread (attach)."""

    bitcoin: tuple[Unverified, ...]
    safe: Unverified | None


def reviewed(decoded: Decoded) -> Reviewed:
    if not isinstance(decoded.parsed, Reviewed):
        raise RuntimeError(f"draft {decoded.id}: decoded without its review")
    return decoded.parsed


def plan(decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
         wallet: RegisteredWallet) -> Plan:
    """One step per holder until the threshold (signatures stored before count)."""
    review = reviewed(decoded)
    wanted = max(wallet.threshold - len(stored.signatures), 0)
    # One BIP-322 digest per address, the same for every holder: computed once.
    message = review.request.message
    per_address = [proof_digest(a.witness_script, message) for a in review.addresses]
    steps = []
    for holder in list(holders)[:wanted]:
        digests = tuple(DigestToSign(a.address, a.key(holder).key_id, a.key(holder).pubkey, d)
                        for a, d in zip(review.addresses, per_address, strict=True))
        safe = review.safe.safe_message_hash if review.safe is not None else None
        steps.append(HolderStep(holder, HolderWork(digests, safe, wallet.holder(holder).owner)))
    return Plan(tuple(steps))


def sign(step: HolderStep, token: TokenSession) -> HolderSigned:
    """On the holder's token thread: only asks the token (each key checked to be the one
    the wallet derives for that address before it signs)."""
    work: HolderWork = step.work
    bitcoin = tuple(token.sign_digest_later(d.key_id, d.digest, d.pubkey) for d in work.bitcoin)
    safe = None
    if work.safe_digest is not None:
        owner_key = next((k for k in token.keys().values() if k.label == OWNER_PATH), None)
        if owner_key is None:
            raise Rejected("owner_key_absent",
                           f"token {token.label!r} holds no Ethereum owner key")
        safe = token.sign_digest_later(owner_key.key_id, work.safe_digest)
    return HolderSigned(bitcoin, safe)


def _record(holder: str, signed: HolderSigned, owner: str) -> str:
    record: dict[str, str] = {}
    if signed.bitcoin:
        record["bitcoin"] = b"".join(u.verified().compact for u in signed.bitcoin).hex()
    if signed.safe is not None:
        signature = signed.safe.verified()
        if signature.s > HALF_N:
            raise HsmError("bad_signature", f"holder {holder}: Safe signature is not low-S")
        vrs = signature.ethereum_vrs
        if recover_owner(signed.safe.digest, vrs) != owner:
            raise HsmError("owner_mismatch", f"holder {holder}: the token's Safe signature "
                           f"does not recover to the registered owner {owner}; check the token "
                           f"is holder {holder}'s")
        record["safe"] = vrs.hex()
    return canonical_json(record).decode("ascii")


def attach(stored: StoredDraft, signed: Sequence[tuple[str, object]],
           failure: AirsignError | None, wallet: RegisteredWallet) -> Attached:
    """Every signature verified before anything is stored; a holder whose signatures do
    not all verify ends the turn (the holders before stand)."""
    made: list[Signature] = []
    for holder, result in signed:
        assert isinstance(result, HolderSigned)
        try:
            record = _record(holder, result, wallet.holder(holder).owner)
        except AirsignError as error:
            failure = error
            break
        complete = len(stored.signatures) + len(made) + 1 >= wallet.threshold
        made.append(Signature(holder, record, complete))
    return Attached(tuple(made), failure=failure)


def holder_records(signatures: Mapping[str, str]) -> dict[str, dict[str, bytes]]:
    """Each holder's stored record, as bytes."""
    return {holder: {part: bytes.fromhex(value) for part, value in json.loads(record).items()}
            for holder, record in signatures.items()}
