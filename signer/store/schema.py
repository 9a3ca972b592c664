"""The schema, one migration per released change (never edit a released step)."""

from __future__ import annotations

import sqlite3
from decimal import Context, Decimal, localcontext

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


@migration(2, "registered wallet, holder tokens, vault keys")
def _wallet(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE wallet (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            active INTEGER NOT NULL,
            document TEXT NOT NULL,
            registered_seq INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX wallet_one_active ON wallet(active) WHERE active = 1;
        CREATE TABLE holder_tokens (
            holder TEXT NOT NULL,
            token TEXT NOT NULL,
            assigned_seq INTEGER NOT NULL,
            retired_seq INTEGER
        );
        CREATE UNIQUE INDEX holder_token_current ON holder_tokens(holder) WHERE retired_seq IS NULL;
        CREATE TABLE vault_keys (
            key_id TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            registered_seq INTEGER NOT NULL
        );
        """,
    )


@migration(3, "risk ledger, holds and circuit breaker")
def _risk(conn: sqlite3.Connection) -> None:
    """The risk tables: store.velocity, store.holds and store.breaker (for signer.risk)."""
    _run(
        conn,
        """
CREATE TABLE IF NOT EXISTS risk_signed (
    draft_id  TEXT PRIMARY KEY,
    asset     TEXT NOT NULL,
    amount    TEXT NOT NULL,
    signed_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS risk_signed_by_asset_time ON risk_signed (asset, signed_at);
CREATE TABLE IF NOT EXISTS risk_signed_destination (
    destination TEXT NOT NULL,
    draft_id    TEXT NOT NULL REFERENCES risk_signed (draft_id),
    PRIMARY KEY (destination, draft_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS risk_imported (
    draft_id    TEXT PRIMARY KEY,
    imported_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS risk_imported_by_time ON risk_imported (imported_at);
CREATE TABLE IF NOT EXISTS risk_flagged (
    draft_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('delay', 'reject')),
    codes      TEXT NOT NULL,
    flagged_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS risk_flagged_by_time ON risk_flagged (flagged_at);
CREATE TABLE IF NOT EXISTS risk_hold (
    draft_id       TEXT PRIMARY KEY,
    placed_at      INTEGER NOT NULL,
    not_before     INTEGER,
    reason         TEXT NOT NULL,
    released_by    TEXT,
    released_at    INTEGER,
    release_reason TEXT
);
CREATE TABLE IF NOT EXISTS risk_breaker (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tripped_at   INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    reset_by     TEXT,
    reset_at     INTEGER,
    reset_reason TEXT
);
""",
    )


@migration(4, "drafts, signatures, claims, exports, applied policies")
def _drafts(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            chain TEXT NOT NULL,
            payload BLOB NOT NULL,
            source TEXT NOT NULL,
            envelope TEXT,
            summary TEXT NOT NULL,
            verdict TEXT NOT NULL,
            reasons TEXT NOT NULL,
            not_before TEXT,
            released INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0,
            exported INTEGER NOT NULL DEFAULT 0,
            imported_seq INTEGER NOT NULL
        );
        CREATE INDEX drafts_verdict ON drafts(verdict);
        CREATE TABLE draft_signatures (
            draft_id TEXT NOT NULL REFERENCES drafts(id),
            holder TEXT NOT NULL,
            signature TEXT NOT NULL,
            signed_seq INTEGER NOT NULL,
            PRIMARY KEY (draft_id, holder)
        );
        CREATE TABLE claims (
            claim TEXT PRIMARY KEY,
            draft_id TEXT NOT NULL REFERENCES drafts(id)
        );
        CREATE TABLE policies (
            hash TEXT PRIMARY KEY,
            canonical BLOB NOT NULL,
            source TEXT NOT NULL,
            applied_seq INTEGER NOT NULL,
            active INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX policy_one_active ON policies(active) WHERE active = 1;
        """,
    )


@migration(5, "the network transaction of a completed Bitcoin draft")
def _final_transactions(conn: sqlite3.Connection) -> None:
    # Written by the signature that completes the draft, right after finalizing it
    # (every signature verified): export writes it out instead of finalizing again.
    # Drafts completed before this step keep NULL and are finalized at export.
    _run(conn, "ALTER TABLE drafts ADD COLUMN final_tx TEXT;")


@migration(6, "abandoned drafts, Safe cancellations, the Safe's nonce as recorded by holders")
def _abandon(conn: sqlite3.Connection) -> None:
    # abandoned_seq: the journal entry of the quorum that abandoned the draft (its claims
    # are freed, it is never signed or exported again). cancels: the draft a Safe
    # cancellation created by `airsign cancel` supersedes at the same nonce.
    # safe_nonces: the chain's nonce as typed by holders (`wallet set-safe --nonce`,
    # `wallet safe-nonce`); the latest row per Safe is the floor of the next nonce.
    _run(
        conn,
        """
        ALTER TABLE drafts ADD COLUMN abandoned_seq INTEGER;
        ALTER TABLE drafts ADD COLUMN cancels TEXT;
        CREATE TABLE safe_nonces (
            seq INTEGER PRIMARY KEY,
            chain_id INTEGER NOT NULL,
            safe TEXT NOT NULL,
            nonce INTEGER NOT NULL
        );
        """,
    )


@migration(7, "indexes that keep listings flat as the history grows")
def _history_indexes(conn: sqlite3.Connection) -> None:
    # Lists page newest first by
    # import order; the drafts that may still need an operator are a small partial
    # index, so the default `drafts` view and the dashboard's queue never read the
    # year of exported drafts behind them; the dashboard counts the exported and the
    # rejected ones from indexes that hold every column the count reads.
    _run(
        conn,
        """
        CREATE INDEX IF NOT EXISTS drafts_by_import ON drafts(imported_seq);
        CREATE INDEX IF NOT EXISTS drafts_open ON drafts(imported_seq)
            WHERE exported = 0 AND verdict != 'reject';
        CREATE INDEX IF NOT EXISTS drafts_done ON drafts(complete, verdict, exported)
            WHERE exported = 1;
        CREATE INDEX IF NOT EXISTS drafts_rejected ON drafts(id, complete, exported, verdict,
            released, abandoned_seq) WHERE verdict = 'reject';
        CREATE INDEX IF NOT EXISTS claims_by_safe_nonce ON claims(
            rtrim(claim, '0123456789'), CAST(substr(claim, length(rtrim(claim, '0123456789')) + 1)
            AS INTEGER));
        ALTER TABLE risk_signed ADD COLUMN running_total TEXT;
        ALTER TABLE risk_signed ADD COLUMN running_count INTEGER;
        """,
    )
    backfill_running_totals(conn)


def backfill_running_totals(conn: sqlite3.Connection) -> None:
    """Each velocity-ledger row's running total and count: the sum and number of its
    asset's rows up to it in (signed_at, rowid) order, so that a window's sum is two
    indexed lookups (signer.risk.ledger) instead of a read of every row in it."""
    totals: dict[str, tuple[Decimal, int]] = {}
    rows = conn.execute("SELECT rowid, asset, amount FROM risk_signed "
                        "ORDER BY asset, signed_at, rowid").fetchall()
    updates = []
    with localcontext(Context(prec=120)):  # exact for wei-scale sums
        for rowid, asset, amount in rows:
            total, count = totals.get(asset, (Decimal(0), 0))
            total, count = total + Decimal(amount), count + 1
            totals[asset] = (total, count)
            updates.append((plain_decimal(total), count, rowid))
    conn.executemany("UPDATE risk_signed SET running_total = ?, running_count = ? "
                     "WHERE rowid = ?", updates)


def plain_decimal(value: Decimal) -> str:
    """Exact plain notation, no exponent or trailing zeros (as the ledger stores amounts)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
