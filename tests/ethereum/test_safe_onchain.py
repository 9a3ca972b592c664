"""Signed drafts execute on the real Safe contracts; partial or misordered signatures do not."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from safe_chain import SafeWallet
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx

from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.safe_tx import SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.signing import SafeOwner, sign_safe_tx
from signer.chains.ethereum.tokens import TokenRegistry

VERSIONS = ["1.1.1", "1.4.1"]
# Revert reasons: 1.1.1 uses strings, 1.4.1 error codes (GS020 too short, GS026 bad owner order).
TOO_SHORT = "Signatures data too short|GS020"
BAD_OWNER = "Invalid owner provided|GS026"
RECIPIENT = Account.from_key(b"\x11" * 32).address
OTHER = Account.from_key(b"\x22" * 32).address


def clean(wallet: SafeWallet, tx: SafeTx, tokens: TokenRegistry, settings: Settings) -> None:
    view = decode_safe_tx(tx, tokens, settings)
    chain = wallet.chain
    findings = screen_safe_tx(
        tx, view, settings, safe=tx.safe, chain_id=chain.chain_id, last_nonce=None
    )
    assert findings == []


def packed_for(tx: SafeTx, signers: list[SafeOwner]) -> bytes:
    return bytes.fromhex(sign_safe_tx(tx, signers).to_json()["packed"][2:])


@pytest.mark.parametrize("version", VERSIONS)
def test_signed_erc20_transfer_executes(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings,
    version: str,
) -> None:  # fmt: skip
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    data = token.encode_abi("transfer", args=[RECIPIENT, 25_000 * 10**6])
    tx = chain.draft(safe, version, to=token.address, data=data)
    view = decode_safe_tx(tx, tokens, settings)
    assert view.transfer is not None
    assert (view.transfer.asset, view.transfer.amount) == ("USDT", "25000")
    assert view.transfer.destination == RECIPIENT
    clean(wallet, tx, tokens, settings)
    before = token.functions.balanceOf(safe.address).call()

    chain.execute(safe, tx, packed_for(tx, [owners[2], owners[0]]))

    assert token.functions.balanceOf(RECIPIENT).call() == 25_000 * 10**6
    assert token.functions.balanceOf(safe.address).call() == before - 25_000 * 10**6
    assert safe.functions.nonce().call() == tx.nonce + 1


@pytest.mark.parametrize("version", VERSIONS)
def test_signed_eth_transfer_executes(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings,
    version: str,
) -> None:  # fmt: skip
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=OTHER, value=str(15 * 10**17))
    view = decode_safe_tx(tx, tokens, settings)
    assert view.transfer is not None and view.transfer.amount == "1.5"
    clean(wallet, tx, tokens, settings)
    before = chain.balance(OTHER)

    chain.execute(safe, tx, packed_for(tx, owners[1:]))

    assert chain.balance(OTHER) - before == 15 * 10**17


@pytest.mark.parametrize("version", VERSIONS)
def test_one_signature_alone_fails_on_chain(
    wallet: SafeWallet, owners: list[SafeOwner], version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=OTHER, value="1000")
    with pytest.raises(TransactionFailed, match=TOO_SHORT):
        chain.execute(safe, tx, packed_for(tx, owners[:1]))
    assert safe.functions.nonce().call() == tx.nonce


@pytest.mark.parametrize("version", VERSIONS)
def test_descending_owner_order_fails_so_export_order_matters(
    wallet: SafeWallet, owners: list[SafeOwner], version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=OTHER, value="1000")
    packed = packed_for(tx, owners[:2])
    with pytest.raises(TransactionFailed, match=BAD_OWNER):
        chain.execute(safe, tx, packed[65:] + packed[:65])
    chain.execute(safe, tx, packed)
    assert safe.functions.nonce().call() == tx.nonce + 1


def test_eth_account_recovers_each_exported_signature(
    wallet: SafeWallet, owners: list[SafeOwner]
) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", to=OTHER, value="7")
    export = sign_safe_tx(tx, owners).to_json()
    assert bytes.fromhex(export["safeTxHash"][2:]) == chain.contract_hash(safe, tx)
    by_owner = {o.owner: o for o in owners}
    assert [s["owner"] for s in export["signatures"]] == sorted(by_owner, key=lambda a: int(a, 16))
    for entry in export["signatures"]:
        signature = bytes.fromhex(entry["signature"][2:])
        recovered = Account._recover_hash(export["safeTxHash"], signature=signature)
        assert recovered == entry["owner"] == by_owner[entry["owner"]].owner
    assert export["packed"] == "0x" + "".join(s["signature"][2:] for s in export["signatures"])


@pytest.mark.parametrize("version", VERSIONS)
def test_multisend_batch_decodes_and_executes(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings,
    version: str,
) -> None:  # fmt: skip
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    inner = [
        MultiSendTx(MultiSendOperation.CALL, token.address, 0,
                    token.encode_abi("transfer", args=[RECIPIENT, 1_500_000])),
        MultiSendTx(MultiSendOperation.CALL, token.address, 0,
                    token.encode_abi("transfer", args=[OTHER, 2_000_000])),
        MultiSendTx(MultiSendOperation.CALL, OTHER, 3 * 10**18, b""),
    ]  # fmt: skip
    data = wallet.multisend.encode_abi("multiSend", args=[b"".join(t.encoded_data for t in inner)])
    tx = chain.draft(safe, version, to=wallet.multisend.address, data=data, operation=1)
    view = decode_safe_tx(tx, tokens, settings)
    assert view.batch_library == wallet.multisend.address
    assert [(c.action, c.asset, c.amount, c.destination) for c in view.calls] == [
        ("erc20_transfer", "USDT", "1.5", RECIPIENT),
        ("erc20_transfer", "USDT", "2", OTHER),
        ("eth_transfer", "ETH", "3", OTHER),
    ]
    clean(wallet, tx, tokens, settings)
    before = chain.balance(OTHER)

    chain.execute(safe, tx, packed_for(tx, owners[:2]))

    assert token.functions.balanceOf(RECIPIENT).call() == 1_500_000
    assert token.functions.balanceOf(OTHER).call() == 2_000_000
    assert chain.balance(OTHER) - before == 3 * 10**18
