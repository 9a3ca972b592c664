"""Screening a stored draft: decode it again, run the risk rules, store and journal the verdict."""

from __future__ import annotations

from datetime import datetime

from signer.chains.kind import Decoded
from signer.chains.registered_wallet import RegisteredWallet
from signer.risk import (
    Ledger,
    SqlLedger,
    Verdict,
    VerdictKind,
    record_verdict,
    screen,
)
from signer.store import drafts, journal
from signer.store.clock import iso
from signer.store.db import transaction
from signer.store.draft_state import Action, refusal
from signer.store.drafts import Draft
from signer.transport.incoming import Envelope, IncomingDraft
from signer.usecases.appliance import Appliance
from signer.usecases.decoding import context, decode
from signer.usecases.policy import active_policy
from signer.usecases.wallet import load_wallet


def decode_stored(
    app: Appliance, row: Draft, wallet: RegisteredWallet, at_import: bool = False
) -> Decoded:
    """Decode a stored draft again, exactly as at import (envelope included); ``at_import``:
    judged as an import is (a Safe nonce may follow the unsigned drafts stored before it)."""
    envelope = None
    if row.envelope is not None:
        envelope = Envelope(row.envelope["key_id"], row.envelope["body_sha256"],
                            row.envelope["draft"])
    incoming = IncomingDraft(row.source, row.chain, row.payload, envelope)
    # A draft that already carries a signature holds its claims: later ones signed since
    # do not make it stale (the second holder is not replaying it).
    found = context(app, row.chain, wallet, judge_claims=not row.signatures,
                    at_import=at_import, stored=True, cancels=row.cancels)
    return decode(incoming, wallet, found)


def verdict_json(verdict: Verdict) -> tuple[str, list[dict[str, str]], str | None]:
    reasons = [{"code": r.code, "message": r.message} for r in verdict.reasons]
    return verdict.kind.value, reasons, iso(verdict.not_before) if verdict.not_before else None


def fresh_verdict(
    app: Appliance, decoded: Decoded, now: datetime, ledger: Ledger | None = None
) -> Verdict:
    """The rules against ``ledger`` (by default the state database as it stands)."""
    if not decoded.moves_funds:
        return structural_verdict(decoded)
    return screen(decoded.facts, active_policy(app), ledger or SqlLedger(app.conn), now)


def structural_verdict(decoded: Decoded) -> Verdict:
    """What moves nothing (a quorum's cancellation, a proof) leaves the velocity,
    destination and breaker rules nothing to judge (a cancellation is the remedy while
    signing is halted, too): its own findings decide."""
    reasons = decoded.facts.findings
    return Verdict(VerdictKind.REJECT if reasons else VerdictKind.APPROVE, reasons)


def store_verdict(app: Appliance, decoded: Decoded, verdict: Verdict, now: datetime) -> None:
    """The verdict on the draft, what it implies (flag, hold, breaker) and its journal
    entry, in one transaction."""
    with transaction(app.conn):
        write_verdict(app, decoded, verdict, now)


def write_verdict(
    app: Appliance, decoded: Decoded, verdict: Verdict, now: datetime, on_row: bool = True,
    after: journal.Entry | None = None,
) -> journal.Entry:
    """store_verdict() inside a transaction the caller holds (with the action it allows);
    ``on_row=False``: the caller writes verdict_json() to the draft's row itself;
    ``after``: the caller's last journal entry in this transaction (journal.append)."""
    kind, reasons, not_before = verdict_json(verdict)
    if on_row:
        drafts.set_verdict(app.conn, decoded.id, kind, reasons, not_before)
    record_verdict(app.conn, decoded.id, verdict, now)
    return journal.append(app.conn, "verdict", "appliance",
                          {"draft": decoded.id, "verdict": kind,
                           "codes": [r["code"] for r in reasons], "not_before": not_before},
                          app.clock, after)


def screen_decoded(
    app: Appliance, decoded: Decoded, now: datetime, store_approval: bool = True,
    ledger: Ledger | None = None,
) -> Verdict:
    """Run the rules and store the verdict with its journal entry (one transaction).

    ``store_approval=False``: a look ahead (before a login) whose approval decides
    nothing by itself, so it is neither stored nor journaled; a delay or rejection is.
    """
    verdict = fresh_verdict(app, decoded, now, ledger)
    if verdict.kind is not VerdictKind.APPROVE or store_approval:
        store_verdict(app, decoded, verdict, now)
    return verdict


def rescreen(app: Appliance, row: Draft) -> Verdict:
    """`screen ID`: a fresh verdict for a draft nobody has signed yet."""
    # A draft with signatures had its verdict settled by the screen right before its first
    # signature, and it is in the velocity ledger: screening it again would judge it
    # against itself and count a flag towards the circuit breaker (the state machine).
    refused = refusal(row, Action.SCREEN)
    if refused is not None:
        raise refused.error()
    wallet = load_wallet(app)
    return screen_decoded(app, decode_stored(app, row, wallet), app.clock())
