"""The registered wallet: descriptor checksum, addresses, keys, and refusal of bad input."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bitcointx.core import Hash160
from builders import SEEDS, SeededWallet, make_wallet
from embit.descriptor import Descriptor
from embit.descriptor.checksum import add_checksum
from embit.networks import NETWORKS

from signer.chains.bitcoin.addresses import script_for_address
from signer.chains.bitcoin.checksum import checksum_valid, with_checksum
from signer.chains.bitcoin.wallet import KeyOrigin, MultisigWallet, key_id, parse_path
from signer.errors import BadInput

# BIP-380 "Test Vectors": valid, then each invalid form the BIP lists.
BIP380_VALID = ("raw(deadbeef)#89f8spxm",)
BIP380_INVALID = (
    "raw(deadbeef)#",
    "raw(deadbeef)#89f8spxmx",
    "raw(deadbeef)#89f8spx",
    "raw(deadbeef)#89f8spxn",
    "raw(dedbeef)#89f8spxm",
    "raw(deadbeef)##9f8spxm",
    "raw(Ü)#00000000",
)


def test_checksum_bip380_vectors() -> None:
    assert all(checksum_valid(text) for text in BIP380_VALID)
    assert not any(checksum_valid(text) for text in BIP380_INVALID)
    assert with_checksum("raw(deadbeef)") == BIP380_VALID[0]


@pytest.mark.parametrize("branch", [None, 0, 1])
def test_descriptor_checksum_matches_embit(seeded: SeededWallet, branch: int | None) -> None:
    text = seeded.wallet.descriptor(branch)
    assert add_checksum(text.split("#")[0]) == text
    assert "sortedmulti(2," in text and text.count("[") == 3


@pytest.mark.parametrize("network", ["mainnet", "testnet", "signet", "regtest"])
def test_addresses_match_embit_descriptor(network: str) -> None:
    wallet = make_wallet(network=network, path="m/48'/0'/0'/2'").wallet
    params = NETWORKS[{"mainnet": "main", "testnet": "test"}.get(network, network)]
    for branch in (0, 1):
        descriptor = Descriptor.from_string(wallet.descriptor(branch).split("#")[0])
        for index in (0, 1, 7):
            expected = descriptor.derive(index).address(params)
            assert wallet.address(branch, index) == expected
            assert expected.startswith(
                {"mainnet": "bc1q", "regtest": "bcrt1q"}.get(network, "tb1q")
            )
            assert script_for_address(expected, network) == wallet.script_pubkey(branch, index)


def test_multipath_descriptor_covers_both_branches(seeded: SeededWallet) -> None:
    multipath = seeded.wallet.descriptor()
    assert "/<0;1>/*" in multipath and checksum_valid(multipath)
    assert (
        multipath.split("#")[0].replace("<0;1>", "1") == seeded.wallet.descriptor(1).split("#")[0]
    )


def test_keys_and_their_origin(seeded: SeededWallet) -> None:
    wallet = seeded.wallet
    keys = wallet.child_pubkeys(1, 5)
    for holder, pubkey in keys.items():
        root = seeded.roots[holder]
        assert root.derive(list(wallet.child_path(holder, 1, 5))).sec() == pubkey
        assert key_id(pubkey) == Hash160(pubkey)
        assert wallet.locate_pubkey(pubkey) == KeyOrigin(holder, 1, 5)
        origin = wallet.origin_of(root.my_fingerprint, wallet.child_path(holder, 1, 5))
        assert origin == KeyOrigin(holder, 1, 5)
    assert wallet.origin_of(b"\x00" * 4, wallet.child_path("A", 1, 5)) is None
    assert (
        wallet.origin_of(wallet.cosigners[0].fingerprint, parse_path("m/48'/1'/0'/2'/2/5")) is None
    )
    script = wallet.witness_script(1, 5)
    assert script[0] == 0x52 and script[-2:] == b"\x53\xae"
    assert [script[2 + 34 * i : 35 + 34 * i] for i in range(3)] == sorted(keys.values())


def _wallet(**changes: object) -> MultisigWallet:
    base = make_wallet().wallet
    cosigners = list(base.cosigners)
    cosigners[0] = replace(cosigners[0], **changes)  # type: ignore[arg-type]
    return MultisigWallet("w", "regtest", tuple(cosigners))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"fingerprint": b"\x01\x02\x03"}, "bad_wallet"),
        ({"holder": "B"}, "bad_wallet"),
        ({"holder": ""}, "bad_wallet"),
        ({"path": "m/48'/1'/0'"}, "bad_xpub"),
        ({"path": "48'/1'/0'/2'"}, "bad_path"),
        ({"xpub": "tpubnotreally"}, "bad_xpub"),
    ],
)
def test_bad_cosigner_refused(changes: dict[str, object], code: str) -> None:
    with pytest.raises(BadInput) as refused:
        _wallet(**changes)
    assert refused.value.code == code


def test_network_and_key_kind_enforced() -> None:
    seeded = make_wallet()
    cosigners = seeded.wallet.cosigners
    with pytest.raises(BadInput, match="xpub"):
        MultisigWallet("w", "mainnet", cosigners)  # tpubs on mainnet
    private = seeded.roots["A"].derive("m/48'/1'/0'/2'").to_base58()
    with pytest.raises(BadInput, match="public"):
        MultisigWallet("w", "regtest", (replace(cosigners[0], xpub=private), *cosigners[1:]))
    with pytest.raises(BadInput, match="distinct xpub"):
        MultisigWallet(
            "w", "regtest", (cosigners[0], replace(cosigners[0], holder="B"), cosigners[2])
        )
    with pytest.raises(BadInput, match="threshold"):
        MultisigWallet("w", "regtest", cosigners, threshold=4)
    with pytest.raises(BadInput, match="network"):
        MultisigWallet("w", "bitcoin", cosigners)
    mainnet = make_wallet(SEEDS, "mainnet").wallet
    assert all(c.xpub.startswith("xpub") for c in mainnet.cosigners)


def test_other_network_address_refused(seeded: SeededWallet) -> None:
    mainnet_address = make_wallet(network="mainnet").wallet.address(0, 0)
    with pytest.raises(BadInput) as refused:
        script_for_address(mainnet_address, "regtest")
    assert refused.value.code == "wrong_network"
    with pytest.raises(BadInput) as refused:
        script_for_address("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "mainnet")  # testnet P2PKH
    assert refused.value.code == "wrong_network"
