"""Throwaway SoftHSM tokens for benchmarks (same harness as the tests), and slow ones."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pkcs11
from pkcs11 import Mechanism

from signer.hsm.gateway import Gateway
from signer.hsm.token import TokenKey, TokenSession
from softhsm.tokens import TokenSet, create_token_set

BENCH_PIN = "bench-user-pin"


def bench_tokens(labels: tuple[str, ...] = ("holder-a", "holder-b", "holder-c")) -> TokenSet:
    directory = Path(tempfile.mkdtemp(prefix="airsign-bench-"))
    tokens = create_token_set(directory, labels, "bench-so-pin", BENCH_PIN)
    os.environ.update(tokens.environment())
    pkcs11.lib(tokens.module).reinitialize()
    return tokens


class SlowTokenSession(TokenSession):
    """A real SoftHSM session whose every signature takes ``delay`` seconds more: a
    stand-in for a network HSM, whose round trip the signing pipeline cannot avoid.

    The wait is in ``_raw_sign``, the one PKCS#11 signing call every signing method
    goes through, in the thread that calls the token and before the gateway lock is
    taken: it is this token's latency, not the module's, so a pipeline that asks two
    tokens at once may overlap their waits (as it could with two network HSMs).
    """

    def __init__(self, gateway: Gateway, label: str, session: pkcs11.Session,
                 slowdown: Slowdown) -> None:
        super().__init__(gateway, label, session)
        self._slowdown = slowdown

    def _raw_sign(self, key: TokenKey, data: bytes, mechanism: Mechanism) -> bytes:
        time.sleep(self._slowdown.delay)
        with self._slowdown.lock:
            self._slowdown.signatures += 1
        return super()._raw_sign(key, data, mechanism)


@dataclass
class Slowdown:
    """The delay added to each signature, and how many signatures paid it."""

    delay: float
    signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def slow_tokens(gateway: Gateway, delay: float) -> Slowdown:
    """From now on every login through ``gateway`` (the one door every holder login of
    the use cases passes, whatever the signing loop does with the sessions) yields a
    SlowTokenSession. The count lets a bench check that the delay was really paid."""
    slowdown = Slowdown(delay)
    login = gateway.login

    def slow_login(label: str, pin: str) -> TokenSession:
        session = login(label, pin)
        return SlowTokenSession(gateway, label, session.session, slowdown)

    gateway.login = slow_login  # type: ignore[method-assign]
    return slowdown
