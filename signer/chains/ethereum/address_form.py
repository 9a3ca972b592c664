"""Ethereum addresses in one spelling (lowercase), checking an EIP-55 checksum when present."""

from __future__ import annotations

import re

from eth_utils import is_checksum_address

_ETH = re.compile(r"0x[0-9a-fA-F]{40}")


def normalise_ethereum(text: str) -> str:
    """Lowercase 0x address; a mixed-case address must carry a valid EIP-55 checksum."""
    if _ETH.fullmatch(text) is None:
        raise ValueError("an Ethereum address: 0x followed by 40 hex digits")
    body = text[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(text):
        raise ValueError("an Ethereum address with a valid EIP-55 checksum (or all lowercase)")
    return "0x" + body.lower()
