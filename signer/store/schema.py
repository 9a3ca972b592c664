"""The schema, one migration per released change (never edit a released step)."""

from __future__ import annotations

import sqlite3

from signer.store.db import migration


@migration(1, "journal, audit keys, lockouts")
def _journal(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE journal (
            seq INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX journal_kind ON journal(kind, seq);
        CREATE TABLE audit_keys (
            holder TEXT NOT NULL,
            public_key TEXT NOT NULL PRIMARY KEY,
            registered_seq INTEGER NOT NULL
        );
        CREATE TABLE lockouts (
            holder TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_at TEXT
        );
        """,
    )


def _run(conn: sqlite3.Connection, script: str) -> None:
    """executescript would COMMIT the migration's transaction; run statements one by one."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
