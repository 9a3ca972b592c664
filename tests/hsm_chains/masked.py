"""PSBTs and transactions with every ECDSA signature replaced by a marker, for comparison.

An HSM signs with a random nonce, so its signatures differ from a published vector's;
everything else must match byte for byte. Parsing here is written from BIP174 and uses
bitcointx for scripts and transactions, not airsign's or embit's PSBT code.
"""

from __future__ import annotations

from typing import Any

from bitcointx.core import CTransaction
from bitcointx.core.script import CScript

SIGNATURE = "<signature>"
PSBT_MAGIC = b"psbt\xff"
IN_PARTIAL_SIG, IN_FINAL_SCRIPTSIG, IN_FINAL_WITNESS = 0x02, 0x07, 0x08


def _compact_size(data: bytes, at: int) -> tuple[int, int]:
    first = data[at]
    if first < 0xFD:
        return first, at + 1
    width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    return int.from_bytes(data[at + 1 : at + 1 + width], "little"), at + 1 + width


def _var_bytes(data: bytes, at: int) -> tuple[bytes, int]:
    length, at = _compact_size(data, at)
    return data[at : at + length], at + length


def is_signature(item: bytes) -> bool:
    """Shape of DER ``SEQUENCE{r, s}`` followed by a sighash byte."""
    return 9 <= len(item) <= 73 and item[0] == 0x30 and item[1] == len(item) - 3


def mask_items(items: list[Any]) -> list[Any]:
    return [SIGNATURE if isinstance(i, bytes) and is_signature(i) else i for i in items]


def mask_script(script: bytes) -> list[Any]:
    """A script's opcodes and pushes (bitcointx's parser), signatures masked."""
    return mask_items(list(CScript(script)))


def _mask_witness(stack: bytes) -> list[Any]:
    count, at = _compact_size(stack, 0)
    items = []
    for _ in range(count):
        item, at = _var_bytes(stack, at)
        items.append(item)
    assert at == len(stack)
    return mask_items(items)


def psbt_maps(raw: bytes) -> list[list[tuple[bytes, bytes]]]:
    """Every key-value map of a PSBT in order: global, inputs, outputs."""
    assert raw.startswith(PSBT_MAGIC)
    maps: list[list[tuple[bytes, bytes]]] = []
    at = len(PSBT_MAGIC)
    while at < len(raw):
        pairs = []
        while True:
            key, at = _var_bytes(raw, at)
            if not key:
                break
            value, at = _var_bytes(raw, at)
            pairs.append((key, value))
        maps.append(pairs)
    return maps


def masked_psbt(raw: bytes) -> list[list[tuple[bytes, Any]]]:
    """The PSBT's maps with partial and final signatures replaced by a marker."""
    maps = psbt_maps(raw)
    unsigned = CTransaction.deserialize(dict(maps[0])[b"\x00"])
    masked: list[list[tuple[bytes, Any]]] = [list(maps[0])]
    for number, pairs in enumerate(maps[1:], start=1):
        is_input = number <= len(unsigned.vin)
        out: list[tuple[bytes, Any]] = []
        for key, value in pairs:
            kind = key[0]
            if is_input and kind == IN_PARTIAL_SIG:
                out.append((key, SIGNATURE if is_signature(value) else value))
            elif is_input and kind == IN_FINAL_SCRIPTSIG:
                out.append((key, mask_script(value)))
            elif is_input and kind == IN_FINAL_WITNESS:
                out.append((key, _mask_witness(value)))
            else:
                out.append((key, value))
        masked.append(out)
    return masked


def partial_signatures(raw: bytes) -> dict[tuple[int, bytes], bytes]:
    """(input index, public key) -> signature, read straight from the PSBT's maps."""
    maps = psbt_maps(raw)
    count = len(CTransaction.deserialize(dict(maps[0])[b"\x00"]).vin)
    return {
        (index, key[1:]): value
        for index, pairs in enumerate(maps[1 : 1 + count])
        for key, value in pairs
        if key[0] == IN_PARTIAL_SIG
    }


def masked_transaction(raw: bytes) -> dict[str, Any]:
    """A network transaction's fields (bitcointx) with signatures masked."""
    tx = CTransaction.deserialize(raw)
    return {
        "version": tx.nVersion,
        "locktime": tx.nLockTime,
        "inputs": [
            (txin.prevout.serialize(), txin.nSequence, mask_script(txin.scriptSig))
            for txin in tx.vin
        ],
        "witnesses": [mask_items(list(w.scriptWitness.stack)) for w in tx.wit.vtxinwit],
        "outputs": [(out.nValue, bytes(out.scriptPubKey)) for out in tx.vout],
    }
