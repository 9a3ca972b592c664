"""The ledgers the screen reads (SqlLedger, BatchLedger, WithInFlight) over the velocity,
hold and breaker rows that signer.store keeps (store.velocity, store.holds, store.breaker)."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, localcontext

from signer.chains.facts import DraftFacts
from signer.risk.verdict import BreakerState, Hold, Ledger
from signer.store import breaker as breaker_rows
from signer.store import holds, velocity
from signer.store.clock import from_micros, to_micros
from signer.store.velocity import EXACT
from signer.store.velocity import amount_text as amount_to_text

_EXACT = EXACT

__all__ = ["EXACT", "BatchLedger", "SqlLedger", "WithInFlight", "amount_to_text",
           "from_micros", "to_micros"]


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
        return velocity.running_total(self._conn, asset, before)

    def _window_sum(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        # One row back instead of one per signed draft; the exact sum is made in Decimal.
        return velocity.window_sum(self._conn, asset, to_micros(since))

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        return [amount for _, amount in velocity.recent_signed(self._conn, asset, limit)]

    def ever_signed_to(self, destination: str) -> bool:
        return velocity.ever_paid(self._conn, destination)

    def imported_since(self, since: datetime) -> int:
        return velocity.imported_since(self._conn, to_micros(since))

    def flagged_since(self, since: datetime) -> int:
        return breaker_rows.flagged_since(self._conn, since)

    def breaker(self) -> BreakerState:
        tripped_at, last_reset_at = breaker_rows.latch(self._conn)
        return BreakerState(tripped_at=tripped_at, last_reset_at=last_reset_at)

    def hold(self, draft_id: str) -> Hold | None:
        row = holds.get(self._conn, draft_id)
        if row is None:
            return None
        return Hold(draft_id=row.draft_id, placed_at=row.placed_at, not_before=row.not_before,
                    reason=row.reason, released_by=row.released_by)


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
        rows = velocity.signed_since(self._conn, asset, start)
        self._from[asset] = start
        self._times[asset] = [at for at, _ in rows]
        self._totals[asset] = self._running([amount for _, amount in rows])

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
            self._recent[asset] = velocity.recent_signed(self._conn, asset, limit)
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
