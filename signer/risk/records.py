"""What the risk layer writes: a signed draft into the ledger, a verdict's flag, latch and
hold, a quorum's release or reset. The rows are signer.store's (store.velocity,
store.holds, store.breaker); none of these commits: the caller commits with its change."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from signer.chains.facts import DraftFacts
from signer.errors import Rejected
from signer.risk import codes
from signer.risk.addresses import normalise_address
from signer.risk.verdict import Verdict, VerdictKind
from signer.store import breaker, holds, velocity
from signer.store.clock import to_micros


def record_imported(conn: sqlite3.Connection, draft_id: str, at: datetime) -> None:
    """Count a draft for the burst rule (once, however often it is imported)."""
    velocity.add_imported(conn, draft_id, to_micros(at))


def record_signed(conn: sqlite3.Connection, facts: DraftFacts, at: datetime) -> None:
    """Add a signed draft to the velocity ledger, in the same transaction as its signature.

    Recording the same draft twice is an error (``already_recorded``): a draft is counted once.
    """
    if facts.amount < 0 or not facts.amount.is_finite():
        raise ValueError("signed amount must be a finite Decimal >= 0")
    destinations = {normalise_address(facts.chain, d) for d in facts.destinations}
    if not velocity.add_signed(conn, facts.draft_id, facts.asset, facts.amount,
                               to_micros(at), destinations):
        raise Rejected(
            "already_recorded", f"draft {facts.draft_id} is already in the velocity ledger"
        )


def forget_signed(conn: sqlite3.Connection, draft_id: str) -> bool:
    """Take an abandoned draft out of the velocity ledger (policy velocity.count_abandoned
    = false). Its destinations go too: paying one again is a first time again."""
    return velocity.remove_signed(conn, draft_id)


def record_verdict(conn: sqlite3.Connection, draft_id: str, verdict: Verdict, at: datetime) -> None:
    """Persist what a verdict implies: the flag (breaker count), the latch, and the hold."""
    if verdict.kind is VerdictKind.APPROVE:
        return
    others = [code for code in verdict.codes if code != codes.CIRCUIT_BREAKER_OPEN]
    if others:
        breaker.add_flag(conn, draft_id, verdict.kind.value, others, at)
    if codes.CIRCUIT_BREAKER_OPEN in verdict.codes:
        trip_breaker(conn, at, _message(verdict, codes.CIRCUIT_BREAKER_OPEN))
    if verdict.kind is VerdictKind.DELAY:
        # The time hold is fixed when first set (store.holds.place): a re-screen must not
        # restart the wait. It only refreshes the reason.
        reason = "; ".join(f"{r.code}: {r.message}" for r in verdict.reasons)
        holds.place(conn, draft_id, at, verdict.not_before, reason)


def _message(verdict: Verdict, code: str) -> str:
    return next(r.message for r in verdict.reasons if r.code == code)


def release_hold(
    conn: sqlite3.Connection, draft_id: str, released_by: str, reason: str, at: datetime
) -> None:
    """Quorum override of a delay (``released_by`` names the holders, e.g. "A,B")."""
    if not reason.strip():
        raise ValueError("a release needs a written reason")
    if not holds.release(conn, draft_id, released_by, reason, at):
        raise Rejected("not_held", f"draft {draft_id} has no unreleased hold")


def trip_breaker(conn: sqlite3.Connection, at: datetime, reason: str) -> None:
    """Latch the circuit breaker open (no-op when it is already open)."""
    breaker.trip(conn, at, reason)


def reset_breaker(conn: sqlite3.Connection, reset_by: str, reason: str, at: datetime) -> None:
    """Close the latched breaker; flags before ``at`` no longer count towards the next trip."""
    if not reason.strip():
        raise ValueError("a breaker reset needs a written reason")
    if not breaker.reset(conn, reset_by, reason, at):
        raise Rejected("breaker_closed", "the circuit breaker is not open")
