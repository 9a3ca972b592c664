"""The velocity ledger, intake, flags, holds and breaker in SQLite (read side: SqlLedger)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Context, Decimal, localcontext

from signer.risk.verdict import BreakerState, Hold

# The tables live in the state database (signer.store.schema, migration 3).
# Times are integer microseconds since the Unix epoch (UTC): exact and index-friendly.
# Amounts are plain decimal text in the asset's unit: wei-scale sums overflow SQLite's int64.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_EXACT = Context(prec=120)


def to_micros(moment: datetime) -> int:
    """Integer microseconds since the epoch; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    return _EPOCH + micros * _MICRO


def amount_to_text(amount: Decimal) -> str:
    """Exact plain decimal notation without exponent or trailing zeros."""
    text = format(amount, "f")  # unlike normalize(), never rounds to the context precision
    return text.rstrip("0").rstrip(".") if "." in text else text


class SqlLedger:
    """The Ledger protocol over the state database's risk tables (store migration 3)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        # One row back instead of one per signed draft (the window is screened before
        # every first signature); the exact sum is still made here, in Decimal.
        count, amounts = self._conn.execute(
            "SELECT count(*), group_concat(amount, ' ') FROM risk_signed "
            "WHERE asset = ? AND signed_at >= ?",
            (asset, to_micros(since)),
        ).fetchone()
        with localcontext(_EXACT):
            total = sum(map(Decimal, amounts.split() if amounts else ()), Decimal(0))
        return total, int(count)

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        rows = self._conn.execute(
            "SELECT amount FROM risk_signed WHERE asset = ? ORDER BY signed_at DESC LIMIT ?",
            (asset, limit),
        ).fetchall()
        return [Decimal(amount) for (amount,) in rows]

    def ever_signed_to(self, destination: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM risk_signed_destination WHERE destination = ? LIMIT 1", (destination,)
        ).fetchone()
        return row is not None

    def imported_since(self, since: datetime) -> int:
        (count,) = self._conn.execute(
            "SELECT count(*) FROM risk_imported WHERE imported_at >= ?", (to_micros(since),)
        ).fetchone()
        return int(count)

    def flagged_since(self, since: datetime) -> int:
        (count,) = self._conn.execute(
            "SELECT count(*) FROM risk_flagged WHERE flagged_at >= ?", (to_micros(since),)
        ).fetchone()
        return int(count)

    def breaker(self) -> BreakerState:
        tripped, reset = self._conn.execute(
            "SELECT (SELECT max(tripped_at) FROM risk_breaker WHERE reset_at IS NULL), "
            "(SELECT max(reset_at) FROM risk_breaker)"
        ).fetchone()
        return BreakerState(
            tripped_at=from_micros(tripped) if tripped is not None else None,
            last_reset_at=from_micros(reset) if reset is not None else None,
        )

    def hold(self, draft_id: str) -> Hold | None:
        row = self._conn.execute(
            "SELECT placed_at, not_before, reason, released_by FROM risk_hold WHERE draft_id = ?",
            (draft_id,),
        ).fetchone()
        if row is None:
            return None
        placed_at, not_before, reason, released_by = row
        return Hold(
            draft_id=draft_id,
            placed_at=from_micros(placed_at),
            not_before=from_micros(not_before) if not_before is not None else None,
            reason=reason,
            released_by=released_by,
        )
