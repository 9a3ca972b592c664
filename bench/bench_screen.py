"""Risk screening time per draft against a velocity ledger of 1,000 and of 1,000,000 rows.

Rows are signed at a steady one per 10 minutes up to now, so both ledgers hold the same recent
traffic (the 24h window sees 144 rows) and differ only in history: the target is that history
size barely matters (ratio <= 2x). Run: .venv/bin/python bench/bench_screen.py
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from embit import bech32

from signer.risk import DraftFacts, SqlLedger, load_policy, screen
from signer.risk.ledger import to_micros
from signer.store.db import migrate
from signer.store.schema import backfill_running_totals

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)
SCREENS = 2000
POLICY = """\
version = 1
[assets.BTC]
chain = "bitcoin"
max_per_draft = "2.5"
windows = [ { period = "1h", max_total = "5", max_count = 20 },
            { period = "24h", max_total = "20", max_count = 100 },
            { period = "7d", max_total = "100", max_count = 1000 } ]
max_fee = "0.005"
max_fee_percent = 2.0
max_fee_rate = 500
[destinations]
first_time = "delay"
"""


def address(n: int) -> str:
    return bech32.encode("bcrt", 0, hashlib.sha256(n.to_bytes(8, "big")).digest()[:20])


def build(conn: sqlite3.Connection, rows: int) -> None:
    migrate(conn)
    now = to_micros(NOW)
    step = STEP // timedelta(microseconds=1)
    with conn:  # one transaction
        conn.executemany(
            "INSERT INTO risk_signed (draft_id, asset, amount, signed_at) "
            "VALUES (?, 'BTC', '0.0123', ?)",
            ((f"d{i}", now - i * step) for i in range(rows)),
        )
        backfill_running_totals(conn)  # what record_signed keeps for each row
        conn.executemany(
            "INSERT INTO risk_signed_destination VALUES (?, ?)",
            ((f"bcrt1q{i:038d}", f"d{i}") for i in range(rows)),
        )
        conn.executemany(
            "INSERT INTO risk_imported VALUES (?, ?)",
            ((f"d{i}", now - i * step) for i in range(rows)),
        )


def per_draft(rows: int, directory: Path) -> float:
    conn = sqlite3.connect(directory / f"ledger-{rows}.db")
    started = time.perf_counter()
    build(conn, rows)
    built = time.perf_counter() - started
    policy = load_policy(directory / "policy.toml")
    ledger = SqlLedger(conn)
    drafts = [
        DraftFacts(f"x{i}", "bitcoin", "BTC", Decimal("0.05"), (address(i),), Decimal("0.0001"))
        for i in range(SCREENS)
    ]
    screen(drafts[0], policy, ledger, NOW)  # warm the page cache
    started = time.perf_counter()
    for facts in drafts:
        screen(facts, policy, ledger, NOW)
    elapsed = (time.perf_counter() - started) / SCREENS
    conn.close()
    print(f"{rows:>9,} rows: built in {built:5.1f} s, screening {elapsed * 1e3:.3f} ms/draft")
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "policy.toml").write_text(POLICY)
        small = per_draft(1_000, directory)
        large = per_draft(1_000_000, directory)
    ratio = large / small
    print(f"ratio 1,000,000 / 1,000 rows: {ratio:.2f}x (target <= 2x)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
