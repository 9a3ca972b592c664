"""BIP174 creator and updater roles: an unsigned PSBT paying from the registered wallet.

The online vault system plays these roles in production; the appliance uses this
for the demo inbox and the tests, and integrators can use it to build conforming
drafts. Funding transactions are synthetic (regtest-style): they prove amounts
through ``non_witness_utxo`` exactly as a real previous transaction would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from embit.ec import PublicKey
from embit.psbt import DerivationPath, OutputScope
from embit.script import Script
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.psbt_file import Psbt, PsbtInput
from signer.chains.bitcoin.wallet import MultisigWallet


@dataclass(frozen=True)
class Spend:
    """One wallet output to spend: where it sits (change, index) and how much it holds."""

    branch: tuple[int, int]
    amount: int


def fund(wallet: MultisigWallet, branch: tuple[int, int], amount: int, salt: int) -> Transaction:
    """A synthetic previous transaction paying ``amount`` to the wallet at ``branch`` (output 1)."""
    fake_outpoint = hashlib.sha256(f"funding {salt}".encode()).digest()
    decoy = TransactionOutput(1000 + salt, Script(b"\x00\x14" + fake_outpoint[:20]))
    paying = TransactionOutput(amount, Script(wallet.script_pubkey(*branch)))
    return Transaction(2, [TransactionInput(fake_outpoint, 0)], [decoy, paying], 0)


def derivations(wallet: MultisigWallet, change: int, index: int) -> dict[PublicKey, DerivationPath]:
    """BIP32 derivation data of every cosigner's key at ``/change/index``."""
    keys = wallet.child_pubkeys(change, index)
    return {
        PublicKey.parse(keys[c.holder]): DerivationPath(
            c.fingerprint, list(wallet.child_path(c.holder, change, index))
        )
        for c in wallet.cosigners
    }


def build_psbt(
    wallet: MultisigWallet,
    spends: Sequence[Spend],
    payments: Sequence[tuple[bytes, int]],
    change: tuple[tuple[int, int], int] | None = None,
    *,
    witness_only: bool = False,
    sequence: int = 0xFFFFFFFD,
    locktime: int = 0,
    salt: int = 0,
) -> Psbt:
    """An unsigned PSBT spending ``spends`` to ``payments`` (+ a marked change output)."""
    previous = [fund(wallet, s.branch, s.amount, salt + n) for n, s in enumerate(spends)]
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
        inp.bip32_derivations.update(derivations(wallet, *spend.branch))
    if change is not None:
        out = psbt.outputs[-1]
        out.witness_script = Script(wallet.witness_script(*change[0]))
        out.bip32_derivations.update(derivations(wallet, *change[0]))
    return psbt
