"""Writes to the risk tables. None of them commits: the caller commits with its own change."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal, localcontext

from signer.chains.facts import DraftFacts
from signer.errors import Rejected
from signer.risk import codes
from signer.risk.addresses import normalise_address
from signer.risk.ledger import EXACT, amount_to_text, to_micros
from signer.risk.verdict import Verdict, VerdictKind


def record_imported(conn: sqlite3.Connection, draft_id: str, at: datetime) -> None:
    """Count a draft for the burst rule (once, however often it is imported)."""
    conn.execute(
        "INSERT OR IGNORE INTO risk_imported (draft_id, imported_at) VALUES (?, ?)",
        (draft_id, to_micros(at)),
    )


def record_signed(conn: sqlite3.Connection, facts: DraftFacts, at: datetime) -> None:
    """Add a signed draft to the velocity ledger, in the same transaction as its signature.

    Recording the same draft twice is an error (``already_recorded``): a draft is counted once.
    """
    if facts.amount < 0 or not facts.amount.is_finite():
        raise ValueError("signed amount must be a finite Decimal >= 0")
    micros = to_micros(at)
    # Running total and count up to this row (signed_at, then rowid: a new row's rowid is
    # the largest, so it follows every row of the same time), for SqlLedger.signed_since.
    before = conn.execute(
        "SELECT running_total, running_count FROM risk_signed WHERE asset = ? AND signed_at <= ? "
        "ORDER BY signed_at DESC, rowid DESC LIMIT 1", (facts.asset, micros)).fetchone()
    with localcontext(EXACT):
        total = (Decimal(before[0]) if before else Decimal(0)) + facts.amount
    try:
        conn.execute(
            "INSERT INTO risk_signed (draft_id, asset, amount, signed_at, running_total, "
            "running_count) VALUES (?, ?, ?, ?, ?, ?)",
            (facts.draft_id, facts.asset, amount_to_text(facts.amount), micros,
             amount_to_text(total), (before[1] if before else 0) + 1),
        )
        _carry_forward(conn, facts, micros)
    except sqlite3.IntegrityError:
        raise Rejected(
            "already_recorded", f"draft {facts.draft_id} is already in the velocity ledger"
        ) from None
    destinations = {normalise_address(facts.chain, d) for d in facts.destinations}
    conn.executemany(
        "INSERT OR IGNORE INTO risk_signed_destination (destination, draft_id) VALUES (?, ?)",
        [(destination, facts.draft_id) for destination in sorted(destinations)],
    )


def _carry_forward(conn: sqlite3.Connection, facts: DraftFacts, micros: int) -> None:
    """Rows signed later than this one (only when the clock went back) include it now."""
    later = conn.execute(
        "SELECT rowid, running_total, running_count FROM risk_signed WHERE asset = ? AND "
        "signed_at > ?", (facts.asset, micros)).fetchall()
    with localcontext(EXACT):
        conn.executemany(
            "UPDATE risk_signed SET running_total = ?, running_count = ? WHERE rowid = ?",
            [(amount_to_text(Decimal(total) + facts.amount), count + 1, rowid)
             for rowid, total, count in later])


def forget_signed(conn: sqlite3.Connection, draft_id: str) -> bool:
    """Take an abandoned draft out of the velocity ledger (policy velocity.count_abandoned
    = false). Its destinations go too: paying one again is a first time again. The rows
    after it (signed_at, then rowid) no longer include it in their running totals."""
    row = conn.execute("SELECT rowid, asset, amount, signed_at FROM risk_signed "
                       "WHERE draft_id = ?", (draft_id,)).fetchone()
    conn.execute("DELETE FROM risk_signed_destination WHERE draft_id = ?", (draft_id,))
    if row is None:
        return False
    rowid, asset, amount, micros = row
    later = conn.execute(
        "SELECT rowid, running_total, running_count FROM risk_signed WHERE asset = ? AND "
        "running_total IS NOT NULL AND (signed_at > ? OR (signed_at = ? AND rowid > ?))",
        (asset, micros, micros, rowid)).fetchall()
    with localcontext(EXACT):
        conn.executemany(
            "UPDATE risk_signed SET running_total = ?, running_count = ? WHERE rowid = ?",
            [(amount_to_text(Decimal(total) - Decimal(amount)), count - 1, later_rowid)
             for later_rowid, total, count in later])
    conn.execute("DELETE FROM risk_signed WHERE rowid = ?", (rowid,))
    return True


def record_verdict(conn: sqlite3.Connection, draft_id: str, verdict: Verdict, at: datetime) -> None:
    """Persist what a verdict implies: the flag (breaker count), the latch, and the hold."""
    if verdict.kind is VerdictKind.APPROVE:
        return
    others = [code for code in verdict.codes if code != codes.CIRCUIT_BREAKER_OPEN]
    if others:
        conn.execute(
            "INSERT OR IGNORE INTO risk_flagged (draft_id, kind, codes, flagged_at) "
            "VALUES (?, ?, ?, ?)",
            (draft_id, verdict.kind.value, ",".join(others), to_micros(at)),
        )
    if codes.CIRCUIT_BREAKER_OPEN in verdict.codes:
        trip_breaker(conn, at, _message(verdict, codes.CIRCUIT_BREAKER_OPEN))
    if verdict.kind is VerdictKind.DELAY:
        _hold(conn, draft_id, verdict, at)


def _message(verdict: Verdict, code: str) -> str:
    return next(r.message for r in verdict.reasons if r.code == code)


def _hold(conn: sqlite3.Connection, draft_id: str, verdict: Verdict, at: datetime) -> None:
    # The time hold is fixed when first set: a re-screen (e.g. a full window after the hold
    # elapsed) must not restart the wait. It only refreshes the reason.
    not_before = to_micros(verdict.not_before) if verdict.not_before is not None else None
    reason = "; ".join(f"{r.code}: {r.message}" for r in verdict.reasons)
    conn.execute(
        "INSERT INTO risk_hold (draft_id, placed_at, not_before, reason) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (draft_id) DO UPDATE SET "
        "not_before = coalesce(risk_hold.not_before, excluded.not_before), "
        "reason = excluded.reason",
        (draft_id, to_micros(at), not_before, reason),
    )


def release_hold(
    conn: sqlite3.Connection, draft_id: str, released_by: str, reason: str, at: datetime
) -> None:
    """Quorum override of a delay (``released_by`` names the holders, e.g. "A,B")."""
    if not reason.strip():
        raise ValueError("a release needs a written reason")
    cursor = conn.execute(
        "UPDATE risk_hold SET released_by = ?, released_at = ?, release_reason = ? "
        "WHERE draft_id = ? AND released_by IS NULL",
        (released_by, to_micros(at), reason, draft_id),
    )
    if cursor.rowcount != 1:
        raise Rejected("not_held", f"draft {draft_id} has no unreleased hold")


def trip_breaker(conn: sqlite3.Connection, at: datetime, reason: str) -> None:
    """Latch the circuit breaker open (no-op when it is already open)."""
    conn.execute(
        "INSERT INTO risk_breaker (tripped_at, reason) SELECT ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM risk_breaker WHERE reset_at IS NULL)",
        (to_micros(at), reason),
    )


def reset_breaker(conn: sqlite3.Connection, reset_by: str, reason: str, at: datetime) -> None:
    """Close the latched breaker; flags before ``at`` no longer count towards the next trip."""
    if not reason.strip():
        raise ValueError("a breaker reset needs a written reason")
    cursor = conn.execute(
        "UPDATE risk_breaker SET reset_by = ?, reset_at = ?, reset_reason = ? "
        "WHERE reset_at IS NULL",
        (reset_by, to_micros(at), reason),
    )
    if cursor.rowcount == 0:
        raise Rejected("breaker_closed", "the circuit breaker is not open")
