"""Which of a PSBT's keys and scripts belong to the registered wallet, and where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from embit.ec import PublicKey
from embit.hashes import hash160
from embit.psbt import DerivationPath

from signer.chains.bitcoin.scripts import p2sh_script
from signer.chains.bitcoin.wallet import HARDENED, MultisigWallet, format_path

# Our scripts are looked for this far past the pool among outputs without derivation
# data: a payment to the wallet beyond the keys the tokens hold is caught, not "external".
SCAN_BEYOND_POOL = 100


@dataclass(frozen=True)
class Branch:
    """A script position of the wallet: ``/change/index`` of every holder."""

    change: int
    index: int


class NotOurs(ValueError):
    """Derivation data that does not describe the wallet; the text says why."""


class HardenedStep(NotOurs):
    """A holder's path whose branch or index is hardened: no registered xpub derives it."""


def _hardened_step(wallet: MultisigWallet, fingerprint: bytes, path: list[int]) -> str | None:
    """``m/.../1/5'`` when ``path`` is a holder's account path with a hardened last step."""
    for c in wallet.cosigners:
        base = c.path_indexes
        if c.fingerprint == fingerprint and len(path) == len(base) + 2 and (
                tuple(path[: len(base)]) == base and max(path[-2:]) >= HARDENED):
            return format_path(list(path))
    return None


def claims_wallet(wallet: MultisigWallet, derivations: Mapping[PublicKey, DerivationPath]) -> bool:
    """True when any derivation names one of the wallet holders' master fingerprints."""
    ours = {c.fingerprint for c in wallet.cosigners}
    return any(bytes(d.fingerprint) in ours for d in derivations.values())


def wallet_branch(
    wallet: MultisigWallet, derivations: Mapping[PublicKey, DerivationPath]
) -> Branch:
    """The one branch every wallet derivation points to; its keys must be the derived ones.

    Raises NotOurs when no derivation is ours, when they disagree, or when a key is not
    the key the registered xpub gives at that path (fingerprints alone prove nothing).
    """
    found: set[Branch] = set()
    ours = {c.fingerprint for c in wallet.cosigners}
    for pubkey, derivation in derivations.items():
        fingerprint = bytes(derivation.fingerprint)
        if fingerprint not in ours:
            continue
        origin = wallet.origin_of(fingerprint, derivation.derivation)
        if origin is None:
            if (hardened := _hardened_step(wallet, fingerprint, derivation.derivation)):
                raise HardenedStep(f"key {pubkey.sec().hex()} is at hardened path {hardened}")
            raise NotOurs(f"key {pubkey.sec().hex()} is not on a registered holder's path")
        sec = pubkey.sec()
        if wallet.child_pubkeys(origin.change, origin.index)[origin.holder] != sec:
            raise NotOurs(
                f"key {sec.hex()} is not holder {origin.holder}'s key at "
                f"/{origin.change}/{origin.index}"
            )
        found.add(Branch(origin.change, origin.index))
    if not found:
        raise NotOurs("no derivation from a registered holder's key")
    if len(found) > 1:
        raise NotOurs("derivations point to different wallet branches")
    return found.pop()


@lru_cache(maxsize=8)
def _own_scripts(
    wallet: MultisigWallet, receive_keys: int, change_keys: int
) -> dict[bytes, Branch]:
    scripts = {}
    for change, count in ((0, receive_keys), (1, change_keys)):
        for index in range(count):
            scripts[wallet.script_pubkey(change, index)] = Branch(change, index)
    return scripts


def own_script(
    wallet: MultisigWallet, script: bytes, receive_keys: int, change_keys: int
) -> Branch | None:
    """The branch whose P2WSH script is ``script``, within the first keys of each branch."""
    if len(script) != 34 or script[:2] != b"\x00\x20":
        return None  # not P2WSH, so none of ours: no need to derive the wallet's scripts
    return _own_scripts(wallet, receive_keys, change_keys).get(script)


@lru_cache(maxsize=8)
def _other_forms(
    wallet: MultisigWallet, receive_keys: int, change_keys: int
) -> dict[bytes, tuple[Branch, str]]:
    forms: dict[bytes, tuple[Branch, str]] = {}
    for change, count in ((0, receive_keys), (1, change_keys)):
        for index in range(count):
            at = Branch(change, index)
            forms[p2sh_script(wallet.script_pubkey(change, index))] = (at, "P2SH-wrapped P2WSH")
            forms[p2sh_script(wallet.witness_script(change, index))] = (at, "legacy P2SH")
            for holder, key in wallet.child_pubkeys(change, index).items():
                p2wpkh = b"\x00\x14" + hash160(key)
                alone = f"(holder {holder}'s key alone)"
                forms[p2wpkh] = (at, f"single-key P2WPKH {alone}")
                forms[b"\x76\xa9\x14" + hash160(key) + b"\x88\xac"] = (
                    at, f"single-key P2PKH {alone}")
                forms[p2sh_script(p2wpkh)] = (at, f"single-key P2SH-P2WPKH {alone}")
    return forms


def own_keys_elsewhere(
    wallet: MultisigWallet, script: bytes, receive_keys: int, change_keys: int
) -> tuple[Branch, str] | None:
    """Where and how ``script`` pays the wallet's own keys in a form other than its P2WSH
    (wrapped in P2SH, or one holder's key alone), within the first keys of each branch.

    Such coins are out of the appliance's reach: it spends only the wallet's P2WSH
    (any other input is foreign_input), so a hostile vault could park them there."""
    if len(script) not in (22, 23, 25):
        return None  # not P2WPKH, P2SH or P2PKH: none of these forms
    return _other_forms(wallet, receive_keys, change_keys).get(script)
