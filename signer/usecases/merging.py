"""A draft imported again: the same draft with more proven signatures, or a conflict.

A draft's id is the hash of its unsigned content (Bitcoin: the unsigned transaction; Safe:
the SafeTx hash). A file with a known id is accepted only as the very draft stored, byte
for byte apart from partial signatures; the signatures it adds were verified already
(verify_partial_signatures) and are merged, journaled. Anything else that differs (another
PSBT field, a Safe JSON that hashes the same but reads differently, an envelope with
another request) is the online side presenting a variant of a draft holders may already
have judged or signed: refused as ``payload_conflict``, the stored draft untouched.
"""

from __future__ import annotations

import hashlib
from typing import Any

from signer.chains.bitcoin.partial_sigs import new_signatures, unsigned_difference
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.signing import add_signatures
from signer.errors import Rejected
from signer.store import drafts, journal
from signer.store.drafts import DraftRow
from signer.transport.incoming import IncomingDraft
from signer.usecases.appliance import Appliance
from signer.usecases.decoding import DecodedDraft

# What an envelope claims about a draft: the vault's id for it, where it runs, what it does.
_CLAIMS = ("id", "chain", "network", "request")


def merge_known(
    app: Appliance, existing: DraftRow, incoming: IncomingDraft, decoded: DecodedDraft
) -> None:
    """Refuse a variant of ``existing`` (payload_conflict); merge the proven signatures a
    Bitcoin re-import adds (inside the caller's savepoint)."""
    _same_claims(existing, incoming)
    if decoded.chain != "bitcoin":
        if decoded.payload != existing.payload:
            raise _conflict(incoming, existing, "the Safe transaction JSON (same safeTxHash, "
                            "other fields or safeTxHash claim)")
        return
    stored = read_psbt(existing.payload, f"draft {existing.id}")
    theirs = decoded.psbt if decoded.psbt is not None else read_psbt(incoming.payload,
                                                                      incoming.source)
    difference = unsigned_difference(stored, theirs)
    if difference is not None:
        raise _conflict(incoming, existing, difference)
    added = new_signatures(stored, theirs)
    if not added or existing.complete or existing.abandoned:
        return
    add_signatures(stored, added)
    merged = psbt_bytes(stored)
    journal.append(app.conn, "draft_combined", "operator",
                   {"draft": existing.id, "source": incoming.source,
                    "signatures": [{"input": index, "key": key.hex()}
                                   for index, key, _ in added],
                    "payload_sha256": hashlib.sha256(merged).hexdigest()}, app.clock)
    drafts.set_payload(app.conn, existing.id, merged)


def _claims(draft: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if draft is None else {key: draft.get(key) for key in _CLAIMS}


def _same_claims(existing: DraftRow, incoming: IncomingDraft) -> None:
    """A plain re-import claims nothing new; an envelope must claim what the stored one did."""
    if incoming.envelope is None:
        return
    stored = _claims(existing.envelope["draft"] if existing.envelope else None)
    theirs = _claims(incoming.envelope.draft)
    if stored != theirs:
        raise _conflict(incoming, existing, f"the envelope (stored: {_said(stored)}; this "
                        f"file: {_said(theirs)})")


def _said(claims: dict[str, Any] | None) -> str:
    if claims is None:
        return "no envelope"
    request = claims["request"] if isinstance(claims["request"], dict) else {}
    return (f"vault draft {claims['id']}, {claims['chain']} {claims['network']}, request "
            f"{request.get('amount')} {request.get('asset')} to {request.get('destination')}")


def _conflict(incoming: IncomingDraft, existing: DraftRow, where: str) -> Rejected:
    return Rejected("payload_conflict", f"{incoming.source}: same draft id {existing.id} as "
                    f"a stored draft (state {existing.state}) but differs in {where}; only "
                    "verified signatures are merged: the stored draft is unchanged")
