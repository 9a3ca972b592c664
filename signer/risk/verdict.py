"""What the screen reads (DraftFacts, Ledger) and what it returns (Verdict)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from signer.chains.finding import Finding


class VerdictKind(StrEnum):
    APPROVE = "approve"
    DELAY = "delay"
    REJECT = "reject"


@dataclass(frozen=True)
class Verdict:
    """approve | delay | reject; a delay with ``not_before=None`` waits for people, not time."""

    kind: VerdictKind
    reasons: tuple[Finding, ...] = ()
    not_before: datetime | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


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
