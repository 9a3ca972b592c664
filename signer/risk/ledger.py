"""The one ledger the screen reads, over the velocity, hold and breaker rows that
signer.store keeps (store.velocity, store.holds, store.breaker).

Inside a run's transaction it sees what the run wrote: a draft recorded as signed counts
at the next screen. Drafts still at the tokens (``pending``) count against the windows
only (as if signed: stricter), never as history that speaks for a draft (a destination
paid before, the recent amounts an unusual one is judged against): so an approval given
with them holds whether or not they are then signed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, localcontext

from signer.chains.facts import DraftFacts
from signer.risk.verdict import BreakerState, Hold
from signer.store import breaker as breaker_rows
from signer.store import holds, velocity
from signer.store.clock import from_micros, to_micros
from signer.store.velocity import EXACT
from signer.store.velocity import amount_text as amount_to_text

_EXACT = EXACT

__all__ = ["EXACT", "SqlLedger", "amount_to_text", "from_micros", "to_micros"]


class SqlLedger:
    """The Ledger protocol over the state database's risk tables (store migration 3)."""

    def __init__(self, conn: sqlite3.Connection, pending: Sequence[DraftFacts] = ()) -> None:
        self._conn = conn
        self._pending = pending

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        total, count = self._recorded_since(asset, since)
        amounts = [facts.amount for facts in self._pending if facts.asset == asset]
        with localcontext(_EXACT):
            return total + sum(amounts, Decimal(0)), count + len(amounts)

    def _recorded_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
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
