"""The registered multisig wallet: ``wsh(sortedmulti(2, A, B, C))`` over BIP48 xpubs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType

from embit import base58, bip32, script
from embit.networks import NETWORKS

from signer.chains.bitcoin.checksum import with_checksum
from signer.errors import BadInput, bad_input
from signer.hsm.key_ids import secp256k1_key_id

HARDENED = 0x80000000
RECEIVE, CHANGE = 0, 1
# The network names of the ceremony file, mapped to embit's tables.
_EMBIT_NETWORK = {"mainnet": "main", "testnet": "test", "signet": "signet", "regtest": "regtest"}
_PATH = re.compile(r"^m(/[0-9]{1,10}['h]?)*$")
_HOLDER = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_COSIGNERS = 15  # standardness limit for a P2WSH CHECKMULTISIG


def key_id(pubkey33: bytes) -> bytes:
    """The HSM key id (CKA_ID) of a compressed public key (the hsm layer's naming rule)."""
    if len(pubkey33) != 33 or pubkey33[0] not in (2, 3):
        raise bad_input("public key", "pubkey", "33-byte compressed key", "bad_pubkey")
    return secp256k1_key_id(pubkey33)


def parse_path(path: str, where: str = "path") -> tuple[int, ...]:
    """``m/48'/1'/0'/2'`` -> BIP32 indexes (``'`` or ``h`` mark hardened)."""
    if not _PATH.match(path):
        raise BadInput("bad_path", f"{where}: expected a path like m/48'/1'/0'/2', got {path!r}")
    indexes = []
    for part in path.split("/")[1:]:
        hardened = part[-1] in "'h"
        number = int(part.rstrip("'h"))
        if number >= HARDENED:
            raise BadInput("bad_path", f"{where}: index {number} must be below 2^31")
        indexes.append(number + HARDENED if hardened else number)
    return tuple(indexes)


def format_path(indexes: tuple[int, ...] | list[int]) -> str:
    """BIP32 indexes -> ``m/48'/1'/0'/2'/0/5``."""
    parts = [f"{i - HARDENED}'" if i >= HARDENED else str(i) for i in indexes]
    return "/".join(["m", *parts])


@dataclass(frozen=True)
class KeyOrigin:
    """Where a wallet key sits: holder, branch (0 receive, 1 change) and index."""

    holder: str
    change: int
    index: int


@dataclass(frozen=True)
class Cosigner:
    """One holder's account key: master fingerprint, account xpub and its path."""

    holder: str
    fingerprint: bytes
    xpub: str
    path: str

    @cached_property
    def path_indexes(self) -> tuple[int, ...]:
        return parse_path(self.path, f"cosigner {self.holder}: path")


@lru_cache(maxsize=64)
def _account_key(xpub: str) -> bip32.HDKey:
    return bip32.HDKey.from_base58(xpub)


@lru_cache(maxsize=64)
def _branch_key(xpub: str, change: int) -> bip32.HDKey:
    return _account_key(xpub).child(change)


@lru_cache(maxsize=65536)
def _child_pubkey(xpub: str, change: int, index: int) -> bytes:
    """BIP32 CKDpub of a non-hardened ``index`` under the account's branch."""
    return bytes(_branch_key(xpub, change).child(index).sec())


@lru_cache(maxsize=65536)
def _child_keys(xpubs: tuple[str, ...], change: int, index: int) -> tuple[bytes, ...]:
    return tuple(_child_pubkey(xpub, change, index) for xpub in xpubs)


@lru_cache(maxsize=65536)
def _holder_keys(
    holders: tuple[str, ...], xpubs: tuple[str, ...], change: int, index: int
) -> Mapping[str, bytes]:
    # A review asks for the same branch's keys once per derivation it checks.
    return MappingProxyType(dict(zip(holders, _child_keys(xpubs, change, index), strict=True)))


@lru_cache(maxsize=65536)
def _witness_script(xpubs: tuple[str, ...], threshold: int, change: int, index: int) -> bytes:
    keys = sorted(_child_keys(xpubs, change, index))
    body = b"".join(bytes([33]) + key for key in keys)
    return bytes([0x50 + threshold]) + body + bytes([0x50 + len(keys), 0xAE])


def _check_index(change: int, index: int) -> None:
    if change not in (RECEIVE, CHANGE):
        raise BadInput("bad_path", f"branch: expected 0 (receive) or 1 (change), got {change!r}")
    if not isinstance(index, int) or not 0 <= index < HARDENED:
        raise BadInput("bad_path", f"index: expected 0 <= index < 2^31, got {index!r}")


@dataclass(frozen=True)
class MultisigWallet:
    """A registered ``wsh(sortedmulti(threshold, ...))`` wallet on one network."""

    name: str
    network: str
    cosigners: tuple[Cosigner, ...]
    threshold: int = 2

    def __post_init__(self) -> None:
        where = f"wallet {self.name!r}"
        if self.network not in _EMBIT_NETWORK:
            raise bad_input(where, "network", f"one of {sorted(_EMBIT_NETWORK)}", "bad_wallet")
        if not 1 <= len(self.cosigners) <= MAX_COSIGNERS:
            raise bad_input(where, "cosigners", f"1..{MAX_COSIGNERS} cosigners", "bad_wallet")
        count = len(self.cosigners)
        if not isinstance(self.threshold, int) or not 1 <= self.threshold <= count:
            raise bad_input(where, "threshold", f"an integer 1..{count}", "bad_wallet")
        for cosigner in self.cosigners:
            self._check_cosigner(cosigner)
        for label, values in (
            ("holder", [c.holder for c in self.cosigners]),
            ("xpub", [_account_key(c.xpub).sec() for c in self.cosigners]),
        ):
            if len(set(values)) != len(values):
                raise bad_input(where, "cosigners", f"distinct {label}s", "bad_wallet")

    def _check_cosigner(self, cosigner: Cosigner) -> None:
        where = f"wallet {self.name!r}: cosigner {cosigner.holder!r}"
        if not isinstance(cosigner.holder, str) or not _HOLDER.match(cosigner.holder):
            raise bad_input(where, "holder", "1-32 letters, digits, '-' or '_'", "bad_wallet")
        if not isinstance(cosigner.fingerprint, bytes) or len(cosigner.fingerprint) != 4:
            raise bad_input(where, "fingerprint", "4 bytes", "bad_wallet")
        indexes = cosigner.path_indexes
        try:
            raw = base58.decode_check(cosigner.xpub)
            key = _account_key(cosigner.xpub)
        except Exception as exc:
            raise bad_input(where, "xpub", f"a base58check xpub/tpub ({exc})", "bad_xpub") from None
        expected = NETWORKS[_EMBIT_NETWORK[self.network]]["xpub"]
        prefix = "xpub" if self.network == "mainnet" else "tpub"
        if len(raw) != 78 or key.is_private or raw[:4] != expected:
            raise bad_input(where, "xpub", f"a {prefix} (public, {self.network})", "bad_xpub")
        if key.depth != len(indexes) or (indexes and key.child_number != indexes[-1]):
            raise bad_input(where, "xpub", f"depth/child matching {cosigner.path}", "bad_xpub")

    @property
    def hrp(self) -> str:
        """Bech32 human-readable part of this network's addresses."""
        return str(NETWORKS[_EMBIT_NETWORK[self.network]]["bech32"])

    @cached_property
    def holders(self) -> tuple[str, ...]:
        return tuple(c.holder for c in self.cosigners)

    def cosigner(self, holder: str) -> Cosigner:
        """The cosigner registered for ``holder``."""
        for cosigner in self.cosigners:
            if cosigner.holder == holder:
                return cosigner
        known = ", ".join(self.holders)
        raise BadInput("unknown_holder", f"wallet {self.name!r}: no holder {holder!r} ({known})")

    def descriptor(self, branch: int | None = None) -> str:
        """``wsh(sortedmulti(...))`` with key origins and BIP-380 checksum; None = ``<0;1>/*``."""
        if branch is None:
            suffix = "<0;1>/*"
        else:
            _check_index(branch, 0)
            suffix = f"{branch}/*"
        keys = []
        for c in self.cosigners:
            origin = c.fingerprint.hex() + format_path(c.path_indexes)[1:]
            keys.append(f"[{origin}]{c.xpub}/{suffix}")
        return with_checksum(f"wsh(sortedmulti({self.threshold},{','.join(keys)}))")

    @cached_property
    def _xpubs(self) -> tuple[str, ...]:
        return tuple(c.xpub for c in self.cosigners)

    def child_pubkeys(self, change: int, index: int) -> Mapping[str, bytes]:
        """Each holder's compressed public key at ``/change/index`` (read-only, shared)."""
        _check_index(change, index)
        return _holder_keys(self.holders, self._xpubs, change, index)

    def witness_script(self, change: int, index: int) -> bytes:
        """``OP_m <sorted pubkeys> OP_n OP_CHECKMULTISIG``."""
        _check_index(change, index)
        return _witness_script(self._xpubs, self.threshold, change, index)

    def script_pubkey(self, change: int, index: int) -> bytes:
        """``OP_0 <sha256(witness script)>``."""
        return b"\x00\x20" + hashlib.sha256(self.witness_script(change, index)).digest()

    def address(self, change: int, index: int) -> str:
        """Bech32 P2WSH address of ``/change/index`` on this wallet's network."""
        output = script.Script(self.script_pubkey(change, index))
        return str(output.address(NETWORKS[_EMBIT_NETWORK[self.network]]))

    def child_path(self, holder: str, change: int, index: int) -> tuple[int, ...]:
        """Full BIP32 path of a holder's child key, from its master."""
        _check_index(change, index)
        return (*self.cosigner(holder).path_indexes, change, index)

    def origin_of(self, fingerprint: bytes, path: tuple[int, ...] | list[int]) -> KeyOrigin | None:
        """The (holder, change, index) a BIP32 derivation names, or None if not ours."""
        for c in self.cosigners:
            base = c.path_indexes
            if c.fingerprint != fingerprint or len(path) != len(base) + 2:
                continue
            if tuple(path[: len(base)]) != base:
                continue
            change, index = path[-2], path[-1]
            if change in (RECEIVE, CHANGE) and 0 <= index < HARDENED:
                return KeyOrigin(c.holder, change, index)
        return None

    def locate_pubkey(
        self, pubkey33: bytes, receive_keys: int = 100, change_keys: int = 100
    ) -> KeyOrigin | None:
        """Which holder/branch/index a public key is, searching the first keys of each branch."""
        for change, count in ((RECEIVE, receive_keys), (CHANGE, change_keys)):
            for index in range(count):
                for holder, key in self.child_pubkeys(change, index).items():
                    if key == pubkey33:
                        return KeyOrigin(holder, change, index)
        return None
