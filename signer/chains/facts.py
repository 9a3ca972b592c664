"""What a chain decoded from a draft's payload, for the risk screen (never the request's words)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from signer.chains.finding import Finding


@dataclass(frozen=True)
class DraftFacts:
    """``amount`` is the total leaving the wallet to ``destinations`` in the asset's unit;
    ``fee`` is in the same asset's unit when the chain charges it in that asset;
    ``fee_rate`` is the chain's rate (sat/vB) when it has one; ``findings`` are the chain's
    structural refusals, each of which rejects. ``counted``: whether signing it counts
    towards the velocity windows (a transfer does; a proof or a cancellation moves nothing).
    """

    draft_id: str
    chain: str
    asset: str
    amount: Decimal
    destinations: tuple[str, ...]
    fee: Decimal | None = None
    fee_rate: Decimal | None = None
    contract: str | None = None
    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError(f"draft {self.draft_id}: amount must be a finite Decimal >= 0")
        if self.fee is not None and (not self.fee.is_finite() or self.fee < 0):
            raise ValueError(f"draft {self.draft_id}: fee must be a finite Decimal >= 0")

    def with_findings(self, *more: Finding) -> DraftFacts:
        return replace(self, findings=(*self.findings, *more))
