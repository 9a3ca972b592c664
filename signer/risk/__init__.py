"""Risk domain: policy model, screening rules, velocity ledger, hold queue, circuit breaker."""

from signer.chains.facts import DraftFacts
from signer.risk.addresses import normalise_address
from signer.risk.codes import DEFAULT_OUTCOMES, Outcome
from signer.risk.ledger import SqlLedger
from signer.risk.policy import AssetPolicy, PolicyDocument, Window
from signer.risk.policy_file import Policy, load_canonical_policy, load_policy, policy_hash
from signer.risk.records import (
    forget_signed,
    record_imported,
    record_signed,
    record_verdict,
    release_hold,
    reset_breaker,
    trip_breaker,
)
from signer.risk.screen import screen
from signer.risk.verdict import (
    BreakerState,
    Finding,
    Hold,
    Ledger,
    Verdict,
    VerdictKind,
)

__all__ = [
    "DEFAULT_OUTCOMES",
    "AssetPolicy",
    "BreakerState",
    "DraftFacts",
    "Finding",
    "Hold",
    "Ledger",
    "Outcome",
    "Policy",
    "PolicyDocument",
    "SqlLedger",
    "Verdict",
    "VerdictKind",
    "Window",
    "forget_signed",
    "load_canonical_policy",
    "load_policy",
    "normalise_address",
    "policy_hash",
    "record_imported",
    "record_signed",
    "record_verdict",
    "release_hold",
    "reset_breaker",
    "screen",
    "trip_breaker",
]
