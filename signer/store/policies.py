"""The risk policies applied on this appliance (the policies table): each as the exact
bytes two holders applied, the one in force marked active."""

from __future__ import annotations

import sqlite3


def active(conn: sqlite3.Connection) -> tuple[bytes, str] | None:
    """(canonical bytes, where they were read from) of the policy in force, if any."""
    row = conn.execute("SELECT canonical, source FROM policies WHERE active = 1").fetchone()
    return None if row is None else (bytes(row[0]), str(row[1]))


def activate(
    conn: sqlite3.Connection, policy_hash: str, canonical: bytes, source: str, seq: int
) -> None:
    """Put the policy in force (journal entry ``seq``), in the caller's transaction; one
    applied before is taken up again under its hash."""
    conn.execute("UPDATE policies SET active = 0 WHERE active = 1")
    conn.execute(
        "INSERT INTO policies(hash, canonical, source, applied_seq, active) "
        "VALUES (?, ?, ?, ?, 1) ON CONFLICT(hash) DO UPDATE SET active = 1, "
        "applied_seq = excluded.applied_seq",
        (policy_hash, canonical, source, seq),
    )
