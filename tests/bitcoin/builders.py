"""Test builders: a wallet from three seeds, fake funding transactions, PSBTs made with embit.

The lead reuses these with HSM keys: only ``software_signer`` is software-specific.
PSBT building itself lives in signer.chains.bitcoin.drafting (re-exported here).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import coincurve
from embit import bip32
from embit.networks import NETWORKS

from signer.chains.bitcoin.drafting import Spend, build_psbt, derivations, fund
from signer.chains.bitcoin.signing import SignDigest
from signer.chains.bitcoin.wallet import Cosigner, MultisigWallet, key_id
from signer.hsm.ecdsa import SECP256K1_N, EcdsaSignature, verified_signature

__all__ = ["Spend", "build_psbt", "derivations", "fund"]

HOLDERS = ("A", "B", "C")
SEEDS = {h: hashlib.sha256(f"airsign test seed {h}".encode()).digest() for h in HOLDERS}
ACCOUNT_PATH = "m/48'/1'/0'/2'"


@dataclass(frozen=True)
class SeededWallet:
    """A registered wallet plus the holders' root private keys (tests only)."""

    wallet: MultisigWallet
    roots: dict[str, bip32.HDKey]


def make_wallet(
    seeds: dict[str, bytes] = SEEDS, network: str = "regtest", path: str = ACCOUNT_PATH
) -> SeededWallet:
    """A 2-of-3 wallet whose cosigners are derived from ``seeds`` at ``path``."""
    version = NETWORKS["main" if network == "mainnet" else "test"]
    roots, cosigners = {}, []
    for holder, seed in seeds.items():
        root = bip32.HDKey.from_seed(seed, version=version["xprv"])
        account = root.derive(path).to_public()
        cosigners.append(Cosigner(holder, root.my_fingerprint, account.to_base58(), path))
        roots[holder] = root
    return SeededWallet(MultisigWallet("test-wallet", network, tuple(cosigners)), roots)


def software_signer(secrets: Iterable[bytes]) -> tuple[SignDigest, list[bytes]]:
    """A stand-in for the HSM: returns high-S every other time, as SoftHSM does; records key ids."""
    keys = {}
    for secret in secrets:
        private = coincurve.PrivateKey(secret)
        keys[key_id(private.public_key.format())] = private
    high = itertools.cycle((False, True))
    calls: list[bytes] = []

    def sign_digest(kid: bytes, digest: bytes, expected: bytes) -> EcdsaSignature:
        calls.append(kid)
        private = keys[kid]
        compact = private.sign_recoverable(digest, hasher=None)[:64]
        s = int.from_bytes(compact[32:], "big")
        if next(high):
            s = SECP256K1_N - s
        raw = compact[:32] + s.to_bytes(32, "big")
        return verified_signature(raw, digest, expected)

    return sign_digest, calls


def holder_signer(
    seeded: SeededWallet, holder: str, branches: Iterable[tuple[int, int]]
) -> tuple[SignDigest, list[bytes]]:
    """Software signer holding ``holder``'s child keys at the given (change, index)."""
    wallet = seeded.wallet
    root = seeded.roots[holder]
    secrets = [
        root.derive(list(wallet.child_path(holder, change, index))).key.secret
        for change, index in set(branches)
    ]
    return software_signer(secrets)


def external_script(label: str) -> bytes:
    """A P2WPKH script of nobody in particular."""
    return b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]
