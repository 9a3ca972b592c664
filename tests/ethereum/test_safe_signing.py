"""Owner signatures: raw digest, ecrecover before release, export sorted and re-checked."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account import Account
from safe_chain import SafeWallet

from signer.chains.ethereum.safe_hash import safe_tx_hash
from signer.chains.ethereum.signing import OwnerSignature, SafeOwner, export_json, sign_safe_tx
from signer.errors import HsmError, Rejected
from signer.hsm.ecdsa import HALF_N, SECP256K1_N, EcdsaSignature

OTHER = Account.from_key(b"\x22" * 32).address


def test_digest_is_the_bare_safe_tx_hash(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", to=OTHER, value="1")
    seen: list[bytes] = []

    def recording(digest: bytes) -> EcdsaSignature:
        seen.append(digest)
        return owners[0].sign_digest(digest)

    sign_safe_tx(tx, [SafeOwner("A", owners[0].owner, recording)])
    assert seen == [chain.contract_hash(safe, tx)]


def test_signatures_are_low_s_with_v_27_or_28(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    tx = wallet.chain.draft(wallet.safes["1.1.1"], "1.1.1", to=OTHER, value="1")
    for nonce in range(4):
        made = sign_safe_tx(replace(tx, nonce=nonce), owners)
        for item in made.signatures:
            assert int.from_bytes(item.signature[32:64], "big") <= HALF_N
            assert item.signature[64] in (27, 28)


def test_token_holding_another_key_is_refused(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=OTHER, value="1")
    impostor = SafeOwner("A", owners[1].owner, owners[0].sign_digest)
    with pytest.raises(HsmError) as caught:
        sign_safe_tx(tx, [impostor])
    assert caught.value.code == "owner_mismatch" and owners[1].owner in caught.value.message


def test_high_s_signature_is_refused(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=OTHER, value="1")

    def malleated(digest: bytes) -> EcdsaSignature:
        good = owners[0].sign_digest(digest)
        return EcdsaSignature(good.r, SECP256K1_N - good.s, good.digest, good.public_key)

    with pytest.raises(HsmError) as caught:
        sign_safe_tx(tx, [SafeOwner("A", owners[0].owner, malleated)])
    assert caught.value.code == "bad_signature"


def test_same_owner_twice_is_refused(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=OTHER, value="1")
    with pytest.raises(Rejected) as caught:
        sign_safe_tx(tx, [owners[0], owners[0]])
    assert caught.value.code == "duplicate_owner"


def test_signatures_from_separate_sessions_merge_in_owner_order(
    wallet: SafeWallet, owners: list[SafeOwner]
) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", to=OTHER, value="9")
    later = sign_safe_tx(tx, [owners[2]]).signatures + sign_safe_tx(tx, [owners[0]]).signatures
    export = export_json(safe_tx_hash(tx), later)
    expected = sorted([owners[0].owner, owners[2].owner], key=lambda a: int(a, 16))
    assert [s["owner"] for s in export["signatures"]] == expected
    before = chain.balance(OTHER)
    chain.execute(safe, tx, bytes.fromhex(export["packed"][2:]))
    assert chain.balance(OTHER) - before == 9


def test_export_rechecks_every_signature(wallet: SafeWallet, owners: list[SafeOwner]) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=OTHER, value="1")
    made = sign_safe_tx(tx, owners[:2])
    first, second = made.signatures
    swapped = OwnerSignature(first.holder, first.owner, second.signature)
    with pytest.raises(Rejected) as caught:
        export_json(made.safe_tx_hash, [swapped, second])
    assert caught.value.code == "bad_signature"
    with pytest.raises(Rejected) as caught:
        export_json(made.safe_tx_hash, [first, first])
    assert caught.value.code == "duplicate_owner"
    other_tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=OTHER, value="2")
    with pytest.raises(Rejected):
        export_json(safe_tx_hash(other_tx), made.signatures)
