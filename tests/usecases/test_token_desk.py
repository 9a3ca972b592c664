"""The token desk on its own (a pure unit test: its tokens are stand-ins; signing with
real SoftHSM tokens is tested through `sign` in tests/pipeline)."""

from __future__ import annotations

import threading
import time
from typing import Any

from signer.chains.kind import HolderStep, Plan
from signer.errors import HsmError
from signer.usecases.token_desk import TokenDesk


class SlowToken:
    """Takes ``delay`` seconds a signature and notes when each one ran, on which thread."""

    def __init__(self, name: str, delay: float, fails: set[str] | None = None) -> None:
        self.name, self.delay, self.fails = name, delay, fails or set()
        self.spans: list[tuple[float, float, str]] = []

    def sign(self, work: str) -> str:
        start = time.perf_counter()
        time.sleep(self.delay)
        self.spans.append((start, time.perf_counter(), threading.current_thread().name))
        if work in self.fails:
            raise HsmError("sign_failed", f"token {self.name} did not sign {work}")
        return f"{self.name}:{work}"


def _sign(step: HolderStep, token: Any) -> object:
    return token.sign(step.work)


def _plan(draft: str, holders: str = "AB") -> Plan:
    return Plan(tuple(HolderStep(h, draft) for h in holders))


def test_drafts_come_back_in_the_order_they_went_in_with_every_holder_s_result() -> None:
    tokens = {"A": SlowToken("A", 0.002), "B": SlowToken("B", 0.001)}
    with TokenDesk[str](tokens) as desk:  # type: ignore[arg-type]
        for draft in ("d1", "d2", "d3", "d4"):
            desk.submit(draft, _plan(draft), _sign)
        assert desk.waiting() == ["d1", "d2", "d3", "d4"]
        first = list(desk.finished())  # down to the depth (2)
        rest = list(desk.finished(keep=0))
    assert [at.turn for at in first] == ["d1", "d2"]
    assert [at.turn for at in rest] == ["d3", "d4"]
    assert rest[1].results() == ([("A", "A:d4"), ("B", "B:d4")], None)


def test_two_holders_tokens_sign_at_the_same_time_on_threads_of_their_own() -> None:
    tokens = {"A": SlowToken("A", 0.05), "B": SlowToken("B", 0.05)}
    started = time.perf_counter()
    with TokenDesk[str](tokens) as desk:  # type: ignore[arg-type]
        desk.submit("d1", _plan("d1"), _sign)
        [done] = list(desk.finished(keep=0))
    elapsed = time.perf_counter() - started
    (a_start, a_end, a_thread), = tokens["A"].spans
    (b_start, b_end, b_thread), = tokens["B"].spans
    assert a_thread != b_thread
    assert a_start < b_end and b_start < a_end  # the two signatures overlapped
    assert elapsed < 0.095  # not one after the other (0.1 s)
    assert done.results()[1] is None


def test_a_failure_keeps_the_holders_before_it_and_drops_those_after() -> None:
    tokens = {"A": SlowToken("A", 0.001), "B": SlowToken("B", 0.001, fails={"d1"}),
              "C": SlowToken("C", 0.001)}
    with TokenDesk[str](tokens) as desk:  # type: ignore[arg-type]
        desk.submit("d1", _plan("d1", "ABC"), _sign)
        desk.submit("d2", _plan("d2", "CA"), _sign)
        one, two = desk.finished(keep=0)
    made, failure = one.results()
    assert made == [("A", "A:d1")]  # C signed too, but after B failed: never used
    assert failure is not None and failure.code == "sign_failed"
    assert two.results() == ([("C", "C:d2"), ("A", "A:d2")], None)  # the next draft goes on
