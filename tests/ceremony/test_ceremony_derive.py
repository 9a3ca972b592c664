"""Key derivation wiring (paths, versions, pools) against embit directly and eth-account.

The ceremony derives through embit itself, so equality with bip-utils (the library it
replaced) and with the BIP32 specification is in test_ceremony_derive_vectors.py.
"""

from __future__ import annotations

import hashlib

import pytest
from embit import bip32
from embit.hashes import hash160
from embit.networks import NETWORKS
from eth_account import Account

from ceremony.derive import derive_holder_keys, master_node
from signer.errors import BadInput

SEED = hashlib.sha256(b"airsign derive test").digest()


@pytest.mark.parametrize(
    ("network", "embit_net", "coin", "prefix", "slip132"),
    [("mainnet", "main", 0, "xpub", "Zpub"), ("regtest", "regtest", 1, "tpub", "Vpub"),
     ("signet", "signet", 1, "tpub", "Vpub")],
)
def test_account_key_matches_embit(
    network: str, embit_net: str, coin: int, prefix: str, slip132: str
) -> None:
    keys = derive_holder_keys(SEED, network, 7, 4, 3)
    net = NETWORKS[embit_net]
    root = bip32.HDKey.from_seed(SEED, version=net["xprv"])
    account = root.derive(f"m/48h/{coin}h/7h/2h")
    assert keys.fingerprint == root.my_fingerprint
    assert keys.account_path == f"m/48'/{coin}'/7'/2'"
    assert keys.xpub.startswith(prefix)
    assert keys.xpub == account.to_public().to_base58(version=net["xpub"])
    assert keys.slip132.startswith(slip132)
    assert bip32.HDKey.from_base58(keys.slip132).key.sec() == account.to_public().key.sec()
    assert (len(keys.receive), len(keys.change)) == (4, 3)
    for branch, pool in ((0, keys.receive), (1, keys.change)):
        for index, key in enumerate(pool):
            child = account.derive([branch, index])
            assert key.path == f"m/48'/{coin}'/7'/2'/{branch}/{index}" == key.label
            assert bytes(key.secret) == child.key.secret
            assert key.pubkey == child.key.sec()
            assert key.key_id == hash160(child.key.sec())


def test_ethereum_owner_matches_eth_account() -> None:
    keys = derive_holder_keys(SEED, "mainnet", 0, 1, 1)
    owner = bip32.HDKey.from_seed(SEED).derive("m/44h/60h/0h/0/0")
    assert keys.owner.label == "m/44'/60'/0'/0/0"
    assert bytes(keys.owner.secret) == owner.key.secret
    assert keys.owner_address == Account.from_key(owner.key.secret).address
    assert keys.owner.key_id == hash160(owner.key.sec())
    assert keys.pool[-1] is keys.owner and len(keys.pool) == 3


def test_wipe_overwrites_every_private_scalar() -> None:
    keys = derive_holder_keys(SEED, "regtest", 0, 2, 2)
    keys.wipe()
    assert all(key.secret == bytearray(32) for key in keys.pool)


def test_bad_seed_length_refused() -> None:
    with pytest.raises(BadInput):
        master_node(bytes(20))


def test_private_scalars_stay_out_of_repr() -> None:
    keys = derive_holder_keys(SEED, "regtest", 0, 1, 1)
    text = repr(keys)
    assert keys.xpub in text
    assert all(bytes(k.secret).hex() not in text and repr(k.secret) not in text for k in keys.pool)
