"""The circuit breaker's latch (risk_breaker) and the flagged drafts that trip it
(risk_flagged), migration 3. signer.risk decides when it trips; here it is recorded.
None of the writers commits: the caller commits with its own change."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from signer.store.clock import from_micros, to_micros


def latch(conn: sqlite3.Connection) -> tuple[datetime | None, datetime | None]:
    """(when the open latch tripped, or None when closed; when it was last reset)."""
    tripped, reset = conn.execute(
        "SELECT (SELECT max(tripped_at) FROM risk_breaker WHERE reset_at IS NULL), "
        "(SELECT max(reset_at) FROM risk_breaker)"
    ).fetchone()
    return (from_micros(tripped) if tripped is not None else None,
            from_micros(reset) if reset is not None else None)


def trip(conn: sqlite3.Connection, at: datetime, reason: str) -> None:
    """Latch it open (nothing changes when it is open already)."""
    conn.execute(
        "INSERT INTO risk_breaker (tripped_at, reason) SELECT ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM risk_breaker WHERE reset_at IS NULL)",
        (to_micros(at), reason),
    )


def reset(conn: sqlite3.Connection, reset_by: str, reason: str, at: datetime) -> bool:
    """Close the open latch; False when it was not open."""
    cursor = conn.execute(
        "UPDATE risk_breaker SET reset_by = ?, reset_at = ?, reset_reason = ? "
        "WHERE reset_at IS NULL",
        (reset_by, to_micros(at), reason),
    )
    return cursor.rowcount != 0


def add_flag(
    conn: sqlite3.Connection, draft_id: str, kind: str, codes: list[str], at: datetime
) -> None:
    """A draft delayed or rejected for ``codes`` (counted once, at its first flag)."""
    conn.execute(
        "INSERT OR IGNORE INTO risk_flagged (draft_id, kind, codes, flagged_at) "
        "VALUES (?, ?, ?, ?)",
        (draft_id, kind, ",".join(codes), to_micros(at)),
    )


def flagged_since(conn: sqlite3.Connection, since: datetime) -> int:
    (count,) = conn.execute(
        "SELECT count(*) FROM risk_flagged WHERE flagged_at >= ?", (to_micros(since),)
    ).fetchone()
    return int(count)
