"""The one ledger with drafts still at the tokens: windows count them, history does not."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from risk_support import NOW, fresh_bitcoin_address

from signer.risk import DraftFacts, SqlLedger, record_signed
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


@settings(max_examples=40, deadline=None)
@given(history=entries, asset=st.sampled_from(["BTC", "ETH"]), amount=amounts, asks=questions)
def test_a_draft_at_the_tokens_counts_against_the_windows_as_if_recorded(
    history: list[tuple[str, Decimal, int]], asset: str, amount: Decimal,
    asks: list[tuple[str, int, int]],
) -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    for n, (kind, value, seconds) in enumerate(history):
        record_signed(conn, _facts(n, kind, value), NOW - timedelta(seconds=seconds + 1))
    pending = _facts(len(history), asset, amount)
    with_it = SqlLedger(conn, [pending])
    windows = [with_it.signed_since(a, NOW - timedelta(seconds=s)) for a, s, _ in asks]
    history_before = [with_it.recent_signed_amounts(a, limit) for a, _, limit in asks]
    # Never as history in its favour: its destination is not "paid before", its amount
    # is not among the recent ones an unusual amount is judged against.
    assert not with_it.ever_signed_to(pending.destinations[0])
    assert history_before == [SqlLedger(conn).recent_signed_amounts(a, limit)
                              for a, _, limit in asks]
    record_signed(conn, pending, NOW)
    recorded = SqlLedger(conn)
    assert windows == [recorded.signed_since(a, NOW - timedelta(seconds=s)) for a, s, _ in asks]
    conn.close()


def test_a_run_sees_what_it_recorded_at_its_next_screen() -> None:
    """Inside the run's transaction the ledger reads the rows the run wrote."""
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    ledger = SqlLedger(conn)
    assert ledger.signed_since("BTC", NOW - timedelta(hours=1)) == (Decimal(0), 0)
    record_signed(conn, _facts(1, "BTC", Decimal("1.5")), NOW)
    record_signed(conn, _facts(2, "BTC", Decimal("0.25")), NOW)
    assert ledger.signed_since("BTC", NOW - timedelta(hours=1)) == (Decimal("1.75"), 2)
    assert ledger.recent_signed_amounts("BTC", 5) == [Decimal("0.25"), Decimal("1.5")]
    conn.close()
