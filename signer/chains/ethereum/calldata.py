"""Function selectors the appliance recognises and strict decoding of their static arguments."""

from __future__ import annotations

from eth_utils import keccak

from signer.chains.ethereum.fields import checksum_address


def selector(signature: str) -> bytes:
    """First four bytes of keccak256 of the canonical function signature."""
    return keccak(signature.encode("ascii"))[:4]


def _table(signatures: tuple[str, ...]) -> dict[bytes, tuple[str, tuple[str, ...]]]:
    table = {}
    for signature in signatures:
        name, _, args = signature.partition("(")
        types = tuple(t for t in args.rstrip(")").split(",") if t)
        table[selector(signature)] = (name, types)
    return table


ERC20_CALLS = _table(
    (
        "transfer(address,uint256)",
        "transferFrom(address,address,uint256)",
        "approve(address,uint256)",
        "increaseAllowance(address,uint256)",
    )
)

# Functions a Safe exposes on itself (1.0.0 .. 1.5.0); named so the operator sees what changes.
SAFE_SELF_CALLS = {
    selector(s): s.partition("(")[0]
    for s in (
        "addOwnerWithThreshold(address,uint256)",
        "removeOwner(address,address,uint256)",
        "swapOwner(address,address,address)",
        "changeThreshold(uint256)",
        "enableModule(address)",
        "disableModule(address,address)",
        "setGuard(address)",
        "setModuleGuard(address)",
        "setFallbackHandler(address)",
        "setup(address[],uint256,address,bytes,address,address,uint256,address)",
        "changeMasterCopy(address)",
        "approveHash(bytes32)",
        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
        "execTransactionFromModule(address,uint256,bytes,uint8)",
        "execTransactionFromModuleReturnData(address,uint256,bytes,uint8)",
        "simulateAndRevert(address,bytes)",
    )
}

MULTISEND = selector("multiSend(bytes)")


def decode_static(data: bytes, types: tuple[str, ...]) -> list[int | str] | None:
    """Decode ``address``/``uint256`` arguments after the selector; None if not canonical.

    Non-canonical input (wrong length, dirty address padding) is refused rather than
    decoded, because old token contracts would read it differently from this decoder.
    """
    if len(data) != 4 + 32 * len(types):
        return None
    values: list[int | str] = []
    for index, kind in enumerate(types):
        word = data[4 + 32 * index : 36 + 32 * index]
        if kind == "address":
            if any(word[:12]):
                return None
            values.append(checksum_address(word[12:].hex()))
        else:
            values.append(int.from_bytes(word, "big"))
    return values
