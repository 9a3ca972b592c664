"""A proof request's addresses: found in the wallet's key pool, or refused by name."""

from __future__ import annotations

import hashlib

import pytest
from builders import SeededWallet, make_wallet
from embit import bech32
from embit.hashes import hash160
from embit.networks import NETWORKS

from signer.chains.bitcoin.wallet import format_path
from signer.chains.proof.bitcoin_addresses import (
    MAX_PROOF_ADDRESSES,
    locate_addresses,
    screen_addresses,
)
from signer.errors import BadInput, Rejected

POOL = (20, 10)  # receive_keys, change_keys


def test_receive_and_change_addresses_are_found_with_their_keys(seeded: SeededWallet) -> None:
    wallet = seeded.wallet
    wanted = [(0, 0), (1, 9), (0, 19), (1, 0), (0, 7)]
    found = locate_addresses(wallet, [wallet.address(*b) for b in wanted], *POOL)
    assert [(f.change, f.index) for f in found] == wanted
    for item, (change, index) in zip(found, wanted, strict=True):
        assert item.path == f"/{change}/{index}"
        assert item.script_pubkey == b"\x00\x20" + hashlib.sha256(item.witness_script).digest()
        assert [k.holder for k in item.keys] == ["A", "B", "C"]
        for key in item.keys:
            # the key the holder's root derives (embit BIP32 from the seed, not the xpub)
            path = (*wallet.cosigner(key.holder).path_indexes, change, index)
            assert key.pubkey == seeded.roots[key.holder].derive(list(path)).sec()
            assert key.key_id == hash160(key.pubkey)
            assert key.path == format_path(path)
            assert b"\x21" + key.pubkey in item.witness_script


def test_upper_case_bech32_is_the_same_address(seeded: SeededWallet) -> None:
    address = seeded.wallet.address(0, 3)
    [found] = locate_addresses(seeded.wallet, [address.upper()], *POOL)
    assert found.address == address and (found.change, found.index) == (0, 3)


def _p2wpkh(seeded: SeededWallet) -> str:
    key = seeded.wallet.child_pubkeys(0, 0)["A"]
    return str(bech32.encode(NETWORKS["regtest"]["bech32"], 0, hash160(key)))


def test_each_unprovable_address_is_refused_with_its_own_code(seeded: SeededWallet) -> None:
    wallet = seeded.wallet
    stranger = make_wallet({h: bytes([n]) * 32 for n, h in enumerate("ABC", 1)}).wallet
    mainnet = make_wallet(network="mainnet", path="m/48'/0'/0'/2'").wallet
    request = [
        wallet.address(0, 1),
        stranger.address(0, 1),  # another wallet's
        wallet.address(0, POOL[0]),  # first receive address past the pool
        wallet.address(1, POOL[1] + 5),  # a change address past the pool
        mainnet.address(0, 0),  # another network's
        _p2wpkh(seeded),  # one holder's key alone: not the wallet's P2WSH
        "bcrt1qnotanaddress",
        wallet.address(0, 1),  # the same address again
        12345,
    ]
    found, refused = screen_addresses(wallet, request, *POOL)
    assert [(f.change, f.index) for f in found] == [(0, 1)]
    assert [(r.position, r.code) for r in refused] == [
        (1, "proof_address_not_ours"),
        (2, "proof_address_beyond_pool"),
        (3, "proof_address_beyond_pool"),
        (4, "proof_address_wrong_network"),
        (5, "proof_address_not_p2wsh"),
        (6, "proof_address_invalid"),
        (7, "proof_address_duplicate"),
        (8, "proof_address_invalid"),
    ]
    for refusal in refused:
        assert refusal.message.startswith(f"bitcoin.addresses[{refusal.position}] ")
    assert stranger.address(0, 1) in refused[0].message
    assert "/0/20" in refused[1].message and "/1/15" in refused[2].message


def test_locate_refuses_the_whole_request_naming_the_first(seeded: SeededWallet) -> None:
    wallet = seeded.wallet
    stranger = make_wallet({h: bytes([n]) * 32 for n, h in enumerate("ABC", 7)}).wallet
    with pytest.raises(Rejected) as refused:
        locate_addresses(wallet, [wallet.address(0, 0), stranger.address(1, 2),
                                  stranger.address(0, 0)], *POOL)
    assert refused.value.code == "proof_address_not_ours"
    assert stranger.address(1, 2) in refused.value.message
    assert "1 more refused" in refused.value.message


def test_request_size_is_bounded(seeded: SeededWallet) -> None:
    wallet = seeded.wallet
    for bad in ([], [wallet.address(0, 0)] * (MAX_PROOF_ADDRESSES + 1)):
        with pytest.raises(BadInput) as error:
            screen_addresses(wallet, bad, *POOL)
        assert error.value.code == "proof_too_many_addresses"
    with pytest.raises(BadInput) as not_list:
        screen_addresses(wallet, wallet.address(0, 0), *POOL)
    assert not_list.value.code == "proof_bad_addresses"
    long = "bcrt1q" + "q" * 200
    _, refused = screen_addresses(wallet, [long], *POOL)
    assert refused[0].code == "proof_address_invalid" and len(refused[0].address) < 110
