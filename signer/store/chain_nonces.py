"""The Safe's nonce on chain as holders typed it (`wallet set-safe --nonce`, `wallet
safe-nonce`): the latest row per Safe is the floor of the next nonce it signs."""

from __future__ import annotations

import sqlite3


def recorded(conn: sqlite3.Connection, safe: str, chain_id: int) -> int | None:
    row = conn.execute(
        "SELECT nonce FROM safe_nonces WHERE chain_id = ? AND safe = ? ORDER BY seq DESC "
        "LIMIT 1", (chain_id, safe.lower())).fetchone()
    return None if row is None else int(row[0])


def record(conn: sqlite3.Connection, safe: str, chain_id: int, nonce: int, seq: int) -> None:
    """In the caller's transaction, beside journal entry ``seq``."""
    conn.execute("INSERT INTO safe_nonces(seq, chain_id, safe, nonce) VALUES (?, ?, ?, ?)",
                 (seq, chain_id, safe.lower(), nonce))
