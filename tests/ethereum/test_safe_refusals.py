"""Dangerous Safe transactions are refused; where cheap, the chain shows why they are dangerous."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from safe_chain import SLOT0_WRITER_INIT, SafeWallet
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx

from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.safe_tx import SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.signing import SafeOwner, sign_safe_tx
from signer.chains.ethereum.tokens import TokenRegistry
from signer.errors import Rejected

ATTACKER = Account.from_key(b"\x66" * 32).address
RECIPIENT = Account.from_key(b"\x11" * 32).address


def codes(
    wallet: SafeWallet, tx: SafeTx, tokens: TokenRegistry, settings: Settings,
    last_nonce: int | None = None,
) -> dict[str, str]:  # fmt: skip
    """Finding code -> message, screened against the wallet's registered Safe and chain."""
    registered = wallet.safes[tx.safe_version].address if tx.safe_version in wallet.safes else ""
    view = decode_safe_tx(tx, tokens, settings)
    findings = screen_safe_tx(
        tx, view, settings, safe=registered, chain_id=wallet.chain.chain_id, last_nonce=last_nonce
    )
    return {f.code: f.message for f in findings}


def execute(wallet: SafeWallet, tx: SafeTx, owners: list[SafeOwner]) -> None:
    """What would happen if two holders signed anyway."""
    packed = sign_safe_tx(tx, owners[:2]).to_json()["packed"]
    wallet.chain.execute(wallet.safes[tx.safe_version], tx, bytes.fromhex(packed[2:]))


@pytest.mark.parametrize("version", ["1.1.1", "1.4.1"])
def test_2025_attack_shape_is_refused_as_delegatecall(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings,
    version: str,
) -> None:  # fmt: skip
    chain, safe = wallet.chain, wallet.safes[version]
    implant = chain.deploy_code(SLOT0_WRITER_INIT)
    # Looks like an ERC-20 transfer; delegatecalled, it writes the Safe's slot 0 (singleton).
    data = wallet.token.encode_abi("transfer", args=[ATTACKER, 0])
    tx = chain.draft(safe, version, to=implant, data=data, operation=1)

    found = codes(wallet, tx, tokens, settings)
    view = decode_safe_tx(tx, tokens, settings)

    assert "delegatecall" in found and implant in found["delegatecall"]
    assert view.transfer is None and "DELEGATECALL" in view.words[0]
    original = chain.storage_slot0(safe.address)
    execute(wallet, tx, owners)
    assert chain.storage_slot0(safe.address) != original
    assert chain.storage_slot0(safe.address)[-20:] == bytes.fromhex(ATTACKER[2:])


def test_delegatecall_to_a_library_without_a_batch_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    tx = wallet.chain.draft(
        wallet.safes["1.4.1"], "1.4.1", to=wallet.multisend.address, data="0x", operation=1
    )
    assert "not a trusted" in codes(wallet, tx, tokens, Settings())["delegatecall"]
    assert "multiSend(bytes)" in codes(wallet, tx, tokens, settings)["delegatecall"]


def test_inner_delegatecall_in_trusted_batch_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    token = wallet.token
    inner = [
        MultiSendTx(MultiSendOperation.CALL, token.address, 0,
                    token.encode_abi("transfer", args=[RECIPIENT, 1])),
        MultiSendTx(MultiSendOperation.DELEGATE_CALL, ATTACKER, 0, b"\x01\x02\x03\x04"),
    ]  # fmt: skip
    data = wallet.multisend.encode_abi("multiSend", args=[b"".join(t.encoded_data for t in inner)])
    tx = wallet.chain.draft(
        wallet.safes["1.4.1"], "1.4.1", to=wallet.multisend.address, data=data, operation=1
    )
    found = codes(wallet, tx, tokens, settings)
    assert "call 2 of the batch" in found["delegatecall"] and ATTACKER in found["delegatecall"]


SELF_CALLS: list[tuple[str, str, list[Any]]] = [
    ("1.4.1", "addOwnerWithThreshold", [ATTACKER, 1]),
    ("1.4.1", "removeOwner", ["0x0000000000000000000000000000000000000001", ATTACKER, 1]),
    ("1.4.1", "swapOwner", ["0x0000000000000000000000000000000000000001", RECIPIENT, ATTACKER]),
    ("1.4.1", "changeThreshold", [1]),
    ("1.4.1", "enableModule", [ATTACKER]),
    ("1.4.1", "disableModule", [ATTACKER, ATTACKER]),
    ("1.4.1", "setGuard", [ATTACKER]),
    ("1.4.1", "setFallbackHandler", [ATTACKER]),
    ("1.1.1", "changeMasterCopy", [ATTACKER]),
]


