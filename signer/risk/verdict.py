"""What the screen reads (DraftFacts, Ledger) and what it returns (Verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class VerdictKind(StrEnum):
    APPROVE = "approve"
    DELAY = "delay"
    REJECT = "reject"


@dataclass(frozen=True)
class Reason:
    """One machine-readable finding: a stable snake_case code and a human message."""

    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """approve | delay | reject; a delay with ``not_before=None`` waits for people, not time."""

    kind: VerdictKind
    reasons: tuple[Reason, ...] = ()
    not_before: datetime | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class DraftFacts:
    """What the chain module decoded from the payload itself (never what the request claims).

    ``amount`` is the total leaving the wallet to ``destinations`` in the asset's unit;
    ``fee`` is in the chain's native unit's terms of the same asset (BTC for BTC);
    ``fee_rate`` is sat/vB (bitcoin only); ``findings`` are the chain module's structural
    (code, message) pairs, each of which rejects.
    """

    draft_id: str
    chain: str
    asset: str
    amount: Decimal
    destinations: tuple[str, ...]
    fee: Decimal | None = None
    fee_rate: Decimal | None = None
    contract: str | None = None
    findings: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError(f"draft {self.draft_id}: amount must be a finite Decimal >= 0")
        if self.fee is not None and (not self.fee.is_finite() or self.fee < 0):
            raise ValueError(f"draft {self.draft_id}: fee must be a finite Decimal >= 0")


@dataclass(frozen=True)
class Hold:
    """A draft held by a delay: until ``not_before`` (None: until released by a quorum)."""

    draft_id: str
    placed_at: datetime
    not_before: datetime | None
    reason: str
    released_by: str | None = None


@dataclass(frozen=True)
class BreakerState:
    """The latched circuit breaker: open while ``tripped_at`` is set."""

    tripped_at: datetime | None
    last_reset_at: datetime | None


class Ledger(Protocol):
    """The history the screen needs; every query is answered from state, never from the draft."""

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        """Total and count of drafts of ``asset`` signed at or after ``since``."""
        ...

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        """Amounts of the last ``limit`` signed drafts of ``asset``, newest first."""
        ...

    def ever_signed_to(self, destination: str) -> bool:
        """Whether any signed draft paid the (normalised) ``destination``."""
        ...

    def imported_since(self, since: datetime) -> int:
        """Distinct drafts imported at or after ``since``."""
        ...

    def flagged_since(self, since: datetime) -> int:
        """Distinct drafts delayed or rejected (not only by the breaker) since ``since``."""
        ...

    def breaker(self) -> BreakerState:
        """The circuit breaker's latched state."""
        ...

    def hold(self, draft_id: str) -> Hold | None:
        """The hold placed on ``draft_id`` by an earlier delay, if any."""
        ...
