"""Only what can execute is signed: each refused gas, refund or self-transfer shape, run on
the real Safe 1.1.1 and 1.4.1 bytecode with plain owner keys, reverts, burns the nonce, pays
a refund out of the Safe, or withdraws nothing (docs/risk-policy.md "Safe execution bounds").
"""

from __future__ import annotations

import pytest
from eth_account import Account
from safe_chain import SafeWallet
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx
from safe_executor import block_gas_limit, execute, revert_reason

from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.execution import MIN_CALL_GAS, max_safe_tx_gas, worst_refund_wei
from signer.chains.ethereum.safe_tx import SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.tokens import TokenRegistry

VERSIONS = ["1.1.1", "1.4.1"]
ATTACKER = Account.from_key(b"\x66" * 32).address
RECIPIENT = Account.from_key(b"\x11" * 32).address
GWEI = 10**9


def codes(
    wallet: SafeWallet, tx: SafeTx, tokens: TokenRegistry, settings: Settings
) -> dict[str, str]:
    """Finding code -> message, screened against the registered Safe of ``tx``'s version."""
    view = decode_safe_tx(tx, tokens, settings)
    found = screen_safe_tx(
        tx, view, settings, safe=wallet.safes[tx.safe_version].address,
        chain_id=wallet.chain.chain_id, last_nonce=None,
    )  # fmt: skip
    return {f.code: f.message for f in found}


def on_this_chain(settings: Settings, wallet: SafeWallet, **changes: object) -> Settings:
    """``settings`` with the test chain's own block gas limit (and ``changes``)."""
    fields: dict[str, object] = {
        "trusted_multisend": settings.trusted_multisend,
        "block_gas_limit": block_gas_limit(wallet.chain),
    }
    fields.update(changes)
    return Settings(**fields)  # type: ignore[arg-type]


def token_transfer(wallet: SafeWallet, amount: int) -> dict[str, str]:
    data = wallet.token.encode_abi("transfer", args=[RECIPIENT, amount])
    return {"to": wallet.token.address, "data": data}


@pytest.mark.parametrize("version", VERSIONS)
def test_safe_tx_gas_beyond_a_block_is_refused_and_never_executes(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    here = on_this_chain(settings, wallet)
    bound = max_safe_tx_gas(here.block_gas_limit)
    tx = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas=str(bound + 1))

    assert str(bound) in codes(wallet, tx, tokens, here)["safe_tx_gas_limit"]
    # The bound keeps a margin (test_safe_hostile_shapes.py executes it at the bound); past
    # what the proxy can forward at all, all the gas a block holds is not enough: the Safe
    # reverts, the nonce stays blocked.
    never = (here.block_gas_limit - 21_000) * 63 // 64 + 1
    tx = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas=str(never))
    assert "safe_tx_gas_limit" in codes(wallet, tx, tokens, here)
    reason = revert_reason(chain, safe, tx)
    assert "GS010" in reason or "Not enough gas to execute safe transaction" in reason
    outcome = execute(chain, safe, tx)
    assert (outcome.mined, outcome.nonce_used) == (False, False)
    huge = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas=str(2**256 - 1))
    assert "safe_tx_gas_limit" in codes(wallet, huge, tokens, settings)
    at = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas=str(bound))
    assert "safe_tx_gas_limit" not in codes(wallet, at, tokens, here)  # the bound is inclusive


