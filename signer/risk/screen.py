"""The risk screen: DraftFacts + Policy + Ledger + now -> Verdict, with no side effects."""

from __future__ import annotations

from datetime import datetime
from decimal import Context, localcontext

from signer.chains.facts import DraftFacts
from signer.risk import codes, rules
from signer.risk.addresses import normalise_address
from signer.risk.codes import Outcome
from signer.risk.policy_file import Policy
from signer.risk.verdict import Finding, Hold, Ledger, Verdict, VerdictKind

# Sums of 18-decimal amounts need more than the default 28 significant digits.
_EXACT = Context(prec=120)
# Chain findings that already say why a draft names no destination.
_NOT_A_TRANSFER = frozenset({"not_a_transfer", "delegatecall", "self_call", "unknown_call"})


def screen(facts: DraftFacts, policy: Policy | None, ledger: Ledger, now: datetime) -> Verdict:
    """Screen one draft at time ``now`` (timezone-aware) against the applied policy."""
    if now.tzinfo is None:
        raise ValueError("screen() needs a timezone-aware 'now'")
    if policy is None:
        return Verdict(
            VerdictKind.REJECT,
            (Finding(codes.NO_POLICY, "no risk policy is applied: nothing is signable"),),
        )
    with localcontext(_EXACT):
        findings = _findings(facts, policy, ledger, now)
    hold = ledger.hold(facts.draft_id)
    # Structural findings always reject, even when a chain code equals a configurable one.
    judged = [(finding, Outcome.REJECT) for finding in facts.findings]
    judged += [(r, _outcome(r.code, policy)) for r in findings]
    kept = [(r, o) for r, o in judged if not _waived(r.code, o, hold, now)]
    return _verdict(kept, policy, hold, now)


def _findings(facts: DraftFacts, policy: Policy, ledger: Ledger, now: datetime) -> list[Finding]:
    document = policy.document
    found = rules.circuit_breaker(document, ledger, now)
    asset = document.assets.get(facts.asset)
    if asset is None:
        found.append(Finding(codes.UNKNOWN_ASSET, f"asset {facts.asset!r} is not in the policy"))
        return found
    if asset.chain != facts.chain or asset.contract != _lower(facts.contract):
        found.append(
            Finding(
                codes.ASSET_MISMATCH,
                f"draft pays {facts.chain} {facts.contract or 'native coin'} but the policy's "
                f"{facts.asset} is {asset.chain} {asset.contract or 'native coin'}",
            )
        )
        return found
    normalised, bad = _normalised(facts)
    found += bad
    if not bad:
        found += rules.destinations(facts, normalised, policy, ledger)
    found += rules.max_per_draft(facts, asset)
    found += rules.windows(facts, asset, ledger, now)
    found += rules.fees(facts, asset)
    found += rules.amount_anomaly(facts, document, ledger)
    found += rules.burst(document, ledger, now)
    return found


def _lower(contract: str | None) -> str | None:
    return contract.lower() if contract is not None else None


def _normalised(facts: DraftFacts) -> tuple[tuple[str, ...], list[Finding]]:
    addresses: list[str] = []
    bad: list[Finding] = []
    # A draft that is not a transfer already says so in its structural findings: "names no
    # destination" would only restate that (and those findings reject it anyway).
    not_a_transfer = any(f.code in _NOT_A_TRANSFER for f in facts.findings)
    if not facts.destinations and not not_a_transfer:
        bad.append(Finding(codes.INVALID_DESTINATION, "the draft names no destination"))
    for address in facts.destinations:
        try:
            addresses.append(normalise_address(facts.chain, address))
        except ValueError as exc:
            message = f"destination {address!r}: expected {exc}"
            bad.append(Finding(codes.INVALID_DESTINATION, message))
    return tuple(addresses), bad


def _outcome(code: str, policy: Policy) -> Outcome:
    document = policy.document
    if code in codes.ALWAYS_REJECT:
        return Outcome.REJECT
    if code == codes.CIRCUIT_BREAKER_OPEN:
        return Outcome.DELAY
    if code == codes.FIRST_TIME_DESTINATION:
        return Outcome(document.destinations.first_time)
    if code in document.verdicts.reject:
        return Outcome.REJECT
    if code in document.verdicts.delay:
        return Outcome.DELAY
    return codes.DEFAULT_OUTCOMES.get(code, Outcome.REJECT)


def _waived(code: str, outcome: Outcome, hold: Hold | None, now: datetime) -> bool:
    """A quorum release waives delays (not the breaker); an elapsed hold waives time-cured ones."""
    if outcome is not Outcome.DELAY or hold is None or code == codes.CIRCUIT_BREAKER_OPEN:
        return False
    if hold.released_by is not None:
        return True
    elapsed = hold.not_before is not None and now >= hold.not_before
    return elapsed and code in codes.TIME_CURED


def _verdict(
    kept: list[tuple[Finding, Outcome]], policy: Policy, hold: Hold | None, now: datetime
) -> Verdict:
    reasons = tuple(reason for reason, _ in kept)
    if any(outcome is Outcome.REJECT for _, outcome in kept):
        return Verdict(VerdictKind.REJECT, reasons)
    if not kept:
        return Verdict(VerdictKind.APPROVE)
    if any(r.code not in codes.TIME_CURED | codes.RECHECKED for r in reasons):
        return Verdict(VerdictKind.DELAY, reasons, None)  # only people can release it
    if hold is not None and hold.not_before is not None:
        # The time hold is set once; when it has passed, only window findings remain and
        # they clear as signed amounts age out, so a re-screen may come at any time.
        return Verdict(VerdictKind.DELAY, reasons, hold.not_before)
    return Verdict(VerdictKind.DELAY, reasons, now + policy.document.default_delay)
