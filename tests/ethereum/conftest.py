"""Fixtures for the Ethereum Safe tests: a real-contract chain and software owner keys."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import coincurve
import pytest
from eth_account import Account
from eth_utils import keccak
from safe_chain import SafeChain, SafeWallet, deploy_wallet

from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.signing import SafeOwner
from signer.chains.ethereum.tokens import Token, TokenRegistry
from signer.hsm.ecdsa import SECP256K1_N, EcdsaSignature, verified_signature

HOLDERS = ("A", "B", "C")


def software_sign_digest(secret: bytes) -> Callable[[bytes], EcdsaSignature]:
    """Stand-in for the HSM: raw r||s, high-S every other time (as SoftHSM does about half)."""
    key = coincurve.PrivateKey(secret)
    public = key.public_key.format()
    high = itertools.cycle((False, True))

    def sign_digest(digest: bytes) -> EcdsaSignature:
        compact = key.sign_recoverable(digest, hasher=None)[:64]
        s = int.from_bytes(compact[32:], "big")
        if next(high):
            s = SECP256K1_N - s
        return verified_signature(compact[:32] + s.to_bytes(32, "big"), digest, public)

    return sign_digest


def owner_secret(holder: str) -> bytes:
    return keccak(f"airsign test owner {holder}".encode())


@pytest.fixture(scope="session")
def owners() -> list[SafeOwner]:
    """Holders A, B, C with software keys; addresses derived by eth-account."""
    return [
        SafeOwner(
            h, Account.from_key(owner_secret(h)).address, software_sign_digest(owner_secret(h))
        )
        for h in HOLDERS
    ]


@pytest.fixture(scope="session")
def chain() -> SafeChain:
    return SafeChain()


@pytest.fixture(scope="session")
def deployed(chain: SafeChain, owners: list[SafeOwner]) -> SafeWallet:
    return deploy_wallet(chain, [o.owner for o in owners])


@pytest.fixture
def wallet(deployed: SafeWallet) -> Iterator[SafeWallet]:
    """The deployed wallet, with every chain change undone after the test."""
    with deployed.chain.snapshot():
        yield deployed


@pytest.fixture(scope="session")
def tokens(chain: SafeChain, deployed: SafeWallet) -> TokenRegistry:
    return TokenRegistry([Token("USDT", 6, deployed.token.address, chain.chain_id)])


@pytest.fixture(scope="session")
def settings(chain: SafeChain, deployed: SafeWallet) -> Settings:
    return Settings(trusted_multisend={chain.chain_id: frozenset({deployed.multisend.address})})
