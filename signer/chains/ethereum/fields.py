"""Strict readers for the JSON field types of a Safe transaction: address, uint256, hex bytes."""

from __future__ import annotations

import re

from eth_utils import to_checksum_address

from signer.errors import BadInput, bad_input

UINT256_MAX = 2**256 - 1
ZERO_ADDRESS = "0x" + "00" * 20

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")
_HEX_BYTES = re.compile(r"0x(?:[0-9a-fA-F]{2})*")


def checksum_address(hex40: str) -> str:
    """EIP-55 mixed-case form of a 40-hex-digit address (with or without 0x), by eth-utils."""
    return str(to_checksum_address("0x" + hex40.removeprefix("0x").lower()))


def parse_address(value: object, where: str, field: str) -> str:
    """Read a 20-byte hex address; mixed case must be a correct EIP-55 checksum."""
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        raise bad_input(where, field, "a 20-byte hex address '0x' + 40 hex digits")
    digits = value[2:]
    canonical = checksum_address(digits)
    if digits != digits.lower() and digits != digits.upper() and value != canonical:
        raise BadInput(
            "bad_checksum",
            f"{where}: field '{field}': expected a valid EIP-55 checksum address "
            f"(mixed case must be exact); got {value}",
        )
    return canonical


def parse_uint(value: object, where: str, field: str, maximum: int = UINT256_MAX) -> int:
    """Read an unsigned integer from a JSON integer or a decimal string (no floats, no bools)."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = int(value)
    else:
        number = None
    if number is None or not 0 <= number <= maximum:
        raise bad_input(
            where,
            field,
            f"an integer 0..{maximum} as a JSON integer or a decimal string without sign, "
            "exponent or leading zeros",
        )
    return number


def parse_hex_bytes(value: object, where: str, field: str, max_bytes: int) -> bytes:
    """Read '0x'-prefixed hex bytes of at most ``max_bytes`` bytes ('0x' is empty)."""
    if not isinstance(value, str) or not _HEX_BYTES.fullmatch(value):
        raise bad_input(where, field, "'0x' followed by an even number of hex digits")
    if (len(value) - 2) // 2 > max_bytes:
        raise BadInput(
            "data_too_large",
            f"{where}: field '{field}': expected at most {max_bytes} bytes, "
            f"got {(len(value) - 2) // 2}",
        )
    return bytes.fromhex(value[2:])


def parse_hash32(value: object, where: str, field: str) -> bytes:
    """Read a 32-byte hash as '0x' + 64 hex digits."""
    raw = parse_hex_bytes(value, where, field, 32)
    if len(raw) != 32:
        raise bad_input(where, field, "a 32-byte hash '0x' + 64 hex digits")
    return raw


def short_address(address: str) -> str:
    """Abbreviation for one-line summaries; the full address is always shown beside it."""
    return f"{address[:6]}…{address[-4:]}"


def same_address(a: str, b: str) -> bool:
    """Addresses are equal regardless of checksum case."""
    return a.lower() == b.lower()
