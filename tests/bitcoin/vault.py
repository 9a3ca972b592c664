"""Drafts as a hostile online vault makes them: embit objects straight from the wallet's
public keys (what `airsign wallet show` exports), none of the appliance's builders.

The vault derives the wallet's keys, witness scripts and scripts itself with embit, so a
check that agrees with the appliance's own builder but not with the chain is caught.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embit import bip32
from embit.ec import PublicKey
from embit.psbt import PSBT, DerivationPath, InputScope, OutputScope
from embit.script import Script, multisig, p2wsh
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.wallet import MultisigWallet

Derivations = dict[PublicKey, DerivationPath]


class _Input(InputScope):
    # embit writes sequence 0 as 0xffffffff; a vault writing raw fields would not.
    @property
    def vin(self) -> TransactionInput:
        return TransactionInput(self.txid, self.vout,
                                sequence=0xFFFFFFFF if self.sequence is None else self.sequence)


class _Psbt(PSBT):
    # embit writes transaction version 0 as 2; the raw unsigned transaction would carry 0.
    PSBTIN_CLS = _Input

    @property
    def tx(self) -> Transaction:
        return Transaction(version=2 if self.tx_version is None else self.tx_version,
                           locktime=self.locktime or 0,
                           vin=[inp.vin for inp in self.inputs],
                           vout=[out.vout for out in self.outputs])


@dataclass
class Out:
    """One output the vault writes: script, value, and whatever derivation data it claims."""

    script: bytes
    value: int
    bip32: Derivations = field(default_factory=dict)
    witness_script: bytes | None = None


@dataclass
class Spend:
    """A wallet coin at ``/change/index`` worth ``amount`` sat."""

    change: int
    index: int
    amount: int


class Vault:
    """The online side: knows the holders' fingerprints, account paths and xpubs."""

    def __init__(self, wallet: MultisigWallet) -> None:
        self.accounts = [(c.fingerprint, bip32.HDKey.from_base58(c.xpub), c.path)
                         for c in wallet.cosigners]
        self.threshold = wallet.threshold
        self._known: dict[tuple[int, int], Derivations] = {}

    def derivations(self, change: int, index: int) -> Derivations:
        if (change, index) in self._known:
            return dict(self._known[change, index])
        found = {}
        for fingerprint, account, path in self.accounts:
            child = account.derive([change, index])
            full = [*bip32.parse_path(path), change, index]
            found[child.key] = DerivationPath(fingerprint, full)
        self._known[change, index] = found
        return dict(found)

    def witness_script(self, change: int, index: int) -> Script:
        keys = sorted(self.derivations(change, index), key=lambda k: k.sec())
        return multisig(self.threshold, keys)

    def script(self, change: int, index: int) -> bytes:
        return bytes(p2wsh(self.witness_script(change, index)).data)

    def change(self, change: int, index: int, value: int) -> Out:
        """An output marked as ours, as wallets mark change (BIP174 output fields)."""
        return Out(self.script(change, index), value, self.derivations(change, index),
                   bytes(self.witness_script(change, index).data))

    def funding(self, spend: Spend, salt: int) -> Transaction:
        seed = hashlib.sha256(f"vault funding {salt}".encode()).digest()
        paying = TransactionOutput(spend.amount, Script(self.script(spend.change, spend.index)))
        other = TransactionOutput(5_000 + salt, Script(b"\x00\x14" + seed[:20]))
        return Transaction(2, [TransactionInput(seed, 0)], [other, paying], 0)

    def psbt(self, spends: Sequence[Spend], outputs: Sequence[Out], *, version: int = 2,
             locktime: int = 0, sequence: int | Sequence[int] = 0xFFFFFFFD,
             salt: int = 0) -> PSBT:
        sequences = [sequence] * len(spends) if isinstance(sequence, int) else list(sequence)
        previous = [self.funding(s, salt * 1000 + n) for n, s in enumerate(spends)]
        tx = Transaction(version,
                         [TransactionInput(p.txid(), 1, sequence=q)
                          for p, q in zip(previous, sequences, strict=True)],
                         [TransactionOutput(o.value, Script(o.script)) for o in outputs],
                         locktime)
        psbt = _Psbt(tx)
        psbt.inputs = [_Input({}, vin=vin) for vin in tx.vin]
        psbt.outputs = [OutputScope({}, vout=vout) for vout in tx.vout]
        for inp, spend, prev in zip(psbt.inputs, spends, previous, strict=True):
            inp.non_witness_utxo = prev
            inp.witness_utxo = prev.vout[1]
            inp.witness_script = self.witness_script(spend.change, spend.index)
            inp.bip32_derivations = self.derivations(spend.change, spend.index)
        for scope, out in zip(psbt.outputs, outputs, strict=True):
            scope.bip32_derivations = dict(out.bip32)
            if out.witness_script is not None:
                scope.witness_script = Script(out.witness_script)
        return psbt


def write(psbt: PSBT, path: Path) -> Path:
    """The base64 text file the vault hands over on USB."""
    path.write_bytes(base64.b64encode(bytes(psbt.serialize())))
    return path


def p2wpkh(label: str) -> bytes:
    return b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]


def p2wsh_of(label: str) -> bytes:
    return b"\x00\x20" + hashlib.sha256(label.encode()).digest()


def p2tr(label: str) -> bytes:
    return b"\x51\x20" + hashlib.sha256(label.encode()).digest()


def p2pkh(label: str) -> bytes:
    return b"\x76\xa9\x14" + hashlib.sha256(label.encode()).digest()[:20] + b"\x88\xac"


def p2sh(label: str) -> bytes:
    return b"\xa9\x14" + hashlib.sha256(label.encode()).digest()[:20] + b"\x87"
