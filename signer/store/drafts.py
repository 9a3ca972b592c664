"""Drafts, their signatures and the claims that stop conflicting drafts.

Every writer runs inside the caller's transaction, beside its journal entry.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from signer.store.draft_state import DraftState
from signer.store.journal import Entry, row_entry


@dataclass(frozen=True)
class Draft:
    """A draft as stored: the entity every use case reads. This module is its repository
    (get, find, listing; the writers run in the caller's transaction); where it stands and
    what may be done to it is ``state`` (store/draft_state.py)."""

    id: str
    chain: str
    payload: bytes
    source: str
    envelope: dict[str, Any] | None
    summary: dict[str, Any]
    verdict: str
    reasons: list[dict[str, str]]
    not_before: str | None
    released: bool
    complete: bool
    exported: bool
    signatures: dict[str, str]  # holder -> signature (hex, chain-specific)
    final_tx: str | None = None  # Bitcoin, once complete: the network transaction (hex)
    abandoned: bool = False  # by a quorum: never signed or exported again, claims freed
    cancels: str | None = None  # a Safe cancellation: the draft it supersedes on chain
    imported_seq: int = 0  # the journal seq of its import: the order lists page by

    @property
    def state(self) -> DraftState:
        """Where the draft stands (draft_state.TRANSITIONS says what may follow); the
        same decision in SQL is draft_views._STATE."""
        if self.abandoned:
            return DraftState.ABANDONED
        if self.exported and self.complete:
            return DraftState.EXPORTED
        if self.complete:
            return DraftState.SIGNED
        if self.signatures:
            return DraftState.PARTIALLY_SIGNED
        if self.verdict == "reject":
            return DraftState.REJECTED
        if self.verdict == "delay" and not self.released:
            return DraftState.DELAYED
        # A verdict still "pending" is never seen: an import screens in its transaction.
        return DraftState.APPROVED


# A draft and its signatures in one statement: the signatures as a JSON array of
# [holder, signature] pairs in holder order (NULL when there are none).
_SELECT = (
    "SELECT drafts.*, (SELECT json_group_array(json_array(holder, signature)) FROM "
    "(SELECT holder, signature FROM draft_signatures WHERE draft_id = drafts.id "
    "ORDER BY holder)) AS signature_pairs FROM drafts"
)


def _row(row: sqlite3.Row) -> Draft:
    signatures = {str(h): str(s) for h, s in sorted(json.loads(row["signature_pairs"]))}
    return Draft(
        id=row["id"], chain=row["chain"], payload=bytes(row["payload"]), source=row["source"],
        envelope=json.loads(row["envelope"]) if row["envelope"] else None,
        summary=json.loads(row["summary"]), verdict=row["verdict"],
        reasons=json.loads(row["reasons"]), not_before=row["not_before"],
        released=bool(row["released"]), complete=bool(row["complete"]),
        exported=bool(row["exported"]), signatures=signatures, final_tx=row["final_tx"],
        abandoned=row["abandoned_seq"] is not None, cancels=row["cancels"],
        imported_seq=int(row["imported_seq"]),
    )


def get(conn: sqlite3.Connection, draft_id: str) -> Draft | None:
    row = conn.execute(_SELECT + " WHERE id = ?", (draft_id,)).fetchone()
    return None if row is None else _row(row)


def find(conn: sqlite3.Connection, prefix: str) -> list[Draft]:
    """Drafts whose id starts with ``prefix`` (operators type short prefixes)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Ids are lowercase hex: the range lets SQLite use the primary key instead of scanning
    # every draft (LIKE is case-insensitive, so it cannot); LIKE still decides the match.
    low = prefix.lower()
    rows = conn.execute(
        _SELECT + " WHERE id >= ? AND id < ? AND id LIKE ? ESCAPE '\\' "
        "ORDER BY imported_seq LIMIT 3",
        (low, low + "\U0010ffff", escaped + "%"),
    ).fetchall()
    return [_row(r) for r in rows]


def imported_entry(conn: sqlite3.Connection, draft_id: str) -> Entry | None:
    """The `draft_imported` journal entry that first stored this draft."""
    row = conn.execute("SELECT journal.* FROM drafts JOIN journal ON journal.seq = "
                       "drafts.imported_seq WHERE drafts.id = ?", (draft_id,)).fetchone()
    return None if row is None else row_entry(row)


def listing(conn: sqlite3.Connection) -> list[Draft]:
    return [_row(r) for r in conn.execute(_SELECT + " ORDER BY imported_seq")]


def insert(
    conn: sqlite3.Connection, *, draft_id: str, chain: str, payload: bytes, source: str,
    envelope: dict[str, Any] | None, summary: dict[str, Any], seq: int,
    verdict: tuple[str, list[dict[str, str]], str | None] = ("pending", [], None),
) -> None:
    kind, reasons, not_before = verdict
    conn.execute(
        "INSERT INTO drafts(id, chain, payload, source, envelope, summary, verdict, reasons, "
        "not_before, imported_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (draft_id, chain, payload, source, json.dumps(envelope) if envelope else None,
         json.dumps(summary), kind, json.dumps(reasons), not_before, seq),
    )


def set_verdict(
    conn: sqlite3.Connection, draft_id: str, verdict: str, reasons: list[dict[str, str]],
    not_before: str | None,
) -> None:
    conn.execute(
        "UPDATE drafts SET verdict = ?, reasons = ?, not_before = ? WHERE id = ?",
        (verdict, json.dumps(reasons), not_before, draft_id),
    )


