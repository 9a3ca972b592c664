"""A compromised vault floods the appliance: 200 small withdrawals to fresh addresses.

Signing happens only on `approve`, recorded in the same transaction. Checked independently of
the ledger: no window ever holds more than its limits, the breaker trips, and a restart (new
connection, policy reloaded from its stored canonical form) changes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from risk_support import NOW, base_document, fresh_bitcoin_address, make_policy, set_path

from signer.risk import (
    DraftFacts,
    Policy,
    SqlLedger,
    VerdictKind,
    load_canonical_policy,
    record_imported,
    record_signed,
    record_verdict,
    screen,
)
from signer.store.db import migrate

AMOUNT = Decimal("0.3")
# (period, max_total, max_count) straight from base_document(), not from the loaded policy
WINDOWS = [(timedelta(hours=1), Decimal(5), 20), (timedelta(hours=24), Decimal(20), 100)]


@dataclass
class Appliance:
    """The slice of a signing session that matters here: screen, record, sign on approve."""

    path: Path
    policy: Policy
    signed: list[tuple[datetime, Decimal]] = field(default_factory=list)
    held: dict[str, DraftFacts] = field(default_factory=dict)
    conn: sqlite3.Connection = field(init=False)

    def __post_init__(self) -> None:
        self.conn = self._connect()
        migrate(self.conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path)
        conn.execute("PRAGMA synchronous = OFF")  # a clean close is the restart here, not a crash
        return conn

    def restart(self) -> None:
        stored = self.policy.canonical
        self.conn.close()
        self.conn = self._connect()
        self.policy = load_canonical_policy(stored)

    def offer(self, facts: DraftFacts, now: datetime) -> VerdictKind:
        record_imported(self.conn, facts.draft_id, now)
        verdict = screen(facts, self.policy, SqlLedger(self.conn), now)
        record_verdict(self.conn, facts.draft_id, verdict, now)
        if verdict.kind is VerdictKind.APPROVE:
            record_signed(self.conn, facts, now)
            self.signed.append((now, facts.amount))
            self.held.pop(facts.draft_id, None)
        elif verdict.kind is VerdictKind.DELAY:
            self.held[facts.draft_id] = facts
        self.conn.commit()
        return verdict.kind

    def flood(self, start: datetime, count: int, tag: str) -> list[VerdictKind]:
        kinds = []
        for i in range(count):
            to = fresh_bitcoin_address(f"{tag}-{i}")
            facts = DraftFacts(f"{tag}-{i}", "bitcoin", "BTC", AMOUNT, (to,))
            kinds.append(self.offer(facts, start + timedelta(seconds=30 * i)))
        return kinds

    def retry_held(self, start: datetime, rounds: int, every: timedelta) -> None:
        """The attacker's best effort: re-screen every held draft, often, ignoring not_before."""
        for r in range(rounds):
            for facts in list(self.held.values()):
                self.offer(facts, start + r * every)

    def tripped(self) -> bool:
        return SqlLedger(self.conn).breaker().tripped_at is not None


def assert_within_windows(signed: list[tuple[datetime, Decimal]]) -> None:
    """Every window ending at any signing time holds at most its max_total and max_count."""
    for end, _ in signed:
        for period, max_total, max_count in WINDOWS:
            inside = [amount for at, amount in signed if end - period <= at <= end]
            assert sum(inside) <= max_total and len(inside) <= max_count, (end, period)


def _policy(tmp_path: Path, **changes: Any) -> Policy:
    doc = base_document()
    for path, value in changes.items():
        doc = set_path(doc, path.replace("__", "."), value)
    return make_policy(tmp_path, doc)


def test_defaults_sign_nothing_and_trip(tmp_path: Path) -> None:
    appliance = Appliance(
        tmp_path / "state.db", _policy(tmp_path, destinations__first_time="delay")
    )
    kinds = appliance.flood(NOW, 200, "a")
    assert appliance.signed == [] and set(kinds) == {VerdictKind.DELAY}
    assert appliance.tripped()
    appliance.restart()
    appliance.flood(NOW + timedelta(hours=25), 200, "b")
    appliance.retry_held(NOW + timedelta(hours=26), 3, timedelta(hours=1))
    assert appliance.signed == [] and appliance.tripped()


def test_allowing_fresh_addresses_still_caps_and_trips(tmp_path: Path) -> None:
    appliance = Appliance(tmp_path / "state.db", _policy(tmp_path))
    appliance.flood(NOW, 200, "a")
    assert_within_windows(appliance.signed)
    first = len(appliance.signed)
    assert first * AMOUNT == Decimal("4.8")  # the 1h window filled, then the breaker held
    assert appliance.tripped()
    appliance.restart()
    appliance.flood(NOW + timedelta(minutes=100), 200, "b")
    appliance.retry_held(NOW + timedelta(hours=3), 24, timedelta(hours=1))
    assert len(appliance.signed) == first and appliance.tripped()


def test_windows_alone_hold_across_restart(tmp_path: Path) -> None:
    """Breaker and burst effectively off: the windows are the last line and must hold."""
    policy = _policy(
        tmp_path,
        destinations__first_time="delay",
        circuit_breaker__max_flagged=1_000_000,
        anomaly__burst_count=1_000_000,
    )
    appliance = Appliance(tmp_path / "state.db", policy)
    appliance.flood(NOW, 200, "a")
    assert appliance.signed == []  # every address is new: all held for default_delay
    appliance.restart()
    appliance.retry_held(NOW + timedelta(hours=24), 60, timedelta(minutes=10))  # time release
    assert_within_windows(appliance.signed)
    assert sum(amount for _, amount in appliance.signed) == Decimal("19.8")  # 24h cap 20
    appliance.restart()
    ledger_total, _ = SqlLedger(appliance.conn).signed_since("BTC", NOW)
    assert ledger_total == sum(amount for _, amount in appliance.signed)
    appliance.retry_held(NOW + timedelta(hours=34), 20, timedelta(minutes=10))
    appliance.flood(NOW + timedelta(hours=38), 50, "c")
    assert_within_windows(appliance.signed)
    assert not appliance.tripped()


@pytest.mark.parametrize("spacing", [timedelta(seconds=1), timedelta(minutes=4)])
def test_burst_flags_the_flood(tmp_path: Path, spacing: timedelta) -> None:
    policy = _policy(tmp_path, circuit_breaker__max_flagged=1_000_000)
    appliance = Appliance(tmp_path / "state.db", policy)
    kinds = []
    for i in range(30):
        to = fresh_bitcoin_address(f"s-{i}")
        facts = DraftFacts(f"s-{i}", "bitcoin", "BTC", Decimal("0.01"), (to,))
        kinds.append(appliance.offer(facts, NOW + i * spacing))
    expected_delays = 10 if spacing == timedelta(seconds=1) else 0
    assert kinds.count(VerdictKind.DELAY) == expected_delays
