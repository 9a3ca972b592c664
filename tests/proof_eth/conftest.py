"""Fixtures for the Ethereum side of proof of reserves: real Safe contracts, owner keys.

The Safe test chain of tests/ethereum is reused as it is, so that folder goes on sys.path.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import coincurve
import pytest
from eth_account import Account
from eth_utils import keccak

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS / "ethereum") not in sys.path:
    sys.path.append(str(TESTS / "ethereum"))

from proof_chain import VERSIONS, ProofChain  # noqa: E402
from web3.contract import Contract  # noqa: E402

from signer.chains.ethereum.signing import SafeOwner  # noqa: E402
from signer.hsm.ecdsa import EcdsaSignature, verified_signature  # noqa: E402
from signer.hsm.gateway import Gateway  # noqa: E402
from signer.hsm.token import TokenSession  # noqa: E402
from softhsm.tokens import TokenSet  # noqa: E402

HOLDER_TOKENS = {"A": "holder-a", "B": "holder-b", "C": "holder-c"}


def software_sign_digest(secret: bytes) -> Callable[[bytes], EcdsaSignature]:
    """Stand-in for a token (contract-equivalence tests): raw r||s over the digest."""
    key = coincurve.PrivateKey(secret)

    def sign_digest(digest: bytes) -> EcdsaSignature:
        compact = key.sign_recoverable(digest, hasher=None)[:64]
        return verified_signature(compact, digest, key.public_key.format())

    return sign_digest


def owner_secret(name: str) -> bytes:
    return keccak(f"airsign proof test owner {name}".encode())


@pytest.fixture(scope="session")
def owners() -> list[SafeOwner]:
    """Holders A, B, C with software keys; addresses derived by eth-account."""
    return [
        SafeOwner(
            h, Account.from_key(owner_secret(h)).address, software_sign_digest(owner_secret(h))
        )
        for h in "ABC"
    ]


@pytest.fixture(scope="session")
def outsider() -> SafeOwner:
    """A key that is not an owner of any test Safe."""
    secret = owner_secret("outsider")
    return SafeOwner("X", Account.from_key(secret).address, software_sign_digest(secret))


@pytest.fixture(scope="session")
def proof_chain() -> ProofChain:
    return ProofChain()


@pytest.fixture(scope="session")
def proof_safes(proof_chain: ProofChain, owners: list[SafeOwner]) -> dict[str, Contract]:
    """One 2-of-3 Safe per version for the software owners."""
    return {v: proof_chain.create_proof_safe(v, [o.owner for o in owners]) for v in VERSIONS}


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
