"""BatchLedger (a run's ledger, read once) and WithInFlight answer as SqlLedger would."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from risk_support import NOW, fresh_bitcoin_address

from signer.risk import BatchLedger, DraftFacts, SqlLedger, WithInFlight, record_signed
from signer.store.db import migrate

amounts = st.decimals(min_value=0, max_value=10**12, places=18, allow_nan=False)
# (asset, amount, seconds before NOW): the history, then what the run signs, in order; a
# run's clock may step back (a later draft recorded with an earlier time).
entries = st.lists(st.tuples(st.sampled_from(["BTC", "ETH"]), amounts,
                             st.integers(min_value=0, max_value=10**5)), max_size=25)
questions = st.lists(st.tuples(st.sampled_from(["BTC", "ETH"]),
                               st.integers(min_value=0, max_value=10**5),
                               st.integers(min_value=0, max_value=30)), min_size=1, max_size=4)


def _facts(n: int, asset: str, amount: Decimal) -> DraftFacts:
    chain = "bitcoin" if asset == "BTC" else "ethereum"
    to = fresh_bitcoin_address(str(n)) if asset == "BTC" else f"0x{n:040x}"
    return DraftFacts(f"d{n}", chain, asset, amount, (to,))


def _same(batch: BatchLedger, sql: SqlLedger, asks: list[tuple[str, int, int]]) -> None:
    for asset, seconds, limit in asks:
        since = NOW - timedelta(seconds=seconds)
        assert batch.signed_since(asset, since) == sql.signed_since(asset, since)
        assert batch.recent_signed_amounts(asset, limit) == sql.recent_signed_amounts(
            asset, limit)


@settings(max_examples=80, deadline=None)
@given(history=entries, run=entries, asks=questions)
def test_a_batch_ledger_answers_as_the_database_does_as_the_run_signs(
    history: list[tuple[str, Decimal, int]], run: list[tuple[str, Decimal, int]],
    asks: list[tuple[str, int, int]],
) -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    for n, (asset, amount, seconds) in enumerate(history):
        record_signed(conn, _facts(n, asset, amount), NOW - timedelta(seconds=seconds))
    batch, sql = BatchLedger(conn), SqlLedger(conn)
    _same(batch, sql, asks)
    for n, (asset, amount, seconds) in enumerate(run, start=len(history)):
        facts, at = _facts(n, asset, amount), NOW - timedelta(seconds=seconds, microseconds=n)
        record_signed(conn, facts, at)
        batch.add(facts, at)
        _same(batch, sql, asks)
    conn.close()


@settings(max_examples=40, deadline=None)
@given(history=entries, asset=st.sampled_from(["BTC", "ETH"]), amount=amounts, asks=questions)
def test_a_draft_at_the_tokens_counts_as_if_it_were_recorded(
    history: list[tuple[str, Decimal, int]], asset: str, amount: Decimal,
    asks: list[tuple[str, int, int]],
) -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    for n, (kind, value, seconds) in enumerate(history):
        record_signed(conn, _facts(n, kind, value), NOW - timedelta(seconds=seconds + 1))
    pending = _facts(len(history), asset, amount)
    in_flight = WithInFlight(BatchLedger(conn), [pending])
    answers = [(in_flight.signed_since(a, NOW - timedelta(seconds=s)),
                in_flight.recent_signed_amounts(a, limit)) for a, s, limit in asks]
    assert in_flight.ever_signed_to(pending.destinations[0])
    record_signed(conn, pending, NOW)
    sql = SqlLedger(conn)
    assert answers == [(sql.signed_since(a, NOW - timedelta(seconds=s)),
                        sql.recent_signed_amounts(a, limit)) for a, s, limit in asks]
    conn.close()
