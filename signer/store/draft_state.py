"""Where a draft stands (DraftState) and what may be done to it from there (Action).

The values are the contract's words (`drafts --json`, `show`, `--state S`): they never
change. TRANSITIONS is the whole machine: from each state, each action either moves the
draft to a state or is refused with the code and message operators have always seen
(docs/formats.md, "Draft states"). Reasons that are not the draft's state (a holder who
signed already, a Safe cancellation of a Bitcoin draft, a nonce held by another draft)
stay with the use case that knows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from signer.errors import AirsignError, Delayed, Rejected


class DraftState(StrEnum):
    APPROVED = "approved"  # screened and approved, or a delay a quorum released
    DELAYED = "delayed"
    REJECTED = "rejected"
    PARTIALLY_SIGNED = "partially_signed"  # some of our signatures, short of the quorum
    SIGNED = "signed"  # the quorum: complete
    EXPORTED = "exported"  # complete and written out at least once
    ABANDONED = "abandoned"  # by a quorum: never signed or exported again


class Action(StrEnum):
    SCREEN = "screen"  # a verdict: `screen ID`, or the screen right before a first signature
    RELEASE = "release"  # a quorum releases a delay early
    SIGN = "sign"  # a signature short of the quorum
    COMPLETE = "complete"  # the signature that completes the quorum
    EXPORT = "export"
    ABANDON = "abandon"  # a quorum withdraws the draft and frees its claims
    CANCEL = "cancel"  # a quorum abandons a Safe draft and creates its cancellation


class StatedDraft(Protocol):
    """What the machine reads of a draft (Draft has it)."""

    @property
    def id(self) -> str: ...
    @property
    def chain(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def reasons(self) -> list[dict[str, str]]: ...
    @property
    def not_before(self) -> str | None: ...
    @property
    def signatures(self) -> Mapping[str, str]: ...
    @property
    def state(self) -> DraftState: ...


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    delayed: bool = False  # exit 4 (wait, then try again) rather than 3

    def error(self) -> AirsignError:
        return Delayed(self.code, self.message) if self.delayed else Rejected(self.code,
                                                                              self.message)


@dataclass(frozen=True)
class Refused:
    """A table cell: the action is refused with ``code``."""

    code: str


@dataclass(frozen=True)
class ByVerdict:
    """A table cell (screen): the verdict written decides the next state."""


@dataclass(frozen=True)
class RefusedByVerdict:
    """A table cell (sign): refused with the first reason of the draft's verdict. Signing
    screens such a draft again first: an approval makes it approved, and signable."""


@dataclass(frozen=True)
class Unless:
    """A table cell: ``then``, except for a draft that is ``when``: refused with ``code``."""

    then: DraftState
    code: str
    when: str  # what the draft is, in the docs' words
    applies: Callable[[StatedDraft], bool]


Move = DraftState | Refused | ByVerdict | RefusedByVerdict | Unless

S = DraftState
A = Action
_NOT_DELAYED = Refused("not_delayed")
_SCREENED_ALREADY = Refused("already_signed")  # screened right before the first signature
_COMPLETE = Refused("already_complete")
_BY_ITS_VERDICT = RefusedByVerdict()

TRANSITIONS: dict[DraftState, dict[Action, Move]] = {
    S.APPROVED: {
        A.SCREEN: ByVerdict(), A.RELEASE: _NOT_DELAYED, A.SIGN: S.PARTIALLY_SIGNED,
        A.COMPLETE: S.SIGNED, A.EXPORT: Refused("not_signed"), A.ABANDON: S.ABANDONED,
        A.CANCEL: S.ABANDONED,
    },
    S.DELAYED: {
        A.SCREEN: ByVerdict(), A.RELEASE: S.APPROVED, A.SIGN: _BY_ITS_VERDICT,
        A.COMPLETE: _BY_ITS_VERDICT, A.EXPORT: Refused("not_signed"), A.ABANDON: S.ABANDONED,
        A.CANCEL: S.ABANDONED,
    },
    S.REJECTED: {
        A.SCREEN: ByVerdict(), A.RELEASE: _NOT_DELAYED, A.SIGN: _BY_ITS_VERDICT,
        A.COMPLETE: _BY_ITS_VERDICT, A.EXPORT: Refused("rejected"), A.ABANDON: S.ABANDONED,
        A.CANCEL: S.ABANDONED,
    },
    S.PARTIALLY_SIGNED: {
        A.SCREEN: _SCREENED_ALREADY, A.RELEASE: _NOT_DELAYED, A.SIGN: S.PARTIALLY_SIGNED,
        A.COMPLETE: S.SIGNED,
        # Whether a part-signed draft is worth exporting is its kind's to say (a PSBT goes
        # out to the other signers; a Safe's signatures only with the quorum): artifacts().
        A.EXPORT: S.PARTIALLY_SIGNED,
        A.ABANDON: S.ABANDONED, A.CANCEL: S.ABANDONED,
    },
    S.SIGNED: {
        A.SCREEN: _SCREENED_ALREADY, A.RELEASE: _NOT_DELAYED, A.SIGN: _COMPLETE,
        A.COMPLETE: _COMPLETE, A.EXPORT: S.EXPORTED, A.ABANDON: S.ABANDONED,
        A.CANCEL: S.ABANDONED,
    },
    S.EXPORTED: {
        A.SCREEN: _SCREENED_ALREADY, A.RELEASE: _NOT_DELAYED, A.SIGN: _COMPLETE,
        A.COMPLETE: _COMPLETE, A.EXPORT: S.EXPORTED, A.ABANDON: S.ABANDONED,
        A.CANCEL: S.ABANDONED,
    },
    S.ABANDONED: {
        # `screen ID` refuses a draft only for its signatures: one abandoned without any
        # gets a verdict, and stays abandoned.
        A.SCREEN: Unless(S.ABANDONED, "already_signed", "one that carries signatures",
                         lambda d: bool(d.signatures)),
        A.RELEASE: Refused("abandoned"), A.SIGN: Refused("abandoned"),
        A.COMPLETE: Refused("abandoned"), A.EXPORT: Refused("abandoned"),
        A.ABANDON: Refused("already_abandoned"),
        # `cancel` of a Safe draft abandoned already creates the cancellation all the same.
        A.CANCEL: S.ABANDONED,
    },
}

_BY_VERDICT = {"approve": S.APPROVED, "delay": S.DELAYED, "reject": S.REJECTED}


def after(state: DraftState, action: Action, verdict: str | None = None) -> DraftState:
    """The state ``action`` leads to from ``state`` (``verdict``: what a screen wrote);
    ValueError when the table refuses it."""
    move = TRANSITIONS[state][action]
    if isinstance(move, Unless):
        return move.then
    if isinstance(move, ByVerdict):
        if verdict not in _BY_VERDICT:
            raise ValueError(f"{action} from {state}: the verdict decides, not {verdict!r}")
        return _BY_VERDICT[verdict]
    if isinstance(move, Refused | RefusedByVerdict):
        raise ValueError(f"{action} from {state} is refused")
    return move


def refusal(draft: StatedDraft, action: Action, threshold: int = 0) -> Refusal | None:
    """Why ``action`` may not be done to ``draft`` in its state, as operators are told;
    None when the table allows it. ``threshold``: the Safe's, for an export's message."""
    move = TRANSITIONS[draft.state][action]
    if isinstance(move, RefusedByVerdict):
        return _verdict_refusal(draft)
    if isinstance(move, Refused) or (isinstance(move, Unless) and move.applies(draft)):
        return Refusal(move.code, _MESSAGES[move.code](draft, action, threshold))
    return None


def cell(state: DraftState, action: Action) -> str:
    """A cell of the table in docs/formats.md ("Draft states"), as written there."""
    move = TRANSITIONS[state][action]
    if isinstance(move, Refused):
        return f"`{move.code}`"
    if isinstance(move, ByVerdict):
        return "by the verdict"
    if isinstance(move, RefusedByVerdict):
        return "its verdict's reason"
    if isinstance(move, Unless):
        return f"{move.then}; {move.when}: `{move.code}`"
    return str(move)


def _verdict_refusal(draft: StatedDraft) -> Refusal:
    """What signing says of a draft its screen delays or rejects (the first reason)."""
    reason = draft.reasons[0] if draft.reasons else {"code": draft.verdict, "message": ""}
    if draft.state is S.DELAYED:
        when = draft.not_before
        until = f" until {when[:10]} {when[11:16]}Z" if when else ""
        return Refusal(reason["code"], f"draft {draft.id} is delayed{until}: "
                       f"{reason['message']}", delayed=True)
    return Refusal(reason["code"], f"draft {draft.id} is rejected: {reason['message']}")


def _abandoned(draft: StatedDraft, action: Action, _threshold: int) -> str:
    never = {Action.SIGN: "signed again (import a new draft)",
             Action.COMPLETE: "signed again (import a new draft)",
             Action.EXPORT: "exported again"}.get(action, "released")
    return f"draft {draft.id} was abandoned by a quorum: it is never {never}"


def _already_signed(draft: StatedDraft, _action: Action, _threshold: int) -> str:
    return (f"draft {draft.id} carries signatures ({', '.join(sorted(draft.signatures))}): "
            "it is not screened again")


_MESSAGES: dict[str, Callable[[StatedDraft, Action, int], str]] = {
    "abandoned": _abandoned,
    "already_abandoned": lambda d, _a, _t: f"draft {d.id} is abandoned already",
    "already_complete": lambda d, _a, _t: (f"draft {d.id} already carries the quorum of "
                                           "signatures: it can never be signed again"),
    "already_signed": _already_signed,
    "not_delayed": lambda d, _a, _t: f"draft {d.id} is not delayed (verdict {d.verdict})",
    "not_signed": lambda d, _a, _t: f"draft {d.id} carries none of our signatures yet",
    "rejected": lambda d, _a, _t: f"draft {d.id} was rejected; there is nothing to export",
}
