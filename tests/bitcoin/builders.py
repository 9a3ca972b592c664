"""Test builders: a wallet from three seeds, fake funding transactions, PSBTs made with embit.

The lead reuses these with HSM keys: only ``software_signer`` is software-specific.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import coincurve
from embit import bip32
from embit.ec import PublicKey
from embit.networks import NETWORKS
from embit.psbt import DerivationPath, OutputScope
from embit.script import Script
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.psbt_file import Psbt, PsbtInput
from signer.chains.bitcoin.signing import SignDigest
from signer.chains.bitcoin.wallet import Cosigner, MultisigWallet, key_id
from signer.hsm.ecdsa import SECP256K1_N, EcdsaSignature, verified_signature

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

    def sign_digest(kid: bytes, digest: bytes) -> EcdsaSignature:
        calls.append(kid)
        private = keys[kid]
        compact = private.sign_recoverable(digest, hasher=None)[:64]
        s = int.from_bytes(compact[32:], "big")
        if next(high):
            s = SECP256K1_N - s
        raw = compact[:32] + s.to_bytes(32, "big")
        return verified_signature(raw, digest, private.public_key.format())

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


def fund(wallet: MultisigWallet, branch: tuple[int, int], amount: int, salt: int) -> Transaction:
    """A fake previous transaction paying ``amount`` to the wallet at ``branch`` (output 1)."""
    fake_outpoint = hashlib.sha256(f"funding {salt}".encode()).digest()
    decoy = TransactionOutput(1000 + salt, Script(b"\x00\x14" + fake_outpoint[:20]))
    paying = TransactionOutput(amount, Script(wallet.script_pubkey(*branch)))
    return Transaction(2, [TransactionInput(fake_outpoint, 0)], [decoy, paying], 0)


def _derivations(
    wallet: MultisigWallet, change: int, index: int
) -> dict[PublicKey, DerivationPath]:
    keys = wallet.child_pubkeys(change, index)
    return {
        PublicKey.parse(keys[c.holder]): DerivationPath(
            c.fingerprint, list(wallet.child_path(c.holder, change, index))
        )
        for c in wallet.cosigners
    }


@dataclass(frozen=True)
class Spend:
    """One wallet output to spend: where it sits and how much it holds."""

    branch: tuple[int, int]
    amount: int


def build_psbt(
    wallet: MultisigWallet,
    spends: Sequence[Spend],
    payments: Sequence[tuple[bytes, int]],
    change: tuple[tuple[int, int], int] | None = None,
    *,
    witness_only: bool = False,
    sequence: int = 0xFFFFFFFD,
    locktime: int = 0,
) -> Psbt:
    """An unsigned PSBT spending ``spends`` to ``payments`` (+ a marked change output)."""
    previous = [fund(wallet, s.branch, s.amount, salt) for salt, s in enumerate(spends)]
    vin = [TransactionInput(prev.txid(), 1, sequence=sequence) for prev in previous]
    vout = [TransactionOutput(amount, Script(script)) for script, amount in payments]
    if change is not None:
        vout.append(TransactionOutput(change[1], Script(wallet.script_pubkey(*change[0]))))
    tx = Transaction(2, vin, vout, locktime)
    psbt = Psbt(tx)
    psbt.inputs = [PsbtInput({}, vin=txin) for txin in vin]
    psbt.outputs = [OutputScope({}, vout=txout) for txout in vout]
    for inp, spend, prev in zip(psbt.inputs, spends, previous, strict=True):
        if not witness_only:
            inp.non_witness_utxo = prev
        inp.witness_utxo = prev.vout[1]
        inp.witness_script = Script(wallet.witness_script(*spend.branch))
        inp.bip32_derivations.update(_derivations(wallet, *spend.branch))
    if change is not None:
        out = psbt.outputs[-1]
        out.witness_script = Script(wallet.witness_script(*change[0]))
        out.bip32_derivations.update(_derivations(wallet, *change[0]))
    return psbt


def external_script(label: str) -> bytes:
    """A P2WPKH script of nobody in particular."""
    return b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]
