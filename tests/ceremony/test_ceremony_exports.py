"""Wallet exports, checked with embit (descriptors, checksums, addresses) and eth-utils."""

from __future__ import annotations

import hashlib
import json

import pytest
from embit.descriptor import Descriptor
from embit.descriptor.checksum import checksum
from embit.networks import NETWORKS
from eth_utils import is_checksum_address

from ceremony.derive import HolderKeys, derive_holder_keys
from ceremony.exports import (
    SafeOwners,
    bsms_record,
    caravan_wallet,
    coldcard_setup,
    descriptors,
    safe_owners,
)
from signer.chains.bitcoin.wallet import Cosigner, MultisigWallet

EMBIT_NET = {"mainnet": "main", "regtest": "regtest", "testnet": "test"}


def holders(network: str) -> dict[str, HolderKeys]:
    return {
        h: derive_holder_keys(hashlib.sha256(f"export {h}".encode()).digest(), network, 0, 1, 1)
        for h in "ABC"
    }


def registered(network: str) -> tuple[MultisigWallet, dict[str, HolderKeys]]:
    keys = holders(network)
    cosigners = tuple(
        Cosigner(h, k.fingerprint, k.xpub, k.account_path) for h, k in keys.items()
    )
    return MultisigWallet("cold-2026", network, cosigners), keys


def split_checksum(text: str) -> tuple[str, str]:
    body, _, given = text.partition("#")
    return body, given


def embit_address(descriptor: str, network: str, branch: int, index: int) -> str:
    parsed = Descriptor.from_string(descriptor)
    if "<0;1>" in descriptor:
        return str(parsed.derive(index, branch_index=branch).address(NETWORKS[EMBIT_NET[network]]))
    return str(parsed.derive(index).address(NETWORKS[EMBIT_NET[network]]))


@pytest.mark.parametrize("network", ["mainnet", "regtest"])
def test_descriptors_parse_and_agree_with_bsms(network: str) -> None:
    wallet, keys = registered(network)
    multipath, receive, change = descriptors(wallet).splitlines()
    for line in (multipath, receive, change):
        body, given = split_checksum(line)
        assert given == checksum(body)  # embit's BIP-380 checksum
        assert body.startswith("wsh(sortedmulti(2,")
        for k in keys.values():
            assert f"[{k.fingerprint.hex()}{k.account_path[1:]}]{k.xpub}" in body
    assert "/<0;1>/*" in multipath and "/0/*" in receive and "/1/*" in change
    version, template, restrictions, first = bsms_record(wallet).splitlines()
    assert (version, restrictions) == ("BSMS 1.0", "/0/*,/1/*")
    assert first == embit_address(receive, network, 0, 0)
    assert first == embit_address(multipath, network, 0, 0)
    assert embit_address(change, network, 1, 0) == embit_address(multipath, network, 1, 0)
    assert first != embit_address(change, network, 1, 0)
    body, given = split_checksum(template)
    assert given == checksum(body) and body.count("/**") == 3
    assert embit_address(body.replace("/**", "/0/*"), network, 0, 0) == first
    assert first.startswith("bc1q" if network == "mainnet" else "bcrt1q")


def test_coldcard_file() -> None:
    wallet, keys = registered("mainnet")
    lines = coldcard_setup(wallet).splitlines()
    assert "Name: cold-2026" in lines and "Policy: 2 of 3" in lines
    assert "Derivation: m/48'/0'/0'/2'" in lines and "Format: P2WSH" in lines
    key_lines = [line for line in lines if ": xpub" in line]
    assert key_lines == [f"{k.fingerprint.hex().upper()}: {k.xpub}" for k in keys.values()]


def test_caravan_file() -> None:
    wallet, keys = registered("regtest")
    config = json.loads(caravan_wallet(wallet))
    assert config["name"] == "cold-2026" and config["addressType"] == "P2WSH"
    assert config["network"] == "regtest" and config["startingAddressIndex"] == 0
    assert config["quorum"] == {"requiredSigners": 2, "totalSigners": 3}
    assert [
        (e["name"], e["bip32Path"], e["xpub"], e["xfp"]) for e in config["extendedPublicKeys"]
    ] == [(h, k.account_path, k.xpub, k.fingerprint.hex()) for h, k in keys.items()]


def test_safe_owners_file() -> None:
    keys = holders("mainnet")
    owners = tuple(k.owner_address for k in keys.values())
    document = json.loads(safe_owners(SafeOwners(owners, 1, "1.4.1")))
    assert document == {
        "owners": list(owners), "threshold": 2, "chainId": 1, "safeVersion": "1.4.1", "safe": None
    }
    assert all(is_checksum_address(o) for o in document["owners"])
    safe = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert json.loads(safe_owners(SafeOwners(owners, 5, "1.3.0", safe)))["safe"] == safe
