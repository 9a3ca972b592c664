"""SqlLedger answers like the naive reference ledger, and its writes leave commits to the caller."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_support import (
    NOW,
    MemoryLedger,
    base_document,
    fresh_bitcoin_address,
    make_policy,
    set_path,
)

from signer.errors import Rejected
from signer.risk import (
    DraftFacts,
    SqlLedger,
    Verdict,
    VerdictKind,
    record_imported,
    record_signed,
    record_verdict,
    release_hold,
    reset_breaker,
    screen,
)
from signer.risk.verdict import Finding
from signer.store.db import migrate


def open_db(path: Path | str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    migrate(conn)
    return conn


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = open_db()
    yield connection
    connection.close()


def facts(draft_id: str, amount: str, *to: str, asset: str = "BTC") -> DraftFacts:
    chain = "bitcoin" if asset == "BTC" else "ethereum"
    return DraftFacts(draft_id, chain, asset, Decimal(amount), to)


rows = st.lists(
    st.tuples(
        st.sampled_from(["BTC", "ETH"]),
        st.decimals(min_value=0, max_value=10**12, places=18, allow_nan=False),
        st.integers(min_value=0, max_value=10**6),
    ),
    max_size=40,
    unique_by=lambda row: row[2],  # distinct times: "newest first" has one answer
)


@settings(max_examples=60, deadline=None)
@given(history=rows, since=st.integers(min_value=0, max_value=10**6), limit=st.integers(1, 50))
def test_sql_ledger_agrees_with_reference(
    history: list[tuple[str, Decimal, int]], since: int, limit: int
) -> None:
    conn = open_db()
    reference = MemoryLedger()
    for i, (asset, amount, seconds) in enumerate(history):
        at = NOW - timedelta(seconds=seconds, microseconds=7)
        to = f"0x{i:040x}" if asset == "ETH" else fresh_bitcoin_address(str(i))
        record_signed(conn, facts(f"d{i}", str(amount), to, asset=asset), at)
        reference.sign(asset, amount, at, to)
    ledger = SqlLedger(conn)
    start = NOW - timedelta(seconds=since)
    for asset in ("BTC", "ETH"):
        assert ledger.signed_since(asset, start) == reference.signed_since(asset, start)
        assert ledger.recent_signed_amounts(asset, limit) == reference.recent_signed_amounts(
            asset, limit
        )
    for i, (asset, *_) in enumerate(history):
        to = f"0x{i:040x}" if asset == "ETH" else fresh_bitcoin_address(str(i))
        assert ledger.ever_signed_to(to)
    assert not ledger.ever_signed_to(fresh_bitcoin_address("never"))
    conn.close()


def test_exact_sums_beyond_int64_and_28_digits(conn: sqlite3.Connection) -> None:
    big = "123456789012.123456789012345678"  # 30 significant digits
    for i in range(3):
        record_signed(conn, facts(f"t{i}", big, f"0x{i:040x}", asset="ETH"), NOW)
    total, count = SqlLedger(conn).signed_since("ETH", NOW)
    assert (total, count) == (Decimal("370370367036.370370367037037034"), 3)


def test_writes_do_not_commit(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    conn = open_db(path)
    conn.commit()
    record_imported(conn, "d1", NOW)
    record_signed(conn, facts("d1", "0.5", fresh_bitcoin_address("x")), NOW)
    record_verdict(conn, "d2", Verdict(VerdictKind.DELAY, (Finding("burst", "b"),), NOW), NOW)
    assert conn.in_transaction
    other = sqlite3.connect(path)
    for table in ("risk_signed", "risk_imported", "risk_flagged", "risk_hold"):
        assert other.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    conn.rollback()
    assert SqlLedger(conn).signed_since("BTC", NOW) == (Decimal(0), 0)
    other.close()
    conn.close()


def test_signed_once(conn: sqlite3.Connection) -> None:
    record_signed(conn, facts("d1", "0.5", fresh_bitcoin_address("x")), NOW)
    with pytest.raises(Rejected) as caught:
        record_signed(conn, facts("d1", "0.5", fresh_bitcoin_address("x")), NOW)
    assert caught.value.code == "already_recorded"


def test_destinations_normalised_when_recorded(conn: sqlite3.Connection) -> None:
    address = fresh_bitcoin_address("upper")
    record_signed(conn, facts("d1", "0.5", address.upper()), NOW)
    assert SqlLedger(conn).ever_signed_to(address)


def test_imports_and_flags_count_each_draft_once(conn: sqlite3.Connection) -> None:
    for _ in range(3):
        record_imported(conn, "d1", NOW)
        record_verdict(conn, "d1", Verdict(VerdictKind.REJECT, (Finding("burst", "b"),)), NOW)
    ledger = SqlLedger(conn)
    assert (ledger.imported_since(NOW), ledger.flagged_since(NOW)) == (1, 1)
    assert ledger.imported_since(NOW + timedelta(microseconds=1)) == 0
    breaker_only = Verdict(VerdictKind.DELAY, (Finding("circuit_breaker_open", "open"),))
    record_verdict(conn, "d2", breaker_only, NOW)
    record_verdict(conn, "d3", Verdict(VerdictKind.APPROVE), NOW)
    assert ledger.flagged_since(NOW) == 1


def test_breaker_latches_until_reset(conn: sqlite3.Connection) -> None:
    ledger = SqlLedger(conn)
    opened = Verdict(VerdictKind.DELAY, (Finding("circuit_breaker_open", "6 flagged"),))
    record_verdict(conn, "d1", opened, NOW)
    record_verdict(conn, "d2", opened, NOW + timedelta(minutes=1))
    assert ledger.breaker().tripped_at == NOW
    later = NOW + timedelta(hours=5)
    reset_breaker(conn, "A,B", "investigated: vault bug", later)
    state = ledger.breaker()
    assert (state.tripped_at, state.last_reset_at) == (None, later)
    with pytest.raises(Rejected):
        reset_breaker(conn, "A,B", "again", later)


def test_hold_keeps_first_placement_and_release(conn: sqlite3.Connection) -> None:
    ledger = SqlLedger(conn)
    first = Verdict(VerdictKind.DELAY, (Finding("burst", "b"),), NOW + timedelta(hours=24))
    record_verdict(conn, "d1", first, NOW)
    release_hold(conn, "d1", "A,C", "known customer", NOW + timedelta(hours=1))
    again = Verdict(VerdictKind.DELAY, (Finding("max_per_draft", "m"),), NOW + timedelta(days=9))
    record_verdict(conn, "d1", again, NOW + timedelta(hours=2))
    hold = ledger.hold("d1")
    assert hold is not None
    assert (hold.placed_at, hold.not_before, hold.released_by) == (
        NOW,
        NOW + timedelta(hours=24),
        "A,C",
    )
    assert hold.reason == "max_per_draft: m"
    with pytest.raises(Rejected):
        release_hold(conn, "d1", "A,B", "twice", NOW)
    with pytest.raises(Rejected):
        release_hold(conn, "nope", "A,B", "none", NOW)
    assert ledger.hold("nope") is None


def test_time_release_through_the_database(tmp_path: Path, conn: sqlite3.Connection) -> None:
    policy = make_policy(tmp_path, set_path(base_document(), "destinations.first_time", "delay"))
    ledger = SqlLedger(conn)
    draft = facts("d1", "0.1", fresh_bitcoin_address("new"))
    verdict = screen(draft, policy, ledger, NOW)
    record_verdict(conn, "d1", verdict, NOW)
    assert verdict.kind == VerdictKind.DELAY
    assert screen(draft, policy, ledger, NOW + timedelta(hours=23)).kind == VerdictKind.DELAY
    assert screen(draft, policy, ledger, NOW + timedelta(hours=24)).kind == VerdictKind.APPROVE


def test_hold_for_people_gets_a_time_once_only_time_remains(conn: sqlite3.Connection) -> None:
    quorum = Verdict(VerdictKind.DELAY, (Finding("circuit_breaker_open", "open"),), None)
    record_verdict(conn, "d1", quorum, NOW)
    timed = Verdict(VerdictKind.DELAY, (Finding("burst", "b"),), NOW + timedelta(hours=24))
    record_verdict(conn, "d1", timed, NOW + timedelta(hours=1))
    hold = SqlLedger(conn).hold("d1")
    assert hold is not None and hold.not_before == NOW + timedelta(hours=24)
