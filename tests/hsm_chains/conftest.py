"""Fixtures for chain-level signing with keys held in real SoftHSM tokens.

The Bitcoin and Ethereum test builders (tests/bitcoin/builders.py,
tests/ethereum/safe_chain.py) are reused as they are, so both folders go on sys.path.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for folder in ("bitcoin", "ethereum"):
    if str(TESTS / folder) not in sys.path:
        sys.path.append(str(TESTS / folder))

from builders import SeededWallet, make_wallet  # noqa: E402

from signer.hsm.gateway import Gateway  # noqa: E402
from signer.hsm.token import TokenSession  # noqa: E402
from softhsm.tokens import TokenSet  # noqa: E402

HOLDER_TOKENS = {"A": "holder-a", "B": "holder-b", "C": "holder-c"}


@pytest.fixture
def gateway(token_set: TokenSet) -> Gateway:
    """The one PKCS#11 door onto a fresh holder-a/-b/-c token directory."""
    return Gateway(token_set.module)


@pytest.fixture
def tokens(gateway: Gateway, user_pin: str) -> Iterator[dict[str, TokenSession]]:
    """Holder letter -> a logged-in session on that holder's token; logged out afterwards."""
    sessions = {holder: gateway.login(label, user_pin) for holder, label in HOLDER_TOKENS.items()}
    yield sessions
    for session in sessions.values():
        session.logout()


@pytest.fixture(scope="session")
def seeded() -> SeededWallet:
    """The builders' 2-of-3 regtest wallet with the holders' root keys (tests only)."""
    return make_wallet()