@pytest.mark.parametrize(("version", "function", "args"), SELF_CALLS)
def test_self_calls_are_refused_by_name(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings,
    version: str, function: str, args: list[Any],
) -> None:  # fmt: skip
    safe = wallet.safes[version]
    tx = wallet.chain.draft(safe, version, to=safe.address, data=safe.encode_abi(function, args))
    found = codes(wallet, tx, tokens, settings)
    assert function in found["self_call"]
    admin = Settings(allow_self_calls=True, trusted_multisend=settings.trusted_multisend)
    assert "self_call" not in codes(wallet, tx, tokens, admin)


def test_threshold_change_is_refused_and_would_lower_the_quorum(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings
) -> None:
    safe = wallet.safes["1.4.1"]
    tx = wallet.chain.draft(
        safe, "1.4.1", to=safe.address, data=safe.encode_abi("changeThreshold", [1])
    )
    assert "changeThreshold" in codes(wallet, tx, tokens, settings)["self_call"]
    execute(wallet, tx, owners)
    assert safe.functions.getThreshold().call() == 1


@pytest.mark.parametrize("version", ["1.1.1", "1.4.1"])
def test_refund_draining_is_refused_and_would_pay_the_receiver(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings,
    version: str,
) -> None:  # fmt: skip
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    tx = chain.draft(
        safe, version, to=RECIPIENT, value="1", baseGas="100000", gasPrice="1000000",
        gasToken=token.address, refundReceiver=ATTACKER,
    )  # fmt: skip
    message = codes(wallet, tx, tokens, settings)["refund_params"]
    assert ATTACKER in message and token.address in message and "gasPrice 1000000" in message
    allowed = Settings(allow_refund_params=True, trusted_multisend=settings.trusted_multisend)
    assert "refund_params" not in codes(wallet, tx, tokens, allowed)
    execute(wallet, tx, owners)
    # (gas used + baseGas) x gasPrice token units leave the Safe: > 100,000 USDT here.
    assert token.functions.balanceOf(ATTACKER).call() > 100_000 * 10**6


def test_refund_in_eth_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=RECIPIENT, value="1", gasPrice="1")
    assert "gasPrice 1 " in codes(wallet, tx, tokens, settings)["refund_params"]


def test_hash_mismatch_is_refused_in_screening_and_signing(
    wallet: SafeWallet, owners: list[SafeOwner], tokens: TokenRegistry, settings: Settings
) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    honest = chain.draft(safe, "1.4.1", to=RECIPIENT, value="5")
    real = chain.contract_hash(safe, honest)
    other = chain.contract_hash(safe, chain.draft(safe, "1.4.1", to=ATTACKER, value="5"))
    tx = chain.draft(safe, "1.4.1", to=RECIPIENT, value="5", safeTxHash="0x" + other.hex())
    message = codes(wallet, tx, tokens, settings)["hash_mismatch"]
    assert other.hex() in message and real.hex() in message
    with pytest.raises(Rejected) as caught:
        sign_safe_tx(tx, owners[:2])
    assert caught.value.code == "hash_mismatch"


def test_wrong_chain_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    chain = wallet.chain
    tx = chain.draft(wallet.safes["1.4.1"], "1.4.1", to=RECIPIENT, value="1", chainId=1)
    assert str(chain.chain_id) in codes(wallet, tx, tokens, settings)["wrong_chain"]


def test_wrong_safe_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    tx = wallet.chain.draft(wallet.safes["1.4.1"], "1.4.1", to=RECIPIENT, value="1")
    view = decode_safe_tx(tx, tokens, settings)
    findings = screen_safe_tx(
        tx, view, settings, safe=wallet.safes["1.1.1"].address,
        chain_id=wallet.chain.chain_id, last_nonce=None,
    )  # fmt: skip
    assert [f.code for f in findings] == ["wrong_safe"]


def test_stale_nonce_is_refused_but_the_next_one_is_not(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    safe = wallet.safes["1.4.1"]
    stale = wallet.chain.draft(safe, "1.4.1", to=RECIPIENT, value="1", nonce=3)
    assert "3" in codes(wallet, stale, tokens, settings, last_nonce=5)["stale_nonce"]
    fresh = wallet.chain.draft(safe, "1.4.1", to=RECIPIENT, value="1", nonce=6)
    assert codes(wallet, fresh, tokens, settings, last_nonce=5) == {}


def test_every_finding_is_reported_not_only_the_first(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    safe = wallet.safes["1.4.1"]
    data = safe.encode_abi("addOwnerWithThreshold", [ATTACKER, 1])
    tx = wallet.chain.draft(
        safe, "1.4.1", to=safe.address, data=data, gasPrice="1", refundReceiver=ATTACKER,
        chainId=1, nonce=0, safeTxHash="0x" + "ab" * 32,
    )  # fmt: skip
    assert set(codes(wallet, tx, tokens, settings, last_nonce=9)) == {
        "self_call", "refund_params", "wrong_chain", "stale_nonce", "hash_mismatch",
    }  # fmt: skip
