"""Stable reason codes of the risk screen and which verdict each one produces by default."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Outcome(StrEnum):
    """What a finding does to the verdict."""

    REJECT = "reject"
    DELAY = "delay"


NO_POLICY = "no_policy"
UNKNOWN_ASSET = "unknown_asset"
ASSET_MISMATCH = "asset_mismatch"
DENYLISTED = "denylisted"
CIRCUIT_BREAKER_OPEN = "circuit_breaker_open"

MAX_PER_DRAFT = "max_per_draft"
WINDOW_EXCEEDED = "window_exceeded"
WINDOW_COUNT_EXCEEDED = "window_count_exceeded"
NOT_ALLOWLISTED = "not_allowlisted"
FIRST_TIME_DESTINATION = "first_time_destination"
FEE_TOO_HIGH = "fee_too_high"
FEE_RATE_TOO_HIGH = "fee_rate_too_high"
AMOUNT_ANOMALY = "amount_anomaly"
BURST = "burst"

# Codes whose outcome the policy's [verdicts] section may change. first_time_destination
# is set by destinations.first_time instead; the others are fixed (see docs/risk-policy.md).
ConfigurableCode = Literal[
    "max_per_draft",
    "window_exceeded",
    "window_count_exceeded",
    "not_allowlisted",
    "fee_too_high",
    "fee_rate_too_high",
    "amount_anomaly",
    "burst",
]

DEFAULT_OUTCOMES: dict[str, Outcome] = {
    MAX_PER_DRAFT: Outcome.DELAY,
    WINDOW_EXCEEDED: Outcome.DELAY,
    WINDOW_COUNT_EXCEEDED: Outcome.DELAY,
    NOT_ALLOWLISTED: Outcome.REJECT,
    FEE_TOO_HIGH: Outcome.REJECT,
    FEE_RATE_TOO_HIGH: Outcome.REJECT,
    AMOUNT_ANOMALY: Outcome.DELAY,
    BURST: Outcome.DELAY,
}

# Delays that time alone cures: once the draft's hold has elapsed they are waived.
TIME_CURED = frozenset({FIRST_TIME_DESTINATION, AMOUNT_ANOMALY, BURST})
# Delays that a later re-screen re-evaluates (signed amounts age out of the window).
RECHECKED = frozenset({WINDOW_EXCEEDED, WINDOW_COUNT_EXCEEDED})
INVALID_DESTINATION = "invalid_destination"

# Findings no policy setting can soften.
ALWAYS_REJECT = frozenset(
    {NO_POLICY, UNKNOWN_ASSET, ASSET_MISMATCH, DENYLISTED, INVALID_DESTINATION}
)
