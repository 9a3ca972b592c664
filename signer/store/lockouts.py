"""The appliance's own PIN retry counter (SoftHSM never locks a token).

Functions here run inside the caller's transaction, beside the journal entry.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class LockoutState:
    holder: str
    failures: int
    locked_at: str | None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


def state(conn: sqlite3.Connection, holder: str) -> LockoutState:
    row = conn.execute(
        "SELECT failures, locked_at FROM lockouts WHERE holder = ?", (holder,)
    ).fetchone()
    if row is None:
        return LockoutState(holder, 0, None)
    return LockoutState(holder, int(row[0]), row[1])


def attempts_left(conn: sqlite3.Connection, holder: str, limit: int) -> int:
    """Wrong PINs ``holder`` may still type before the lockout (0: locked out)."""
    current = state(conn, holder)
    return 0 if current.locked else max(limit - current.failures, 0)


def attempts_note(holder: str, left: int) -> str:
    """What a PIN prompt or a wrong-PIN message says about the attempts left."""
    if left <= 0:
        return f"holder {holder} is locked out"
    if left == 1:
        return f"LAST attempt: one more wrong PIN locks holder {holder} out"
    return f"{left} attempts left before holder {holder} is locked out"


def record_failure(conn: sqlite3.Connection, holder: str, limit: int, now: str) -> LockoutState:
    """Count one failed login; lock the holder when the count reaches ``limit``."""
    failures = state(conn, holder).failures + 1
    locked_at = now if failures >= limit else None
    conn.execute(
        "INSERT INTO lockouts(holder, failures, locked_at) VALUES (?, ?, ?) "
        "ON CONFLICT(holder) DO UPDATE SET failures = excluded.failures, "
        "locked_at = COALESCE(lockouts.locked_at, excluded.locked_at)",
        (holder, failures, locked_at),
    )
    return state(conn, holder)


def reset(conn: sqlite3.Connection, holder: str) -> None:
    """A successful login or a quorum unlock clears the counter and the lock."""
    conn.execute("DELETE FROM lockouts WHERE holder = ?", (holder,))
