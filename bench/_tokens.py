"""Throwaway SoftHSM tokens for benchmarks (same harness as the tests)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pkcs11

from softhsm.tokens import TokenSet, create_token_set

BENCH_PIN = "bench-user-pin"


def bench_tokens(labels: tuple[str, ...] = ("holder-a", "holder-b", "holder-c")) -> TokenSet:
    directory = Path(tempfile.mkdtemp(prefix="airsign-bench-"))
    tokens = create_token_set(directory, labels, "bench-so-pin", BENCH_PIN)
    os.environ.update(tokens.environment())
    pkcs11.lib(tokens.module).reinitialize()
    return tokens
