"""A holder's keys from their master secret (the BIP32 seed): BIP48 account, key pool, Safe owner.

The HSM cannot derive BIP32 children, so the ceremony derives here, in software, the
bounded pool of child keys that is imported into the holder's token, and wipes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bip_utils import Base58Decoder, Base58Encoder, Bip32Slip10Secp256k1, EthAddrEncoder
from bip_utils.bip.bip32 import Bip32Const

from ceremony.memory import wipe
from signer.chains.ethereum.settings import OWNER_PATH
from signer.errors import BadInput
from signer.hsm.session import hash160

__all__ = ["ChildKey", "HolderKeys", "account_path", "derive_holder_keys", "master_node", "wipe"]

ETHEREUM_OWNER_PATH = OWNER_PATH
# SLIP-132 version bytes of a P2WSH multisig account key: Zpub (mainnet) and Vpub (test nets).
_SLIP132_P2WSH_MULTISIG = {True: bytes.fromhex("02aa7ed3"), False: bytes.fromhex("02575483")}


@dataclass(frozen=True)
class ChildKey:
    """One private key bound for the token: scalar (wipe-able), public key, CKA_ID and label."""

    path: str
    secret: bytearray = field(repr=False)
    pubkey: bytes

    @property
    def key_id(self) -> bytes:
        """CKA_ID: hash160 of the compressed public key."""
        return hash160(self.pubkey)

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


def master_node(seed: bytes | bytearray, network: str = "mainnet") -> Bip32Slip10Secp256k1:
    """BIP32 master key from the seed (the SLIP-39 master secret); xpub or tpub serialisation."""
    if len(seed) not in (16, 32):
        raise BadInput("bad_seed", f"master secret: expected 16 or 32 bytes, got {len(seed)}")
    versions = (
        Bip32Const.MAIN_NET_KEY_NET_VERSIONS
        if network == "mainnet"
        else Bip32Const.TEST_NET_KEY_NET_VERSIONS
    )
    return Bip32Slip10Secp256k1.FromSeed(bytes(seed), versions)


def _child(node: Bip32Slip10Secp256k1, path: str) -> ChildKey:
    return ChildKey(
        path=path,
        secret=bytearray(node.PrivateKey().Raw().ToBytes()),
        pubkey=bytes(node.PublicKey().RawCompressed().ToBytes()),
    )


def _slip132(xpub: str, mainnet: bool) -> str:
    raw = Base58Decoder.CheckDecode(xpub)
    return Base58Encoder.CheckEncode(_SLIP132_P2WSH_MULTISIG[mainnet] + raw[4:])


def _pool(
    account: Bip32Slip10Secp256k1, path: str, branch: int, count: int
) -> tuple[ChildKey, ...]:
    node = account.ChildKey(branch)
    return tuple(_child(node.ChildKey(i), f"{path}/{branch}/{i}") for i in range(count))


def derive_holder_keys(
    seed: bytes | bytearray, network: str, account: int, receive_keys: int, change_keys: int
) -> HolderKeys:
    """Fingerprint, BIP48 account xpub, the /0/i and /1/i pools and the Ethereum owner key."""
    master = master_node(seed, network)
    path = account_path(network, account)
    account_node = master.DerivePath(path)
    xpub = account_node.PublicKey().ToExtended()
    owner_node = master.DerivePath(ETHEREUM_OWNER_PATH)
    owner = _child(owner_node, ETHEREUM_OWNER_PATH)
    return HolderKeys(
        fingerprint=bytes(master.FingerPrint().ToBytes()),
        account_path=path,
        xpub=xpub,
        slip132=_slip132(xpub, network == "mainnet"),
        receive=_pool(account_node, path, 0, receive_keys),
        change=_pool(account_node, path, 1, change_keys),
        owner=owner,
        owner_address=EthAddrEncoder.EncodeKey(owner_node.PublicKey().KeyObject()),
    )
