"""Every screening rule at, just below and just above its boundary (injected clock, no sleeps)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from risk_support import (
    MICRO,
    NOW,
    MemoryLedger,
    base_document,
    fresh_bitcoin_address,
    fresh_ethereum_address,
    make_policy,
    set_path,
)

from signer.chains.finding import Finding
from signer.risk import DraftFacts, Policy, Verdict, VerdictKind, screen

APPROVE, DELAY, REJECT = VerdictKind.APPROVE, VerdictKind.DELAY, VerdictKind.REJECT
DEST = fresh_bitcoin_address("customer")
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    return make_policy(tmp_path_factory.mktemp("policy"))


def btc(amount: str, **fields: Any) -> DraftFacts:
    values: dict[str, Any] = {"destinations": (DEST,), "draft_id": "d1"} | fields
    fee = values.pop("fee", None)
    rate = values.pop("fee_rate", None)
    return DraftFacts(
        chain="bitcoin",
        asset="BTC",
        amount=Decimal(amount),
        fee=Decimal(fee) if fee is not None else None,
        fee_rate=Decimal(rate) if rate is not None else None,
        **values,
    )


def outcome(verdict: Verdict) -> tuple[VerdictKind, tuple[str, ...]]:
    return verdict.kind, verdict.codes


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2.49999999", (APPROVE, ())),
        ("2.5", (APPROVE, ())),
        ("2.50000001", (DELAY, ("max_per_draft",))),
    ],
)
def test_max_per_draft(policy: Policy, amount: str, expected: Any) -> None:
    assert outcome(screen(btc(amount), policy, MemoryLedger(), NOW)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.09999999", (APPROVE, ())),
        ("0.1", (APPROVE, ())),
        ("0.10000001", (DELAY, ("window_exceeded",))),
    ],
)
def test_window_total_counts_signed_plus_this_draft(
    policy: Policy, amount: str, expected: Any
) -> None:
    ledger = MemoryLedger()
    ledger.sign("BTC", "2.5", NOW - timedelta(minutes=50))
    ledger.sign("BTC", "2.4", NOW)
    ledger.sign("ETH", "40", NOW)  # other assets do not count
    assert outcome(screen(btc(amount), policy, ledger, NOW)) == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(hours=1) - MICRO, (DELAY, ("window_exceeded",))),
        (timedelta(hours=1), (DELAY, ("window_exceeded",))),
        (timedelta(hours=1) + MICRO, (APPROVE, ())),
    ],
)
def test_window_time_edge(policy: Policy, age: timedelta, expected: Any) -> None:
    ledger = MemoryLedger()
    ledger.sign("BTC", "2.5", NOW - age)
    ledger.sign("BTC", "2.5", NOW - age)
    assert outcome(screen(btc("0.00000001"), policy, ledger, NOW)) == expected


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (18, (APPROVE, ())),
        (19, (APPROVE, ())),
        (20, (DELAY, ("window_count_exceeded",))),
    ],
)
def test_window_count(policy: Policy, signed: int, expected: Any) -> None:
    ledger = MemoryLedger()
    for i in range(signed):
        ledger.sign("BTC", "0.001", NOW - timedelta(minutes=i))
    assert outcome(screen(btc("0.001"), policy, ledger, NOW)) == expected


def test_second_window_and_both_reported(policy: Policy) -> None:
    ledger = MemoryLedger()
    for i in range(100):
        ledger.sign("BTC", "0.1999", NOW - timedelta(hours=2, minutes=i))
    verdict = screen(btc("0.02"), policy, ledger, NOW)  # 19.99 + 0.02 > 20, 100 + 1 > 100
    assert outcome(verdict) == (DELAY, ("window_exceeded", "window_count_exceeded"))
    assert all("1d window" in r.message for r in verdict.reasons)


@pytest.mark.parametrize(
    ("signed", "amount", "expected"),
    [
        ("199.999999999999999998", "0.000000000000000001", APPROVE),
        ("199.999999999999999998", "0.000000000000000002", APPROVE),
        ("199.999999999999999998", "0.000000000000000003", DELAY),
    ],
)
def test_window_at_wei_precision(policy: Policy, signed: str, amount: str, expected: Any) -> None:
    ledger = MemoryLedger()
    ledger.sign("ETH", signed, NOW - timedelta(hours=1))
    to = fresh_ethereum_address("eth customer")
    facts = DraftFacts("e1", "ethereum", "ETH", Decimal(amount), (to,))
    assert screen(facts, policy, ledger, NOW).kind == expected


@pytest.mark.parametrize(
    ("amount", "fee", "rate", "expected"),
    [
        ("1", "0.00499999", None, (APPROVE, ())),
        ("1", "0.005", None, (APPROVE, ())),
        ("1", "0.00500001", None, (REJECT, ("fee_too_high",))),
        ("0.1", "0.00199999", None, (APPROVE, ())),
        ("0.1", "0.002", None, (APPROVE, ())),
        ("0.1", "0.00200001", None, (REJECT, ("fee_too_high",))),
        ("0", "0.00000001", None, (REJECT, ("fee_too_high",))),
        ("0", "0", None, (APPROVE, ())),
        ("1", "0.001", "499.999", (APPROVE, ())),
        ("1", "0.001", "500", (APPROVE, ())),
        ("1", "0.001", "500.001", (REJECT, ("fee_rate_too_high",))),
    ],
)
def test_fee_caps(policy: Policy, amount: str, fee: str, rate: str | None, expected: Any) -> None:
    assert outcome(screen(btc(amount, fee=fee, fee_rate=rate), policy, MemoryLedger(), NOW)) == (
        expected
    )


def _history(ledger: MemoryLedger, amounts: list[str], start: timedelta) -> None:
    for i, amount in enumerate(amounts):
        ledger.sign("BTC", amount, NOW - start - timedelta(minutes=i))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.09999999", (APPROVE, ())),
        ("0.1", (APPROVE, ())),
        ("0.10000001", (DELAY, ("amount_anomaly",))),
    ],
)
def test_amount_anomaly_uses_last_median_window(policy: Policy, amount: str, expected: Any) -> None:
    ledger = MemoryLedger()
    _history(ledger, ["0.01"] * 50, timedelta(days=2))  # the newest 50: median 0.01
    _history(ledger, ["1"] * 60, timedelta(days=3))  # older; median of all would be 1
    assert outcome(screen(btc(amount), policy, ledger, NOW)) == expected


@pytest.mark.parametrize(("amount", "expected"), [("2", APPROVE), ("2.00000001", DELAY)])
def test_amount_anomaly_even_median(policy: Policy, amount: str, expected: Any) -> None:
    ledger = MemoryLedger()
    _history(ledger, ["0.1", "0.3"], timedelta(days=2))  # median 0.2, x10 = 2
    assert screen(btc(amount), policy, ledger, NOW).kind == expected


def test_amount_anomaly_needs_history(policy: Policy) -> None:
    assert screen(btc("2.5"), policy, MemoryLedger(), NOW).kind == APPROVE


def _imports(ledger: MemoryLedger, count: int, age: timedelta) -> None:
    for i in range(count):
        ledger.imported[f"i{i}"] = NOW - age


@pytest.mark.parametrize(
    ("count", "age", "expected"),
    [
        (19, timedelta(0), (APPROVE, ())),
        (20, timedelta(0), (APPROVE, ())),
        (21, timedelta(0), (DELAY, ("burst",))),
        (21, timedelta(minutes=10), (DELAY, ("burst",))),
        (21, timedelta(minutes=10) + MICRO, (APPROVE, ())),
    ],
)
def test_burst(policy: Policy, count: int, age: timedelta, expected: Any) -> None:
    ledger = MemoryLedger()
    _imports(ledger, count, age)
    assert outcome(screen(btc("0.1"), policy, ledger, NOW)) == expected


@pytest.mark.parametrize(
    ("flagged", "age", "expected"),
    [
        (4, timedelta(0), APPROVE),
        (5, timedelta(0), APPROVE),
        (6, timedelta(0), DELAY),
        (6, timedelta(hours=1), DELAY),
        (6, timedelta(hours=1) + MICRO, APPROVE),
    ],
)
def test_circuit_breaker_count(policy: Policy, flagged: int, age: timedelta, expected: Any) -> None:
    ledger = MemoryLedger()
    for i in range(flagged):
        ledger.flagged[f"f{i}"] = NOW - age
    verdict = screen(btc("0.1"), policy, ledger, NOW)
    assert verdict.kind == expected
    if expected == DELAY:
        assert verdict.codes == ("circuit_breaker_open",) and verdict.not_before is None


def test_circuit_breaker_latched_and_reset(policy: Policy) -> None:
    ledger = MemoryLedger(tripped_at=NOW - timedelta(days=3))
    assert screen(btc("0.1"), policy, ledger, NOW).codes == ("circuit_breaker_open",)
    for i in range(6):
        ledger.flagged[f"f{i}"] = NOW - timedelta(minutes=30)
    ledger.tripped_at, ledger.last_reset_at = None, NOW - timedelta(minutes=20)
    assert screen(btc("0.1"), policy, ledger, NOW).kind == APPROVE  # flags before the reset
    ledger.last_reset_at = NOW - timedelta(minutes=40)
    assert screen(btc("0.1"), policy, ledger, NOW).kind == DELAY


@pytest.mark.parametrize(
    ("first_time", "seen", "expected"),
    [
        ("delay", False, (DELAY, ("first_time_destination",))),
        ("reject", False, (REJECT, ("first_time_destination",))),
        ("allow", False, (APPROVE, ())),
        ("delay", True, (APPROVE, ())),
        ("reject", True, (APPROVE, ())),
    ],
)
def test_first_time_destination(tmp_path: Path, first_time: str, seen: bool, expected: Any) -> None:
    policy = make_policy(tmp_path, set_path(base_document(), "destinations.first_time", first_time))
    ledger = MemoryLedger()
    if seen:
        ledger.sign("BTC", "0.1", NOW - timedelta(days=30), DEST)
    facts = btc("0.1", destinations=(DEST.upper(),))  # normalised before the lookup
    assert outcome(screen(facts, policy, ledger, NOW)) == expected


LISTED = fresh_bitcoin_address("listed")
DENIED = fresh_bitcoin_address("denied")


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ((LISTED,), (APPROVE, ())),
        ((LISTED.upper(),), (APPROVE, ())),
        ((DEST,), (REJECT, ("not_allowlisted",))),
        ((DENIED,), (REJECT, ("denylisted",))),
        ((LISTED, DEST), (REJECT, ("not_allowlisted",))),
        (("bcrt1qnotanaddress",), (REJECT, ("invalid_destination",))),
        ((), (REJECT, ("invalid_destination",))),
    ],
)
def test_allowlist_and_denylist(tmp_path: Path, to: tuple[str, ...], expected: Any) -> None:
    doc = set_path(
        base_document(),
        "destinations",
        {"allowlist": "allow.txt", "denylist": "deny.txt", "first_time": "delay"},
    )
    policy = make_policy(
        tmp_path,
        doc,
        **{"allow.txt": f"{LISTED}\n{DENIED}\n", "deny.txt": f"# the denylist wins\n{DENIED}\n"},
    )
    assert outcome(screen(btc("0.1", destinations=to), policy, MemoryLedger(), NOW)) == expected


def test_denylist_without_allowlist(tmp_path: Path) -> None:
    doc = set_path(base_document(), "destinations.denylist", "deny.txt")
    policy = make_policy(tmp_path, doc, **{"deny.txt": DENIED.upper() + "\n"})
    assert outcome(screen(btc("0.1", destinations=(DENIED,)), policy, MemoryLedger(), NOW)) == (
        REJECT,
        ("denylisted",),
    )


def test_no_policy_rejects_everything() -> None:
    assert outcome(screen(btc("0.00000001"), None, MemoryLedger(), NOW)) == (REJECT, ("no_policy",))


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (DraftFacts("x", "bitcoin", "LTC", Decimal(1), (DEST,)), "unknown_asset"),
        (DraftFacts("x", "ethereum", "BTC", Decimal(1), (DEST,)), "asset_mismatch"),
        (
            DraftFacts(
                "x",
                "ethereum",
                "USDT",
                Decimal(1),
                (fresh_ethereum_address("a"),),
                contract="0x" + "11" * 20,
            ),
            "asset_mismatch",
        ),
        (
            DraftFacts("x", "ethereum", "USDT", Decimal(1), (fresh_ethereum_address("a"),)),
            "asset_mismatch",
        ),
    ],
)
def test_asset_must_match_the_policy(policy: Policy, facts: DraftFacts, code: str) -> None:
    assert outcome(screen(facts, policy, MemoryLedger(), NOW)) == (REJECT, (code,))


def test_erc20_matched_by_contract(policy: Policy) -> None:
    to = fresh_ethereum_address("b")
    ok = DraftFacts("u", "ethereum", "USDT", Decimal("250000"), (to,), contract=USDT)
    assert screen(ok, policy, MemoryLedger(), NOW).kind == APPROVE
    big = DraftFacts("u", "ethereum", "USDT", Decimal("250000.000001"), (to,), contract=USDT)
    assert screen(big, policy, MemoryLedger(), NOW).codes == ("max_per_draft",)


def test_structural_findings_always_reject(tmp_path: Path) -> None:
    doc = set_path(base_document(), "verdicts", {"delay": ["fee_too_high"]})
    policy = make_policy(tmp_path, doc)
    facts = btc("0.1", findings=(Finding("delegatecall", "operation=1"),
                                 Finding("fee_too_high", "chain says")))
    verdict = screen(facts, policy, MemoryLedger(), NOW)
    assert outcome(verdict) == (REJECT, ("delegatecall", "fee_too_high"))


@pytest.mark.parametrize(
    ("overrides", "facts", "expected"),
    [
        ({"reject": ["max_per_draft"]}, btc("3"), REJECT),
        ({"delay": ["fee_too_high"]}, btc("1", fee="0.01"), DELAY),
        ({"reject": ["amount_anomaly", "burst"]}, btc("3"), DELAY),
    ],
)
def test_verdict_overrides(
    tmp_path: Path, overrides: dict[str, list[str]], facts: DraftFacts, expected: Any
) -> None:
    policy = make_policy(tmp_path, set_path(base_document(), "verdicts", overrides))
    assert screen(facts, policy, MemoryLedger(), NOW).kind == expected
