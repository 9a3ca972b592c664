"""Holds on delayed drafts (risk_hold, migration 3): when placed, until when, why, and
who released one early. signer.risk decides when a draft is held; here it is recorded.
None of the writers commits: the caller commits with its own change."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from signer.store.clock import from_micros, to_micros


@dataclass(frozen=True)
class HoldRow:
    draft_id: str
    placed_at: datetime
    not_before: datetime | None  # None: the hold waits for people, not for time
    reason: str
    released_by: str | None


def get(conn: sqlite3.Connection, draft_id: str) -> HoldRow | None:
    row = conn.execute(
        "SELECT placed_at, not_before, reason, released_by FROM risk_hold WHERE draft_id = ?",
        (draft_id,),
    ).fetchone()
    if row is None:
        return None
    placed_at, not_before, reason, released_by = row
    return HoldRow(draft_id, from_micros(placed_at),
                   from_micros(not_before) if not_before is not None else None,
                   reason, released_by)


def place(
    conn: sqlite3.Connection, draft_id: str, at: datetime, not_before: datetime | None,
    reason: str,
) -> None:
    """Hold the draft; a hold already placed keeps its time (a re-screen, e.g. a full
    window after the hold elapsed, must not restart the wait) and takes the new reason."""
    conn.execute(
        "INSERT INTO risk_hold (draft_id, placed_at, not_before, reason) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (draft_id) DO UPDATE SET "
        "not_before = coalesce(risk_hold.not_before, excluded.not_before), "
        "reason = excluded.reason",
        (draft_id, to_micros(at), None if not_before is None else to_micros(not_before),
         reason),
    )


def release(
    conn: sqlite3.Connection, draft_id: str, released_by: str, reason: str, at: datetime
) -> bool:
    """Release the draft's hold; False when it has none still unreleased."""
    cursor = conn.execute(
        "UPDATE risk_hold SET released_by = ?, released_at = ?, release_reason = ? "
        "WHERE draft_id = ? AND released_by IS NULL",
        (released_by, to_micros(at), reason, draft_id),
    )
    return cursor.rowcount == 1
