"""The holders' in-token audit keys (Ed25519) that sign journal checkpoints."""

from __future__ import annotations

import sqlite3


def holder_of(conn: sqlite3.Connection, public_hex: str) -> str | None:
    """The holder the key is registered to, or None when it is not registered."""
    row = conn.execute("SELECT holder FROM audit_keys WHERE public_key = ?",
                       (public_hex,)).fetchone()
    return None if row is None else str(row[0])


def register(conn: sqlite3.Connection, holder: str, public_hex: str, seq: int) -> None:
    """In the caller's transaction, beside journal entry ``seq``."""
    conn.execute("INSERT INTO audit_keys(holder, public_key, registered_seq) VALUES (?, ?, ?)",
                 (holder, public_hex, seq))
