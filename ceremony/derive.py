"""A holder's keys from their master secret (the BIP32 seed): BIP48 account, key pool, Safe owner.

The HSM cannot derive BIP32 children, so the ceremony derives here, in software, the
bounded pool of child keys that is imported into the holder's token, and wipes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embit import bip32
from embit.networks import NETWORKS
from eth_keys import keys

from ceremony.memory import wipe
from signer.chains.ethereum.settings import OWNER_PATH
from signer.errors import BadInput
from signer.hsm.key_ids import secp256k1_key_id

__all__ = ["ChildKey", "HolderKeys", "account_path", "derive_holder_keys", "master_node", "wipe"]

ETHEREUM_OWNER_PATH = OWNER_PATH


@dataclass(frozen=True)
class ChildKey:
    """One private key bound for the token: scalar (wipe-able), public key, CKA_ID and label."""

    path: str
    secret: bytearray = field(repr=False)
    pubkey: bytes

    @property
    def key_id(self) -> bytes:
        """CKA_ID on the token: RIPEMD-160(SHA-256) of the compressed public key."""
        return secp256k1_key_id(self.pubkey)

    @property
    def label(self) -> str:
        """CKA_LABEL: the full derivation path."""
        return self.path

    def wipe(self) -> None:
        wipe(self.secret)


@dataclass(frozen=True)
class HolderKeys:
    """Everything the ceremony derives for one holder."""

    fingerprint: bytes
    account_path: str
    xpub: str
    slip132: str
    receive: tuple[ChildKey, ...]
    change: tuple[ChildKey, ...]
    owner: ChildKey
    owner_address: str

    @property
    def pool(self) -> tuple[ChildKey, ...]:
        """Every key to import into the token: receive, change, then the Ethereum owner."""
        return (*self.receive, *self.change, self.owner)

    def wipe(self) -> None:
        """Overwrite every private scalar."""
        for key in self.pool:
            key.wipe()


def account_path(network: str, account: int) -> str:
    """BIP48 P2WSH account path: ``m/48'/coin'/account'/2'`` (coin 0 mainnet, 1 otherwise)."""
    if not 0 <= account < 2**31:
        raise BadInput(
            "bad_account", f"bitcoin.account: expected 0 <= account < 2^31, got {account}"
        )
    coin = 0 if network == "mainnet" else 1
    return f"m/48'/{coin}'/{account}'/2'"


def master_node(seed: bytes | bytearray, network: str = "mainnet") -> bip32.HDKey:
    """BIP32 master key from the seed (the SLIP-39 master secret); xprv or tprv serialisation."""
    if len(seed) not in (16, 32):
        raise BadInput("bad_seed", f"master secret: expected 16 or 32 bytes, got {len(seed)}")
    return bip32.HDKey.from_seed(bytes(seed), version=_versions(network)["xprv"])


def _versions(network: str) -> dict[str, bytes]:
    # Every test net shares the tprv/tpub (and SLIP-132 Vpub) version bytes.
    return NETWORKS["main" if network == "mainnet" else "test"]


def _child(node: bip32.HDKey, path: str) -> ChildKey:
    # embit keeps the scalar in immutable bytes (as bip-utils did); the bytearray copy
    # the token import reads is the one wiped.
    return ChildKey(path=path, secret=bytearray(node.key.secret), pubkey=node.key.sec())


def _eth_address(pubkey: bytes) -> str:
    """The EIP-55 address of a compressed secp256k1 public key (eth-keys)."""
    return str(keys.PublicKey.from_compressed_bytes(pubkey).to_checksum_address())


def _pool(account: bip32.HDKey, path: str, branch: int, count: int) -> tuple[ChildKey, ...]:
    node = account.child(branch)
    return tuple(_child(node.child(i), f"{path}/{branch}/{i}") for i in range(count))


def derive_holder_keys(
    seed: bytes | bytearray, network: str, account: int, receive_keys: int, change_keys: int
) -> HolderKeys:
    """Fingerprint, BIP48 account xpub, the /0/i and /1/i pools and the Ethereum owner key."""
    master = master_node(seed, network)
    path = account_path(network, account)
    account_node = master.derive(path)
    account_public = account_node.to_public()
    owner = _child(master.derive(ETHEREUM_OWNER_PATH), ETHEREUM_OWNER_PATH)
    return HolderKeys(
        fingerprint=master.my_fingerprint,
        account_path=path,
        xpub=account_public.to_base58(),
        # SLIP-132 P2WSH multisig serialisation: embit's "Zpub" entry (Vpub on test nets).
        slip132=account_public.to_base58(version=_versions(network)["Zpub"]),
        receive=_pool(account_node, path, 0, receive_keys),
        change=_pool(account_node, path, 1, change_keys),
        owner=owner,
        owner_address=_eth_address(owner.pubkey),
    )
