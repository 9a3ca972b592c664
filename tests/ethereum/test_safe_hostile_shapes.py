"""Only what can execute is signed: a transfer to the zero address (and a value sent with a
delegatecall), on the real Safe.

A hostile vault's draft that "withdraws" to 0x0000...0000: the test token (OpenZeppelin
ERC-20, safe-eth-py) reverts a transfer to it, so Safe 1.4.1 refuses to execute (GS013,
the nonce blocked) and 1.1.1 burns the nonce moving nothing; ETH sent to it is burnt.
Refused as ``zero_destination``; an ordinary transfer still executes afterwards.
"""

from __future__ import annotations

import pytest
from safe_chain import ZERO, SafeWallet
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx
from safe_executor import execute, revert_reason
from test_safe_execution_onchain import GWEI, RECIPIENT, VERSIONS, codes, on_this_chain

from signer.chains.ethereum.execution import max_safe_tx_gas
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.tokens import TokenRegistry


@pytest.mark.parametrize("version", VERSIONS)
def test_tokens_sent_to_the_zero_address_are_refused_and_cannot_execute(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    held = token.functions.balanceOf(safe.address).call()
    tx = chain.draft(safe, version, to=token.address,
                     data=token.encode_abi("transfer", args=[ZERO, 25 * 10**6]))
    assert set(codes(wallet, tx, tokens, settings)) == {"zero_destination"}
    assert "25 USDT" in codes(wallet, tx, tokens, settings)["zero_destination"]

    outcome = execute(chain, safe, tx)
    if version == "1.4.1":  # the failed call reverts the execution: the nonce is blocked
        assert "GS013" in revert_reason(chain, safe, tx)
        assert (outcome.mined, outcome.nonce_used) == (False, False)
    else:  # the nonce is used up, nothing moved
        assert (outcome.executed, outcome.nonce_used) == (False, True)
    assert token.functions.balanceOf(safe.address).call() == held

    ordinary = chain.draft(safe, version, to=token.address,
                           data=token.encode_abi("transfer", args=[RECIPIENT, 25 * 10**6]))
    assert codes(wallet, ordinary, tokens, settings) == {}
    assert execute(chain, safe, ordinary).executed is True
    assert token.functions.balanceOf(RECIPIENT).call() == 25 * 10**6


def test_eth_sent_to_the_zero_address_is_refused_and_is_burnt(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", to=ZERO, value=str(10**18))
    assert set(codes(wallet, tx, tokens, settings)) == {"zero_destination"}
    held = chain.balance(safe.address)
    assert execute(chain, safe, tx).executed is True
    assert chain.balance(safe.address) == held - 10**18  # gone to an address nobody holds

    inner = [MultiSendTx(MultiSendOperation.CALL, RECIPIENT, 1, b""),
             MultiSendTx(MultiSendOperation.CALL, ZERO, 10**18, b"")]  # fmt: skip
    data = wallet.multisend.encode_abi("multiSend", args=[b"".join(t.encoded_data for t in inner)])
    batch = chain.draft(safe, "1.4.1", to=wallet.multisend.address, data=data, operation=1)
    assert "call 2 of the batch" in codes(wallet, batch, tokens, settings)["zero_destination"]


def test_a_value_with_a_batch_delegatecall_is_refused_and_is_never_sent(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    """operation=1 to the trusted MultiSendCallOnly with value 1 ETH: the review shows the
    batch's calls only, and the Safe's delegatecall sends no ETH at all."""
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    inner = [MultiSendTx(MultiSendOperation.CALL, RECIPIENT, 5, b"")]
    data = wallet.multisend.encode_abi("multiSend", args=[b"".join(t.encoded_data for t in inner)])
    tx = chain.draft(safe, "1.4.1", to=wallet.multisend.address, data=data, operation=1,
                     value=str(10**18))
    assert "a delegatecall sends no ETH" in codes(wallet, tx, tokens, settings)["delegatecall"]
    held, paid = chain.balance(safe.address), chain.balance(RECIPIENT)
    assert execute(chain, safe, tx).executed is True
    assert (held - chain.balance(safe.address), chain.balance(RECIPIENT) - paid) == (5, 5)

    without = chain.draft(safe, "1.4.1", to=wallet.multisend.address, data=data, operation=1)
    assert codes(wallet, without, tokens, settings) == {}
    assert execute(chain, safe, without).executed is True


@pytest.mark.parametrize("version", VERSIONS)
def test_eth_sent_to_a_registered_token_contract_is_refused_and_cannot_execute(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    """ETH to the USDT contract reads like a withdrawal to an address; the token has no
    payable fallback, so the call fails: 1.4.1 reverts (nonce blocked), 1.1.1 burns it."""
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    tx = chain.draft(safe, version, to=token.address, value=str(10**18))
    found = codes(wallet, tx, tokens, settings)
    assert set(found) == {"unknown_call"} and "USDT token contract" in found["unknown_call"]
    held = chain.balance(safe.address)
    outcome = execute(chain, safe, tx)
    if version == "1.4.1":
        assert "GS013" in revert_reason(chain, safe, tx)
        assert (outcome.mined, outcome.nonce_used) == (False, False)
    else:
        assert (outcome.executed, outcome.nonce_used) == (False, True)
    assert chain.balance(safe.address) == held
    ordinary = chain.draft(safe, version, to=RECIPIENT, value=str(10**18))
    assert codes(wallet, ordinary, tokens, settings) == {}
    assert execute(chain, safe, ordinary).executed is True


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("data_bytes", [0, 30_000])
def test_safe_tx_gas_at_the_bound_executes_and_one_above_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str,
    data_bytes: int,
) -> None:
    """With refunds allowed (gasPrice > 0, so safeTxGas is what the call gets), a safeTxGas
    right at the bound must still execute in one block: the proxy's delegatecall keeps
    1/64 back, 1.3.0+ asks for safeTxGas x 64/63 on top (GS010), and the Safe checks
    signatures and copies the data before it looks."""
    chain, safe = wallet.chain, wallet.safes[version]
    # (Data to a plain address is an unknown call: allowed here to weigh the data alone.)
    here = on_this_chain(settings, wallet, allow_refund_params=True, allow_unknown_calls=True)
    fields = {"to": RECIPIENT, "value": "1", "data": "0x" + "ff" * data_bytes,
              "gasPrice": str(GWEI)}
    bound = max_safe_tx_gas(here.block_gas_limit, data_bytes)
    at = chain.draft(safe, version, safeTxGas=str(bound), **fields)
    above = chain.draft(safe, version, safeTxGas=str(bound + 1), **fields)
    assert codes(wallet, at, tokens, here) == {}
    assert str(bound) in codes(wallet, above, tokens, here)["safe_tx_gas_limit"]
    outcome = execute(chain, safe, at, gas_price=GWEI)
    assert (outcome.executed, outcome.nonce_used) == (True, True)
