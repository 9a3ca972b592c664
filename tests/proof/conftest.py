"""Fixtures for the proof tests: the builders' wallet, holder tokens, the BIP-322 vectors.

The holder-token fixtures are tests/hsm_chains' (real SoftHSM tokens holder-a/-b/-c),
imported so that proofs are signed exactly the way wallet spends are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
for folder in ("bitcoin", "hsm_chains"):
    if str(TESTS / folder) not in sys.path:
        sys.path.append(str(TESTS / folder))

from tests.hsm_chains.conftest import gateway, seeded, tokens  # noqa: E402, F401 (fixtures)
from tests.pipeline.conftest import wallet_cli  # noqa: E402, F401 (fixture: a ceremony's home)

VECTORS = TESTS / "vectors"


@pytest.fixture(scope="session")
def basic_vectors() -> dict[str, Any]:
    """bitcoin/bips bip-0322/basic-test-vectors.json (tests/vectors/README.md)."""
    return dict(json.loads((VECTORS / "bip322-basic-test-vectors.json").read_text()))


@pytest.fixture(scope="session")
def generated_vectors() -> dict[str, Any]:
    """bitcoin/bips bip-0322/generated-test-vectors.json (tests/vectors/README.md)."""
    return dict(json.loads((VECTORS / "bip322-generated-test-vectors.json").read_text()))