def test_non_zero_safe_tx_gas_is_refused_and_lets_a_failing_call_burn_the_nonce(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    """1.4.1: safeTxGas 0 reverts a failed call (GS013); any other value consumes the nonce."""
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    held = wallet.token.functions.balanceOf(safe.address).call()
    call = token_transfer(wallet, held + 1)  # cannot succeed today: the Safe holds less
    risky = chain.draft(safe, "1.4.1", safeTxGas="100000", **call)
    sound = chain.draft(safe, "1.4.1", safeTxGas="0", **call)

    assert "GS013" in codes(wallet, risky, tokens, settings)["safe_tx_gas"]
    assert codes(wallet, sound, tokens, settings) == {}
    assert "GS013" in revert_reason(chain, safe, sound)
    kept = execute(chain, safe, sound)
    assert (kept.mined, kept.nonce_used) == (False, False)  # waits until the Safe is funded
    burnt = execute(chain, safe, risky)
    assert (burnt.mined, burnt.executed, burnt.nonce_used) == (True, False, True)
    assert wallet.token.functions.balanceOf(safe.address).call() == held


def test_low_safe_tx_gas_on_an_old_safe_is_refused_and_burns_the_nonce(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    """1.1.1: a non-zero safeTxGas is all the gas the call gets, however much is sent."""
    chain, safe = wallet.chain, wallet.safes["1.1.1"]
    call = token_transfer(wallet, 5 * 10**6)
    low = chain.draft(safe, "1.1.1", safeTxGas="1000", **call)
    assert str(MIN_CALL_GAS) in codes(wallet, low, tokens, settings)["safe_tx_gas"]

    with chain.snapshot():
        burnt = execute(chain, safe, low, gas=2_000_000)
        assert (burnt.mined, burnt.executed, burnt.nonce_used) == (True, False, True)
        assert wallet.token.functions.balanceOf(RECIPIENT).call() == 0
    for enough in ("0", str(MIN_CALL_GAS)):
        tx = chain.draft(safe, "1.1.1", safeTxGas=enough, **call)
        assert codes(wallet, tx, tokens, settings) == {}
        with chain.snapshot():
            assert execute(chain, safe, tx, gas=2_000_000).executed is True
            assert wallet.token.functions.balanceOf(RECIPIENT).call() == 5 * 10**6


@pytest.mark.parametrize("version", VERSIONS)
def test_gas_price_is_refused_and_pays_the_executor_out_of_the_safe(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas="100000",
                     gasPrice=str(GWEI))  # fmt: skip
    assert f"gasPrice {GWEI} " in codes(wallet, tx, tokens, settings)["refund_params"]
    before = chain.balance(safe.address)
    outcome = execute(chain, safe, tx, gas_price=GWEI)
    assert outcome.executed is True and outcome.payment > 0
    assert before - chain.balance(safe.address) == 1 + outcome.payment


@pytest.mark.parametrize("version", VERSIONS)
def test_base_gas_beyond_a_block_is_refused_and_overpays_or_reverts(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    limit = block_gas_limit(chain)
    tx = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas="100000",
                     baseGas=str(limit + 1), gasPrice=str(1000 * GWEI))  # fmt: skip
    refunds = on_this_chain(settings, wallet, allow_refund_params=True)
    assert str(limit) in codes(wallet, tx, tokens, refunds)["base_gas_limit"]
    assert "base_gas_limit" in codes(wallet, tx, tokens, on_this_chain(settings, wallet))
    at = chain.draft(safe, version, to=RECIPIENT, value="1", safeTxGas="100000",
                     baseGas=str(limit), gasPrice=str(1000 * GWEI))  # fmt: skip
    assert "base_gas_limit" not in codes(wallet, at, tokens, refunds)  # the bound is inclusive

    # At the price it names, a block's worth of gas costs more than the Safe holds (10 ETH).
    reason = revert_reason(chain, safe, tx, gas_price=1000 * GWEI)
    assert "GS011" in reason or "Could not pay gas costs with ether" in reason
    with chain.snapshot():
        expensive = execute(chain, safe, tx, gas_price=1000 * GWEI)
        assert (expensive.mined, expensive.nonce_used) == (False, False)
    # At a cheaper price it executes and pays a block's worth of gas for one transfer.
    before = chain.balance(safe.address)
    cheap = execute(chain, safe, tx, gas_price=GWEI)
    assert cheap.executed is True and cheap.payment >= limit * GWEI
    assert before - chain.balance(safe.address) == 1 + cheap.payment


@pytest.mark.parametrize("version", VERSIONS)
def test_refund_fields_without_a_gas_price_are_refused_and_do_nothing(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    """gasToken, refundReceiver and baseGas only shape a refund: without gasPrice, inert."""
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    for field, value in (("gasToken", token.address), ("refundReceiver", ATTACKER),
                         ("baseGas", "21000")):  # fmt: skip
        tx = chain.draft(safe, version, to=RECIPIENT, value="1", **{field: value})
        assert f"{field} {value}" in codes(wallet, tx, tokens, settings)["refund_params"]
        with chain.snapshot():
            outcome = execute(chain, safe, tx)
            assert (outcome.executed, outcome.payment) == (True, 0)
            assert token.functions.balanceOf(ATTACKER).call() == chain.balance(ATTACKER) == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_eth_sent_to_the_safe_itself_is_refused_and_withdraws_nothing(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    held = chain.balance(safe.address)
    tx = chain.draft(safe, version, to=safe.address, value=str(10**18))
    found = codes(wallet, tx, tokens, settings)
    assert set(found) == {"self_transfer"}
    admin = Settings(allow_self_calls=True, trusted_multisend=settings.trusted_multisend)
    assert set(codes(wallet, tx, tokens, admin)) == {"self_transfer"}

    with chain.snapshot():
        outcome = execute(chain, safe, tx)
        # A nonce spent, nothing withdrawn.
        assert (outcome.executed, outcome.nonce_used) == (True, True)
        assert chain.balance(safe.address) == held
    more = chain.draft(safe, version, to=safe.address, value=str(held + 1))
    outcome = execute(chain, safe, more)
    if version == "1.4.1":  # reverts (GS013) until the Safe holds more: the nonce is blocked
        assert "GS013" in revert_reason(chain, safe, more)
        assert (outcome.mined, outcome.nonce_used) == (False, False)
    else:  # fails and consumes the nonce
        assert (outcome.executed, outcome.nonce_used) == (False, True)


@pytest.mark.parametrize("version", VERSIONS)
def test_eth_sent_with_a_call_to_the_safe_is_refused_and_fails(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    """The Safe's own functions are not payable: ETH along with one makes the call fail."""
    chain, safe = wallet.chain, wallet.safes[version]
    data = safe.encode_abi("changeThreshold", [1])
    tx = chain.draft(safe, version, to=safe.address, value="1", data=data)
    assert {"self_transfer", "self_call"} <= set(codes(wallet, tx, tokens, settings))
    admin = Settings(allow_self_calls=True, trusted_multisend=settings.trusted_multisend)
    assert set(codes(wallet, tx, tokens, admin)) == {"self_transfer"}

    outcome = execute(chain, safe, tx)
    assert outcome.executed is not True and safe.functions.getThreshold().call() == 2
    assert outcome.nonce_used is (version == "1.1.1")  # 1.1.1 burns it, 1.4.1 blocks it


@pytest.mark.parametrize("version", VERSIONS)
def test_tokens_sent_to_the_safe_itself_are_refused_and_withdraw_nothing(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    held = token.functions.balanceOf(safe.address).call()
    data = token.encode_abi("transfer", args=[safe.address, 25_000 * 10**6])
    tx = chain.draft(safe, version, to=token.address, data=data)
    assert "25000 USDT" in codes(wallet, tx, tokens, settings)["self_transfer"]

    outcome = execute(chain, safe, tx)
    assert (outcome.executed, outcome.nonce_used) == (True, True)
    assert token.functions.balanceOf(safe.address).call() == held


def test_eth_sent_to_the_safe_inside_a_batch_is_refused(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings
) -> None:
    chain, safe = wallet.chain, wallet.safes["1.4.1"]
    inner = [MultiSendTx(MultiSendOperation.CALL, RECIPIENT, 1, b""),
             MultiSendTx(MultiSendOperation.CALL, safe.address, 10**18, b"")]  # fmt: skip
    data = wallet.multisend.encode_abi("multiSend", args=[b"".join(t.encoded_data for t in inner)])
    tx = chain.draft(safe, "1.4.1", to=wallet.multisend.address, data=data, operation=1)
    assert "call 2 of the batch" in codes(wallet, tx, tokens, settings)["self_transfer"]
    held = chain.balance(safe.address)
    assert execute(chain, safe, tx).executed is True
    assert chain.balance(safe.address) == held - 1  # the second call moved nothing


@pytest.mark.parametrize("version", VERSIONS)
def test_with_refunds_allowed_safe_tx_gas_zero_is_refused_and_fails_but_pays(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    refunds = on_this_chain(settings, wallet, allow_refund_params=True, max_refund_wei=10**18)
    tx = chain.draft(safe, version, gasPrice=str(GWEI), **token_transfer(wallet, 5))
    assert set(codes(wallet, tx, tokens, refunds)) == {"safe_tx_gas"}

    before = chain.balance(safe.address)
    outcome = execute(chain, safe, tx, gas_price=GWEI)
    # The call got no gas: it failed, the nonce is consumed and the refund still paid.
    assert (outcome.executed, outcome.nonce_used) == (False, True) and outcome.payment > 0
    assert before - chain.balance(safe.address) == outcome.payment
    assert wallet.token.functions.balanceOf(RECIPIENT).call() == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_with_refunds_allowed_the_policy_bounds_what_one_execution_pays(
    wallet: SafeWallet, tokens: TokenRegistry, settings: Settings, version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    fields = {"to": RECIPIENT, "value": "1", "safeTxGas": "100000", "gasPrice": str(GWEI)}
    tx = chain.draft(safe, version, **fields)
    worst = worst_refund_wei(tx)
    tight = on_this_chain(settings, wallet, allow_refund_params=True, max_refund_wei=worst - 1)
    assert str(worst) in codes(wallet, tx, tokens, tight)["refund_too_high"]
    enough = on_this_chain(settings, wallet, allow_refund_params=True, max_refund_wei=worst)
    assert codes(wallet, tx, tokens, enough) == {}
    in_token = chain.draft(safe, version, gasToken=wallet.token.address, **fields)
    assert "gasToken" in codes(wallet, in_token, tokens, enough)["refund_too_high"]

    outcome = execute(chain, safe, tx, gas_price=GWEI)
    assert outcome.executed is True and 0 < outcome.payment <= worst
