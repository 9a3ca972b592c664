"""Abandoning drafts and cancelling Safe nonces: nothing a draft claims is held for good.

The first signature of a draft claims its coins (Bitcoin outpoints) or its Safe nonce, so
that no other draft can spend them. A hostile vault that gets a few small drafts signed
and never broadcasts them would freeze those coins or the Safe; two holders free them
here, journaled with both names and the written reason. The signed transaction is not
destroyed by that (a copy may have left the appliance), so the holders are first shown
what it could still do if broadcast; for a Safe, `cancel` also creates the standard
remedy, a zero-value call from the Safe to itself at the same nonce.
"""

from __future__ import annotations

import hashlib
from typing import Any

from signer.chains import kinds
from signer.errors import BadInput, Rejected
from signer.risk import forget_signed
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.drafts import Draft
from signer.transport.incoming import IncomingDraft
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.decoding import context, decode
from signer.usecases.draft_lookup import resolve, stored_draft
from signer.usecases.policy import active_policy
from signer.usecases.screening import structural_verdict, write_verdict
from signer.usecases.wallet import load_wallet


def _reason(reason: str) -> str:
    if not reason.strip():
        raise BadInput("reason_missing", "--reason: a written reason is required")
    return reason.strip()


def _released(row: Draft, claims: list[str]) -> str:
    return kinds.kind(row.chain).released(claims) if claims else "it claims nothing"


def exposure(app: Appliance, row: Draft) -> dict[str, Any]:
    """What the draft's signed transaction could still do if someone broadcast it, and what
    abandoning it releases: shown to the holders before they confirm."""
    claims = drafts.claims_of(app.conn, row.id)
    effect = "; ".join(row.summary.get("words", [])) or "nothing decoded"
    signers = ", ".join(sorted(row.signatures)) or "nobody"
    if not row.signatures:
        could = "never signed: nothing of it can be broadcast; it is only withdrawn"
    elif row.complete:
        verb = kinds.kind(row.chain).broadcast_verb
        could = (f"signed by {signers} (complete): if {verb}, this transaction still does: "
                 f"{effect}")
    else:
        could = (f"signed by {signers} only (not complete): not broadcastable as it is, but "
                 f"if another holder signed a copy that left the appliance, it would do: {effect}")
    if row.cancels:
        could += f" (it is the cancellation of draft {row.cancels})"
    return {"id": row.id, "chain": row.chain, "state": row.state,
            "signed_by": sorted(row.signatures), "complete": row.complete,
            "broadcastable": row.complete, "if_broadcast": row.summary.get("words", []),
            "releases": claims, "text": f"draft {row.id}: {could}; {_released(row, claims)}"}


def _abandonable(app: Appliance, typed_ids: list[str]) -> list[Draft]:
    rows: dict[str, Draft] = {}
    for typed in typed_ids:
        row = resolve(app, typed)
        if row.abandoned:
            raise Rejected("already_abandoned", f"draft {row.id} is abandoned already")
        rows.setdefault(row.id, row)
    return list(rows.values())


def preview(app: Appliance, typed_ids: list[str]) -> list[dict[str, Any]]:
    """`abandon ID... --preview`: what the holders are asked to confirm (no login)."""
    return [exposure(app, row) for row in _abandonable(app, typed_ids)]


def abandon(
    app: Appliance, typed_ids: list[str], holders: str, reason: str, read_pin: logins.PinReader
) -> list[dict[str, Any]]:
    """Two distinct holders abandon drafts (all or none): each is never signed or exported
    again and its claims are freed, journaled with both holders and the reason."""
    written = _reason(reason)
    rows = _abandonable(app, typed_ids)
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        return [_abandon_one(app, row, quorum, written) for row in rows]


def _abandon_one(app: Appliance, row: Draft, quorum: list[str], reason: str) -> dict[str, Any]:
    """Inside the caller's transaction."""
    shown = exposure(app, row)
    policy = active_policy(app)
    counted = policy is None or policy.document.velocity.count_abandoned
    entry = journal.append(app.conn, "draft_abandoned", ",".join(quorum),
                           {"draft": row.id, "by": quorum, "reason": reason,
                            "state": row.state, "released": shown["releases"],
                            "velocity_counted": counted}, app.clock)
    drafts.abandon(app.conn, row.id, entry.seq)
    if not counted:
        forget_signed(app.conn, row.id)
    return dict(shown, state="abandoned", abandoned_by=quorum, reason=reason,
                velocity_counted=counted)


