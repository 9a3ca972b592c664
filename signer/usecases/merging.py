"""A draft imported again: the same draft with more proven signatures, or a conflict.

A draft's id is the hash of its unsigned content (its kind says which: a PSBT's unsigned
transaction, a SafeTx hash). A file with a known id is accepted only as the very draft
stored, byte for byte apart from partial signatures; the signatures it adds were verified
already at decoding and are merged, journaled. Anything else that differs (another PSBT
field, a Safe JSON that hashes the same but reads differently, an envelope with another
request) is the online side presenting a variant of a draft holders may already
have judged or signed: refused as ``payload_conflict``, the stored draft untouched.
"""

from __future__ import annotations

from typing import Any

from signer.chains import kinds
from signer.chains.kind import Decoded
from signer.errors import Rejected
from signer.store import drafts, journal
from signer.store.drafts import Draft
from signer.transport.incoming import IncomingDraft
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import stored_draft

# What an envelope claims about a draft: the vault's id for it, where it runs, what it does.
_CLAIMS = ("id", "chain", "network", "request")


def merge_known(
    app: Appliance, existing: Draft, incoming: IncomingDraft, decoded: Decoded
) -> None:
    """Refuse a variant of ``existing`` (payload_conflict); merge the proven signatures a
    re-import adds (inside the caller's savepoint)."""
    _same_claims(existing, incoming)
    try:
        merged = kinds.kind(existing.chain).merge(stored_draft(existing), decoded,
                                                  incoming.source)
    except ValueError as difference:
        raise _conflict(incoming, existing, str(difference)) from None
    if merged is None or existing.abandoned:
        return
    journal.append(app.conn, "draft_combined", "operator",
                   {"draft": existing.id, "source": incoming.source, **merged.details},
                   app.clock)
    drafts.set_payload(app.conn, existing.id, merged.payload)


def _claims(draft: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if draft is None else {key: draft.get(key) for key in _CLAIMS}


def _same_claims(existing: Draft, incoming: IncomingDraft) -> None:
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


def _conflict(incoming: IncomingDraft, existing: Draft, where: str) -> Rejected:
    return Rejected("payload_conflict", f"{incoming.source}: same draft id {existing.id} as "
                    f"a stored draft (state {existing.state}) but differs in {where}; only "
                    "verified signatures are merged: the stored draft is unchanged")
