"""Calldata built by web3 from the real ERC-20 ABI decodes into the operator's words."""

from __future__ import annotations

from typing import Any

import eth_abi
import pytest
from eth_account import Account
from eth_typing import HexStr
from safe_eth.eth.contracts import get_example_erc20_contract, get_safe_V1_4_1_contract
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx
from web3 import Web3

from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.safe_tx import SafeTx, parse_safe_tx
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.tokens import Token, TokenRegistry, amount_words, units
from signer.chains.ethereum.view import OperatorView

W3 = Web3()
ERC20 = get_example_erc20_contract(W3)
SAFE = Account.from_key(b"\x01" * 32).address
USDT = Web3.to_checksum_address("0xdAC17F958D2ee523a2206206994597C13D831ec7")  # FORMATS.md
BOB = Account.from_key(b"\x02" * 32).address
CAROL = Account.from_key(b"\x03" * 32).address
BATCH = Account.from_key(b"\x04" * 32).address
TOKENS = TokenRegistry([Token("USDT", 6, USDT, 1), Token("WETH", 18, BOB, 1)])
SETTINGS = Settings(trusted_multisend={1: frozenset({BATCH})})
ZERO = "0x" + "00" * 20


def draft(**fields: Any) -> SafeTx:
    obj: dict[str, Any] = {
        "safe": SAFE, "chainId": 1, "safeVersion": "1.4.1", "to": USDT, "value": "0",
        "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": ZERO, "refundReceiver": ZERO, "nonce": 7,
    }  # fmt: skip
    obj.update(fields)
    return parse_safe_tx(obj, "t")


def view_of(**fields: Any) -> OperatorView:
    return decode_safe_tx(draft(**fields), TOKENS, SETTINGS)


def findings(settings: Settings = SETTINGS, **fields: Any) -> set[str]:
    tx = draft(**fields)
    view = decode_safe_tx(tx, TOKENS, settings)
    screened = screen_safe_tx(tx, view, settings, safe=SAFE, chain_id=1, last_nonce=None)
    return {f.code for f in screened}


def erc20(function: str, *args: Any) -> HexStr:
    return HexStr(ERC20.encode_abi(function, args=list(args)))


def test_usdt_transfer_in_words() -> None:
    view = view_of(data=erc20("transfer", BOB, 25_000 * 10**6))
    call = view.transfer
    assert call is not None
    assert (call.action, call.function, call.asset, call.amount) == (
        "erc20_transfer", "transfer", "USDT", "25000",
    )  # fmt: skip
    assert call.destination == BOB
    assert call.words == f"Transfer 25,000.00 USDT to {BOB[:6]}…{BOB[-4:]}"


def test_eth_transfer_in_words() -> None:
    view = view_of(to=CAROL, value=str(15 * 10**17))
    assert view.transfer is not None and view.transfer.amount == "1.5"
    assert view.words == (f"Transfer 1.50 ETH to {CAROL[:6]}…{CAROL[-4:]}",)


@pytest.mark.parametrize(
    ("function", "args", "action", "words"),
    [
        ("transferFrom", [CAROL, BOB, 10**6], "erc20_transfer_from",
         "Transfer 1.00 USDT from {carol} to {bob}"),
        ("approve", [BOB, 5 * 10**5], "erc20_approve", "Approve {bob} to spend up to 0.50 USDT"),
        ("approve", [BOB, 2**256 - 1], "erc20_approve",
         "Approve {bob} to spend up to unlimited USDT"),
        ("increaseAllowance", [BOB, 123_456_789], "erc20_increase_allowance",
         "Increase the allowance of {bob} by 123.456789 USDT"),
    ],
)  # fmt: skip
def test_other_erc20_calls(function: str, args: list[Any], action: str, words: str) -> None:
    view = view_of(data=erc20(function, *args))
    (call,) = view.calls
    short = {"bob": f"{BOB[:6]}…{BOB[-4:]}", "carol": f"{CAROL[:6]}…{CAROL[-4:]}"}
    assert (call.action, call.words, call.destination) == (action, words.format(**short), BOB)
    assert view.transfer is None
    assert findings(data=erc20(function, *args)) == set()


@pytest.mark.parametrize(
    ("amount", "decimals", "exact", "shown"),
    [
        (25_000 * 10**6, 6, "25000", "25,000.00"), (15 * 10**17, 18, "1.5", "1.50"),
        (1, 6, "0.000001", "0.000001"), (0, 18, "0", "0.00"), (10**6, 0, "1000000", "1,000,000.00"),
        (1_234_567_891, 3, "1234567.891", "1,234,567.891"),
    ],
)  # fmt: skip
def test_amounts_are_exact_strings(amount: int, decimals: int, exact: str, shown: str) -> None:
    assert units(amount, decimals) == exact
    assert amount_words(amount, decimals) == shown


