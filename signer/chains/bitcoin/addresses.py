"""Addresses <-> output scripts, refusing another network's addresses."""

from __future__ import annotations

from functools import lru_cache

from embit import base58, bech32
from embit.networks import NETWORKS
from embit.script import Script

from signer.errors import BadInput

_NETWORK = {"mainnet": "main", "testnet": "test", "signet": "signet", "regtest": "regtest"}
_HRPS = {"bc": "mainnet", "tb": "testnet or signet", "bcrt": "regtest"}


@lru_cache(maxsize=8192)
def address_of(script: bytes, network: str) -> str:
    """The address an output pays, or ``script:<hex>`` / ``OP_RETURN <hex>`` when it has none.

    Cached: bech32 encoding is half of a draft review, and the same outputs are
    reviewed at import and at each holder's signature.
    """
    if script[:1] == b"\x6a":
        return f"OP_RETURN {script[1:].hex()}"
    try:
        return str(Script(script).address(NETWORKS[_NETWORK[network]]))
    except Exception:  # no address form: show the script itself
        return f"script:{script.hex()}"


def _wrong_network(address: str, network: str, found: str) -> BadInput:
    return BadInput("wrong_network", f"address {address}: a {found} address, wallet is {network}")


def script_for_address(address: str, network: str) -> bytes:
    """The output script paying ``address``; BadInput ``wrong_network`` or ``bad_address``."""
    params = NETWORKS[_NETWORK[network]]
    hrp = address.lower().rpartition("1")[0]
    if hrp in _HRPS:
        if hrp != params["bech32"]:
            raise _wrong_network(address, network, _HRPS[hrp])
        version, program = bech32.decode(hrp, address)
        if version is None or program is None:
            raise BadInput("bad_address", f"address {address}: invalid bech32/bech32m")
        op = 0 if version == 0 else 0x50 + version
        return bytes([op, len(program), *program])
    try:
        data = base58.decode_check(address)
    except Exception:
        raise BadInput("bad_address", f"address {address}: not bech32 nor base58check") from None
    if len(data) != 21:
        raise BadInput("bad_address", f"address {address}: expected a 21-byte payload")
    prefix, payload = data[:1], data[1:]
    if prefix == params["p2pkh"]:
        return b"\x76\xa9\x14" + payload + b"\x88\xac"
    if prefix == params["p2sh"]:
        return b"\xa9\x14" + payload + b"\x87"
    for other in NETWORKS.values():
        if prefix in (other["p2pkh"], other["p2sh"]):
            raise _wrong_network(address, network, str(other["name"]))
    raise BadInput("bad_address", f"address {address}: unknown version byte {prefix.hex()}")
