"""Where drafts wait for the holders' tokens: the only concurrency in a signing run.

Each holder's token is a separate device with a thread of its own, so two holders sign
the same draft at the same time, and the tokens sign the next drafts while the run
records the ones before. The run hands a draft's plan in (``submit``) and takes drafts
back in the order it handed them in (``finished``), each with what every holder's token
made, up to the first failure. Nothing here touches the state database or decides
anything: sign_drafts.py does, one draft at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from signer.chains.kind import HolderStep, Plan
from signer.errors import AirsignError
from signer.hsm.token import TokenSession

T = TypeVar("T")  # what the run keeps beside a draft at the tokens

# Drafts handed to the tokens and not yet taken back: enough to keep every token busy
# while the run records a draft and checks the next.
DEPTH = 2

Signer = Callable[[HolderStep, TokenSession], object]


@dataclass
class AtTokens(Generic[T]):
    """A draft at the tokens: the run's own record of it, and each holder's signing."""

    turn: T
    futures: list[tuple[str, Future[object]]] = field(default_factory=list)

    def results(self) -> tuple[list[tuple[str, object]], AirsignError | None]:
        """What each holder's token made, in the plan's order, up to the first failure
        (what a later holder made then is dropped: it never leaves the appliance)."""
        made: list[tuple[str, object]] = []
        failure = None
        for holder, future in self.futures:
            try:
                result = future.result()
            except AirsignError as error:
                failure = failure or error
                continue
            if failure is None:
                made.append((holder, result))
        return made, failure


class TokenDesk(Generic[T]):
    """One worker thread per holder's token; drafts leave in the order they came."""

    def __init__(self, tokens: Mapping[str, TokenSession], depth: int = DEPTH) -> None:
        self._tokens = tokens
        self._depth = depth
        self._stack = ExitStack()
        self._workers = {holder: self._stack.enter_context(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"token-{holder}"))
            for holder in tokens}
        self._waiting: deque[AtTokens[T]] = deque()

    def __enter__(self) -> TokenDesk[T]:
        return self

    def __exit__(self, *_: object) -> None:
        # Waits for the signing under way: the sessions outlive the desk.
        self._stack.close()

    def submit(self, turn: T, plan: Plan, sign: Signer) -> None:
        """Every holder's step of ``plan`` goes to that holder's token at once."""
        at = AtTokens(turn)
        for step in plan.steps:
            token = self._tokens[step.holder]
            at.futures.append((step.holder, self._workers[step.holder].submit(sign, step,
                                                                               token)))
        self._waiting.append(at)

    def waiting(self) -> list[T]:
        """The drafts at the tokens, oldest first."""
        return [at.turn for at in self._waiting]

    def finished(self, keep: int | None = None) -> Iterator[AtTokens[T]]:
        """Drafts taken back, oldest first, until ``keep`` remain (default: the depth;
        0: all of them). Each waits for its own tokens only."""
        keep = self._depth if keep is None else keep
        while len(self._waiting) > keep:
            yield self._waiting.popleft()
