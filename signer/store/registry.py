"""The registered wallet, holder-to-token assignments and vault keys (public data).

Every function runs inside the caller's transaction, beside its journal entry.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from signer.canonical import canonical_json


def active_wallet(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT document FROM wallet WHERE active = 1").fetchone()
    return None if row is None else dict(json.loads(row[0]))


def register_wallet(conn: sqlite3.Connection, document: dict[str, Any], seq: int) -> None:
    """Make ``document`` the active wallet; an earlier one is retired, never deleted."""
    conn.execute("UPDATE wallet SET active = 0 WHERE active = 1")
    conn.execute(
        "INSERT INTO wallet(name, active, document, registered_seq) VALUES (?, 1, ?, ?)",
        (document["name"], canonical_json(document).decode(), seq),
    )


def update_wallet(conn: sqlite3.Connection, document: dict[str, Any]) -> None:
    conn.execute(
        "UPDATE wallet SET document = ? WHERE active = 1", (canonical_json(document).decode(),)
    )


def current_token(conn: sqlite3.Connection, holder: str) -> str | None:
    row = conn.execute(
        "SELECT token FROM holder_tokens WHERE holder = ? AND retired_seq IS NULL", (holder,)
    ).fetchone()
    return None if row is None else str(row[0])


def assign_token(conn: sqlite3.Connection, holder: str, token: str, seq: int) -> None:
    """Map ``holder`` to ``token``; the previous mapping is retired at ``seq``."""
    conn.execute(
        "UPDATE holder_tokens SET retired_seq = ? WHERE holder = ? AND retired_seq IS NULL",
        (seq, holder),
    )
    conn.execute(
        "INSERT INTO holder_tokens(holder, token, assigned_seq) VALUES (?, ?, ?)",
        (holder, token, seq),
    )


def vault_keys(conn: sqlite3.Connection) -> dict[str, bytes]:
    return {
        str(r[0]): bytes.fromhex(r[1])
        for r in conn.execute("SELECT key_id, public_key FROM vault_keys")
    }


def add_vault_key(conn: sqlite3.Connection, key_id: str, public_key: bytes, seq: int) -> None:
    conn.execute(
        "INSERT INTO vault_keys(key_id, public_key, registered_seq) VALUES (?, ?, ?)",
        (key_id, public_key.hex(), seq),
    )
