"""Which wallet position each address of a proof request is; anything else is refused by name.

A proof is signed only for the registered wallet's own P2WSH addresses inside the key
pool the tokens hold (receive_keys / change_keys): those are the only scripts the
quorum can sign for, and a proof for anything else would be a statement the appliance
cannot back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from signer.chains.bitcoin.addresses import script_for_address
from signer.chains.bitcoin.origins import SCAN_BEYOND_POOL, own_script
from signer.chains.bitcoin.wallet import MultisigWallet, format_path, key_id
from signer.errors import AirsignError, BadInput, Rejected

# Per request. A 2-of-3 proof is one digest per holder per address and ~0.5 kB of output
# per address: 10,000 addresses is minutes of token time and ~5 MB of proof file, far
# past a real reserve report (tens to hundreds of addresses), and still bounded.
MAX_PROOF_ADDRESSES = 10_000
MAX_ADDRESS_CHARS = 100  # the longest bech32 address is 90 characters


@dataclass(frozen=True)
class ProofKey:
    """One holder's key in an address's witnessScript, as the token knows it."""

    holder: str
    pubkey: bytes  # compressed SEC1
    key_id: bytes  # CKA_ID: hash160 of the public key
    path: str  # full BIP32 path from the holder's master


@dataclass(frozen=True)
class ProofAddress:
    """A requested address found in the wallet: its position, script and keys."""

    address: str  # canonical (lower-case bech32) form
    change: int  # 0 receive, 1 change
    index: int
    witness_script: bytes
    script_pubkey: bytes
    keys: tuple[ProofKey, ...]  # in holder order

    @property
    def path(self) -> str:
        """``/change/index``, as the review shows a verified change output."""
        return f"/{self.change}/{self.index}"

    def key(self, holder: str) -> ProofKey:
        for key in self.keys:
            if key.holder == holder:
                return key
        raise BadInput("unknown_holder", f"address {self.address}: no holder {holder!r}")


@dataclass(frozen=True)
class AddressRefusal:
    """Why one requested address cannot be proven."""

    position: int
    address: str
    code: str
    message: str


def _refuse(position: int, address: str, code: str, why: str) -> AddressRefusal:
    shown = address if len(address) <= MAX_ADDRESS_CHARS else address[:MAX_ADDRESS_CHARS] + "…"
    return AddressRefusal(position, shown, code, f"bitcoin.addresses[{position}] {shown}: {why}")


def _found(wallet: MultisigWallet, change: int, index: int) -> ProofAddress:
    keys = tuple(
        ProofKey(holder, pubkey, key_id(pubkey),
                 format_path(wallet.child_path(holder, change, index)))
        for holder, pubkey in wallet.child_pubkeys(change, index).items()
    )
    return ProofAddress(wallet.address(change, index), change, index,
                        wallet.witness_script(change, index),
                        wallet.script_pubkey(change, index), keys)


def _screen_one(
    wallet: MultisigWallet, position: int, address: object, receive_keys: int, change_keys: int
) -> ProofAddress | AddressRefusal:
    if not isinstance(address, str) or not 1 <= len(address) <= MAX_ADDRESS_CHARS:
        return _refuse(position, str(address)[:MAX_ADDRESS_CHARS], "proof_address_invalid",
                       f"expected an address string of 1..{MAX_ADDRESS_CHARS} characters")
    try:
        script = script_for_address(address, wallet.network)
    except AirsignError as exc:
        code = "proof_address_wrong_network" if exc.code == "wrong_network" else (
            "proof_address_invalid")
        return _refuse(position, address, code, exc.message)
    if len(script) != 34 or script[:2] != b"\x00\x20":
        return _refuse(position, address, "proof_address_not_p2wsh",
                       "not a P2WSH address: the wallet's addresses are all P2WSH 2-of-3")
    branch = own_script(wallet, script, receive_keys, change_keys)
    if branch is not None:
        return _found(wallet, branch.change, branch.index)
    beyond = own_script(wallet, script, receive_keys + SCAN_BEYOND_POOL,
                        change_keys + SCAN_BEYOND_POOL)
    if beyond is not None:
        pool = change_keys if beyond.change else receive_keys
        return _refuse(position, address, "proof_address_beyond_pool",
                       f"the wallet's /{beyond.change}/{beyond.index}, beyond the key pool the "
                       f"tokens hold ({pool} keys on that branch): no token can sign for it")
    return _refuse(position, address, "proof_address_not_ours",
                   f"not an address of wallet {wallet.name!r} (searched the first "
                   f"{receive_keys} receive and {change_keys} change addresses)")


def screen_addresses(
    wallet: MultisigWallet, addresses: Sequence[object], receive_keys: int, change_keys: int
) -> tuple[list[ProofAddress], list[AddressRefusal]]:
    """Every requested address either found in the pool or refused, in request order."""
    if not isinstance(addresses, Sequence) or isinstance(addresses, str | bytes):
        raise BadInput("proof_bad_addresses", "bitcoin.addresses: expected a list of addresses")
    if not 1 <= len(addresses) <= MAX_PROOF_ADDRESSES:
        raise BadInput("proof_too_many_addresses", f"bitcoin.addresses: expected 1.."
                       f"{MAX_PROOF_ADDRESSES} addresses, got {len(addresses)}")
    found: list[ProofAddress] = []
    refused: list[AddressRefusal] = []
    seen: dict[bytes, int] = {}
    for position, address in enumerate(addresses):
        result = _screen_one(wallet, position, address, receive_keys, change_keys)
        if isinstance(result, AddressRefusal):
            refused.append(result)
        elif result.script_pubkey in seen:
            earlier = seen[result.script_pubkey]
            refused.append(_refuse(position, str(address), "proof_address_duplicate",
                                   f"the same address as bitcoin.addresses[{earlier}]"))
        else:
            seen[result.script_pubkey] = position
            found.append(result)
    return found, refused


def locate_addresses(
    wallet: MultisigWallet, addresses: Sequence[object], receive_keys: int, change_keys: int
) -> list[ProofAddress]:
    """The requested addresses' wallet positions; Rejected with the first refusal's code
    (its message lists how many others were refused) when any is not provable."""
    found, refused = screen_addresses(wallet, addresses, receive_keys, change_keys)
    if refused:
        first = refused[0]
        more = f" (and {len(refused) - 1} more refused)" if len(refused) > 1 else ""
        raise Rejected(first.code, first.message + more)
    return found
