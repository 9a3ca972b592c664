"""Scripts the signer understands: bare ``m``-of-``n`` CHECKMULTISIG and its wrappers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from embit.hashes import hash160

from signer.chains.bitcoin.wire import push_data

OP_CHECKMULTISIG = 0xAE


@dataclass(frozen=True)
class Multisig:
    """``OP_m <key>... OP_n OP_CHECKMULTISIG`` with compressed keys."""

    threshold: int
    pubkeys: tuple[bytes, ...]


def parse_multisig(script: bytes) -> Multisig | None:
    """The multisig a script is, or None when it is anything else."""
    if len(script) < 3 or script[-1] != OP_CHECKMULTISIG:
        return None
    m, n = script[0] - 0x50, script[-2] - 0x50
    if not (1 <= m <= n <= 16) or len(script) != 3 + 34 * n:
        return None
    keys = []
    for i in range(n):
        chunk = script[1 + 34 * i : 35 + 34 * i]
        if chunk[0] != 33 or chunk[1] not in (2, 3):
            return None
        keys.append(chunk[1:])
    return Multisig(m, tuple(keys))


def p2wsh_script(witness_script: bytes) -> bytes:
    """``OP_0 <sha256(witness script)>``."""
    return b"\x00\x20" + hashlib.sha256(witness_script).digest()


def p2sh_script(redeem_script: bytes) -> bytes:
    """``OP_HASH160 <hash160(redeem script)> OP_EQUAL``."""
    return b"\xa9\x14" + hash160(redeem_script) + b"\x87"


def is_witness_program(script: bytes) -> bool:
    """True for ``OP_0..OP_16 <2..40 bytes>`` (BIP141)."""
    if not 4 <= len(script) <= 42 or script[1] != len(script) - 2:
        return False
    return script[0] == 0 or 0x51 <= script[0] <= 0x60


def multisig_script_sig(signatures: list[bytes], redeem_script: bytes) -> bytes:
    """Legacy P2SH spend ``OP_0 <sig>... <redeem script>`` (OP_0: CHECKMULTISIG pops one extra)."""
    return b"\x00" + b"".join(push_data(s) for s in signatures) + push_data(redeem_script)
