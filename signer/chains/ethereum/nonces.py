"""Safe nonce discipline: a Safe draft is signed only at the next nonce the Safe can execute.

A Safe executes its nonces in order, one each. So a signature at a nonce beyond the next
one can never execute until every nonce before it has, and a hostile vault that gets one
signed wastes nothing yet blocks nothing either -- but a run of them would let it choose
the order. The next nonce is the Safe's nonce as holders recorded it from the chain
(`wallet set-safe --nonce`, `wallet safe-nonce`), or one past the highest nonce signed
and not abandoned, whichever is higher. A nonce freed by abandoning its draft (below the
next one, claimed by no draft) may be signed again: that is how a cancellation or a
replacement supersedes the abandoned transaction on chain (docs/runbook.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signer.chains.finding import Finding


@dataclass(frozen=True)
class NonceState:
    recorded: int  # the chain's nonce as holders recorded it (0 until they do)
    claimed: frozenset[int]  # nonces held by signed drafts that are not abandoned
    # Import only: the nonces of stored drafts that may still be signed (looked up only
    # for a nonce beyond the next one: most imports never need them).
    pending: Callable[[], set[int]] | None = None

    @property
    def expected(self) -> int:
        """The next nonce to sign."""
        return max(self.recorded, max(self.claimed, default=-1) + 1)

    def findings(self, nonce: int) -> list[Finding]:
        """Why ``nonce`` may not be signed now (stale_nonce, nonce_gap), or nothing."""
        if nonce < self.recorded:
            return [Finding("stale_nonce", f"nonce {nonce} is below the Safe's nonce "
                            f"{self.recorded} recorded by holders: the chain has used it "
                            "already")]
        highest = max(self.claimed, default=-1)
        if nonce in self.claimed and nonce < highest:
            return [Finding("stale_nonce", f"nonce {nonce} is below nonce {highest} already signed "
                     "for this Safe: a replay or a reordered draft")]
        expected = self.expected
        if nonce > expected and not self._run_filled(expected, nonce):
            return [Finding("nonce_gap", f"nonce {nonce} leaves a gap: the next nonce for this "
                            "Safe "
                     f"is {expected} (recorded chain nonce {self.recorded}, highest signed "
                     f"{'none' if highest < 0 else highest}); a Safe executes nonces in "
                     "order, so this one could not execute before the ones between")]
        return []

    def _run_filled(self, expected: int, nonce: int) -> bool:
        if self.pending is None:
            return False
        stored = self.pending()
        return all(n in stored for n in range(expected, nonce))
