"""Delays: when time releases them, when only a quorum does, and what a release cannot waive."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from risk_support import (
    NOW,
    MemoryLedger,
    base_document,
    fresh_bitcoin_address,
    make_policy,
    set_path,
)

from signer.risk import DraftFacts, Hold, Policy, VerdictKind, screen
from signer.risk.verdict import BreakerState

DEST = fresh_bitcoin_address("new customer")
DAY = timedelta(hours=24)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    doc = set_path(base_document(), "destinations.first_time", "delay")
    return make_policy(tmp_path_factory.mktemp("holds"), doc)


def facts(amount: str = "0.1", fee: str | None = None) -> DraftFacts:
    from decimal import Decimal

    return DraftFacts(
        "h1", "bitcoin", "BTC", Decimal(amount), (DEST,), fee=Decimal(fee) if fee else None
    )


def held(
    ledger: MemoryLedger, not_before: timedelta | None, released_by: str | None = None
) -> None:
    until = NOW + not_before if not_before is not None else None
    ledger.holds["h1"] = Hold("h1", NOW, until, "first_time_destination", released_by)


def test_time_cured_delay_gets_default_delay(policy: Policy) -> None:
    verdict = screen(facts(), policy, MemoryLedger(), NOW)
    assert verdict.kind == VerdictKind.DELAY and verdict.not_before == NOW + DAY


@pytest.mark.parametrize(
    ("later", "kind"),
    [(DAY - timedelta(microseconds=1), VerdictKind.DELAY), (DAY, VerdictKind.APPROVE)],
)
def test_elapsed_hold_waives_time_cured_codes(
    policy: Policy, later: timedelta, kind: VerdictKind
) -> None:
    ledger = MemoryLedger()
    held(ledger, DAY)
    verdict = screen(facts(), policy, ledger, NOW + later)
    assert verdict.kind == kind
    if kind == VerdictKind.DELAY:
        assert verdict.not_before == NOW + DAY  # the hold's time, not extended by a re-screen


def test_quorum_codes_wait_for_people(policy: Policy) -> None:
    ledger = MemoryLedger()
    verdict = screen(facts("3"), policy, ledger, NOW)
    assert verdict.codes == ("first_time_destination", "max_per_draft")
    assert verdict.not_before is None
    held(ledger, timedelta(0))
    assert screen(facts("3"), policy, ledger, NOW + 2 * DAY).codes == ("max_per_draft",)
    held(ledger, None, released_by="A,B")
    assert screen(facts("3"), policy, ledger, NOW).kind == VerdictKind.APPROVE


def test_release_does_not_waive_rejections_or_the_breaker(policy: Policy) -> None:
    ledger = MemoryLedger()
    held(ledger, None, released_by="A,C")
    assert screen(facts("3", fee="0.01"), policy, ledger, NOW).codes == ("fee_too_high",)
    ledger.tripped_at = NOW
    verdict = screen(facts("3"), policy, ledger, NOW)
    assert verdict.codes == ("circuit_breaker_open",) and verdict.not_before is None


def test_window_delay_is_rechecked_not_waived(policy: Policy) -> None:
    ledger = MemoryLedger(last_reset_at=None)
    ledger.sign("BTC", "2.5", NOW + DAY - timedelta(minutes=5), DEST)
    ledger.sign("BTC", "2.5", NOW + DAY - timedelta(minutes=5), DEST)
    held(ledger, timedelta(0))
    verdict = screen(facts(), policy, ledger, NOW + DAY)
    assert verdict.codes == ("window_exceeded",)
    assert verdict.not_before == NOW  # the served hold is not restarted by a full window
    assert screen(facts(), policy, ledger, NOW + DAY + timedelta(hours=1)).kind == (
        VerdictKind.APPROVE
    )
    assert ledger.breaker() == BreakerState(None, None)


def test_naive_clock_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="timezone"):
        screen(facts(), policy, MemoryLedger(), NOW.replace(tzinfo=None))


def test_first_time_reject_is_not_waived(tmp_path: Path) -> None:
    policy = make_policy(tmp_path, set_path(base_document(), "destinations.first_time", "reject"))
    ledger = MemoryLedger()
    held(ledger, None, released_by="A,B")
    assert screen(facts(), policy, ledger, NOW).codes == ("first_time_destination",)
