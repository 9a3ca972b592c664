"""The individual risk rules: each returns the findings it makes, nothing else."""

from __future__ import annotations

import statistics
from datetime import datetime
from decimal import Decimal

from signer.chains.facts import DraftFacts
from signer.risk import codes
from signer.risk.durations import format_duration
from signer.risk.ledger import amount_to_text
from signer.risk.policy import AssetPolicy, PolicyDocument
from signer.risk.policy_file import Policy
from signer.risk.verdict import Finding, Ledger


def amount_text(amount: Decimal, symbol: str) -> str:
    """``2.5 BTC``: plain notation, no trailing zeros."""
    return f"{amount_to_text(amount)} {symbol}"


def max_per_draft(facts: DraftFacts, asset: AssetPolicy) -> list[Finding]:
    if facts.amount <= asset.max_per_draft:
        return []
    return [
        Finding(
            codes.MAX_PER_DRAFT,
            f"amount {amount_text(facts.amount, facts.asset)} exceeds max_per_draft "
            f"{amount_text(asset.max_per_draft, facts.asset)}",
        )
    ]


def windows(facts: DraftFacts, asset: AssetPolicy, ledger: Ledger, now: datetime) -> list[Finding]:
    """Signed amounts in each window plus this draft stay within max_total and max_count."""
    found = []
    for window in asset.windows:
        total, count = ledger.signed_since(facts.asset, now - window.period)
        period = format_duration(window.period)
        if total + facts.amount > window.max_total:
            found.append(
                Finding(
                    codes.WINDOW_EXCEEDED,
                    f"{period} window: signed {amount_text(total, facts.asset)} + this draft "
                    f"{amount_text(facts.amount, facts.asset)} exceeds max_total "
                    f"{amount_text(window.max_total, facts.asset)}",
                )
            )
        if count + 1 > window.max_count:
            found.append(
                Finding(
                    codes.WINDOW_COUNT_EXCEEDED,
                    f"{period} window: {count} signed + this draft exceeds max_count "
                    f"{window.max_count}",
                )
            )
    return found


def fees(facts: DraftFacts, asset: AssetPolicy) -> list[Finding]:
    found = []
    fee = facts.fee
    if fee is not None and asset.max_fee is not None and fee > asset.max_fee:
        found.append(
            Finding(
                codes.FEE_TOO_HIGH,
                f"fee {amount_text(fee, facts.asset)} exceeds max_fee "
                f"{amount_text(asset.max_fee, facts.asset)}",
            )
        )
    percent = asset.max_fee_percent
    # fee * 100 > percent * amount avoids dividing by a zero amount
    if fee is not None and percent is not None and fee * 100 > percent * facts.amount:
        found.append(
            Finding(
                codes.FEE_TOO_HIGH,
                f"fee {amount_text(fee, facts.asset)} is more than "
                f"{amount_to_text(percent)}% of the amount "
                f"{amount_text(facts.amount, facts.asset)}",
            )
        )
    rate = facts.fee_rate
    if rate is not None and asset.max_fee_rate is not None and rate > asset.max_fee_rate:
        found.append(
            Finding(
                codes.FEE_RATE_TOO_HIGH,
                f"fee rate {amount_to_text(rate)} sat/vB exceeds max_fee_rate "
                f"{amount_to_text(asset.max_fee_rate)} sat/vB",
            )
        )
    return found


def destinations(
    facts: DraftFacts, normalised: tuple[str, ...], policy: Policy, ledger: Ledger
) -> list[Finding]:
    """Denylist (always rejects), allowlist, then first-time destinations not on the allowlist."""
    found = []
    first_time = policy.document.destinations.first_time
    for shown, address in zip(facts.destinations, normalised, strict=True):
        if address in policy.denylist:
            found.append(Finding(codes.DENYLISTED, f"destination {shown} is on the denylist"))
            continue
        if policy.allowlist is not None:
            if address not in policy.allowlist:
                found.append(
                    Finding(codes.NOT_ALLOWLISTED, f"destination {shown} is not on the allowlist")
                )
            continue  # an allowlisted address was vetted in advance: not "first time"
        if first_time != "allow" and not ledger.ever_signed_to(address):
            found.append(
                Finding(
                    codes.FIRST_TIME_DESTINATION,
                    f"nothing was ever signed to destination {shown}",
                )
            )
    return found


def amount_anomaly(facts: DraftFacts, document: PolicyDocument, ledger: Ledger) -> list[Finding]:
    """Amount above median_factor x the median of the last median_window signed amounts."""
    anomaly = document.anomaly
    history = ledger.recent_signed_amounts(facts.asset, anomaly.median_window)
    if not history:
        return []
    median = statistics.median(history)
    if facts.amount <= anomaly.median_factor * median:
        return []
    return [
        Finding(
            codes.AMOUNT_ANOMALY,
            f"amount {amount_text(facts.amount, facts.asset)} is more than "
            f"{amount_to_text(anomaly.median_factor)} x the median "
            f"{amount_text(median, facts.asset)} of the last {len(history)} signed",
        )
    ]


def burst(document: PolicyDocument, ledger: Ledger, now: datetime) -> list[Finding]:
    """More than burst_count drafts imported within burst_period (this one included)."""
    anomaly = document.anomaly
    imported = ledger.imported_since(now - anomaly.burst_period)
    if imported <= anomaly.burst_count:
        return []
    return [
        Finding(
            codes.BURST,
            f"{imported} drafts imported within {format_duration(anomaly.burst_period)} "
            f"(burst_count {anomaly.burst_count})",
        )
    ]


def circuit_breaker(document: PolicyDocument, ledger: Ledger, now: datetime) -> list[Finding]:
    """Open while latched, or when more than max_flagged drafts were flagged since the reset."""
    state = ledger.breaker()
    if state.tripped_at is not None:
        return [
            Finding(
                codes.CIRCUIT_BREAKER_OPEN,
                f"signing halted since {state.tripped_at.isoformat()}; two holders must reset "
                "the circuit breaker",
            )
        ]
    breaker = document.circuit_breaker
    since = now - breaker.period
    if state.last_reset_at is not None and state.last_reset_at > since:
        since = state.last_reset_at
    flagged = ledger.flagged_since(since)
    if flagged <= breaker.max_flagged:
        return []
    return [
        Finding(
            codes.CIRCUIT_BREAKER_OPEN,
            f"{flagged} drafts delayed or rejected within {format_duration(breaker.period)} "
            f"(max_flagged {breaker.max_flagged}); signing halted until two holders reset it",
        )
    ]
