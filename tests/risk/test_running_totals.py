"""Window sums from running totals: exact, in any order of signing times, and from the
rows a home had before migration 7 (backfilled)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

from risk_support import NOW

from signer.risk import DraftFacts, SqlLedger, record_signed
from signer.risk.ledger import to_micros
from signer.store.db import migrate
from signer.store.schema import backfill_running_totals


def _scan(conn: sqlite3.Connection, asset: str, since_micros: int) -> tuple[Decimal, int]:
    amounts = [Decimal(a) for (a,) in conn.execute(
        "SELECT amount FROM risk_signed WHERE asset = ? AND signed_at >= ?",
        (asset, since_micros))]
    return sum(amounts, Decimal(0)), len(amounts)


def test_a_clock_that_went_back_still_sums_exactly() -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    offsets = [5, 1, 9, 3, 3, 0, 7]  # hours before NOW, written in this order
    for n, hours in enumerate(offsets):
        amount = Decimal("0.000000000000000001") * (n + 1) + n  # wei-scale digits
        record_signed(conn, DraftFacts(f"d{n}", "ethereum", "ETH", amount, ()),
                      NOW - timedelta(hours=hours))
    ledger = SqlLedger(conn)
    for hours in range(11):
        since = NOW - timedelta(hours=hours)
        assert ledger.signed_since("ETH", since) == _scan(conn, "ETH", to_micros(since))
    assert ledger.signed_since("BTC", NOW - timedelta(days=1)) == (Decimal(0), 0)


def test_rows_from_before_the_migration_are_backfilled_and_never_misread() -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    conn.executemany(  # as migration 3's table held them: no running totals
        "INSERT INTO risk_signed (draft_id, asset, amount, signed_at) VALUES (?, ?, ?, ?)",
        [(f"d{n}", "BTC" if n % 3 else "ETH", f"{n}.5", to_micros(NOW) - n * 60_000_000)
         for n in range(50)])
    ledger = SqlLedger(conn)
    since = NOW - timedelta(minutes=20)
    assert ledger.signed_since("BTC", since) == _scan(conn, "BTC", to_micros(since))  # scanned
    backfill_running_totals(conn)
    assert conn.execute("SELECT count(*) FROM risk_signed WHERE running_total IS NULL"
                        ).fetchone()[0] == 0
    for minutes in (0, 7, 20, 49, 100):
        since = NOW - timedelta(minutes=minutes)
        for asset in ("BTC", "ETH"):
            assert ledger.signed_since(asset, since) == _scan(conn, asset, to_micros(since))
    record_signed(conn, DraftFacts("new", "bitcoin", "BTC", Decimal("2"), ()), NOW)
    assert ledger.signed_since("BTC", since) == _scan(conn, "BTC", to_micros(since))


def test_the_window_is_read_through_the_index() -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    plan = " ".join(str(r[3]) for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT running_total, running_count FROM risk_signed "
        "WHERE asset = ? AND signed_at < ? ORDER BY signed_at DESC, rowid DESC LIMIT 1",
        ("BTC", 0)))
    assert "USING INDEX risk_signed_by_asset_time" in plan and "TEMP B-TREE" not in plan


def test_a_home_from_before_migration_7_is_upgraded_with_its_ledger() -> None:
    from signer.store import db

    conn = sqlite3.connect(":memory:", isolation_level=None)
    for version, _name, step in db._MIGRATIONS:
        if version < 7:  # the home as the release before this one left it
            with db.transaction(conn):
                step(conn)
                conn.execute(f"PRAGMA user_version={version}")
    conn.executemany(
        "INSERT INTO risk_signed (draft_id, asset, amount, signed_at) VALUES (?, 'BTC', ?, ?)",
        [(f"d{n}", f"0.{n + 1}", to_micros(NOW) - (n % 7) * 3_600_000_000) for n in range(30)])
    assert db.migrate(conn) == db.latest_version()
    ledger = SqlLedger(conn)
    for hours in range(8):
        since = NOW - timedelta(hours=hours)
        assert ledger.signed_since("BTC", since) == _scan(conn, "BTC", to_micros(since))
    assert conn.execute("SELECT count(*) FROM risk_signed WHERE running_total IS NULL"
                        ).fetchone()[0] == 0
