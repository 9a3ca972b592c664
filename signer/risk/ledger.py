"""The velocity ledger, intake, flags, holds and breaker in SQLite (read side: SqlLedger)."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Context, Decimal, localcontext

from signer.chains.facts import DraftFacts
from signer.risk.verdict import BreakerState, Hold, Ledger

# The tables live in the state database (signer.store.schema, migration 3).
# Times are integer microseconds since the Unix epoch (UTC): exact and index-friendly.
# Amounts are plain decimal text in the asset's unit: wei-scale sums overflow SQLite's int64.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
EXACT = Context(prec=120)
_EXACT = EXACT


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
        # The window is everything minus what came before it: two rows through the index
        # (running totals, records.record_signed), however many drafts the window holds.
        latest = self._running(asset, None)
        if latest is None:
            return Decimal(0), 0
        (total, count), (total_before, count_before) = latest, (
            self._running(asset, to_micros(since)) or ("0", 0))
        if total is None or count is None or total_before is None or count_before is None:
            return self._window_sum(asset, since)  # rows written without running totals
        with localcontext(_EXACT):
            return Decimal(total) - Decimal(total_before), count - count_before

    def _running(self, asset: str, before: int | None) -> tuple[str | None, int | None] | None:
        """The running total and count of the last row (signed before ``before``)."""
        row = self._conn.execute(
            "SELECT running_total, running_count FROM risk_signed WHERE asset = ? "
            + ("AND signed_at < ? " if before is not None else "")
            + "ORDER BY signed_at DESC, rowid DESC LIMIT 1",
            (asset,) if before is None else (asset, before),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def _window_sum(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        # One row back instead of one per signed draft; the exact sum is made in Decimal.
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


class BatchLedger:
    """The ledger for one run of screens (an import, a signing batch) inside the run's
    transaction: each asset's signed history is read once, and the drafts the run signs
    are added as it records them (``add``), instead of the whole window being read and
    summed again for every draft. Sums stay exact; the rest is asked of the database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._sql = SqlLedger(conn)
        self._from: dict[str, int] = {}  # per asset: rows signed at or after, loaded
        self._times: dict[str, list[int]] = {}  # ascending
        self._totals: dict[str, list[Decimal]] = {}  # running totals: [0, a0, a0+a1, ...]
        self._recent: dict[str, list[tuple[int, Decimal]]] = {}  # newest first
        self._recent_limit: dict[str, int] = {}

    def _load(self, asset: str, start: int) -> None:
        rows = self._conn.execute(
            "SELECT signed_at, amount FROM risk_signed WHERE asset = ? AND signed_at >= ? "
            "ORDER BY signed_at", (asset, start)).fetchall()
        self._from[asset] = start
        self._times[asset] = [int(at) for at, _ in rows]
        self._totals[asset] = self._running([Decimal(amount) for _, amount in rows])

    @staticmethod
    def _running(amounts: list[Decimal]) -> list[Decimal]:
        totals = [Decimal(0)]
        with localcontext(_EXACT):
            for amount in amounts:
                totals.append(totals[-1] + amount)
        return totals

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        start = to_micros(since)
        if start < self._from.get(asset, start + 1):
            self._load(asset, start)
        times, totals = self._times[asset], self._totals[asset]
        first = bisect_left(times, start)
        with localcontext(_EXACT):
            return totals[-1] - totals[first], len(times) - first

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        if self._recent_limit.get(asset, -1) < limit:
            rows = self._conn.execute(
                "SELECT signed_at, amount FROM risk_signed WHERE asset = ? "
                "ORDER BY signed_at DESC LIMIT ?", (asset, limit)).fetchall()
            self._recent[asset] = [(int(at), Decimal(amount)) for at, amount in rows]
            self._recent_limit[asset] = limit
        return [amount for _, amount in self._recent[asset][:limit]]

    def add(self, facts: DraftFacts, at: datetime) -> None:
        """``facts`` entered the ledger at ``at`` (record_signed, in the run's transaction)."""
        asset, micros = facts.asset, to_micros(at)
        times = self._times.get(asset)
        if times is not None and times and micros < times[-1]:
            self._load(asset, self._from[asset])  # the clock went back: read it again
        elif times is not None and micros >= self._from[asset]:
            times.append(micros)
            totals = self._totals[asset]
            with localcontext(_EXACT):
                totals.append(totals[-1] + facts.amount)
        recent = self._recent.get(asset)
        if recent is not None and (not recent or micros >= recent[0][0]):
            recent.insert(0, (micros, facts.amount))
            self._recent_limit[asset] += 1
        else:
            self._recent_limit.pop(asset, None)  # read again when next asked

    def ever_signed_to(self, destination: str) -> bool:
        return self._sql.ever_signed_to(destination)

    def imported_since(self, since: datetime) -> int:
        return self._sql.imported_since(since)

    def flagged_since(self, since: datetime) -> int:
        return self._sql.flagged_since(since)

    def breaker(self) -> BreakerState:
        return self._sql.breaker()

    def hold(self, draft_id: str) -> Hold | None:
        return self._sql.hold(draft_id)


class WithInFlight:
    """A ledger in which drafts still at the tokens count against the windows only.

    A signing run screens a draft while those before it are being signed; their ledger
    rows are written only once their signatures exist. Their amounts are added to the
    window totals and counts (as if signed: stricter), never to the history that speaks
    for a draft (a destination paid before, the recent amounts an unusual one is judged
    against): so an approval given here holds whether or not they are then signed.
    """

    def __init__(self, base: Ledger, in_flight: Sequence[DraftFacts]) -> None:
        self._base = base
        self._in_flight = in_flight

    def _amounts(self, asset: str) -> list[Decimal]:
        return [facts.amount for facts in self._in_flight if facts.asset == asset]

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        total, count = self._base.signed_since(asset, since)
        amounts = self._amounts(asset)
        with localcontext(_EXACT):
            return total + sum(amounts, Decimal(0)), count + len(amounts)

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        return self._base.recent_signed_amounts(asset, limit)

    def ever_signed_to(self, destination: str) -> bool:
        return self._base.ever_signed_to(destination)

    def imported_since(self, since: datetime) -> int:
        return self._base.imported_since(since)

    def flagged_since(self, since: datetime) -> int:
        return self._base.flagged_since(since)

    def breaker(self) -> BreakerState:
        return self._base.breaker()

    def hold(self, draft_id: str) -> Hold | None:
        return self._base.hold(draft_id)