def cancel(
    app: Appliance, typed: str, holders: str, reason: str, read_pin: logins.PinReader
) -> dict[str, Any]:
    """Two holders abandon a Safe draft (if not already) and create the cancellation at its
    nonce, approved on its own path (screening.structural_verdict); it is then signed
    with `sign` and exported as any Safe draft."""
    written = _reason(reason)
    row = resolve(app, typed)
    kind = kinds.kind(row.chain)
    wallet = load_wallet(app)
    if kind.can_cancel and row.cancels is not None:
        raise Rejected("already_cancelled", f"draft {row.id} is itself a cancellation: "
                       "abandon it instead")
    payload = kind.cancellation(stored_draft(row), wallet)  # refuses a kind with none
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        abandoned = None if row.abandoned else _abandon_one(app, row, quorum, written)
        incoming = IncomingDraft(f"cancellation of draft {row.id}", row.chain, payload, None)
        decoded = decode(incoming, wallet, context(app, row.chain, wallet, stored=True,
                                                   cancels=row.id))
        nonce = int(decoded.claims[0].rsplit(":", 1)[1])  # the one claim: its nonce
        holder_of_nonce = drafts.claimed_by_other(app.conn, decoded.id, decoded.claims)
        if holder_of_nonce is not None:
            raise Rejected("conflict", f"nonce {nonce} is held by signed draft "
                           f"{holder_of_nonce}: cancel that draft instead; nothing changed")
        verdict = structural_verdict(decoded)
        if verdict.reasons:  # e.g. the chain used the nonce already: nothing to supersede
            first = verdict.reasons[0]
            raise Rejected(first.code, f"the cancellation at nonce {nonce} could "
                           f"not be signed: {first.message}; nothing changed")
        existing = drafts.get(app.conn, decoded.id)
        # An abandoned copy of this very cancellation (the vault's junk the holders tidied
        # away, or an earlier one they dropped) is taken up again: the cancellation has one
        # id per nonce, so refusing here would leave the nonce without its remedy for good.
        restored = existing is not None and existing.abandoned
        if existing is not None and not restored and (existing.signatures
                                                      or existing.cancels is not None):
            raise Rejected("already_cancelled", f"the cancellation at nonce "
                           f"{nonce} is draft {existing.id} already")
        entry = journal.append(app.conn, "cancellation_created", ",".join(quorum),
                               {"draft": decoded.id, "cancels": row.id,
                                "nonce": nonce, "by": quorum, "reason": written,
                                "restored": restored,
                                "payload_sha256": hashlib.sha256(payload).hexdigest()},
                               app.clock)
        if existing is None:  # else the vault had sent the very same shape: it becomes ours
            drafts.insert(app.conn, draft_id=decoded.id, chain=row.chain, payload=payload,
                          source=incoming.source, envelope=None, summary=decoded.summary,
                          seq=entry.seq)
        else:
            if restored:  # its signatures (if any) claim the nonce again (checked free above)
                drafts.restore(app.conn, decoded.id,
                               decoded.claims if existing.signatures else ())
            # A variant with the same safeTxHash (e.g. 1.3.0 claimed for a 1.4.1 Safe reads
            # differently but hashes alike): what is stored and signed is the quorum's shape.
            drafts.set_content(app.conn, decoded.id, payload, decoded.summary)
        drafts.set_cancels(app.conn, decoded.id, row.id)
        write_verdict(app, decoded, verdict, app.clock(), after=entry)
    return {"id": decoded.id, "cancels": row.id, "nonce": nonce,
            "safe": wallet.safe, "verdict": verdict.kind.value,
            "reasons": [{"code": r.code, "message": r.message} for r in verdict.reasons],
            "abandoned": abandoned, "by": quorum, "reason": written,
            "safe_tx": decoded.summary["safe_tx"]}
