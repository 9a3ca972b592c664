"""The draft state machine: the contract's state words, every transition of the table,
allowed and refused, with the codes and messages operators have always been given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signer.errors import Delayed, Exit, Rejected
from signer.store.clock import iso
from signer.store.draft_state import (
    TRANSITIONS,
    Action,
    DraftState,
    Refusal,
    after,
    cell,
    refusal,
)
from signer.store.drafts import Draft

A, S = Action, DraftState
ID = "ab12" * 16


def _row(**changes: object) -> Draft:
    base = Draft(id=ID, chain="bitcoin", payload=b"", source="t", envelope=None, summary={},
                    verdict="approve", reasons=[], not_before=None, released=False,
                    complete=False, exported=False, signatures={})
    return replace(base, **changes)  # type: ignore[arg-type]


# One draft in each state, as the store holds them.
IN = {
    S.APPROVED: _row(),
    S.DELAYED: _row(verdict="delay", not_before="2026-12-03T09:05:00Z",
                    reasons=[{"code": "velocity_limit", "message": "over 2 BTC a day"}]),
    S.REJECTED: _row(verdict="reject",
                     reasons=[{"code": "denylisted", "message": "pays a denied address"}]),
    S.PARTIALLY_SIGNED: _row(signatures={"B": "30", "A": "31"}),
    S.SIGNED: _row(signatures={"A": "30", "B": "31"}, complete=True),
    S.EXPORTED: _row(signatures={"A": "30", "B": "31"}, complete=True, exported=True),
    S.ABANDONED: _row(abandoned=True),
}


def test_the_state_words_are_the_contracts() -> None:
    assert [s.value for s in DraftState] == ["approved", "delayed", "rejected",
                                             "partially_signed", "signed", "exported",
                                             "abandoned"]
    assert all(isinstance(s, str) for s in DraftState)  # JSON writes the word itself


@pytest.mark.parametrize(("row", "state"), [
    (_row(), S.APPROVED),
    (_row(verdict="delay"), S.DELAYED),
    (_row(verdict="delay", released=True), S.APPROVED),  # a quorum released it
    (_row(verdict="reject"), S.REJECTED),
    (_row(verdict="reject", signatures={"A": "30"}), S.PARTIALLY_SIGNED),
    (_row(verdict="delay", signatures={"A": "30"}), S.PARTIALLY_SIGNED),
    (_row(signatures={"A": "30"}, exported=True), S.PARTIALLY_SIGNED),  # a PSBT sent on
    (_row(signatures={"A": "30"}, complete=True), S.SIGNED),
    (_row(signatures={"A": "30"}, complete=True, exported=True), S.EXPORTED),
    (_row(signatures={"A": "30"}, complete=True, exported=True, abandoned=True), S.ABANDONED),
    (_row(verdict="reject", abandoned=True), S.ABANDONED),
])
def test_a_rows_state(row: Draft, state: DraftState) -> None:
    assert row.state is state


def test_every_state_has_a_move_for_every_action() -> None:
    assert set(TRANSITIONS) == set(DraftState)
    for moves in TRANSITIONS.values():
        assert set(moves) == set(Action)


# Allowed: (state, action) -> the state after it (screens: per verdict, below).
ALLOWED = {
    (S.APPROVED, A.SIGN): S.PARTIALLY_SIGNED, (S.APPROVED, A.COMPLETE): S.SIGNED,
    (S.APPROVED, A.ABANDON): S.ABANDONED, (S.APPROVED, A.CANCEL): S.ABANDONED,
    (S.DELAYED, A.RELEASE): S.APPROVED,
    (S.DELAYED, A.ABANDON): S.ABANDONED, (S.DELAYED, A.CANCEL): S.ABANDONED,
    (S.REJECTED, A.ABANDON): S.ABANDONED, (S.REJECTED, A.CANCEL): S.ABANDONED,
    (S.PARTIALLY_SIGNED, A.SIGN): S.PARTIALLY_SIGNED,
    (S.PARTIALLY_SIGNED, A.COMPLETE): S.SIGNED,
    (S.PARTIALLY_SIGNED, A.EXPORT): S.PARTIALLY_SIGNED,  # Bitcoin: the PSBT goes on
    (S.PARTIALLY_SIGNED, A.ABANDON): S.ABANDONED, (S.PARTIALLY_SIGNED, A.CANCEL): S.ABANDONED,
    (S.SIGNED, A.EXPORT): S.EXPORTED,
    (S.SIGNED, A.ABANDON): S.ABANDONED, (S.SIGNED, A.CANCEL): S.ABANDONED,
    (S.EXPORTED, A.EXPORT): S.EXPORTED,  # written out again
    (S.EXPORTED, A.ABANDON): S.ABANDONED, (S.EXPORTED, A.CANCEL): S.ABANDONED,
    (S.ABANDONED, A.SCREEN): S.ABANDONED,  # without signatures: a verdict, still abandoned
    (S.ABANDONED, A.CANCEL): S.ABANDONED,  # the cancellation is created all the same
}
SCREENED = {S.APPROVED, S.DELAYED, S.REJECTED}  # the verdict decides

ABANDONED_SIGN = (f"draft {ID} was abandoned by a quorum: it is never signed again "
                  "(import a new draft)")
COMPLETE = (f"draft {ID} already carries the quorum of signatures: it can never be "
            "signed again")
SCREENED_ALREADY = f"draft {ID} carries signatures (A, B): it is not screened again"
DELAY = Refusal("velocity_limit", f"draft {ID} is delayed until 2026-12-03 09:05Z: "
                "over 2 BTC a day", delayed=True)
REJECT = Refusal("denylisted", f"draft {ID} is rejected: pays a denied address")
REFUSED = {
    (S.APPROVED, A.RELEASE): Refusal("not_delayed", f"draft {ID} is not delayed "
                                     "(verdict approve)"),
    (S.APPROVED, A.EXPORT): Refusal("not_signed", f"draft {ID} carries none of our "
                                    "signatures yet"),
    (S.DELAYED, A.SIGN): DELAY, (S.DELAYED, A.COMPLETE): DELAY,
    (S.DELAYED, A.EXPORT): Refusal("not_signed", f"draft {ID} carries none of our "
                                   "signatures yet"),
    (S.REJECTED, A.RELEASE): Refusal("not_delayed", f"draft {ID} is not delayed "
                                     "(verdict reject)"),
    (S.REJECTED, A.SIGN): REJECT, (S.REJECTED, A.COMPLETE): REJECT,
    (S.REJECTED, A.EXPORT): Refusal("rejected", f"draft {ID} was rejected; there is "
                                    "nothing to export"),
    (S.PARTIALLY_SIGNED, A.SCREEN): Refusal("already_signed", SCREENED_ALREADY),
    (S.PARTIALLY_SIGNED, A.RELEASE): Refusal("not_delayed", f"draft {ID} is not delayed "
                                             "(verdict approve)"),
    (S.SIGNED, A.SCREEN): Refusal("already_signed", SCREENED_ALREADY),
    (S.SIGNED, A.RELEASE): Refusal("not_delayed", f"draft {ID} is not delayed "
                                   "(verdict approve)"),
    (S.SIGNED, A.SIGN): Refusal("already_complete", COMPLETE),
    (S.SIGNED, A.COMPLETE): Refusal("already_complete", COMPLETE),
    (S.EXPORTED, A.SCREEN): Refusal("already_signed", SCREENED_ALREADY),
    (S.EXPORTED, A.RELEASE): Refusal("not_delayed", f"draft {ID} is not delayed "
                                     "(verdict approve)"),
    (S.EXPORTED, A.SIGN): Refusal("already_complete", COMPLETE),
    (S.EXPORTED, A.COMPLETE): Refusal("already_complete", COMPLETE),
    (S.ABANDONED, A.RELEASE): Refusal("abandoned", f"draft {ID} was abandoned by a quorum: "
                                      "it is never released"),
    (S.ABANDONED, A.SIGN): Refusal("abandoned", ABANDONED_SIGN),
    (S.ABANDONED, A.COMPLETE): Refusal("abandoned", ABANDONED_SIGN),
    (S.ABANDONED, A.EXPORT): Refusal("abandoned", f"draft {ID} was abandoned by a quorum: "
                                     "it is never exported again"),
    (S.ABANDONED, A.ABANDON): Refusal("already_abandoned", f"draft {ID} is abandoned "
                                      "already"),
}


def test_the_expectations_cover_the_whole_table() -> None:
    screens = {(state, A.SCREEN) for state in SCREENED}
    every = {(state, action) for state in DraftState for action in Action}
    assert set(ALLOWED) | set(REFUSED) | screens == every
    assert not set(ALLOWED) & set(REFUSED) and not screens & (set(ALLOWED) | set(REFUSED))


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_allowed(state: DraftState, action: Action) -> None:
    assert refusal(IN[state], action) is None
    assert after(state, action) is ALLOWED[state, action]


@pytest.mark.parametrize(("state", "action"), sorted(REFUSED))
def test_refused(state: DraftState, action: Action) -> None:
    assert refusal(IN[state], action) == REFUSED[state, action]
    with pytest.raises(ValueError, match="refused"):
        after(state, action)


@pytest.mark.parametrize("state", sorted(SCREENED))
def test_a_screen_moves_a_draft_nobody_signed_by_its_verdict(state: DraftState) -> None:
    assert refusal(IN[state], A.SCREEN) is None
    assert [after(state, A.SCREEN, v) for v in ("approve", "delay", "reject")] == [
        S.APPROVED, S.DELAYED, S.REJECTED]
    with pytest.raises(ValueError, match="the verdict decides"):
        after(state, A.SCREEN)


def test_a_part_signed_draft_is_exported_if_its_kind_says_so() -> None:
    """The state allows it; the kind's artifacts() refuses a Safe below the quorum
    (not_fully_signed, tests/pipeline/test_safe_pipeline.py)."""
    assert refusal(IN[S.PARTIALLY_SIGNED], A.EXPORT) is None


def test_an_abandoned_draft_with_signatures_is_not_screened_again() -> None:
    signed = replace(IN[S.ABANDONED], signatures={"A": "30", "B": "31"}, complete=True)
    assert refusal(signed, A.SCREEN) == Refusal("already_signed", SCREENED_ALREADY)


def test_a_delay_without_an_end_and_its_time_as_signing_wrote_it() -> None:
    waiting = replace(IN[S.DELAYED], not_before=None)
    assert refusal(waiting, A.SIGN) == Refusal(
        "velocity_limit", f"draft {ID} is delayed: over 2 BTC a day", delayed=True)
    moment = datetime(2027, 1, 2, 3, 4, 59, tzinfo=UTC)
    timed = replace(IN[S.DELAYED], not_before=iso(moment))
    found = refusal(timed, A.SIGN)
    assert found is not None and f" until {moment:%Y-%m-%d %H:%M}Z: " in found.message


def test_refusals_raise_with_the_contracts_exit_codes() -> None:
    delayed, rejected = DELAY.error(), REJECT.error()
    assert isinstance(delayed, Delayed) and delayed.exit is Exit.DELAYED
    assert isinstance(rejected, Rejected) and rejected.exit is Exit.REJECTED
    assert (rejected.code, rejected.message) == (REJECT.code, REJECT.message)


def test_the_docs_table_is_the_machine() -> None:
    text = (Path(__file__).parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text.split("## Draft states", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    written = {line.split("|")[1].strip().strip("`"): [c.strip() for c in line.split("|")[2:-1]]
               for line in lines}
    header = next(line for line in section.splitlines() if line.startswith("| state"))
    actions = [c.strip() for c in header.split("|")[2:-1]]
    assert actions == [a.value for a in Action]
    assert written == {s.value: [cell(s, a) for a in Action] for s in DraftState}