def set_payload(conn: sqlite3.Connection, draft_id: str, payload: bytes) -> None:
    conn.execute("UPDATE drafts SET payload = ? WHERE id = ?", (payload, draft_id))


def set_content(
    conn: sqlite3.Connection, draft_id: str, payload: bytes, summary: dict[str, Any]
) -> None:
    """The quorum's Safe cancellation over a stored copy with the same id (`airsign cancel`)."""
    conn.execute("UPDATE drafts SET payload = ?, summary = ? WHERE id = ?",
                 (payload, json.dumps(summary), draft_id))


def set_signed(
    conn: sqlite3.Connection, draft_id: str, payload: bytes | None, final_tx: str | None,
    complete: bool, verdict: tuple[str, list[dict[str, str]], str | None] | None = None,
) -> None:
    """What a signing step changes, in one write of the row (``None``: left as it is)."""
    kind, reasons, not_before = verdict or (None, None, None)
    conn.execute(
        "UPDATE drafts SET payload = coalesce(?, payload), final_tx = coalesce(?, final_tx), "
        "complete = max(complete, ?), verdict = coalesce(?, verdict), "
        "reasons = coalesce(?, reasons), not_before = CASE WHEN ? THEN ? ELSE not_before END "
        "WHERE id = ?",
        (payload, final_tx, int(complete), kind,
         None if reasons is None else json.dumps(reasons), verdict is not None, not_before,
         draft_id),
    )


def mark(conn: sqlite3.Connection, draft_id: str, column: str) -> None:
    mark_all(conn, [draft_id], column)


def mark_all(conn: sqlite3.Connection, draft_ids: list[str], column: str) -> None:
    if column not in ("released", "complete", "exported"):
        raise ValueError(column)
    conn.executemany(f"UPDATE drafts SET {column} = 1 WHERE id = ?",
                     [(draft_id,) for draft_id in draft_ids])


def add_signatures(
    conn: sqlite3.Connection, draft_id: str, signatures: list[tuple[str, str, int]]
) -> None:
    """(holder, signature, journal seq of its entry) for each signature."""
    conn.executemany(
        "INSERT INTO draft_signatures(draft_id, holder, signature, signed_seq) VALUES (?,?,?,?)",
        [(draft_id, holder, signature, seq) for holder, signature, seq in signatures],
    )


def claimed_by_other(conn: sqlite3.Connection, draft_id: str, claims: Iterable[str]) -> str | None:
    """The draft other than ``draft_id`` that holds one of ``claims``, if any."""
    for item in claims:
        row = conn.execute("SELECT draft_id FROM claims WHERE claim = ?", (item,)).fetchone()
        if row is not None and row[0] != draft_id:
            return str(row[0])
    return None


def add_claims(conn: sqlite3.Connection, draft_id: str, claims: Iterable[str]) -> None:
    """Claims already checked free (claimed_by_other): one held by another draft is a
    constraint error here, never a silent second owner."""
    conn.executemany("INSERT INTO claims(claim, draft_id) VALUES (?, ?)",
                     [(item, draft_id) for item in claims])


def claims_of(conn: sqlite3.Connection, draft_id: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT claim FROM claims WHERE draft_id = ? ORDER BY claim", (draft_id,))]


def abandon(conn: sqlite3.Connection, draft_id: str, seq: int) -> list[str]:
    """Mark the draft abandoned (journal entry ``seq``) and free its claims; returns them."""
    freed = claims_of(conn, draft_id)
    conn.execute("DELETE FROM claims WHERE draft_id = ?", (draft_id,))
    conn.execute("UPDATE drafts SET abandoned_seq = ? WHERE id = ?", (seq, draft_id))
    return freed


def restore(conn: sqlite3.Connection, draft_id: str, claims: Iterable[str]) -> None:
    """Undo abandon() for a Safe cancellation a quorum creates again (`airsign cancel`)."""
    conn.execute("UPDATE drafts SET abandoned_seq = NULL WHERE id = ?", (draft_id,))
    add_claims(conn, draft_id, claims)


def set_cancels(conn: sqlite3.Connection, draft_id: str, cancels: str) -> None:
    conn.execute("UPDATE drafts SET cancels = ? WHERE id = ?", (cancels, draft_id))


def claims_with_prefix(conn: sqlite3.Connection, prefix: str) -> set[str]:
    """Claims held by signed drafts (not abandoned: abandoning frees them) with ``prefix``."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute("SELECT claim FROM claims WHERE claim LIKE ? ESCAPE '\\'",
                        (escaped + "%",))
    return {str(r[0]) for r in rows}


def pending_claims(conn: sqlite3.Connection, chain: str, prefix: str) -> set[str]:
    """The Safe nonce claims (``safe:<chain id>:<safe>:<nonce>``, ``prefix`` naming the
    Safe) that stored Safe drafts not yet signed would make (not rejected, not abandoned):
    at import they fill the run of nonces up to a new draft's."""
    _, chain_id, safe, _ = prefix.split(":", 3)
    rows = conn.execute(
        "SELECT json_extract(summary, '$.safe_tx.nonce') FROM drafts WHERE chain = ? AND "
        "abandoned_seq IS NULL AND verdict != 'reject' AND "
        "lower(json_extract(summary, '$.safe_tx.safe')) = ? AND "
        "json_extract(summary, '$.safe_tx.chainId') = ?", (chain, safe, int(chain_id)))
    return {f"{prefix}{int(r[0])}" for r in rows if r[0] is not None}
