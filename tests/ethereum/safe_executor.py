"""Execute Safe transactions as anyone on the network could: plain owner keys, chosen gas.

Independent of the appliance: owners sign with eth-account over the hash the Safe contract
itself computes (getTransactionHash), and the executor picks the gas it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak
from safe_chain import SafeChain
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from signer.chains.ethereum.safe_tx import SafeTx

# The owners of the test Safes (conftest.owner_secret), as plain eth-account keys.
OWNER_KEYS = [Account.from_key(keccak(f"airsign test owner {h}".encode())) for h in "ABC"]


def packed_signatures(chain: SafeChain, safe: Contract, tx: SafeTx) -> bytes:
    """Two owners' r||s||v over the contract's own hash, sorted by owner as the Safe wants."""
    digest = chain.contract_hash(safe, tx)
    signers = sorted(OWNER_KEYS[:2], key=lambda a: int(a.address, 16))
    packed = b""
    for account in signers:
        signed = account.unsafe_sign_hash(digest)
        packed += signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])
    return packed


@dataclass(frozen=True)
class Outcome:
    """What one execTransaction did on chain."""

    mined: bool  # the Ethereum transaction succeeded (did not revert)
    executed: bool | None  # ExecutionSuccess (True) or ExecutionFailure (False); None: reverted
    payment: int  # the refund the Safe paid (from its event)
    nonce_used: bool


def _call(safe: Contract, tx: SafeTx, packed: bytes) -> Any:
    return safe.functions.execTransaction(
        tx.to, tx.value, tx.data, tx.operation, tx.safe_tx_gas, tx.base_gas,
        tx.gas_price, tx.gas_token, tx.refund_receiver, packed,
    )  # fmt: skip


def block_gas_limit(chain: SafeChain) -> int:
    return int(chain.w3.eth.get_block("latest")["gasLimit"])


def revert_reason(chain: SafeChain, safe: Contract, tx: SafeTx, gas_price: int = 0) -> str:
    """The Safe's revert message when executed with all the gas a block holds ('' if none)."""
    packed = packed_signatures(chain, safe, tx)
    params: dict[str, Any] = {"from": chain.sender, "gas": block_gas_limit(chain)}
    if gas_price:
        params["gasPrice"] = gas_price
    try:
        _call(safe, tx, packed).call(params)  # type: ignore[arg-type]
    except (ContractLogicError, TransactionFailed) as exc:
        return str(exc)
    return ""


def execute(
    chain: SafeChain, safe: Contract, tx: SafeTx, gas: int | None = None, gas_price: int = 0
) -> Outcome:
    """Send execTransaction with ``gas`` (all a block holds by default) and read the events.

    ``gas_price``: the executor's own gas price (the Safe refunds ETH at most at this price).
    """
    before = int(safe.functions.nonce().call())
    packed = packed_signatures(chain, safe, tx)
    params: dict[str, Any] = {"from": chain.sender, "gas": gas or block_gas_limit(chain)}
    if gas_price:
        params["gasPrice"] = gas_price
    sent = _call(safe, tx, packed).transact(params)  # type: ignore[arg-type]
    receipt = chain.w3.eth.wait_for_transaction_receipt(sent)
    nonce_used = int(safe.functions.nonce().call()) == before + 1
    if receipt["status"] != 1:
        return Outcome(False, None, 0, nonce_used)
    success = safe.events.ExecutionSuccess().process_receipt(receipt, errors=DISCARD)
    failure = safe.events.ExecutionFailure().process_receipt(receipt, errors=DISCARD)
    event = (success or failure)[0]
    return Outcome(True, bool(success), int(event["args"]["payment"]), nonce_used)
