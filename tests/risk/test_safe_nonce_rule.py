"""The next-nonce rule on its own (safe_nonces.NonceState): every branch, no token needed."""

from __future__ import annotations

from signer.chains.ethereum.nonces import NonceState
from signer.usecases.safe_nonces import NONCE_MAX


def codes(state: NonceState, nonce: int) -> list[str]:
    return [finding.code for finding in state.findings(nonce)]


def test_the_next_nonce_is_the_recorded_one_or_one_past_the_highest_signed() -> None:
    assert NonceState(0, frozenset()).expected == 0
    assert NonceState(7, frozenset()).expected == 7
    assert NonceState(3, frozenset({3, 4})).expected == 5
    assert NonceState(9, frozenset({3, 4})).expected == 9


def test_gaps_stale_nonces_and_freed_nonces() -> None:
    state = NonceState(2, frozenset({2, 4}))  # 3 was signed, then abandoned: freed
    assert codes(state, 5) == []
    assert codes(state, 6) == ["nonce_gap"]
    assert "the next nonce for this Safe is 5" in state.findings(6)[0].message
    assert codes(state, 1) == ["stale_nonce"]  # the chain used it
    assert codes(state, 2) == ["stale_nonce"]  # another draft holds it below the highest
    assert codes(state, 3) == []  # freed by abandon: a cancellation or replacement
    assert codes(state, 4) == []  # the highest: a second draft there is a conflict at signing


def test_at_import_stored_drafts_fill_the_run_and_a_huge_nonce_costs_nothing() -> None:
    asked: list[int] = []

    def pending() -> set[int]:
        asked.append(1)
        return {0, 1, 2}

    state = NonceState(0, frozenset(), pending)
    assert codes(state, 0) == [] and asked == []  # the next nonce needs no lookup
    assert codes(state, 3) == []
    assert codes(state, 4) == ["nonce_gap"]
    assert codes(state, NONCE_MAX) == ["nonce_gap"]
