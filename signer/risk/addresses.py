"""Destination addresses normalised per chain so that lists and drafts compare equal."""

from __future__ import annotations

import re
from functools import lru_cache

from embit import base58, bech32
from eth_utils import is_checksum_address

_ETH = re.compile(r"0x[0-9a-fA-F]{40}")
_BECH32_HRPS = ("bcrt", "bc", "tb")
_BASE58_VERSIONS = {0x00, 0x05, 0x6F, 0xC4}  # mainnet/testnet P2PKH and P2SH


def normalise_ethereum(text: str) -> str:
    """Lowercase 0x address; a mixed-case address must carry a valid EIP-55 checksum."""
    if _ETH.fullmatch(text) is None:
        raise ValueError("an Ethereum address: 0x followed by 40 hex digits")
    body = text[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(text):
        raise ValueError("an Ethereum address with a valid EIP-55 checksum (or all lowercase)")
    return "0x" + body.lower()


@lru_cache(maxsize=4096)
def normalise_bitcoin(text: str) -> str:
    """Bech32/bech32m lowercased after checking the checksum; base58 checked and kept as is.

    Cached (a pure function; refusals raise and are not cached): each draft's destinations
    are normalised at every screen and again when its signature enters the ledger.
    """
    lower = text.lower()
    hrp = next((h for h in _BECH32_HRPS if lower.startswith(h + "1")), None)
    if hrp is not None:
        if text not in (lower, text.upper()):
            raise ValueError("a bech32 address in one case (bech32 forbids mixed case)")
        version, program = bech32.decode(hrp, lower)
        if version is None or program is None:
            raise ValueError("a bech32 segwit address with a valid checksum")
        return lower
    try:
        raw = base58.decode_check(text)
    except Exception as exc:  # embit raises bare ValueError/IndexError on bad input
        raise ValueError("a Bitcoin address (bech32, or base58 with a valid checksum)") from exc
    if len(raw) != 21 or raw[0] not in _BASE58_VERSIONS:
        raise ValueError("a Bitcoin P2PKH or P2SH base58 address")
    return text


def normalise_address(chain: str, text: str) -> str:
    """Normalise ``text`` as an address of ``chain`` ("bitcoin" or "ethereum")."""
    if chain == "ethereum":
        return normalise_ethereum(text)
    if chain == "bitcoin":
        return normalise_bitcoin(text)
    raise ValueError(f"a known chain (bitcoin or ethereum), not {chain!r}")


def parse_address_list(text: str) -> tuple[frozenset[str], list[tuple[int, str]]]:
    """Addresses of a list file (one per line, '#' comments) and the (line, problem) pairs."""
    found: set[str] = set()
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        chain = "ethereum" if entry[:2].lower() == "0x" else "bitcoin"
        try:
            found.add(normalise_address(chain, entry))
        except ValueError as exc:
            problems.append((number, str(exc)))
    return frozenset(found), problems
