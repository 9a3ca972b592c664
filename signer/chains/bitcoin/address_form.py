"""Bitcoin destination addresses in one spelling, so that lists and drafts compare equal."""

from __future__ import annotations

from functools import lru_cache

from embit import base58, bech32

_BECH32_HRPS = ("bcrt", "bc", "tb")
_BASE58_VERSIONS = {0x00, 0x05, 0x6F, 0xC4}  # mainnet/testnet P2PKH and P2SH


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