def test_erc20_call_on_unregistered_contract_is_unknown() -> None:
    view = view_of(to=CAROL, data=erc20("transfer", BOB, 1))
    assert view.calls[0].action == "unknown_call" and "unregistered" in view.words[0]
    assert findings(to=CAROL, data=erc20("transfer", BOB, 1)) == {"unknown_call"}


@pytest.mark.parametrize(
    "data",
    [
        erc20("transfer", BOB, 1) + "00",  # trailing byte
        erc20("transfer", BOB, 1)[:-2],  # truncated
        "0xa9059cbb" + "ff" * 12 + BOB[2:].lower() + "00" * 31 + "01",  # dirty address padding
        "0x12345678",
    ],
)
def test_non_canonical_or_unknown_calldata_is_unknown(data: str) -> None:
    assert view_of(data=data).calls[0].action == "unknown_call"
    assert "unknown_call" in findings(data=data)


def test_empty_call_without_value_is_unknown() -> None:
    assert view_of(to=CAROL).calls[0].action == "unknown_call"


def test_unknown_calls_can_be_allowed_by_settings() -> None:
    allowing = Settings(allow_unknown_calls=True)
    assert findings(to=CAROL, data="0x12345678") == {"unknown_call"}
    assert findings(allowing, to=CAROL, data="0x12345678") == set()


def test_value_with_erc20_call_is_flagged() -> None:
    assert findings(data=erc20("transfer", BOB, 1), value="1") == {"value_with_call"}


def test_self_call_names_the_function_and_cancellation() -> None:
    safe_abi = get_safe_V1_4_1_contract(W3)
    data = safe_abi.encode_abi("swapOwner", args=["0x" + "00" * 19 + "01", BOB, CAROL])
    assert view_of(to=SAFE, data=data).calls[0].function == "swapOwner"
    assert "nonce cancellation" in view_of(to=SAFE).words[0]


def multisend(*inner: MultiSendTx) -> str:
    packed = b"".join(t.encoded_data for t in inner)
    return "0x8d80ff0a" + eth_abi.encode(["bytes"], [packed]).hex()


def test_batch_decodes_each_inner_call_and_numbers_them() -> None:
    data = multisend(
        MultiSendTx(MultiSendOperation.CALL, USDT, 0, erc20("transfer", BOB, 10**6)),
        MultiSendTx(MultiSendOperation.CALL, CAROL, 10**18, b""),
    )
    view = view_of(to=BATCH, operation=1, data=data)
    assert view.batch_library == BATCH and view.transfer is None
    assert [w.split(" ")[0:3] for w in view.words] == [
        ["[1/2]", "Transfer", "1.00"], ["[2/2]", "Transfer", "1.00"],
    ]  # fmt: skip
    assert findings(to=BATCH, operation=1, data=data) == set()


def test_batch_through_untrusted_library_is_delegatecall() -> None:
    data = multisend(MultiSendTx(MultiSendOperation.CALL, CAROL, 1, b""))
    assert findings(to=CAROL, operation=1, data=data) == {"delegatecall"}


def test_batch_by_plain_call_is_not_decoded() -> None:
    data = multisend(MultiSendTx(MultiSendOperation.CALL, CAROL, 1, b""))
    view = view_of(to=BATCH, operation=0, data=data)
    assert view.batch_library is None and "trusted library" in view.words[0]


@pytest.mark.parametrize(
    "data",
    [
        "0x8d80ff0a" + "00" * 31 + "40" + "00" * 32,  # wrong offset
        multisend(MultiSendTx(MultiSendOperation.CALL, CAROL, 1, b"\x01\x02"))[:-64],  # short
        "0x8d80ff0a" + "00" * 31 + "20" + "00" * 31 + "01" + "01" + "00" * 31,  # truncated entry
        "0x8d80ff0a" + "00" * 31 + "20" + "00" * 32,  # empty batch
    ],
)
def test_malformed_batches_are_unknown_calls(data: str) -> None:
    view = view_of(to=BATCH, operation=1, data=data)
    assert view.batch_library is None and view.calls[0].action == "unknown_call"
    assert "malformed MultiSend batch" in view.words[0]


def test_inner_self_call_and_nested_value_call_are_flagged() -> None:
    safe_abi = get_safe_V1_4_1_contract(W3)
    data = multisend(
        MultiSendTx(
            MultiSendOperation.CALL, SAFE, 0, HexStr(safe_abi.encode_abi("changeThreshold", [1]))
        ),
        MultiSendTx(MultiSendOperation.CALL, USDT, 5, erc20("approve", BOB, 1)),
    )
    assert findings(to=BATCH, operation=1, data=data) == {"self_call", "value_with_call"}
