"""Signature hashes, SIGHASH_ALL only: BIP143 (segwit v0) with per-transaction caching, and legacy.

BIP143 exists so that signing n inputs costs O(n): hashPrevouts, hashSequence and
hashOutputs are computed once per transaction, and the SHA-256 state after the
common prefix (version, hashPrevouts, hashSequence) is kept and copied per input.
"""

from __future__ import annotations

import hashlib

from embit.compact import to_bytes as compact_size
from embit.transaction import Transaction

SIGHASH_ALL = 1


def double_sha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _outpoint(tx: Transaction, index: int) -> bytes:
    txin = tx.vin[index]
    return bytes(reversed(txin.txid)) + txin.vout.to_bytes(4, "little")


def _output(tx: Transaction, index: int) -> bytes:
    out = tx.vout[index]
    script = bytes(out.script_pubkey.data)
    return int(out.value).to_bytes(8, "little") + compact_size(len(script)) + script


class SighashCache:
    """The digests every input of one unsigned transaction signs."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        n_in, n_out = len(tx.vin), len(tx.vout)
        self._outpoints = [_outpoint(tx, i) for i in range(n_in)]
        self._sequences = [tx.vin[i].sequence.to_bytes(4, "little") for i in range(n_in)]
        self._outputs = [_output(tx, i) for i in range(n_out)]
        self.hash_prevouts = double_sha256(b"".join(self._outpoints))
        self.hash_sequence = double_sha256(b"".join(self._sequences))
        self.hash_outputs = double_sha256(b"".join(self._outputs))
        self._prefix = hashlib.sha256(
            tx.version.to_bytes(4, "little") + self.hash_prevouts + self.hash_sequence
        )
        self._suffix = self.hash_outputs + tx.locktime.to_bytes(4, "little")

    def segwit_v0(self, index: int, script_code: bytes, amount: int) -> bytes:
        """BIP143 digest of input ``index`` for SIGHASH_ALL."""
        inner = self._prefix.copy()
        inner.update(self._outpoints[index])
        inner.update(compact_size(len(script_code)) + script_code)
        inner.update(amount.to_bytes(8, "little"))
        inner.update(self._sequences[index])
        inner.update(self._suffix + SIGHASH_ALL.to_bytes(4, "little"))
        return hashlib.sha256(inner.digest()).digest()

    def legacy(self, index: int, script_code: bytes) -> bytes:
        """Pre-segwit digest of input ``index`` for SIGHASH_ALL (O(n) per input)."""
        parts = [self.tx.version.to_bytes(4, "little"), compact_size(len(self._outpoints))]
        for i, outpoint in enumerate(self._outpoints):
            script = script_code if i == index else b""
            parts += [outpoint, compact_size(len(script)), script, self._sequences[i]]
        parts += [compact_size(len(self._outputs)), *self._outputs]
        parts += [self.tx.locktime.to_bytes(4, "little"), SIGHASH_ALL.to_bytes(4, "little")]
        return double_sha256(b"".join(parts))
