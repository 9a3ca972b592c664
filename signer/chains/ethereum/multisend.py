"""Unpack the inner transactions of a MultiSend / MultiSendCallOnly ``multiSend(bytes)`` call."""

from __future__ import annotations

from dataclasses import dataclass

from signer.chains.ethereum.calldata import MULTISEND
from signer.chains.ethereum.fields import checksum_address

_HEADER = 1 + 20 + 32 + 32  # operation, to, value, dataLength


class BatchMalformed(ValueError):
    """The batch bytes are not a canonical multiSend encoding."""


@dataclass(frozen=True)
class InnerTx:
    """One transaction inside a batch, as the library will execute it."""

    operation: int
    to: str
    value: int
    data: bytes


def _abi_bytes_argument(data: bytes) -> bytes:
    if data[:4] != MULTISEND:
        raise BatchMalformed("not a multiSend(bytes) call")
    if len(data) < 68 or int.from_bytes(data[4:36], "big") != 32:
        raise BatchMalformed("the bytes argument does not start at offset 32")
    length = int.from_bytes(data[36:68], "big")
    padded = (length + 31) // 32 * 32
    if len(data) != 68 + padded:
        raise BatchMalformed("call data length does not match the bytes argument")
    if any(data[68 + length :]):
        raise BatchMalformed("non-zero padding after the bytes argument")
    return data[68 : 68 + length]


def unpack_multisend(data: bytes) -> list[InnerTx]:
    """Split packed ``operation|to|value|dataLength|data`` entries; raises BatchMalformed."""
    packed = _abi_bytes_argument(data)
    inner: list[InnerTx] = []
    i = 0
    while i < len(packed):
        if len(packed) - i < _HEADER:
            raise BatchMalformed(f"truncated header of inner transaction {len(inner) + 1}")
        operation = packed[i]
        to = checksum_address(packed[i + 1 : i + 21].hex())
        value = int.from_bytes(packed[i + 21 : i + 53], "big")
        size = int.from_bytes(packed[i + 53 : i + 85], "big")
        start = i + _HEADER
        if size > len(packed) - start:
            raise BatchMalformed(f"data of inner transaction {len(inner) + 1} runs past the end")
        inner.append(InnerTx(operation, to, value, packed[start : start + size]))
        i = start + size
    if not inner:
        raise BatchMalformed("empty batch")
    return inner
